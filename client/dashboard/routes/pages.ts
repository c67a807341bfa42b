// The HTML pages. Each route checks its parameters (bad input is a 400, an unknown run, job or campaign a 404),
// stamps the response with its live topic's version, and answers either the whole page or, for the live script's
// `X-Fragment: 1` requests, only the content that changes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkSite, listSites, notFound } from '../../services/index.js';
import type { Dashboard, PageRequest } from '../context.js';
import { renderShell, type PageView } from '../layout.js';
import { topicVersion } from '../live.js';
import { campaignPage } from '../pages/campaign.js';
import { campaignsPage } from '../pages/campaigns.js';
import { errorsPage } from '../pages/errors.js';
import { jobPage } from '../pages/job.js';
import { jobsPage } from '../pages/jobs.js';
import { runPage } from '../pages/run.js';
import { runsPage } from '../pages/runs.js';
import { intParam, keptParams, textParam, type Query } from '../params.js';

type Params = Record<string, string>;

const CAMPAIGN_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,200}$/;

export function campaignName(name: string): string {
  if (!CAMPAIGN_NAME.test(name)) throw notFound('campaign', name, "'tbps campaign list' lists the campaigns");
  return name;
}

export function registerPages(app: FastifyInstance, dash: Dashboard): void {
  const ctx = dash.services;

  /** Renders a page: topic version first (so a change during rendering triggers the next update), then the view. */
  const send = async (req: FastifyRequest, reply: FastifyReply, topic: string, build: (r: PageRequest) => Promise<PageView>) => {
    const q = req.query as Query;
    const site = await checkSite(ctx, textParam(q, 'site'));
    const r: PageRequest = { site, canAct: req.canAct };
    const version = await topicVersion(ctx, topic).catch(() => 'unknown');
    const renderedAt = new Date();
    const started = performance.now();
    const view = await build(r);
    reply
      .header('Cache-Control', 'no-store')
      .header('Vary', 'X-Fragment, Cookie, Authorization')
      .header('X-Data-Version', version)
      .header('X-Data-At', renderedAt.toISOString())
      .header('X-Render-Ms', Math.round(performance.now() - started))
      .type('text/html; charset=utf-8');
    if (req.headers['x-fragment'] === '1') return view.body.text;
    const sites = (await listSites(ctx)).map((s) => s.site);
    const path = req.url.split('?')[0];
    return renderShell(view, { topic, version, renderedAt, site, sites, keep: keptParams(q), canAct: req.canAct, tokenConfigured: !!dash.token, path }).text;
  };

  app.get('/', (req, reply) => {
    const days = intParam(req.query as Query, 'days', { min: 0, max: 36_500 }) ?? 7;
    return send(req, reply, `campaigns:${days}`, (r) => campaignsPage(dash, r, days));
  });

  app.get('/runs', (req, reply) => {
    const campaign = textParam(req.query as Query, 'campaign');
    return send(req, reply, 'store', (r) => runsPage(dash, r, campaign));
  });

  app.get<{ Params: Params }>('/runs/:id', (req, reply) => send(req, reply, 'store', (r) => runPage(dash, r, req.params.id)));

  app.get<{ Params: Params }>('/runs/:id/jobs', (req, reply) => {
    const q = req.query as Query;
    const f = {
      label: textParam(q, 'label'),
      state: textParam(q, 'state'),
      dataId: textParam(q, 'dataId'),
      errorClass: textParam(q, 'errorClass'),
      page: intParam(q, 'page', { min: 1 }),
    };
    return send(req, reply, 'store', (r) => jobsPage(dash, r, req.params.id, f));
  });

  app.get<{ Params: Params }>('/runs/:id/jobs/:name', (req, reply) => send(req, reply, 'store', (r) => jobPage(dash, r, req.params.id, req.params.name)));

  app.get<{ Params: Params }>('/runs/:id/errors', (req, reply) => send(req, reply, 'store', (r) => errorsPage(dash, r, { runId: req.params.id })));

  app.get<{ Params: Params }>('/campaigns/:name', (req, reply) => {
    const name = campaignName(req.params.name);
    return send(req, reply, `campaign:${name}`, (r) => campaignPage(dash, r, name));
  });

  app.get<{ Params: Params }>('/campaigns/:name/errors', (req, reply) => {
    const name = campaignName(req.params.name);
    return send(req, reply, 'store', (r) => errorsPage(dash, r, { campaign: name }));
  });
}
