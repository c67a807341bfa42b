// Unit tests of core/report: exact column order, alignment, flags, %S, TOTAL sums, no colour codes.

import { describe, expect, it } from 'vitest';
import {
  formatLabelTable,
  formatRunList,
  formatRunSummary,
  percentSucceeded,
  runFlag,
  type LabelCount,
  type RunListRow,
} from '../../core/report/index.js';
import { ACTIVE_STATES, STATES, zeroCounts, type State } from '../../core/states.js';

const ANSI = /\u001b\[/;

function counts(c: Partial<Record<State, number>>): Record<State, number> {
  return Object.fromEntries(STATES.map((s) => [s, c[s] ?? 0])) as Record<State, number>;
}

/** Start offsets of the whitespace-separated fields of a line. */
function starts(line: string): number[] {
  return [...line.matchAll(/\S+/g)].map((m) => m.index!);
}

const base: RunListRow = {
  runId: 'u_alice_step1_20250101T000000Z',
  state: 'RUNNING',
  operator: 'alice',
  project: 'dev',
  campaign: 'DRP-1',
  payloadName: 'step1',
  name: 'u/alice/step1/20250101T000000Z',
  jobs: 8,
  counts: { SUCCEEDED: 3, FAILED: 1, RUNNING: 4 },
};

describe('formatRunList', () => {
  it('prints the BPS columns in order, a rule, one aligned line per run', () => {
    const rows: RunListRow[] = [
      base,
      { ...base, runId: 'r2', state: 'SUCCEEDED', operator: 'bob', campaign: 'c', payloadName: 'p', name: 'n2', jobs: 3, counts: { SUCCEEDED: 3 } },
      { ...base, runId: 'r3', state: 'PENDING', jobs: 0, counts: undefined },
    ];
    const out = formatRunList(rows);
    expect(out).not.toMatch(ANSI);
    const lines = out.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0].trim().split(/\s+/)).toEqual(['X', 'STATE', '%S', 'ID', 'OPERATOR', 'PROJECT', 'CAMPAIGN', 'PAYLOAD', 'RUN']);
    expect(lines[1]).toMatch(/^[- ]+$/);
    expect(lines[2].split(/\s+/)).toEqual(['F', 'RUNNING', '37', 'u_alice_step1_20250101T000000Z', 'alice', 'dev', 'DRP-1', 'step1', 'u/alice/step1/20250101T000000Z']);
    expect(lines[3].trim().split(/\s+/)).toEqual(['SUCCEEDED', '100', 'r2', 'bob', 'dev', 'c', 'p', 'n2']);
    expect(lines[4].trim().split(/\s+/)).toEqual(['PENDING', 'UNK', 'r3', 'alice', 'dev', 'DRP-1', 'step1', 'u/alice/step1/20250101T000000Z']);
    // Left-aligned text columns start where the header's do (ID onward); the rule spans each column.
    const head = starts(lines[0]);
    const rule = starts(lines[1]);
    expect(rule).toHaveLength(9);
    for (const l of lines.slice(2)) expect(starts(l).slice(-6)).toEqual(head.slice(-6));
    expect(lines[0].indexOf('STATE')).toBe(rule[1]);
  });

  it('flags running runs with failed, deleted or held jobs only', () => {
    expect(runFlag('RUNNING', { FAILED: 1, HELD: 2 })).toBe('F');
    expect(runFlag('RUNNING', { DELETED: 1, HELD: 2 })).toBe('D');
    expect(runFlag('RUNNING', { HELD: 2 })).toBe('H');
    expect(runFlag('RUNNING', { SUCCEEDED: 2 })).toBe('');
    expect(runFlag('FAILED', { FAILED: 2 })).toBe('');
  });

  it('%S is the floor of the succeeded percentage, UNK without a total', () => {
    expect(percentSucceeded(3, { SUCCEEDED: 2 })).toBe('66');
    expect(percentSucceeded(0, { SUCCEEDED: 1, FAILED: 1 })).toBe('50');
    expect(percentSucceeded(0, {})).toBe('UNK');
  });
});

