// The one write helper (core/files/confined.ts): every escape form (a '..' path, an absolute path outside the root,
// a symlinked parent pointing out, a dangling symlink) is refused before anything is written; ordinary paths are
// written with their modes set explicitly, whatever the umask.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfinementError,
  copyFileUnder,
  createWriteStreamUnder,
  ensurePrivateDir,
  mkdirUnder,
  openUnder,
  resolveUnder,
  writeFileUnder,
} from '../../core/files/confined.js';
import { closeSync } from 'node:fs';

let base: string;
let root: string;
let outside: string;

beforeEach(() => {
  base = mkdtempSync(path.join(tmpdir(), 'tbps-confined-'));
  root = path.join(base, 'submit');
  outside = path.join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
});

const mode = (p: string) => statSync(p).mode & 0o7777;

function refused(fn: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfinementError);
  expect((err as Error).name).toBe('BadInputError');
  expect((err as Error).message).toMatch(pattern);
  expect((err as Error).message).toContain(root);
}

describe('confined writes refuse every escape', () => {
  const escapes: Array<[string, () => string, RegExp]> = [
    ['a relative path with ..', () => '../outside/x.txt', /outside the root/],
    ['a .. segment in the middle', () => 'jobs/../../outside/x.txt', /outside the root/],
    ['an absolute path outside', () => path.join(outside, 'x.txt'), /outside the root/],
    ['an absolute system path', () => '/etc/tbps-should-not-exist', /outside the root/],
  ];
  for (const [what, target, pattern] of escapes) {
    it(`refuses ${what} for every writer, writing nothing`, () => {
      refused(() => writeFileUnder(root, target(), 'x'), pattern);
      refused(() => openUnder(root, target()), pattern);
      refused(() => createWriteStreamUnder(root, target()), pattern);
      refused(() => mkdirUnder(root, path.join(target(), 'd')), pattern);
      refused(() => copyFileUnder(root, __filename, target()), pattern);
      expect(readdirSync(outside)).toEqual([]);
      expect(existsSync('/etc/tbps-should-not-exist')).toBe(false);
    });
  }

  it('refuses a path through a symlinked parent that points outside', () => {
    symlinkSync(outside, path.join(root, 'jobs'));
    refused(() => writeFileUnder(root, 'jobs/label/a.out', 'x'), /through a symlink/);
    refused(() => writeFileUnder(root, path.join(root, 'jobs', 'a.out'), 'x'), /through a symlink/);
    refused(() => mkdirUnder(root, 'jobs/label'), /through a symlink/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses a file that is a symlink pointing outside', () => {
    writeFileSync(path.join(outside, 'victim'), 'keep');
    symlinkSync(path.join(outside, 'victim'), path.join(root, 'config.yaml'));
    refused(() => writeFileUnder(root, 'config.yaml', 'x'), /through a symlink/);
    expect(readFileSync(path.join(outside, 'victim'), 'utf8')).toBe('keep');
  });

  it('refuses a dangling symlink (writing through it would create a file anywhere)', () => {
    symlinkSync(path.join(outside, 'not-yet'), path.join(root, 'plan.json'));
    refused(() => writeFileUnder(root, 'plan.json', 'x'), /symlink to a path that does not exist/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses a NUL character', () => {
    refused(() => writeFileUnder(root, 'a\u0000b', 'x'), /NUL/);
  });
});

describe('confined writes accept ordinary paths', () => {
  let oldMask: number;
  beforeEach(() => {
    oldMask = process.umask(0); // the modes must not depend on the umask
  });
  afterEach(() => {
    process.umask(oldMask);
  });

  it('writes relative and absolute paths under the root, creating directories, with explicit modes', () => {
    const a = writeFileUnder(root, 'jobs/calibrate/j1.1.out', 'hello');
    expect(a).toBe(path.join(root, 'jobs', 'calibrate', 'j1.1.out'));
    expect(readFileSync(a, 'utf8')).toBe('hello');
    expect(mode(a)).toBe(0o640);
    expect(mode(path.join(root, 'jobs'))).toBe(0o750);
    expect(mode(path.join(root, 'jobs', 'calibrate'))).toBe(0o750);
    const b = writeFileUnder(root, path.join(root, 'plan.json'), '{}', { mode: 0o600 });
    expect(mode(b)).toBe(0o600);
    writeFileUnder(root, 'plan.json', '[]', { append: true });
    expect(readFileSync(b, 'utf8')).toBe('{}[]');
    expect(mode(b)).toBe(0o640);
  });

  it('accepts names with dots that are not . or .. segments, and the root itself', () => {
    expect(resolveUnder(root, 'a..b/..c/x.y')).toBe(path.join(root, 'a..b', '..c', 'x.y'));
    expect(resolveUnder(root, '.')).toBe(root);
    expect(resolveUnder(root, 'x/../y')).toBe(path.join(root, 'y')); // stays inside lexically
  });

  it('accepts a symlink that stays inside, and a root that is itself reached through a symlink', () => {
    mkdirSync(path.join(root, 'real'));
    symlinkSync(path.join(root, 'real'), path.join(root, 'alias'));
    writeFileUnder(root, 'alias/f', 'x');
    expect(readFileSync(path.join(root, 'real', 'f'), 'utf8')).toBe('x');
    const linkedRoot = path.join(base, 'linked-submit');
    symlinkSync(root, linkedRoot);
    writeFileUnder(linkedRoot, 'g', 'y');
    expect(readFileSync(path.join(root, 'g'), 'utf8')).toBe('y');
  });

  it('creates a missing root and keeps a setgid bit inherited from a shared parent', () => {
    const fresh = path.join(base, 'new', 'submit', 'run1');
    mkdirUnder(fresh, fresh);
    expect(mode(fresh)).toBe(0o750);
    mkdirUnder(fresh, 'shared', 0o2770);
    const shared = path.join(fresh, 'shared');
    expect(mode(shared) & 0o2000).toBe(0o2000);
    mkdirUnder(fresh, 'shared/jobs');
    expect(mode(path.join(shared, 'jobs'))).toBe(0o2750);
  });

  it('streams and copies with the mode set', async () => {
    const s = createWriteStreamUnder(root, 'jobs/x/1.err', { mode: 0o600 });
    await new Promise<void>((resolve, reject) => s.end('err\n', () => resolve()).on('error', reject));
    expect(readFileSync(path.join(root, 'jobs', 'x', '1.err'), 'utf8')).toBe('err\n');
    expect(mode(path.join(root, 'jobs', 'x', '1.err'))).toBe(0o600);
    const src = path.join(outside, 'graph.qg');
    writeFileSync(src, 'g', { mode: 0o666 });
    const c = copyFileUnder(root, src, 'graph.qg');
    expect(mode(c)).toBe(0o640);
    const fd = openUnder(root, 'log', { append: true, mode: 0o600 });
    closeSync(fd);
    expect(mode(path.join(root, 'log'))).toBe(0o600);
  });

  it('ensurePrivateDir creates or tightens to 0700', () => {
    const d = path.join(base, 'home');
    ensurePrivateDir(d);
    expect(mode(d)).toBe(0o700);
    const loose = path.join(base, 'loose');
    mkdirSync(loose, { mode: 0o777 });
    ensurePrivateDir(loose);
    expect(mode(loose)).toBe(0o700);
  });
});
