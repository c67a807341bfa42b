// `npm run bench:cli -- [--reps 7]`: how fast `tbps` answers. Times, as medians over --reps fresh processes:
//   help_ms        tbps --help (the verb index only)
//   report_ms      tbps report on a small store (a temp TBPS_HOME holding one recorded run)
//   source_report_ms tbps report from the TypeScript sources through tsx (TBPS_FROM_SOURCE=1: start-up without the build)
//   node_ms        node -e 0 (the floor: a bare Node start, the baseline)
// and prints one line: help_ms=… report_ms=… source_report_ms=… node_ms=… help_vs_node=… report_vs_node=… build_speedup=…
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../store/index.js';
import { repoRoot } from '../paths/index.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '7' } } });
const reps = Number(values.reps);
if (!Number.isInteger(reps) || reps < 1) {
  console.error(`bench:cli: --reps: expected a whole number >= 1, got '${values.reps}'`);
  process.exit(2);
}

const cli = path.join(repoRoot, 'bin', 'tbps.js');
const home = mkdtempSync(path.join(os.tmpdir(), 'tbps-bench-cli-'));

async function seedStore(): Promise<void> {
  const store = await openStore(path.join(home, 'tbps.sqlite'));
  await store.upsertRun({ runId: 'bench_cli_run', name: 'u/bench/cli', payloadName: 'bench', operator: 'bench', submitPath: path.join(home, 'submit'), wms: 'local', computeSite: 'local' });
  await store.setRunState('bench_cli_run', 'SUCCEEDED');
  await store.close();
}

function timeMs(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: { ...process.env, TBPS_HOME: home, ...env }, encoding: 'utf8', cwd: home });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n')[0]}`);
  return ms;
}

function median(args: string[], env: NodeJS.ProcessEnv = {}): number {
  timeMs(args, env); // warm-up: a stale build is rebuilt here, the OS caches the files
  const times = Array.from({ length: reps }, () => timeMs(args, env)).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

try {
  await seedStore();
  const figures: Array<[string, number]> = [];
  const help = median([cli, '--help']);
  const report = median([cli, 'report']);
  const source = median([cli, 'report'], { TBPS_FROM_SOURCE: '1' });
  const node = median(['-e', '0']);
  figures.push(['help_ms', help], ['report_ms', report], ['source_report_ms', source], ['node_ms', node]);
  const line = figures.map(([k, v]) => `${k}=${v.toFixed(0)}`);
  line.push(`help_vs_node=${(help / node).toFixed(2)}`, `report_vs_node=${(report / node).toFixed(2)}`, `build_speedup=${(source / report).toFixed(1)}`);
  console.log(line.join(' '));
} finally {
  rmSync(home, { recursive: true, force: true });
}
