// Confinement of names that become paths or ids (core/config/names.ts): every name key of a submit YAML with a '..'
// segment, an absolute path or a control character is refused at load time, naming the file and the key; ordinary
// names and collection names with '/' pass.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBpsConfig } from '../../core/config/index.js';
import { NAME_KEYS, nameProblem, segmentProblem } from '../../core/config/names.js';
import { errorOf } from '../fixtures/transform/config.js';

const dir = mkdtempSync(join(tmpdir(), 'tbps-names-'));
let n = 0;

function load(lines: Record<string, string>) {
  const file = join(dir, `submit-${n++}.yaml`);
  const body = { payloadName: 'demo', butlerConfig: '/repo', inCollection: 'x', dataQuery: 'a=1', pipelineYaml: '/p.yaml', ...lines };
  writeFileSync(file, Object.entries(body).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n'));
  return { file, load: () => loadBpsConfig(file, { cwd: dir, operator: 'alice', env: {} }) };
}

describe('names that become paths', () => {
  const bad: Array<[string, string]> = [
    ['..', "has a '..' segment"],
    ['/etc/passwd', 'is an absolute path'],
    ['run\u0007bell', 'contains a control character'],
  ];
  for (const { key, collection } of NAME_KEYS) {
    for (const [value, problem] of [...bad, ...(collection ? ([['u/alice/../../etc', "has a '..' segment"]] as Array<[string, string]>) : [])]) {
      it(`refuses ${key} = ${JSON.stringify(value)} naming the file and the key`, () => {
        const { file, load: run } = load({ [key]: value, ...(key === 'output' ? { outputRun: 'u/alice/ok' } : {}) });
        const e = errorOf(run);
        expect(e.name).toBe('BadInputError');
        expect(e.message).toContain(file);
        expect(e.message).toContain(`key '${key}'`);
        expect(e.message).toContain(problem);
      });
    }
  }

  it('refuses a uniqProcName derived from a bad outputRun, and accepts ordinary names', () => {
    expect(errorOf(load({ outputRun: 'u/alice/./x' }).load).message).toContain("key 'outputRun'");
    const ok = load({ outputRun: 'u/alice/DM-12345/w_2024.10+test', payloadName: 'step1_v2' }).load();
    expect(ok.getString('uniqProcName')).toBe('u_alice_DM-12345_w_2024.10+test');
  });

  it('says what is wrong for each rule', () => {
    expect(nameProblem('a/b', false)).toBe("contains '/'");
    expect(nameProblem('a//b', true)).toContain('empty segment');
    expect(nameProblem('a b', false)).toContain('characters outside');
    expect(nameProblem('', false)).toBe('is empty');
    expect(nameProblem('u/alice/run1', true)).toBeUndefined();
  });

  it('job names and labels are single safe path segments (data-id values may hold spaces)', () => {
    expect(segmentProblem('calibrate_903334_10')).toBeUndefined();
    expect(segmentProblem('isr_g DECam SDSS c0001 4720.0 1520.0')).toBeUndefined();
    expect(segmentProblem('..')).toBe("is '..'");
    expect(segmentProblem('a/b')).toBe('contains a path separator');
    expect(segmentProblem('a\\b')).toBe('contains a path separator');
    expect(segmentProblem('a\nb')).toBe('contains a control character');
  });
});
