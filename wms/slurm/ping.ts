// Health check of a Slurm cluster: its controller answers `scontrol ping` ("Slurmctld(primary) at HOST is UP").
import { runPrefixed } from '../command.js';
import type { PingResult } from '../types.js';

export async function pingController(commandPrefix: readonly string[], env: Record<string, string | undefined>): Promise<PingResult> {
  try {
    const out = (await runPrefixed(commandPrefix, 'scontrol', ['ping'], { cwd: '/', env, timeoutMs: 30_000 })).trim();
    return { ok: /\bis UP\b/.test(out) && !/\bDOWN\b/.test(out), detail: out.split('\n').join('; ') };
  } catch (err) {
    return { ok: false, detail: (err as Error).message.split('\n')[0] };
  }
}
