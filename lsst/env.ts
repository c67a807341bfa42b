// Where the LSST stack lives for tbps: the project's venv (.venv, made by `npm run setup`) or TBPS_VENV. Jobs and
// graph generation run with its bin/ first on PATH, so the `pipetask`/`butler` of the config templates resolve there.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../paths/index.js';

export function venvDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.TBPS_VENV ?? path.join(repoRoot, '.venv'));
}

export function lsstPython(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(venvDir(env), 'bin', 'python');
}

export function hasLsstStack(env: NodeJS.ProcessEnv = process.env): boolean {
  return existsSync(path.join(venvDir(env), 'bin', 'pipetask'));
}

export function requireLsstStack(env: NodeJS.ProcessEnv = process.env): void {
  if (!hasLsstStack(env))
    throw new Error(`LSST stack not found (no pipetask in ${venvDir(env)}/bin). Run 'npm run setup' (it installs lsst-ctrl-mpexec into .venv), or set TBPS_VENV.`);
}

/** The environment with the venv's bin/ first on PATH (unchanged when there is no venv). */
export function withLsstPath(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const venv = venvDir(env as NodeJS.ProcessEnv);
  if (!existsSync(path.join(venv, 'bin'))) return env;
  return { ...env, VIRTUAL_ENV: venv, PATH: `${path.join(venv, 'bin')}:${env.PATH ?? '/usr/bin:/bin'}` };
}

/**
 * The environment jobs on an external pool (HTCondor) start from: a plain PATH with the venv's bin/ first, so the
 * stack runs there as on the local executor (the pool must see the venv). The job's own environment goes on top.
 */
export function poolJobEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const base = withLsstPath({ TBPS_VENV: env.TBPS_VENV, PATH: '/usr/local/bin:/usr/bin:/bin' });
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Versions of the installed stack (from setup's .venv/lsst-versions.json), for run provenance. */
export function lsstVersions(env: NodeJS.ProcessEnv = process.env): Record<string, string | null> | undefined {
  const f = path.join(venvDir(env), 'lsst-versions.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Record<string, string | null>) : undefined;
}

export const EXPORT_QGRAPH_SCRIPT = path.join(repoRoot, 'lsst', 'export_qgraph.py');
