// Sharing a submit tree with an HTCondor pool's user (wms/htcondor/share.ts): through a group (setgid directories,
// 2770 where the pool writes, g+r files), never world-writable; the share group setting resolves names, gids and
// 'none', and a named group that does not exist is bad input naming the key.
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mkdirUnder, writeFileUnder } from '../../core/files/confined.js';
import { resolveShareGroup, shareSubmitTree, shareWritableDir } from '../../wms/htcondor/share.js';

const base = mkdtempSync(path.join(tmpdir(), 'tbps-share-'));
const groupFile = path.join(base, 'group');
writeFileSync(groupFile, ['root:x:0:', 'tbps:x:4242:alice,tbpsuser', 'pool:x:777:', ''].join('\n'));
const mode = (p: string) => statSync(p).mode & 0o7777;

describe('share group setting', () => {
  it('defaults to the group tbps when it exists, else nothing is shared', () => {
    expect(resolveShareGroup(undefined, { groupFile })).toEqual({ name: 'tbps', gid: 4242 });
    expect(resolveShareGroup(undefined, { groupFile: path.join(base, 'no-such-file') })).toBeUndefined();
  });
  it('takes a group name, a gid, or none', () => {
    expect(resolveShareGroup('pool', { groupFile })).toEqual({ name: 'pool', gid: 777 });
    expect(resolveShareGroup('1234', { groupFile })).toEqual({ name: '1234', gid: 1234 });
    expect(resolveShareGroup('none', { groupFile })).toBeUndefined();
    expect(resolveShareGroup('', { groupFile })).toBeUndefined();
  });
  it('refuses an unknown group naming the key', () => {
    expect(() => resolveShareGroup('nosuch', { groupFile, key: 'htcondorShareGroup' })).toThrow(/key 'htcondorShareGroup': no group 'nosuch'/);
  });
});

// Giving files to another group needs root or membership; the tests run as root in this project's CI.
const isRoot = process.getuid?.() === 0;

describe('sharing a submit tree', () => {
  it('gives the tree to the group once, then the pool-written directories are 2770 and new files inherit the group', () => {
    expect(isRoot).toBe(true);
    const group = { name: 'test', gid: 4242 };
    const parent = path.join(base, 'work');
    mkdirSync(parent, { mode: 0o755 });
    const submit = path.join(parent, 'submit', 'u', 'alice', 'run1');
    mkdirUnder(submit, submit); // tbps-made parents: 0750
    writeFileUnder(submit, 'run1_config.yaml', 'a: 1');
    writeFileUnder(submit, 'generic_workflow/jobs.jsonl', '{}');
    shareSubmitTree(submit, group);
    for (const d of [submit, path.join(submit, 'generic_workflow')]) {
      expect(statSync(d).gid).toBe(4242);
      expect(mode(d)).toBe(0o2750);
    }
    expect(mode(path.join(submit, 'run1_config.yaml'))).toBe(0o640);
    expect(statSync(path.join(submit, 'run1_config.yaml')).gid).toBe(4242);
    // the tbps-made parents are traversable by the group, the user's own 0755 parent is left alone
    for (const d of ['submit', 'submit/u', 'submit/u/alice']) {
      expect(statSync(path.join(parent, d)).gid).toBe(4242);
      expect(mode(path.join(parent, d))).toBe(0o750); // g+rx through the share group
    }
    expect(statSync(parent).gid).not.toBe(4242);
    shareWritableDir(submit, path.join(submit, 'htcondor', 'batch_0'), group);
    const dag = path.join(submit, 'htcondor', 'batch_0');
    expect(mode(dag)).toBe(0o2770);
    expect(statSync(dag).gid).toBe(4242);
    // a later file inherits the group from its setgid directory and is 0640: readable by the pool's user, not others
    const sub = writeFileUnder(submit, path.join(dag, 'jobs', 'a.sub'), 'executable = /bin/true');
    expect(statSync(sub).gid).toBe(4242);
    expect(mode(sub)).toBe(0o640);
    expect(mode(path.join(dag, 'jobs')) & 0o2000).toBe(0o2000);
    // nothing anywhere is world-writable or world-readable
    for (const p of [submit, dag, sub, path.join(submit, 'run1_config.yaml')]) expect(mode(p) & 0o007).toBe(0);
  });
});
