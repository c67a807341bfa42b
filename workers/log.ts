// Structured logging for worker processes (pino) and a quieter Temporal runtime logger.
import pino from 'pino';
import { DefaultLogger, Runtime } from '@temporalio/worker';

export const log = pino({ level: process.env.TBPS_LOG_LEVEL ?? 'info', base: { pid: process.pid } });

export function installTemporalRuntime(): void {
  const level = (process.env.TBPS_TEMPORAL_LOG_LEVEL ?? 'WARN') as 'WARN';
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const fn = entry.level === 'ERROR' ? log.error.bind(log) : entry.level === 'WARN' ? log.warn.bind(log) : log.info.bind(log);
      fn({ temporal: entry.meta }, entry.message);
    }),
  });
}
