// `npm run bench:workers -- [--reps 5]`: how fast a worker is ready, from its spawn to its 'worker started' log line
// (connected to a private Temporal dev server, its Temporal worker created), as medians over --reps fresh processes:
//   orchestrator_ms / executor_ms                 through bin/tbps-worker.js (the build in dist/, as `tbps server start`)
//   orchestrator_source_ms / executor_source_ms   the baseline: `node --import tsx workers/<kind>.ts` (the sources
//                                                 through tsx, as workers started before they had a build)
// and prints one line: orchestrator_ms=… orchestrator_source_ms=… executor_ms=… executor_source_ms=…
// orchestrator_speedup=… executor_speedup=… (speedup = source / build).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../paths/index.js';
import { startStack, type Stack } from './lib/stack.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '5' } } });
const reps = Number(values.reps);
if (!Number.isInteger(reps) || reps < 1) {
  console.error(`bench:workers: --reps: expected a whole number >= 1, got '${values.reps}'`);
  process.exit(2);
}

type Kind = 'orchestrator' | 'executor';
const launch = (kind: Kind) => [path.join(repoRoot, 'bin', 'tbps-worker.js'), kind];
const fromSource = (kind: Kind) => ['--import', 'tsx', path.join(repoRoot, 'workers', `${kind}.ts`)];

/** Milliseconds from spawn to the worker's 'started' log line; the worker is then stopped and awaited. */
function timeStart(stack: Stack, kind: Kind, argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, argv, { cwd: repoRoot, env: { ...stack.env, TBPS_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let readyMs: number | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (readyMs === undefined && output.includes(`"${kind} worker started"`)) {
        readyMs = Number(process.hrtime.bigint() - started) / 1e6;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', () => {
      clearTimeout(timer);
      if (readyMs === undefined) reject(new Error(`${argv.join(' ')} never logged '${kind} worker started':\n${output.trim().split('\n').slice(-5).join('\n')}`));
      else resolve(readyMs);
    });
  });
}

const middle = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];

/** Medians of the build and the source start of one kind, interleaved so a load change on this shared machine touches both alike. */
async function medians(stack: Stack, kind: Kind): Promise<{ build: number; source: number }> {
  // warm-up: a stale build is rebuilt here, the OS caches the files
  await timeStart(stack, kind, launch(kind));
  await timeStart(stack, kind, fromSource(kind));
  const build: number[] = [];
  const source: number[] = [];
  for (let i = 0; i < reps; i++) {
    build.push(await timeStart(stack, kind, launch(kind)));
    source.push(await timeStart(stack, kind, fromSource(kind)));
  }
  return { build: middle(build), source: middle(source) };
}

const stack = await startStack('worker-start');
try {
  const figures: Record<string, number> = {};
  for (const kind of ['orchestrator', 'executor'] as const) {
    const { build, source } = await medians(stack, kind);
    figures[`${kind}_ms`] = build;
    figures[`${kind}_source_ms`] = source;
  }
  const line = Object.entries(figures).map(([k, v]) => `${k}=${v.toFixed(0)}`);
  for (const kind of ['orchestrator', 'executor']) line.push(`${kind}_speedup=${(figures[`${kind}_source_ms`] / figures[`${kind}_ms`]).toFixed(1)}`);
  console.log(line.join(' '));
} finally {
  await stack.stop();
}
