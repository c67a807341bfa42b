// Health check of an HTCondor pool: its schedd answers condor_q (through the command prefix).
import { runPrefixed } from '../command.js';
import type { PingResult } from '../types.js';

export async function pingPool(commandPrefix: readonly string[]): Promise<PingResult> {
  try {
    const out = await runPrefixed(commandPrefix, 'condor_q', ['-totals'], { cwd: '/', timeoutMs: 30_000 });
    const totals = out.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('Total for')).at(-1);
    return { ok: true, detail: `the schedd answers${totals ? `: ${totals}` : ''}` };
  } catch (err) {
    return { ok: false, detail: (err as Error).message.split('\n')[0] };
  }
}
