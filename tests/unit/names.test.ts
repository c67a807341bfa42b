// Confinement of names that become paths or ids (core/config/names.ts): every name key of a submit YAML and of a
// campaign spec (campaign, step names, output, operator) with a '..' segment, an absolute path or a control
// character is refused at load time, naming the file and the key; ordinary names and collection names with '/' pass.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBpsConfig } from '../../core/config/index.js';
import { campaignNameProblem, checkCampaignName, NAME_KEYS, nameProblem, segmentProblem } from '../../core/config/names.js';
import { parseCampaignSpec } from '../../core/campaign/spec.js';
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

describe('campaign, step and schedule names', () => {
  const base = { name: 'drp', baseConfig: 'base.yaml', steps: [{ name: 'step1' }, { name: 'step2' }] };
  const bad: Array<[string, string]> = [
    ['..', "has a '..' segment"],
    ['/etc/cron.d', 'is an absolute path'],
    ['step\u0007bell', 'contains a control character'],
    ['a/../b', "contains '/'"],
    ['-flag', 'does not start with a letter or digit'],
    ['a.b', 'has characters outside letters, digits, _ and -'],
  ];
  const cases: Array<{ key: string; spec: (v: string) => unknown }> = [
    { key: 'name', spec: (v) => ({ ...base, name: v }) },
    { key: 'steps[1].name', spec: (v) => ({ ...base, steps: [{ name: 'step1' }, { name: v }] }) },
  ];
  for (const { key, spec } of cases)
    for (const [value, problem] of bad)
      it(`refuses ${key} = ${JSON.stringify(value)} naming the key`, () => {
        const e = errorOf(() => parseCampaignSpec(spec(value), 'c.yaml'));
        expect(e.name).toBe('BadInputError');
        expect(e.message).toContain(`c.yaml: key '${key}'`);
        expect(e.message).toContain(problem);
        expect(e.message.split('\n')).toHaveLength(1);
      });

  it('refuses output and operator that escape, keeps collection slashes and nightly placeholders', () => {
    for (const [key, value] of [
      ['output', 'u/alice/../../etc'],
      ['output', '/abs/out'],
      ['output', 'u/alice\u0000x'],
      ['operator', '..'],
      ['operator', 'a/b'],
      ['operator', '/root'],
    ])
      expect(errorOf(() => parseCampaignSpec({ ...base, [key]: value }, 'c.yaml')).message).toContain(`key '${key}'`);
    expect(parseCampaignSpec({ ...base, output: 'u/alice/nightly/{dayObs}', operator: 'alice' }).output).toBe('u/alice/nightly/{dayObs}');
  });

  it('limits lengths so that run names and file names fit', () => {
    expect(campaignNameProblem('c'.repeat(100))).toBeUndefined();
    expect(campaignNameProblem('c'.repeat(101))).toBe('is longer than 100 characters');
    expect(errorOf(() => parseCampaignSpec({ ...base, steps: [{ name: 's'.repeat(65) }] }, 'c.yaml')).message).toContain("key 'steps[0].name'");
    expect(nameProblem('x'.repeat(201), false)).toContain('longer than 200');
    expect(segmentProblem('j'.repeat(241))).toContain('longer than 240');
  });

  it('checks names given on the command line with the same rules, naming the option', () => {
    expect(errorOf(() => checkCampaignName('../x', '--name')).message).toBe(`key '--name': "../x" contains '/'; it becomes part of ids, run names and paths, so use e.g. 'drp_rc2'`);
    expect(() => checkCampaignName('nightly_hsc', '<id>')).not.toThrow();
  });
});
