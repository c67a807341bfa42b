// The dashboard's server without a browser (fastify.inject) over a store filled through the real Store API:
// pages and API answers, HTML escaping of untrusted names and log lines, the root-cause line, 400/404 on bad input,
// the token rules (read-only, bearer, cookie exchange, reads beyond loopback, cross-origin), the bind rule of
// `tbps dashboard`, the live stream's version moving on a store change, and the bounded timeline service.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bindProblem } from '../../client/dashboard/auth.js';
import { createDashboard, listenDashboard, type DashboardServer } from '../../client/dashboard/server.js';
import { openServices, runProgressSeries, runTimeline, type ServiceContext } from '../../client/services/index.js';
import { openStore } from '../../store/index.js';
import { repoRoot } from '../../paths/index.js';
import { EVIL_JOB, EVIL_LINE, OTHER_RUN, RETRIED_JOB, RUN, seedStore } from './seed.js';

const TOKEN = 'sesame-open-42';
let dir: string;
let db: string;
let services: ServiceContext;
let readOnly: DashboardServer;
let withToken: DashboardServer;

beforeAll(async () => {
  process.env.TEMPORAL_ADDRESS = inject('temporalAddress');
  dir = mkdtempSync(path.join(os.tmpdir(), 'tbps-dash-'));
  db = await seedStore(dir);
  services = await openServices(db);
  readOnly = await createDashboard({ services });
  withToken = await createDashboard({ services, token: TOKEN });
});

afterAll(async () => {
  await readOnly?.app.close();
  await withToken?.app.close();
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}, s = readOnly) => s.app.inject({ method: 'GET', url, headers });
/** A page's text with the entities the escaping makes turned back (for matching reasons). */
const text = (body: string) => body.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const jobUrl = (name: string) => `/runs/${RUN}/jobs/${encodeURIComponent(name)}`;

