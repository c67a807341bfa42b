// The server-sent events stream (`GET /events?topic=...`): one `tick` a second with the topic's version and the
// server time, or a `problem` when the version cannot be computed. The browser reconnects by itself.
import type { FastifyInstance } from 'fastify';
import { BadInputError } from '../../../core/errors.js';
import { isTopic, type LiveHub } from '../live.js';
import { textParam, type Query } from '../params.js';

export function registerEvents(app: FastifyInstance, hub: LiveHub): void {
  app.get('/events', (req, reply) => {
    const topic = textParam(req.query as Query, 'topic') ?? 'store';
    if (!isTopic(topic)) throw new BadInputError(`unknown topic '${topic}': store, campaigns:<days> or campaign:<name>`, { key: 'topic' });
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const send = (event: string, data: Record<string, unknown>) => {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const subscribed = hub.subscribe(topic, send);
    if (typeof subscribed === 'string') {
      send('problem', { at: new Date().toISOString(), message: subscribed });
      res.end();
      return reply;
    }
    let unsubscribe: (() => void) | undefined = subscribed;
    const done = () => {
      unsubscribe?.();
      unsubscribe = undefined;
    };
    req.raw.on('close', done);
    res.on('close', done);
    return reply;
  });
}
