// The saved config and its reference (path + sha256): what travels through Temporal instead of the config, and the
// checks on reading it back (missing, altered, not JSON, not a config) as one BadInputError naming the file.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAVED_CONFIG } from '../../core/submit/files.js';
import { loadSavedConfig, readSavedConfig, saveRunConfig, savedConfigRef, sha256 } from '../../core/submit/savedConfig.js';
import { badInput } from '../helpers/badInput.js';

const config = { tree: { payloadName: 'p', bigNote: 'x'.repeat(1 << 20) }, sources: { payloadName: '/a/submit.yaml' } };

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'tbps-saved-'));
}


describe('saveRunConfig / loadSavedConfig', () => {
  it('writes the config into the submit directory and a reference of a few hundred bytes that reads it back', () => {
    const submit = path.join(tmp(), 'submit', 'run1');
    const { ref } = saveRunConfig(submit, config);
    expect(ref.file).toBe(path.join(submit, SAVED_CONFIG));
    expect(ref.sha256).toBe(sha256(readFileSync(ref.file)));
    expect(JSON.stringify(ref).length).toBeLessThan(400);
    expect(statSync(ref.file).mode & 0o077).toBe(0); // not readable by others
    expect(loadSavedConfig(ref)).toEqual(config);
    expect(savedConfigRef(submit, 'run1')).toEqual(ref);
    expect(readSavedConfig(submit)).toEqual(config);
  });

  it('undo removes the submit directory it created, only the file in one that existed, and restores a replaced copy', () => {
    const base = tmp();
    const fresh = path.join(base, 'fresh');
    saveRunConfig(fresh, config).undo();
    expect(existsSync(fresh)).toBe(false);
    const old = path.join(base, 'old');
    mkdirSync(old);
    writeFileSync(path.join(old, 'keep.txt'), 'x');
    saveRunConfig(old, config).undo();
    expect(existsSync(path.join(old, SAVED_CONFIG))).toBe(false);
    expect(existsSync(path.join(old, 'keep.txt'))).toBe(true);
    const first = saveRunConfig(old, config);
    saveRunConfig(old, { tree: { payloadName: 'other' }, sources: {} }).undo();
    expect(loadSavedConfig(first.ref)).toEqual(config);
  });

  it('a saved config altered after submit is refused, naming the file', () => {
    const { ref } = saveRunConfig(path.join(tmp(), 's'), config);
    writeFileSync(ref.file, JSON.stringify({ ...config, tree: { ...config.tree, payloadName: 'q' } }));
    const e = badInput(() => loadSavedConfig(ref));
    expect(e.file).toBe(ref.file);
    expect(e.message).toContain('changed after submit');
  });

  it('a missing saved config is refused, naming the file', () => {
    const submit = path.join(tmp(), 's');
    const { ref } = saveRunConfig(submit, config);
    rmSync(ref.file);
    expect(badInput(() => loadSavedConfig(ref)).message).toBe(`${ref.file}: the run's saved config is missing; it was written at submit and must stay in the submit directory`);
    expect(badInput(() => readSavedConfig(submit)).file).toBe(ref.file);
    expect(badInput(() => savedConfigRef(submit, "run 'r'")).message).toContain('never got past prepare');
  });

  it('a saved config that is not JSON or holds no tree is refused, naming the file', () => {
    const submit = tmp();
    const file = path.join(submit, SAVED_CONFIG);
    writeFileSync(file, '{not json');
    expect(badInput(() => loadSavedConfig({ file, sha256: sha256('{not json') })).message).toContain('not valid JSON');
    writeFileSync(file, '[1, 2]');
    expect(badInput(() => readSavedConfig(submit)).message).toContain('no config tree');
  });
});
