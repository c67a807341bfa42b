// File modes and confinement after real runs (issue 10, items 1 and 7): with a umask of 0 and a data directory
// left 0755, a run through the real CLI and workers leaves the data directory 0700, the store and its -wal/-shm
// 0600, and a submit tree (saved config, generic workflow, graph, job logs) that nothing but owner and group can
// read and nobody else can write. A run whose submit tree holds a symlink pointing outside is refused at the one
// place files are opened: the run ends FAILED and nothing is written outside.
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAVED_CONFIG } from '../../core/submit/files.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { SHELL_INIT_AND_FINAL, withStore } from '../helpers/runs.js';

let h: Harness;
let oldMask: number;

beforeAll(() => {
  oldMask = process.umask(0); // the workers and the CLI inherit it: every mode must be set explicitly
  h = createHarness('modes');
  chmodSync(h.home, 0o755); // a data directory from before: tbps tightens it
  h.startOrchestrator();
  h.startExecutor();
}, 60_000);
afterAll(async () => {
  process.umask(oldMask);
  await h?.stopAll();
}, 60_000);

const mode = (p: string) => statSync(p).mode & 0o7777;

function writeRun(name: string, extra: string[] = []): { config: string; submit: string } {
  const dir = path.join(h.home, 'runs', name);
  mkdirSync(dir, { recursive: true });
  const submit = path.join(dir, 'submit');
  const config = path.join(dir, 'submit.yaml');
  writeFileSync(
    config,
    [
      `payloadName: ${name}`,
      `outputRun: modes/${name}`,
      `uniqProcName: ${name}`,
      `submitPath: ${submit}`,
      'syntheticGraph: {quanta: 12}',
      `runQuantumCommand: "sh -c 'echo out; echo err >&2' {qgraphNodeId}"`,
      'numberOfRetries: 0',
      ...SHELL_INIT_AND_FINAL,
      ...extra,
      '',
    ].join('\n'),
  );
  return { config, submit };
}

/** Every entry of a tree (not following symlinks), the root included. */
function tree(root: string): string[] {
  const out = [root];
  for (const name of readdirSync(root)) {
    const p = path.join(root, name);
    if (lstatSync(p).isDirectory()) out.push(...tree(p));
    else out.push(p);
  }
  return out;
}

describe('file modes after a run', () => {
  it('data directory 0700, store 0600, submit tree 0750/0640 with nothing for others', async () => {
    const { config, submit } = writeRun('modes_ok');
    const r = await h.tbpsAsync(['submit', config, '--wait']);
    expect(r.code, r.stderr + r.stdout).toBe(0);

    expect(mode(h.home)).toBe(0o700);
    const store = path.join(h.home, 'tbps.sqlite');
    expect(mode(store)).toBe(0o600);
    for (const f of [`${store}-wal`, `${store}-shm`]) if (existsSync(f)) expect(mode(f)).toBe(0o600);

    expect(mode(submit)).toBe(0o750);
    expect(mode(path.join(submit, SAVED_CONFIG))).toBe(0o600); // the saved config is private: it may hold site settings
    expect(mode(path.join(submit, 'modes_ok_config.yaml'))).toBe(0o640);
    expect(mode(path.join(submit, 'generic_workflow', 'jobs.jsonl'))).toBe(0o640);
    expect(mode(path.join(submit, 'generic_workflow'))).toBe(0o750);
    const logs = tree(path.join(submit, 'jobs')).filter((p) => p.endsWith('.out'));
    expect(logs.length).toBeGreaterThanOrEqual(12);
    for (const l of logs) expect(mode(l)).toBe(0o640);

    const all = tree(submit);
    expect(all.length).toBeGreaterThan(20);
    for (const p of all) expect({ p, other: mode(p) & 0o007 }).toEqual({ p, other: 0 });
  }, 180_000);
});

describe('confinement at the one place files are opened', () => {
  it('a symlink in the submit tree pointing outside: the run ends FAILED, nothing is written outside', async () => {
    const { config, submit } = writeRun('modes_symlink');
    const outside = path.join(h.home, 'outside');
    mkdirSync(outside);
    mkdirSync(submit, { recursive: true });
    symlinkSync(outside, path.join(submit, 'jobs'));
    const r = await h.tbpsAsync(['submit', config, '--wait']);
    expect(r.code, r.stderr + r.stdout).not.toBe(0);
    expect(readdirSync(outside)).toEqual([]);
    const run = await withStore(h.home, (s) => s.getRun('modes_symlink'));
    expect(run?.state).toBe('FAILED');
    const init = await withStore(h.home, (s) => s.attempts('modes_symlink', 'pipetaskInit'));
    const said = JSON.stringify({ run, init });
    expect(said).toMatch(/through a symlink/);
    expect(init.map((a) => a.state)).toEqual(['FAILED']); // one attempt, closed, not retried
  }, 180_000);
});
