// Campaign spec validation, group splitting, group data queries, step edits, nightly windows (pure).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyStepPatch, groupDataQuery, groupRunId, nightHasData, nightlyCampaign, nightWindow, parseCampaignSpec, splitStep } from '../../core/campaign/index.js';
import { loadCampaignSpec } from '../../core/campaign/load.js';

const base = { name: 'drp', baseConfig: 'base.yaml', steps: [{ name: 'step1' }] };

describe('campaign spec', () => {
  it('applies defaults', () => {
    const s = parseCampaignSpec(base);
    expect(s.concurrency).toBe(4);
    expect(s.failurePolicy).toEqual({ onFailure: 'pause', maxFailedGroups: 0 });
  });
  it('rejects an unknown step field with the step name in the key', () => {
    expect(() => parseCampaignSpec({ ...base, steps: [{ name: 'step1', dataQery: 'x' }] }, 'c.yaml')).toThrow(/c\.yaml: key 'steps\[step1\]': unknown field\(s\) 'dataQery' \(did you mean 'dataQuery'\?\)/);
  });
  it('rejects a split yielding zero groups', () => {
    expect(() => parseCampaignSpec({ ...base, steps: [{ name: 'step1', split: { dimension: 'visit', values: [] } }] }, 'c.yaml')).toThrow(/yields zero groups/);
    expect(() => parseCampaignSpec({ ...base, steps: [{ name: 'step1', split: { dimension: 'visit', ranges: [{ from: 5, to: 1 }] } }] })).toThrow(
      /key 'steps\[step1\]\.split\.ranges\[0\]': the range ends before it starts/,
    );
  });
  it('rejects duplicate steps and splits with two kinds', () => {
    expect(() => parseCampaignSpec({ ...base, steps: [{ name: 'a' }, { name: 'a' }] })).toThrow(/duplicate step name 'a'/);
    expect(() => parseCampaignSpec({ ...base, steps: [{ name: 'a', split: { dimension: 'visit', values: [1], groups: [[1]] } }] })).toThrow(/exactly one of/);
  });
  it('loads a file and resolves baseConfig next to it', () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'camp-'));
    writeFileSync(path.join(d, 'base.yaml'), 'payloadName: x\n');
    writeFileSync(path.join(d, 'c.yaml'), 'name: drp\nbaseConfig: base.yaml\nsteps:\n  - name: step1\n');
    expect(loadCampaignSpec(path.join(d, 'c.yaml')).baseConfig).toBe(path.join(d, 'base.yaml'));
    writeFileSync(path.join(d, 'bad.yaml'), 'name: drp\nbaseConfig: nope.yaml\nsteps:\n  - name: step1\n');
    expect(() => loadCampaignSpec(path.join(d, 'bad.yaml'))).toThrow(/key 'baseConfig': base BPS config .* does not exist/);
  });
});

describe('group splitting', () => {
  it('splits values, ranges and explicit groups', () => {
    expect(splitStep({ name: 's' })).toEqual([{ id: 'g1', values: [] }]);
    expect(splitStep({ name: 's', split: { dimension: 'visit', values: [1, 2, 3, 4, 5], groupSize: 2 } }).map((g) => g.values)).toEqual([[1, 2], [3, 4], [5]]);
    expect(splitStep({ name: 's', split: { dimension: 'visit', ranges: [{ from: 10, to: 13 }, { from: 20, to: 20 }] } }).map((g) => g.values)).toEqual([[10, 11, 12, 13], [20]]);
    expect(splitStep({ name: 's', split: { dimension: 'tract', ranges: [{ from: 1, to: 5 }], groupSize: 2 } }).map((g) => g.id)).toEqual(['g1', 'g2', 'g3']);
    expect(splitStep({ name: 's', split: { dimension: 'band', groups: [['g', 'r'], ['i']] } })[1]).toEqual({ id: 'g2', values: ['i'] });
  });
  it('ANDs the group clause to the data query', () => {
    const split = { dimension: 'visit', values: [1, 2] };
    expect(groupDataQuery("instrument='HSC'", split, { id: 'g1', values: [1, 2] })).toBe("(instrument='HSC') AND visit IN (1, 2)");
    expect(groupDataQuery(undefined, { dimension: 'band', values: ['g'] }, { id: 'g1', values: ["g'x"] })).toBe("band IN ('g''x')");
    expect(groupDataQuery('a=1', undefined, { id: 'g1', values: [] })).toBe('a=1');
    expect(groupRunId('drp', 'step1', 'g2')).toBe('drp_step1_g2');
  });
});

describe('step edits', () => {
  const step = { name: 'step3', dataQuery: 'a', overrides: { requestMemory: 100 } };
  it('merges a valid patch and keeps the name', () => {
    expect(applyStepPatch(step, { dataQuery: 'b', overrides: { numberOfRetries: 1 } })).toEqual({ name: 'step3', dataQuery: 'b', overrides: { requestMemory: 100, numberOfRetries: 1 } });
  });
  it('rejects unknown fields, renames and empty splits', () => {
    expect(() => applyStepPatch(step, { bogus: 1 })).toThrow(/unknown field\(s\) 'bogus'/);
    expect(() => applyStepPatch(step, { name: 'other' })).toThrow(/cannot be renamed/);
    expect(() => applyStepPatch(step, { split: { dimension: 'visit', groups: [] } })).toThrow(/zero groups/);
  });
});

describe('nightly windows', () => {
  it('names the night that ended before the scheduled time (dayObs convention)', () => {
    const w = nightWindow(new Date('2026-11-21T14:00:00Z'));
    expect(w).toEqual({ night: '2026-11-20', dayObs: '20261120', start: '2026-11-20T12:00:00.000Z', end: '2026-11-21T12:00:00.000Z' });
  });
  it('fills the template and knows synthetic data nights', () => {
    const t = parseCampaignSpec({ ...base, steps: [{ name: 's', dataQuery: 'day_obs = {dayObs}' }], nightly: { dataNights: ['2026-11-20'] } });
    const w = nightWindow(new Date('2026-11-21T14:00:00Z'));
    const c = nightlyCampaign(t, w);
    expect(c.name).toBe('drp_20261120');
    expect(c.steps[0].dataQuery).toBe('day_obs = 20261120');
    expect(nightHasData(t, w)).toBe(true);
    expect(nightHasData(t, nightWindow(new Date('2026-11-23T14:00:00Z')))).toBe(false);
  });
});
