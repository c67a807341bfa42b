// The build's freshness rule (scripts/build.mjs, dist/ for the CLI and the workers): a build runs only while none of
// the sources it was made from changed or vanished since it started and every entry's bundle exists; anything
// unreadable counts as stale.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { buildIsFresh, ENTRIES } from '../../scripts/build.mjs';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function fixture(builtAtMs: number): { root: string; dist: string; source: string } {
  root = mkdtempSync(path.join(os.tmpdir(), 'tbps-distbuild-'));
  const dist = path.join(root, 'dist');
  mkdirSync(path.join(root, 'client'), { recursive: true });
  mkdirSync(dist);
  const source = path.join(root, 'client', 'cli.ts');
  writeFileSync(source, 'export {};\n');
  const at = new Date(builtAtMs - 10_000);
  utimesSync(source, at, at);
  for (const name of Object.keys(ENTRIES)) writeFileSync(path.join(dist, `${name}.js`), '');
  writeFileSync(path.join(dist, 'build.inputs.json'), JSON.stringify({ builtAtMs, inputs: ['client/cli.ts'] }));
  return { root, dist, source };
}

describe('dist/ build freshness', () => {
  it('is fresh when every input is older than the build', () => {
    const f = fixture(Date.now());
    expect(buildIsFresh(f.root, f.dist)).toBe(true);
  });

  it('is stale when an input changed after the build started', () => {
    const f = fixture(Date.now() - 60_000);
    const later = new Date();
    utimesSync(f.source, later, later);
    expect(buildIsFresh(f.root, f.dist)).toBe(false);
  });

  it('is stale when an input vanished, a bundle is missing or the manifest is unreadable or empty', () => {
    let f = fixture(Date.now());
    rmSync(f.source);
    expect(buildIsFresh(f.root, f.dist)).toBe(false);
    rmSync(root, { recursive: true, force: true });
    f = fixture(Date.now());
    rmSync(path.join(f.dist, 'cli.js'));
    expect(buildIsFresh(f.root, f.dist)).toBe(false);
    rmSync(root, { recursive: true, force: true });
    f = fixture(Date.now());
    rmSync(path.join(f.dist, 'executor.js'));
    expect(buildIsFresh(f.root, f.dist)).toBe(false);
    rmSync(root, { recursive: true, force: true });
    f = fixture(Date.now());
    writeFileSync(path.join(f.dist, 'build.inputs.json'), '{"builtAtMs": 1, "inputs": []}');
    expect(buildIsFresh(f.root, f.dist)).toBe(false);
    writeFileSync(path.join(f.dist, 'build.inputs.json'), 'not json');
    expect(buildIsFresh(f.root, f.dist)).toBe(false);
  });
});
