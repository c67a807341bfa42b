// The dashboard's Fastify server: token rules, pages, JSON API, actions, the live event stream and the two served
// assets (stylesheet and script; nothing is fetched from outside). Errors become one reason with the right status:
// bad input 400, unknown things 404, refused 401/403, Temporal unreachable 503 - as a page, JSON or plain text
// depending on who asked.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { httpStatusOf } from '../services/index.js';
import { AccessError, registerAuth } from './auth.js';
import { dashboardOf, type Dashboard, type DashboardOptions } from './context.js';
import { LiveHub } from './live.js';
import { errorPage } from './pages/errorPage.js';
import { registerActions } from './routes/actions.js';
import { registerApi } from './routes/api.js';
import { registerEvents } from './routes/events.js';
import { registerPages } from './routes/pages.js';

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

function statusOf(err: unknown): number {
  if (err instanceof AccessError) return err.statusCode;
  if (err instanceof Error && err.name === 'UnreachableServerError') return 503;
  const s = httpStatusOf(err);
  if (s !== 500) return s;
  const code = (err as FastifyError).statusCode;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : 500;
}

function sendError(dash: Dashboard, req: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  reply.code(status).header('Cache-Control', 'no-store');
  const path = req.url.split('?')[0];
  if (path.startsWith('/api/') || path === '/events' || req.headers.accept?.includes('application/json')) return reply.send({ error: message, status });
  if (req.headers['x-fragment'] === '1' || req.method !== 'GET') return reply.type('text/plain; charset=utf-8').send(message);
  return reply.type('text/html; charset=utf-8').send(errorPage(status, message, { canAct: req.canAct, tokenConfigured: !!dash.token, path }));
}

export interface DashboardServer {
  app: FastifyInstance;
  hub: LiveHub;
}

/** A ready-to-listen dashboard over the given services (tests use app.inject). */
export async function createDashboard(o: DashboardOptions): Promise<DashboardServer> {
  const dash = dashboardOf(o);
  const app = Fastify({ logger: o.logger ?? false, forceCloseConnections: true, bodyLimit: 64 * 1024, routerOptions: { maxParamLength: 1000 } });
  const hub = new LiveHub(dash.services, (o.tickSeconds ?? 1) * 1000);
  app.addHook('onClose', async () => hub.close());
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    return payload;
  });
  app.setErrorHandler((err, req, reply) => {
    const status = statusOf(err);
    if (status >= 500 && status !== 503) req.log.error(err);
    const message = status >= 500 && status !== 503 ? `internal error: ${(err as Error).message}` : (err as Error).message;
    return sendError(dash, req, reply, status, message);
  });
  app.setNotFoundHandler((req, reply) => sendError(dash, req, reply, 404, `no page ${req.url.split('?')[0]}; start at /`));

  registerAuth(app, dash);
  const css = asset('dashboard.css');
  const js = asset('dashboard.js');
  app.get('/assets/dashboard.css', (_req, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'no-cache').send(css));
  app.get('/assets/dashboard.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'no-cache').send(js));
  app.get('/healthz', async () => ({ ok: true }));
  registerPages(app, dash);
  registerApi(app, dash);
  registerActions(app, dash);
  registerEvents(app, hub);
  await app.ready();
  return { app, hub };
}

/** Listens and returns the URL. */
export async function listenDashboard(s: DashboardServer, host: string, port: number): Promise<string> {
  await s.app.listen({ host, port });
  const addr = s.app.server.address();
  const p = typeof addr === 'object' && addr ? addr.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${p}/`;
}
