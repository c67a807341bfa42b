// The dashboard in a real browser (Debian's Chromium driven by playwright-core; no browser download) against a
// real campaign on the shared Temporal dev server with real workers: step1 has two groups, one with a planted
// failure (`ValueError: planted failure in <id>` on stderr, exit 1); step2 runs at compute site `other` (its own
// executor), its jobs held until the test releases them. From the campaigns page we click through campaign -> run ->
// failed job and find the root-cause line; the site filter hides the other site's groups and jobs; the pause switch
// is refused (403, campaign not paused) by a dashboard without a token and pauses the campaign with one, and a failed
// group is accepted from its row; once step2 is released, its run page follows the run without a reload while the
// "as of" stamp advances; the stamp turns red when the stream stops. Every page is written as a screenshot to test-output/dashboard/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignStatus } from '../../core/campaign/index.js';
import { freePort } from '../../temporal/ports.js';
import { repoRoot } from '../../paths/index.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { runIdFrom, waitFor } from '../helpers/runs.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = path.join(repoRoot, 'test-output', 'dashboard');
const TOKEN = 'dashboard-test-token-1234';
const NAME = `dash_ui_${process.pid}`;
const G1 = `${NAME}_step1_g1`;
const G2 = `${NAME}_step1_g2`;
const S2 = `${NAME}_step2_g1`;

let h: Harness;
let client: Client;
let browser: BrowserContext;
let page: Page;
let profile: string;
const dashboards: ChildProcess[] = [];
let operatorUrl: string; // started with --token
let readOnlyUrl: string; // started without
let readOnlyProc: ChildProcess;
let campaignDir: string;
let looseRun: string;

async function startDashboard(args: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [path.join(repoRoot, 'bin', 'tbps.js'), 'dashboard', '--port', String(port), ...args], { env: h.env, cwd: h.home, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  dashboards.push(proc);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`dashboard on ${url} (${out})`, async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true, 60_000);
  return { url, proc };
}

const status = async () => (await client.workflow.getHandle(`campaign/${NAME}`).query('status')) as CampaignStatus;
async function waitStatus(what: string, cond: (s: CampaignStatus) => boolean, timeoutMs = 240_000): Promise<CampaignStatus> {
  let last: CampaignStatus | undefined;
  await waitFor(`${NAME}: ${what}`, async () => {
    last = await status().catch(() => undefined);
    return !!last && cond(last);
  }, timeoutMs);
  return last!;
}
const group = (s: CampaignStatus, step: string, id: string) => s.steps.find((x) => x.name === step)?.groups.find((g) => g.id === id);