describe('pages', () => {
  it('serve the run, jobs, job, errors and runs pages as HTML with the live script and no outside URL', async () => {
    for (const url of [`/runs/${RUN}`, `/runs/${RUN}/jobs`, jobUrl(EVIL_JOB), `/runs/${RUN}/errors`, '/runs', `/runs/${RUN}/jobs?label=isr&state=SUCCEEDED`]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.body).toContain('<script src="/assets/dashboard.js" defer></script>');
      expect(r.body).toContain('id="as-of"');
      expect(r.headers['content-security-policy']).toContain("default-src 'none'");
      // Nothing is fetched from elsewhere: every src/href is local, a fragment, a data: URI or a Temporal UI link.
      for (const m of r.body.matchAll(/(?:src|href)="([^"]*)"/g)) expect(m[1], `${url}: ${m[1]}`).toMatch(/^(\/|#|data:|http:\/\/localhost:\d+\/namespaces\/)/);
    }
  });

  it('escapes job names and log lines, and marks the root-cause line', async () => {
    const jobs = await get(`/runs/${RUN}/jobs`);
    expect(jobs.body).toContain('calibrate_&lt;b&gt;x&lt;/b&gt;_&quot;q&quot;');
    expect(jobs.body).not.toContain('<b>x</b>');
    const job = await get(jobUrl(EVIL_JOB));
    expect(job.statusCode).toBe(200);
    expect(job.body).not.toContain('<img src=x');
    expect(job.body).not.toContain('<b>x</b>');
    const marked = /<span class="ln root-cause" id="root-cause"[^>]*>([^<]*)<\/span>/.exec(job.body);
    expect(marked?.[1]).toBe('&lt;img src=x onerror=alert(1)&gt; ValueError: planted failure in q7');
    expect(job.body.match(/id="root-cause"/g)).toHaveLength(1);
    expect(job.body).toContain('href="#root-cause"');
    expect(job.body).toContain('&lt;stdout&gt;');
    // Provenance environment values are escaped too.
    expect((await get(`/runs/${RUN}`)).body).toContain('TBPS_X=&lt;y&gt;');
  });

  it('show a job that succeeded after a retry as SUCCEEDED with its retry count', async () => {
    const r = await get(`/runs/${RUN}/jobs?label=isr`);
    const row = r.body.split('<tr>').find((x) => x.includes(`>${RETRIED_JOB}</a>`))!;
    expect(row).toContain('SUCCEEDED');
    expect(row).toContain('after 1 retry');
    const job = await get(jobUrl(RETRIED_JOB));
    expect(job.body).toContain('SIGKILL');
    expect(job.body).toContain('512 MiB'); // the second attempt's escalated memory
  });

  it('filter by compute site: the other site has no job of this run; another run is only at its site', async () => {
    const other = await get(`/runs/${RUN}/jobs?site=other`);
    expect(other.statusCode).toBe(200);
    expect(other.body).toContain('No job matches');
    const runs = await get('/runs?site=other');
    expect(runs.body).toContain(OTHER_RUN);
    expect(runs.body).not.toContain(`>${RUN}<`);
  });

  it('answer fragments (content only) with the data version for live updates', async () => {
    const r = await get(`/runs/${RUN}`, { 'x-fragment': '1' });
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain('<html');
    expect(r.body).toContain('Jobs by label and state');
    expect(r.headers['x-data-version']).toMatch(/^s\d+$/);
    expect(Date.parse(String(r.headers['x-data-at']))).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('JSON API', () => {
  it('mirrors the pages with the services data', async () => {
    const run = (await get(`/api/runs/${RUN}`)).json();
    expect(run.total.label).toBe('TOTAL');
    expect(run.total.counts).toMatchObject({ SUCCEEDED: 5, FAILED: 1, PRUNED: 1, RUNNING: 1, UNREADY: 3 });
    expect(run.labels.map((l: { label: string }) => l.label)).toEqual(['pipetaskInit', 'isr', 'calibrate', 'coadd', 'finalJob']);
    const failed = (await get(`/api/runs/${RUN}/jobs?state=FAILED`)).json();
    expect(failed.total).toBe(1);
    expect(failed.jobs[0].name).toBe(EVIL_JOB);
    expect((await get(`/api/runs/${RUN}/jobs?dataId=${encodeURIComponent('visit=903336')}`)).json().jobs.map((j: { name: string }) => j.name)).toEqual([RETRIED_JOB, 'calibrate_2']);
    expect((await get(`/api/runs/${RUN}/stats`)).json().total.retries).toBe(1);
    expect((await get(`/api/runs/${RUN}/errors`)).json().classes[0]).toMatchObject({ errorClass: 'payload', count: 1, exampleJob: EVIL_JOB, exampleLine: EVIL_LINE });
    const logs = (await get(`/api/runs/${RUN}/jobs/${encodeURIComponent(EVIL_JOB)}/logs?tail=2`)).json();
    expect(logs.attempts[0].stderr.text).toContain(EVIL_LINE);
    expect((await get(`/api/runs/${RUN}/jobs/${encodeURIComponent(RETRIED_JOB)}`)).json().attempts).toHaveLength(2);
    expect((await get('/api/sites')).json()).toEqual([
      { site: 'local', runs: 1 },
      { site: 'other', runs: 1 },
    ]);
    expect((await get('/api/runs?site=other')).json().map((r: { runId: string }) => r.runId)).toEqual([OTHER_RUN]);
    const timeline = (await get(`/api/runs/${RUN}/timeline`)).json();
    expect(timeline.attempts).toHaveLength(8);
    expect(timeline.truncated).toBe(false);
  });
});

describe('bad input', () => {
  it('is 404 for unknown runs, jobs, campaigns and pages, with the reason', async () => {
    const cases: [string, RegExp][] = [
      ['/runs/nope', /no run 'nope'/],
      ['/api/runs/nope', /no run 'nope'/],
      [`/runs/${RUN}/jobs/nope`, /no job 'nope'/],
      [`/api/runs/${RUN}/jobs/nope`, /no job 'nope'/],
      ['/campaigns/no_such_campaign_xyz', /no campaign 'no_such_campaign_xyz'/],
      ['/api/campaigns/no_such_campaign_xyz', /no campaign 'no_such_campaign_xyz'/],
      ['/campaigns/bad%20name', /no campaign 'bad name'/],
      ['/no/such/page', /no page \/no\/such\/page/],
    ];
    for (const [url, reason] of cases) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(404);
      expect(text(r.body), url).toMatch(reason);
      if (url.startsWith('/api/')) expect(r.json().error).toMatch(reason);
    }
  });

  it('is 400 for bad filters, pages out of range and unknown sites, with the reason', async () => {
    const cases: [string, RegExp][] = [
      [`/runs/${RUN}/jobs?label=bogus`, /has no label 'bogus'/],
      [`/api/runs/${RUN}/jobs?state=BOGUS`, /unknown state 'BOGUS'/],
      [`/runs/${RUN}/jobs?site=nowhere`, /unknown compute site 'nowhere'/],
      [`/runs/${RUN}?site=nowhere`, /unknown compute site 'nowhere'/],
      [`/runs/${RUN}/jobs?dataId=${encodeURIComponent('visit')}`, /expected key=value/],
      [`/runs/${RUN}/jobs?page=99`, /page 99 is out of range/],
      [`/runs/${RUN}/jobs?page=abc`, /key 'page': expected a whole number/],
      ['/?days=-1', /key 'days': expected a whole number/],
      [`/api/runs/${RUN}/jobs/x/logs?attempt=zz`, /expected an attempt number/],
      ['/events?topic=evil', /unknown topic/],
      [`/runs/${RUN}/jobs?label=a&label=b`, /give this parameter once/],
    ];
    for (const [url, reason] of cases) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(400);
      expect(text(r.body), url).toMatch(reason);
    }
  });
});

describe('token rules', () => {
  const post = (s: DashboardServer, url: string, headers: Record<string, string> = {}, payload: unknown = {}) =>
    s.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload) });

  it('a dashboard without a token is read-only: actions and ?token= are refused with the reason', async () => {
    const r = await post(readOnly, '/api/campaigns/anything/pause', { authorization: `Bearer ${TOKEN}` });
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toMatch(/read-only dashboard/);
    const t = await get(`/runs?token=${TOKEN}`);
    expect(t.statusCode).toBe(403);
    expect(t.body).toMatch(/started without --token/);
    expect((await get('/runs')).body).toContain('read-only');
    // No switch is enabled on a read-only page.
    expect((await get('/runs')).body).not.toContain('mode-operator');
  });

  it('with a token, actions need it (bearer or cookie), from the same origin, with a JSON body', async () => {
    const none = await post(withToken, '/api/campaigns/anything/pause');
    expect(none.statusCode).toBe(403);
    expect(none.json().error).toMatch(/actions need the dashboard token/);
    const wrong = await post(withToken, '/api/campaigns/anything/pause', { authorization: 'Bearer wrong-token-0' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error).toBe('wrong token');
    const cross = await post(withToken, '/api/campaigns/anything/pause', { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example', host: 'localhost:80' });
    expect(cross.statusCode).toBe(403);
    expect(cross.json().error).toMatch(/cross-origin/);
    const text = await withToken.app.inject({ method: 'POST', url: '/api/campaigns/anything/pause', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' }, payload: 'x' });
    expect(text.statusCode).toBe(400);
    const badBody = await post(withToken, '/api/campaigns/anything/accept', { authorization: `Bearer ${TOKEN}` }, { groups: ['g1'] });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json().error).toMatch(/body\.step/);
    const badVerb = await post(withToken, '/api/campaigns/anything/explode', { authorization: `Bearer ${TOKEN}` });
    expect(badVerb.statusCode).toBe(400);
    // Allowed through to the services: an unknown campaign is 404 there (nothing changes).
    const unknown = await post(withToken, '/api/campaigns/no_such_campaign_xyz/pause', { authorization: `Bearer ${TOKEN}` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatch(/no campaign 'no_such_campaign_xyz'/);
    const viaCookie = await post(withToken, '/api/campaigns/no_such_campaign_xyz/resume', { cookie: `tbps_token=${TOKEN}` });
    expect(viaCookie.statusCode).toBe(404);
  });

  it('?token= sets an HttpOnly SameSite=Strict cookie and drops the token from the address; a wrong one is refused', async () => {
    const r = await get(`/runs/${RUN}/jobs?label=isr&token=${TOKEN}`, {}, withToken);
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`/runs/${RUN}/jobs?label=isr`);
    expect(String(r.headers['set-cookie'])).toMatch(/^tbps_token=sesame-open-42; Path=\/; HttpOnly; SameSite=Strict$/);
    const page = await get('/runs', { cookie: `tbps_token=${TOKEN}` }, withToken);
    expect(page.body).toContain('mode-operator');
    const bad = await get('/runs?token=nope-nope-nope', {}, withToken);
    expect(bad.statusCode).toBe(403);
    expect(bad.body).toContain('wrong token');
    expect(String(bad.headers['set-cookie'] ?? '')).toBe('');
  });

  it('beyond loopback every request needs the token', async () => {
    const open = await createDashboard({ services, token: TOKEN, tokenForReads: true });
    try {
      const r = await get('/runs', {}, open);
      expect(r.statusCode).toBe(401);
      expect(r.body).toMatch(/needs its token/);
      expect((await get('/api/runs', { authorization: `Bearer ${TOKEN}` }, open)).statusCode).toBe(200);
      expect((await get('/api/runs', { authorization: 'Bearer nope-nope-nope' }, open)).statusCode).toBe(403);
      expect((await get('/healthz', {}, open)).statusCode).toBe(200);
    } finally {
      await open.app.close();
    }
  });

  it('tbps dashboard refuses a non-loopback host without a token (exit 2) and short tokens', () => {
    expect(bindProblem('127.0.0.1', undefined)).toBeUndefined();
    expect(bindProblem('::1', undefined)).toBeUndefined();
    expect(bindProblem('0.0.0.0', 'x'.repeat(12))).toBeUndefined();
    expect(bindProblem('0.0.0.0', undefined)).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
    const cli = path.join(repoRoot, 'bin', 'tbps.js');
    const env = { ...process.env, TBPS_HOME: dir, TBPS_DASHBOARD_TOKEN: '' };
    const r = spawnSync(process.execPath, [cli, 'dashboard', '--host', '0.0.0.0', '--port', '0'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
    const short = spawnSync(process.execPath, [cli, 'dashboard', '--token', 'abc', '--port', '0'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 8 characters/);
  });
});

describe('live stream', () => {
  it('ticks every second with the store version, which moves when a worker writes', async () => {
    const s = await createDashboard({ services });
    const url = await listenDashboard(s, '127.0.0.1', 0);
    const ac = new AbortController();
    try {
      const res = await fetch(new URL('events?topic=store', url), { signal: ac.signal });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = res.body!.getReader();
      let buf = '';
      const nextTick = async (): Promise<{ at: string; v: string }> => {
        for (;;) {
          const m = /event: tick\ndata: (.*)\n\n/.exec(buf);
          if (m) {
            buf = buf.slice(m.index + m[0].length);
            return JSON.parse(m[1]);
          }
          const { value, done } = await reader.read();
          if (done) throw new Error('stream ended');
          buf += new TextDecoder().decode(value);
        }
      };
      const first = await nextTick();
      const second = await nextTick();
      expect(second.v).toBe(first.v);
      expect(Date.parse(second.at)).toBeGreaterThan(Date.parse(first.at));
      // Another connection (as a worker would) commits a change: the version moves.
      const writer = await openStore(db);
      await writer.recordAttemptEnd(RUN, 'isr_3', 1, { state: 'SUCCEEDED', exitCode: 0 });
      await writer.close();
      let moved = false;
      for (let i = 0; i < 5 && !moved; i++) moved = (await nextTick()).v !== first.v;
      expect(moved).toBe(true);
    } finally {
      ac.abort();
      await s.app.close();
    }
  });
});

describe('timeline services', () => {
  it('bound the attempts shown and cumulate finished jobs over time', async () => {
    const t = await runTimeline(services, RUN, { limit: 3 });
    expect(t.attempts).toHaveLength(3);
    expect(t.truncated).toBe(true);
    expect(t.total).toBe(8);
    // The most recent three, oldest first.
    expect(t.attempts[0].startedAt <= t.attempts[2].startedAt).toBe(true);
    await expect(runTimeline(services, RUN, { limit: 0 })).rejects.toThrow(/expected an integer from 1/);
    const p = await runProgressSeries(services, RUN);
    const last = p.points.at(-1)!;
    expect(last.failed).toBe(1);
    expect(last.succeeded).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < p.points.length; i++) expect(p.points[i].succeeded + p.points[i].failed).toBeGreaterThanOrEqual(p.points[i - 1].succeeded + p.points[i - 1].failed);
    expect((await runTimeline(services, RUN, { computeSite: 'other' })).attempts).toHaveLength(0);
  });
});
