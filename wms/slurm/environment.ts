// The environment Slurm commands (sbatch, squeue, scancel, scontrol) run with, for batches and pilots alike.

/**
 * The environment the Slurm commands run with, which sbatch hands on to the job: PATH, HOME and the worker's
 * SLURM_* settings (SLURM_CONF, ...), nothing else of the worker (Temporal and tbps settings stay out of jobs).
 */
export function commandEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = { PATH: env.PATH || '/usr/local/bin:/usr/bin:/bin' };
  if (env.HOME) out.HOME = env.HOME;
  for (const [k, v] of Object.entries(env)) if (k.startsWith('SLURM_') && v !== undefined) out[k] = v;
  return out;
}
