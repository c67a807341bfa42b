// The committed package-lock.json is complete, so `npm ci` (what setup runs) accepts it on a fresh machine of any
// platform and a fresh install leaves the work tree clean; and the checks of scripts/npm-lock.mjs find what they
// are meant to find.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { installedDrift, lockGaps, manifestDrift } from '../../scripts/npm-lock.mjs';
import { repoRoot } from '../../paths/index.js';

type Lock = { packages: Record<string, Record<string, unknown>> };
const readJson = (file: string) => JSON.parse(readFileSync(path.join(repoRoot, file), 'utf8'));
const lock = (): Lock => readJson('package-lock.json');

describe('package-lock.json', () => {
  it('resolves every dependency edge, other platforms\' optional packages included', () => {
    const packages = Object.keys(lock().packages);
    expect(packages.length).toBeGreaterThan(100);
    // the platform packages of the native dependencies are all there, not only this machine's
    for (const name of ['@esbuild/darwin-arm64', '@esbuild/win32-x64', '@rollup/rollup-darwin-arm64', '@swc/core-darwin-arm64']) {
      expect(packages).toContain(`node_modules/${name}`);
    }
    expect(lockGaps(lock())).toEqual([]);
  });

  it("holds one protobufjs 8, the root one package.json names (the SDK's JSON history loader needs a single copy)", () => {
    // protobufjs is in package.json for this alone: without it npm hoists @grpc/proto-loader's protobufjs 7 and gives
    // each @temporalio package a copy of 8 of its own
    const copies = Object.entries(lock().packages).filter(([key]) => key.endsWith('node_modules/protobufjs'));
    expect(copies.length).toBeGreaterThan(0);
    const eights = copies.filter(([, entry]) => String(entry.version).startsWith('8.')).map(([key]) => key);
    expect(eights).toEqual(['node_modules/protobufjs']);
    expect(readJson('package.json').dependencies.protobufjs).toMatch(/^\^8\./);
  });

  it('agrees with package.json (dependencies, devDependencies, bin)', () => {
    expect(manifestDrift(lock(), readJson('package.json'))).toEqual([]);
  });
});

describe('the lock checks', () => {
  it('find an optional platform package left out of the lock', () => {
    const cut = lock();
    delete cut.packages['node_modules/@esbuild/darwin-arm64'];
    expect(lockGaps(cut)).toEqual(['node_modules/esbuild -> @esbuild/darwin-arm64 (optionalDependencies)']);
  });

  it('find a package.json dependency the lock does not record', () => {
    const manifest = readJson('package.json');
    manifest.dependencies = { ...manifest.dependencies, 'left-pad': '^1.3.0' };
    expect(manifestDrift(lock(), manifest)).toHaveLength(1);
    expect(manifestDrift(lock(), manifest)[0]).toMatch(/^dependencies: /);
  });

  it('tell an installed tree that is the lock from one that is not', () => {
    const locked = lock();
    // what npm records after installing on one platform: every package but other platforms' optional ones
    const installed: Lock = { packages: {} };
    for (const [key, entry] of Object.entries(locked.packages)) {
      if (key === '' || entry.optional) continue;
      installed.packages[key] = { ...entry };
    }
    expect(Object.keys(installed.packages).length).toBeGreaterThan(100);
    expect(installedDrift(locked, installed)).toEqual([]);

    const older = structuredClone(installed);
    older.packages['node_modules/zod'] = { ...older.packages['node_modules/zod'], version: '3.0.0' };
    expect(installedDrift(locked, older)).toEqual([`node_modules/zod: installed 3.0.0, locked ${locked.packages['node_modules/zod'].version}`]);

    const missing = structuredClone(installed);
    delete missing.packages['node_modules/zod'];
    expect(installedDrift(locked, missing)).toEqual(['node_modules/zod: not installed']);

    const extra = structuredClone(installed);
    extra.packages['node_modules/left-pad'] = { version: '1.3.0' };
    expect(installedDrift(locked, extra)).toEqual(['node_modules/left-pad: installed but not in the lock']);
    expect(installedDrift(locked, undefined).length).toBeGreaterThan(100);
  });
});
