// Pilots on Slurm: one sbatch job per pilot running an executor worker (`exec`, so scancel's SIGTERM reaches the
// worker itself, which hands its jobs back). The job's environment is the pilot's own, written into its script
// (sbatch --export=NONE would load a login environment); its walltime is the pilot's plus a minute, because the
// pilot drains and exits on its own before its walltime ends and Slurm's limit is only the backstop. Listing asks
// `squeue -t all` about the given ids only.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parsePrefix, runPrefixed } from '../command.js';
import type { PilotRequest, PilotWmsState } from '../types.js';
import { shellQuote } from './jobScript.js';
import { commandEnvironment } from './environment.js';
import { parseQueue, SQUEUE_FIELDS } from './queueState.js';

/** Seconds Slurm lets a pilot run past its own walltime before killing it (the pilot exits first). */
const BACKSTOP_SECONDS = 60;
const IDS_PER_CALL = 400;

function prefixOf(env: Record<string, string | undefined>): string[] {
  return parsePrefix(env.TBPS_SLURM_PREFIX);
}

/** The pilot's batch script: its environment, then the executor worker in place of the shell. */
export function pilotScript(request: PilotRequest): string {
  return [
    '#!/bin/sh',
    `# tbps pilot ${request.pilotId}: an executor worker of site ${request.site} as a Slurm job.`,
    ...Object.entries(request.environment)
      .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      .map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    `exec ${request.argv.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

export async function submitSlurmPilot(request: PilotRequest): Promise<string> {
  const script = path.join(request.workDir, 'pilot.sh');
  writeFileSync(script, pilotScript(request), { mode: 0o700 });
  chmodSync(script, 0o700);
  const args = [
    '--parsable',
    `--job-name=tbps-pilot.${request.pilotId}`,
    `--chdir=${request.workDir}`,
    `--output=${path.join(request.workDir, 'pilot.out')}`,
    `--error=${path.join(request.workDir, 'pilot.err')}`,
    '--export=ALL',
    '--no-requeue',
    '--nodes=1',
    '--ntasks=1',
    `--cpus-per-task=${request.cpus}`,
    `--mem=${request.memoryMb}`,
    `--time=${Math.ceil((request.walltimeSeconds + BACKSTOP_SECONDS) / 60)}`,
    script,
  ];
  const out = await runPrefixed(prefixOf(request.env), 'sbatch', args, { cwd: request.workDir, env: commandEnvironment(request.env), timeoutMs: 60_000 });
  const id = /^(\d+)/.exec(out.trim())?.[1];
  if (!id) throw new Error(`sbatch gave no job id for pilot ${request.pilotId}: ${out.trim().slice(0, 300)}`);
  return id;
}

export async function cancelSlurmPilots(wmsIds: readonly string[], env: Record<string, string | undefined>): Promise<void> {
  for (let k = 0; k < wmsIds.length; k += IDS_PER_CALL) {
    try {
      await runPrefixed(prefixOf(env), 'scancel', wmsIds.slice(k, k + IDS_PER_CALL), { cwd: '/', env: commandEnvironment(env), timeoutMs: 60_000 });
    } catch (err) {
      if (!/Invalid job id|already completing or completed|Job has already finished/i.test(String(err))) throw err;
    }
  }
}

/** Slurm job state -> pilot state. */
export function pilotStateOf(slurmState: string): PilotWmsState['state'] {
  if (slurmState === 'COMPLETED') return 'ENDED';
  if (slurmState === 'CANCELLED') return 'CANCELLED';
  if (['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT', 'CONFIGURING'].includes(slurmState)) return 'RUNNING';
  if (['PENDING', 'REQUEUED', 'SUSPENDED', 'RESIZING'].includes(slurmState)) return 'PENDING';
  return 'FAILED';
}

export async function listSlurmPilots(wmsIds: readonly string[], env: Record<string, string | undefined>): Promise<Map<string, PilotWmsState>> {
  const out = new Map<string, PilotWmsState>();
  for (let k = 0; k < wmsIds.length; k += IDS_PER_CALL) {
    const chunk = wmsIds.slice(k, k + IDS_PER_CALL);
    let text: string;
    try {
      text = await runPrefixed(prefixOf(env), 'squeue', ['--noheader', '--states=all', `--jobs=${chunk.join(',')}`, `--Format=${SQUEUE_FIELDS}`], { cwd: '/', env: commandEnvironment(env), timeoutMs: 60_000 });
    } catch (err) {
      if (/Invalid job id/i.test(String(err))) continue; // all of them purged
      throw err;
    }
    for (const [id, row] of parseQueue(text)) out.set(id, { state: pilotStateOf(row.state), host: row.host || undefined, detail: [row.state, row.reason].filter((w) => w && w !== 'None').join(' ') });
  }
  return out;
}
