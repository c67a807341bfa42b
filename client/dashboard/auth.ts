// The token rules. Without a token the dashboard is read-only and listens only on loopback. With one, actions need
// it: `Authorization: Bearer T`, or the HttpOnly SameSite=Strict cookie set when the page is opened with ?token=T
// (then the token leaves the address bar). A dashboard listening beyond loopback needs the token for every request.
// Actions also refuse cross-origin requests and anything but JSON bodies.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dashboard } from './context.js';

export const TOKEN_COOKIE = 'tbps_token';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request carries the dashboard's token (actions are allowed). */
    canAct: boolean;
  }
}

export class AccessError extends Error {
  constructor(
    message: string,
    readonly statusCode: 401 | 403,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Why a bind is refused, or undefined when it is allowed. */
export function bindProblem(host: string, token: string | undefined): string | undefined {
  if (isLoopback(host) || token) return undefined;
  return `refusing to listen on ${host} without a token: beyond loopback the dashboard needs --token (or TBPS_DASHBOARD_TOKEN) for every request`;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function sameToken(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The token a request presents (bearer header first, then the cookie). */
export function presentedToken(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    return m ? m[1].trim() : auth;
  }
  return cookieValue(req.headers.cookie, TOKEN_COOKIE);
}

function queryToken(req: FastifyRequest): string | undefined {
  const q = req.query as Record<string, unknown> | undefined;
  const t = q?.token;
  return typeof t === 'string' ? t : Array.isArray(t) ? String(t[0]) : undefined;
}

/** The URL without its `token` parameter. */
function withoutToken(url: string): string {
  const u = new URL(url, 'http://dashboard.invalid');
  u.searchParams.delete('token');
  return `${u.pathname}${u.search}`;
}

const PUBLIC = new Set(['/healthz', '/assets/dashboard.css', '/assets/dashboard.js']);

/** Adds the token rules: the ?token= exchange, reads beyond loopback, and `request.canAct`. */
export function registerAuth(app: FastifyInstance, dash: Dashboard): void {
  app.decorateRequest('canAct', false);
  app.addHook('onRequest', async (req, reply) => {
    const given = queryToken(req);
    if (given !== undefined) {
      if (!dash.token) throw new AccessError('this dashboard was started without --token; it is read-only and takes no token', 403);
      if (!sameToken(dash.token, given)) throw new AccessError('wrong token', 403);
      // Keep the token in an HttpOnly cookie and take it out of the address bar (and of history and referrers).
      reply.header('Set-Cookie', `${TOKEN_COOKIE}=${encodeURIComponent(given)}; Path=/; HttpOnly; SameSite=Strict`);
      return reply.redirect(withoutToken(req.url), 303);
    }
    const presented = presentedToken(req);
    req.canAct = !!dash.token && presented !== undefined && sameToken(dash.token, presented);
    if (dash.tokenForReads && !req.canAct && !PUBLIC.has(req.url.split('?')[0])) {
      throw new AccessError(
        presented === undefined ? 'this dashboard needs its token: open it with ?token=… or send Authorization: Bearer …' : 'wrong token',
        presented === undefined ? 401 : 403,
      );
    }
  });
}

/** Throws unless the request may act: a token configured and presented, same origin, a JSON body. */
export function requireOperator(dash: Dashboard, req: FastifyRequest, _reply?: FastifyReply): void {
  if (!dash.token) throw new AccessError('read-only dashboard: it was started without --token, so actions are off', 403);
  const presented = presentedToken(req);
  if (presented === undefined) throw new AccessError('actions need the dashboard token: send Authorization: Bearer <token>, or open the dashboard with ?token=<token>', 403);
  if (!sameToken(dash.token, presented)) throw new AccessError('wrong token', 403);
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== req.headers.host) throw new AccessError(`cross-origin request refused (origin ${origin})`, 403);
  }
}
