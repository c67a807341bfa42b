// What the pages, the API and the live stream share: the services (one ServiceContext for the server's lifetime),
// the token rule, who is recorded as operator, and links into the Temporal Web UI.
import { userInfo } from 'node:os';
import { webUiUrl } from '../links.js';
import type { ServiceContext } from '../services/index.js';
import { connectionSettings } from '../../temporal/connection.js';

export interface DashboardOptions {
  services: ServiceContext;
  /** Actions (pause, resume, accept, reject, retry) need this token; without one the dashboard is read-only. */
  token?: string;
  /** Every request needs the token (the dashboard listens beyond loopback). */
  tokenForReads?: boolean;
  /** Recorded as the operator of actions that name none (default dashboard:<os user>). */
  operator?: string;
  /** Fastify's logger (default off). */
  logger?: boolean | { level: string };
  /** Seconds between live-stream ticks (default 1). */
  tickSeconds?: number;
}

export interface Dashboard {
  services: ServiceContext;
  token?: string;
  tokenForReads: boolean;
  operator: string;
  /** The Temporal Web UI page of a workflow. */
  webUi(workflowId: string): string;
}

export function osUser(): string {
  try {
    return process.env.USER ?? process.env.LOGNAME ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Seconds a failed Temporal connection is remembered: pages then say so at once instead of waiting to time out. */
const TEMPORAL_RETRY_SECONDS = 5;

/** The services with a Temporal connection that fails fast for a few seconds after it failed. */
function failFast(ctx: ServiceContext): ServiceContext {
  let failedAt = 0;
  let failure: unknown;
  return {
    store: ctx.store,
    close: () => ctx.close(),
    async temporal() {
      if (Date.now() - failedAt < TEMPORAL_RETRY_SECONDS * 1000) throw failure;
      try {
        return await ctx.temporal();
      } catch (err) {
        failedAt = Date.now();
        failure = err;
        throw err;
      }
    },
  };
}

export function dashboardOf(o: DashboardOptions): Dashboard {
  const settings = connectionSettings();
  return {
    services: failFast(o.services),
    token: o.token || undefined,
    tokenForReads: !!o.tokenForReads,
    operator: o.operator ?? `dashboard:${osUser()}`,
    webUi: (id) => webUiUrl(settings, id),
  };
}

/** Per request: the compute-site filter and whether the request may act. */
export interface PageRequest {
  site?: string;
  canAct: boolean;
}
