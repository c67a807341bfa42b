// Operator actions: POST /api/campaigns/:name/pause|resume|accept|reject|retry, through the campaign services (so
// they are validated by the workflow and recorded with their operator in its history). Only with the dashboard's
// token (403 with the reason otherwise); the body is JSON, checked here (400 naming the field); nothing changes on
// bad input. The operator recorded is `dashboard:<name>` (the body's `operator`, or the dashboard's default).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BadInputError } from '../../../core/errors.js';
import { groupAction, pauseCampaign, resumeCampaign } from '../../services/index.js';
import { requireOperator } from '../auth.js';
import type { Dashboard } from '../context.js';
import { campaignName } from './pages.js';

const operator = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/, 'letters, digits and _ . @ - (at most 64)').optional();
const pauseBody = z.strictObject({ reason: z.string().max(500).optional(), operator });
const resumeBody = z.strictObject({ reason: z.string().max(500).optional(), operator });
const groupBody = z.strictObject({
  step: z.string().min(1).max(200),
  groups: z.array(z.string().min(1).max(200)).max(1000).optional(),
  note: z.string().max(1000).optional(),
  operator,
});

export const VERBS = ['pause', 'resume', 'accept', 'reject', 'retry'] as const;
type Verb = (typeof VERBS)[number];

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new BadInputError(issue.message, { key: issue.path.length ? `body.${issue.path.join('.')}` : 'body' });
  }
  return r.data;
}

export function registerActions(app: FastifyInstance, dash: Dashboard): void {
  const ctx = dash.services;
  const who = (name: string | undefined) => (name ? `dashboard:${name}` : dash.operator);

  app.post<{ Params: { name: string; verb: string } }>('/api/campaigns/:name/:verb', async (req) => {
    requireOperator(dash, req);
    const verb = req.params.verb as Verb;
    if (!VERBS.includes(verb)) throw new BadInputError(`unknown action '${req.params.verb}'; one of ${VERBS.join(', ')}`, { key: 'action' });
    const ct = req.headers['content-type'];
    if (req.body !== undefined && !(ct ?? '').startsWith('application/json')) throw new BadInputError(`send the action's fields as JSON (content-type application/json), not ${ct}`, { key: 'body' });
    const name = campaignName(req.params.name);
    if (verb === 'pause' || verb === 'resume') {
      const b = parse(verb === 'pause' ? pauseBody : resumeBody, req.body);
      const action = { operator: who(b.operator), reason: b.reason ?? (verb === 'pause' ? 'paused from the dashboard' : undefined) };
      await (verb === 'pause' ? pauseCampaign : resumeCampaign)(ctx, name, action);
      return { ok: true, campaign: name, action: verb, operator: action.operator };
    }
    const b = parse(groupBody, req.body);
    const record = await groupAction(ctx, name, verb, { operator: who(b.operator), step: b.step, groups: b.groups, note: b.note });
    return { ok: true, campaign: name, action: verb, operator: record.operator, record };
  });
}
