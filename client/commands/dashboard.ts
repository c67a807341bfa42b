// `tbps dashboard`: the live web dashboard (client/dashboard/) on 127.0.0.1:8265. Read-only without a token; with
// --token (or TBPS_DASHBOARD_TOKEN) requests carrying the token may pause, resume, accept, reject and retry. A host
// beyond loopback is refused without a token (and then every request needs it).
import type { Command } from 'commander';
import { runAction, UsageError } from '../exit.js';
import { bindProblem, isLoopback } from '../dashboard/auth.js';
import { createDashboard, listenDashboard } from '../dashboard/server.js';
import { openServices } from '../services/index.js';
import { describeVerb } from '../commandIndex.js';

export const DEFAULT_DASHBOARD_PORT = 8265;
const MIN_TOKEN = 8;

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description(describeVerb('dashboard'))
    .option('--host <host>', 'address to listen on (beyond loopback only with a token)', '127.0.0.1')
    .option('--port <port>', 'port to listen on', String(DEFAULT_DASHBOARD_PORT))
    .option('--token <token>', 'allow actions to requests carrying this token (default: env TBPS_DASHBOARD_TOKEN; none: read-only)')
    .action((o) =>
      runAction(async () => {
        const token: string | undefined = o.token ?? (process.env.TBPS_DASHBOARD_TOKEN || undefined);
        const port = Number(o.port);
        if (!/^\d+$/.test(o.port) || port < 0 || port > 65535) throw new UsageError(`--port: expected a port number (0-65535), got '${o.port}'`);
        if (token !== undefined && token.length < MIN_TOKEN) throw new UsageError(`--token: use at least ${MIN_TOKEN} characters (e.g. from 'openssl rand -hex 16')`);
        if (token !== undefined && /[\s;,]/.test(token)) throw new UsageError('--token: no spaces, commas or semicolons');
        const problem = bindProblem(o.host, token);
        if (problem) throw new UsageError(problem);
        const services = await openServices();
        const server = await createDashboard({ services, token, tokenForReads: !isLoopback(o.host), logger: { level: process.env.TBPS_LOG_LEVEL ?? 'warn' } });
        let url: string;
        try {
          url = await listenDashboard(server, o.host, port);
        } catch (err) {
          await server.app.close();
          await services.close();
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${o.host} is in use (another dashboard? 'tbps server status'); choose another with --port`);
          if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on ${o.host}: not an address of this machine`);
          throw err;
        }
        console.log(`tbps dashboard: ${url}  (${token ? 'actions allowed with the token' : 'read-only: start with --token to allow actions'})`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await server.app.close();
        await services.close();
        return 0;
      }),
    );
}