describe('formatLabelTable', () => {
  const rows: LabelCount[] = [
    { label: 'pipetaskInit', counts: counts({ SUCCEEDED: 1 }), expected: 1 },
    { label: 'isr', counts: counts({ SUCCEEDED: 10, FAILED: 2, RUNNING: 3 }), expected: 15 },
    { label: 'calibrateImage', counts: counts({ PRUNED: 2, UNREADY: 13 }), expected: 15 },
    { label: 'finalJob', counts: counts({ UNREADY: 1 }), expected: 1 },
  ];

  it('has the label column, the 11 BPS states in order, EXPECTED; TOTAL first between rules', () => {
    const out = formatLabelTable(rows);
    expect(out).not.toMatch(ANSI);
    const lines = out.split('\n');
    expect(lines[0].trim().split(/\s+/)).toEqual([
      'UNKNOWN', 'MISFIT', 'UNREADY', 'READY', 'PENDING', 'RUNNING', 'DELETED', 'HELD', 'SUCCEEDED', 'FAILED', 'PRUNED', 'EXPECTED',
    ]);
    expect(lines[1]).toMatch(/^[- ]+$/);
    expect(lines[3]).toBe(lines[1]);
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['', lines[1].split(/\s+/)[0], 'TOTAL', lines[1].split(/\s+/)[0], 'pipetaskInit', 'isr', 'calibrateImage', 'finalJob']);
    const total = lines[2].split(/\s+/).slice(1).map(Number);
    //             UNKNOWN MISFIT UNREADY READY PENDING RUNNING DELETED HELD SUCCEEDED FAILED PRUNED EXPECTED
    expect(total).toEqual([0, 0, 14, 0, 0, 3, 0, 0, 11, 2, 2, 32]);
    expect(lines[5].split(/\s+/)).toEqual(['isr', '0', '0', '0', '0', '0', '3', '0', '0', '10', '2', '0', '15']);
    // Numbers are right-aligned under their headers: every line ends at the same column.
    const width = lines[0].length;
    for (const l of lines) expect(l.length).toBe(width);
  });

  it('prints only a TOTAL of zeros for a run without jobs', () => {
    const lines = formatLabelTable([]).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2].split(/\s+/)).toEqual(['TOTAL', ...Array(12).fill('0')]);
  });
});

describe('formatRunSummary', () => {
  it('prints the run line and aligned details, skipping empty fields', () => {
    const out = formatRunSummary({ ...base, workflowId: 'run/u_alice', submitPath: '/submit/x', wms: 'local', quanta: 40, message: '', restartCount: 0 });
    expect(out).not.toMatch(ANSI);
    const lines = out.split('\n');
    expect(lines[0].trim().split(/\s+/)[0]).toBe('X');
    expect(lines[2]).toContain('RUNNING');
    expect(out).toMatch(/^Workflow: +run\/u_alice$/m);
    expect(out).toMatch(/^Path: +\/submit\/x$/m);
    expect(out).not.toMatch(/^Message:/m);
    const valueCols = lines.slice(4).map((l) => l.search(/(?<=:\s+)\S/));
    expect(new Set(valueCols).size).toBe(1);
  });
});

describe('state sets', () => {
  it('active states are every state a job can still leave; zero counts cover every state', () => {
    expect([...ACTIVE_STATES]).toEqual(['UNKNOWN', 'MISFIT', 'UNREADY', 'READY', 'PENDING', 'RUNNING', 'HELD']);
    const z = zeroCounts();
    expect(Object.keys(z)).toEqual([...STATES]);
    expect(Object.values(z).every((n) => n === 0)).toBe(true);
    z.FAILED = 1;
    expect(zeroCounts().FAILED).toBe(0); // a fresh record each call
  });
});