async function shot(name: string): Promise<void> {
  await page.waitForLoadState('load');
  await page.waitForTimeout(200);
  // No transient toast, and the sticky bar at the top of the picture.
  await page.evaluate(() => {
    document.getElementById('toast')?.replaceChildren();
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

const stampText = () => page.locator('#as-of time').textContent();

function writeCampaign(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'job.sh'),
    [
      'run="$1"; id="$2"; d="$(dirname "$0")"',
      'echo "attempt $TBPS_ATTEMPT of $TBPS_JOB_NAME"',
      // step2 waits for the test's go, then takes a moment per job, so the test watches it progress.
      'case "$run" in *_step2_*) while [ ! -e "$d/release" ]; do sleep 0.2; done; sleep 0.4;; *) sleep 0.05;; esac',
      `case "$TBPS_JOB_LABEL" in calibrate) if [ "$run" = "${G2}" ]; then echo "INFO starting $id"; echo "ValueError: planted failure in $id" >&2; exit 1; fi;; esac`,
      'exit 0',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'base.yaml'),
    [
      'payloadName: dashdemo',
      'project: dashboard-test',
      'inCollection: HSC/defaults',
      'dataQuery: "instrument=\'HSC\'"',
      'syntheticGraph: {quanta: 60}',
      `runQuantumCommand: "sh ${path.join(dir, 'job.sh')} {uniqProcName} {qgraphNodeId}"`,
      'requestMemory: 64',
      'numberOfRetries: 1',
      'jobHeartbeatTimeout: 15',
      'pipetask: {pipetaskInit: {runQuantumCommand: "true"}}',
      'finalJob: {whenRun: ALWAYS, command1: "true"}',
      '',
    ].join('\n'),
  );
  const spec = path.join(dir, 'campaign.yaml');
  writeFileSync(
    spec,
    [
      `name: ${NAME}`,
      'baseConfig: base.yaml',
      'concurrency: 2',
      'failurePolicy: {onFailure: continue}',
      'steps:',
      '  - name: step1',
      '    split: {dimension: visit, values: [1, 2]}',
      '  - name: step2',
      '    overrides: {computeSite: other}',
      '',
    ].join('\n'),
  );
  return spec;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: run 'npm run setup' as root (it installs Debian's chromium with apt-get)`);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  h = createHarness('dash');
  h.startOrchestrator();
  h.startExecutor({ TBPS_EXECUTOR_CPUS: '4', TBPS_EXECUTOR_MEMORY_MB: '4000' });
  h.startExecutor({ TBPS_SITE: 'other', TBPS_EXECUTOR_CPUS: '2', TBPS_EXECUTOR_MEMORY_MB: '2000' });
  client = await h.client();
  campaignDir = path.join(h.home, 'campaign');
  const spec = writeCampaign(campaignDir);
  const start = h.tbps(['campaign', 'start', spec, '--operator', 'pilot']);
  expect(start.stderr).toBe('');
  expect(start.code).toBe(0);
  // And a run of its own, outside the campaign.
  const loose = h.tbps(['submit', path.join(campaignDir, 'base.yaml'), '--output-run', 'u/pilot/dashdemo/loose']);
  expect(loose.code).toBe(0);
  looseRun = runIdFrom(loose.stdout);
  const [op, ro] = await Promise.all([startDashboard(['--token', TOKEN]), startDashboard([])]);
  operatorUrl = op.url;
  readOnlyUrl = ro.url;
  readOnlyProc = ro.proc;
  profile = mkdtempSync(path.join(os.tmpdir(), 'tbps-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  for (const p of dashboards) if (p.exitCode === null) p.kill('SIGTERM');
  if (client) await client.workflow.getHandle(`campaign/${NAME}`).cancel().catch(() => undefined);
  await h?.stopAll();
});

describe('the dashboard in Chromium', () => {
  it('campaigns page: the live campaign with its progress, histograms and switch; the "as of" stamp advances', async () => {
    await waitStatus('step1 ended, step2 running', (s) => group(s, 'step1', 'g2')?.status === 'FAILED' && group(s, 'step1', 'g1')?.status === 'SUCCEEDED' && s.steps[1].groups.some((g) => g.status === 'running'));
    await page.goto(`${readOnlyUrl}/`);
    const card = page.locator(`article.campaign-card[data-campaign="${NAME}"]`);
    expect(await card.locator('a.cc-name').innerText()).toBe(NAME);
    expect(await card.locator('svg.state-bar').count()).toBe(1);
    expect(await card.locator('.histogram').count()).toBe(2);
    expect(await card.locator('.histogram').first().innerText()).toMatch(/running[\s\S]*SUCCEEDED[\s\S]*FAILED/);
    expect(await card.locator('.step-chips li.current').innerText()).toContain('step2');
    // A read-only dashboard shows the switch disabled.
    expect(await card.locator('button.switch').isDisabled()).toBe(true);
    // The run outside the campaign is listed below the campaigns.
    expect(await page.locator('table.runs').innerText()).toContain(looseRun);
    const first = await stampText();
    await waitFor('the stamp to advance', async () => (await stampText()) !== first, 10_000);
    expect(await page.locator('#as-of').getAttribute('class')).not.toContain('stale');
    await shot('campaigns');
  }, 240_000);

  it('click-through: campaign -> run -> failed job shows the root-cause line', async () => {
    await page.goto(`${readOnlyUrl}/`);
    await page.locator(`article.campaign-card[data-campaign="${NAME}"] a.cc-name`).click();
    await page.waitForURL(`**/campaigns/${NAME}`);
    await page.locator('svg.step-graph').waitFor();
    expect(await page.locator('table.groups').innerText()).toContain(G2);
    await shot('campaign');
    await page.locator(`table.groups a[href="/runs/${G2}"]`).click();
    await page.waitForURL(`**/runs/${G2}`);
    await page.locator('table.states tr.total').waitFor();
    await page.locator('svg.timeline rect.seg').first().waitFor();
    await shot('run');
    await page.locator('a.btn.danger', { hasText: 'Failed jobs' }).click();
    await page.waitForURL(`**/runs/${G2}/jobs?state=FAILED`);
    await shot('jobs');
    await page.locator('table.jobs td.name a').first().click();
    await page.waitForURL(`**/runs/${G2}/jobs/*_calibrate_*`); // <node id>_calibrate_<visit>_<detector>
    const root = page.locator('#root-cause');
    expect(await root.innerText()).toContain('ValueError: planted failure in');
    expect(await root.getAttribute('class')).toMatch(/root-cause/);
    await shot('job');
    await page.locator('a[href="#root-cause"]').click();
    await page.waitForURL(/#root-cause$/);
    await page.goto(`${readOnlyUrl}/runs/${G2}/errors`);
    expect(await page.locator('table.errors').innerText()).toContain('ValueError: planted failure in');
    await shot('errors-run');
    await page.goto(`${readOnlyUrl}/campaigns/${NAME}/errors`);
    expect(await page.locator('table.errors').innerText()).toContain(G2);
    await shot('errors-campaign');
    await page.goto(`${readOnlyUrl}/runs`);
    await shot('runs');
  }, 120_000);

  it("the site filter hides the other site's groups and jobs", async () => {
    await page.goto(`${readOnlyUrl}/campaigns/${NAME}`);
    expect(await page.locator('table.groups').innerText()).toContain(S2);
    await page.locator('#site-select').selectOption('local');
    await page.waitForURL(`**/campaigns/${NAME}?site=local`);
    expect(await page.locator('table.groups').innerText()).toContain(G1);
    expect(await page.locator('table.groups').innerText()).not.toContain(S2);
    await page.goto(`${readOnlyUrl}/campaigns/${NAME}?site=other`);
    expect(await page.locator('table.groups').innerText()).toContain(S2);
    expect(await page.locator('table.groups').innerText()).not.toContain(G2);
    await shot('campaign-site-other');
    await page.goto(`${readOnlyUrl}/runs/${S2}/jobs?site=local`);
    expect(await page.locator('main').innerText()).toContain('No job matches');
    await page.goto(`${readOnlyUrl}/runs/${S2}/jobs?site=other`);
    expect(await page.locator('table.jobs tbody tr').count()).toBeGreaterThan(5);
    await page.goto(`${readOnlyUrl}/runs?site=other`);
    expect(await page.locator('table.runs').innerText()).toContain(S2);
    expect(await page.locator('table.runs').innerText()).not.toContain(G1);
  }, 120_000);

  it('the pause switch: refused without a token (403, not paused), pauses the campaign with one; accept a failed group', async () => {
    await page.goto(`${readOnlyUrl}/campaigns/${NAME}`);
    expect(await page.locator('button.switch').isDisabled()).toBe(true);
    const refused = await page.evaluate(async (name) => {
      const r = await fetch(`/api/campaigns/${name}/pause`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      return { status: r.status, body: await r.json() };
    }, NAME);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/read-only dashboard/);
    // The token dashboard without its token refuses too.
    const noToken = await fetch(`${operatorUrl}/api/campaigns/${NAME}/pause`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(noToken.status).toBe(403);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await status()).paused).toBe(false);

    await page.goto(`${operatorUrl}/campaigns/${NAME}?token=${TOKEN}`);
    await page.waitForURL(`${operatorUrl}/campaigns/${NAME}`); // the token left the address bar for a cookie
    await page.locator('.mode-operator').waitFor();
    const sw = page.locator('button.switch');
    expect(await sw.isEnabled()).toBe(true);
    expect(await sw.getAttribute('aria-checked')).toBe('true');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 9));
    await sw.click();
    const s = await waitStatus('paused from the dashboard', (x) => x.paused, 30_000);
    expect(s.actions.at(-1)).toMatchObject({ action: 'pause', operator: `dashboard:${os.userInfo().username}` });
    // The page follows by itself (no reload): the switch shows paused, the action is listed.
    await waitFor('the switch to show paused', async () => (await sw.getAttribute('aria-checked')) === 'false', 10_000);
    await waitFor('the pause in the actions', async () => (await page.locator('main').innerText()).includes('paused from the dashboard'), 10_000);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(9);
    await shot('campaign-paused');
    await sw.click();
    await waitStatus('resumed from the dashboard', (x) => !x.paused, 30_000);

    // Accept the failed group from its row (after the confirmation), recorded with its operator.
    const row = page.locator(`table.groups tr:has(a[href="/runs/${G2}"])`);
    page.once('dialog', (d) => void d.accept());
    await row.locator('button[data-action="accept"]').click();
    const acc = await waitStatus('g2 accepted from the dashboard', (x) => group(x, 'step1', 'g2')?.decision === 'accepted', 30_000);
    expect(acc.actions.at(-1)).toMatchObject({ action: 'accept', operator: `dashboard:${os.userInfo().username}`, step: 'step1', groups: ['g2'] });
    await waitFor('the decision on the page', async () => (await row.innerText()).includes('accepted'), 10_000);
    expect(await row.locator('button[data-action]').count()).toBe(0);
  }, 120_000);

  it('a live run page follows the run without a reload while the "as of" stamp advances', async () => {
    await page.goto(`${readOnlyUrl}/runs/${S2}`);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    const finished = page.locator('.progress-text span').first();
    const before = await finished.innerText();
    const stamp = await stampText();
    writeFileSync(path.join(campaignDir, 'release'), '');
    await waitFor('the run counts to update live', async () => (await finished.innerText()) !== before, 30_000);
    // The stamp has one-second resolution: the update may land within the second it was read.
    await waitFor('the "as of" stamp to advance', async () => (await stampText()) !== stamp, 5_000);
    await waitFor('more jobs to finish', async () => (await page.locator('svg.timeline rect.seg').count()) > 6, 60_000);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
    await shot('run-live');
    await page.goto(`${readOnlyUrl}/runs/${S2}/jobs`);
    await shot('jobs-live');
  }, 120_000);

  it('the "as of" stamp turns red when the live stream stops', async () => {
    await page.goto(`${readOnlyUrl}/runs/${S2}`);
    await page.waitForTimeout(1500);
    expect(await page.locator('#as-of').getAttribute('class')).not.toContain('stale');
    readOnlyProc.kill('SIGTERM');
    await waitFor('the stamp to turn red', async () => ((await page.locator('#as-of').getAttribute('class')) ?? '').includes('stale'), 15_000);
    await shot('stale');
  }, 60_000);
});
