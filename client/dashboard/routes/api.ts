// The JSON API (`/api/...`): the pages' data as the services return it, for scripts and other tools. Same checks
// as the pages: unknown runs, jobs and campaigns are 404, bad filters 400.
import type { FastifyInstance } from 'fastify';
import {
  campaignDetail,
  checkSite,
  errorSummary,
  jobDetail,
  jobLogs,
  jobPage,
  listCampaigns,
  listRuns,
  listSites,
  runDetail,
  runProgressSeries,
  runTimeline,
  statistics,
} from '../../services/index.js';
import { BadInputError } from '../../../core/errors.js';
import type { Dashboard } from '../context.js';
import { intParam, textParam, type Query } from '../params.js';
import { campaignName } from './pages.js';

type Params = Record<string, string>;

export function registerApi(app: FastifyInstance, dash: Dashboard): void {
  const ctx = dash.services;
  const site = (q: Query) => checkSite(ctx, textParam(q, 'site'));

  app.get('/api/sites', async () => listSites(ctx));

  app.get('/api/runs', async (req) => {
    const q = req.query as Query;
    return listRuns(ctx, { limit: intParam(q, 'limit', { min: 1, max: 1000 }) ?? 100, computeSite: await site(q), campaign: textParam(q, 'campaign') });
  });

  app.get<{ Params: Params }>('/api/runs/:id', async (req) => runDetail(ctx, req.params.id, { maxFailed: intParam(req.query as Query, 'maxFailed', { min: 0, max: 10_000 }) }));

  app.get<{ Params: Params }>('/api/runs/:id/stats', async (req) => statistics(ctx, { runId: req.params.id }));

  app.get<{ Params: Params }>('/api/runs/:id/timeline', async (req) => {
    const q = req.query as Query;
    return runTimeline(ctx, req.params.id, { limit: intParam(q, 'limit', { min: 1, max: 10_000 }), computeSite: await site(q) });
  });

  app.get<{ Params: Params }>('/api/runs/:id/progress', async (req) => runProgressSeries(ctx, req.params.id, { computeSite: await site(req.query as Query) }));

  app.get<{ Params: Params }>('/api/runs/:id/jobs', async (req) => {
    const q = req.query as Query;
    return jobPage(ctx, req.params.id, {
      label: textParam(q, 'label'),
      state: textParam(q, 'state'),
      computeSite: await site(q),
      dataId: textParam(q, 'dataId'),
      errorClass: textParam(q, 'errorClass'),
      page: intParam(q, 'page', { min: 1 }),
      pageSize: intParam(q, 'pageSize', { min: 1, max: 500 }),
    });
  });

  app.get<{ Params: Params }>('/api/runs/:id/jobs/:name', async (req) => jobDetail(ctx, req.params.id, req.params.name));

  app.get<{ Params: Params }>('/api/runs/:id/jobs/:name/logs', async (req) => {
    const q = req.query as Query;
    const a = textParam(q, 'attempt');
    if (a !== undefined && a !== 'all' && !/^\d{1,6}$/.test(a)) throw new BadInputError(`expected an attempt number or 'all', got '${a}'`, { key: 'attempt' });
    return jobLogs(ctx, req.params.id, { job: req.params.name, attempt: a === undefined ? undefined : a === 'all' ? 'all' : Number(a), tail: intParam(q, 'tail', { min: 0, max: 100_000 }) });
  });

  app.get<{ Params: Params }>('/api/runs/:id/errors', async (req) => errorSummary(ctx, { runId: req.params.id }));

  app.get('/api/campaigns', async (req) => listCampaigns(ctx, { endedWithinDays: intParam(req.query as Query, 'days', { min: 0, max: 36_500 }) ?? 7 }));

  app.get<{ Params: Params }>('/api/campaigns/:name', async (req) => campaignDetail(ctx, campaignName(req.params.name)));

  app.get<{ Params: Params }>('/api/campaigns/:name/stats', async (req) => statistics(ctx, { campaign: campaignName(req.params.name) }));

  app.get<{ Params: Params }>('/api/campaigns/:name/errors', async (req) => errorSummary(ctx, { campaign: campaignName(req.params.name) }));
}
