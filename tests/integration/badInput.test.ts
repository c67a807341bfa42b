// Bad input through the real CLI: one clear message naming file and key, exit code 2, nothing started or written.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(() => {
  h = createHarness('badinput');
});

const base = (name: string) => [
  `payloadName: ${name}`,
  `uniqProcName: ${name}`,
  `outputRun: bad/${name}`,
  `submitPath: SUBMIT/${name}`,
  'syntheticGraph: {quanta: 200}',
  `runQuantumCommand: "sh -c 'true' {qgraphNodeId}"`,
  'butlerConfig: /nonexistent/repo',
];

function write(name: string, lines: string[]): { file: string; submit: string } {
  const file = path.join(h.home, `${name}.yaml`);
  const submit = path.join(h.home, 'submit', name);
  writeFileSync(file, lines.join('\n').replaceAll('SUBMIT', path.join(h.home, 'submit')) + '\n');
  return { file, submit };
}

function expectRejected(name: string, lines: string[], ...mustSay: Array<string | RegExp>) {
  const { file, submit } = write(name, lines);
  const r = h.tbps(['submit', file]);
  expect(r.code, r.stderr + r.stdout).toBe(2);
  expect(r.stdout).not.toContain('Submitted run');
  const lines2 = r.stderr.trim().split('\n');
  expect(lines2).toHaveLength(1); // one clear message, no stack trace
  for (const m of mustSay) expect(r.stderr).toMatch(m);
  expect(existsSync(submit)).toBe(false); // nothing written
  return r.stderr;
}

describe('submit rejects bad input with exit code 2', () => {
  it("a run name that would escape the submit tree ('..' in outputRun or uniqProcName)", () => {
    const esc = base('escape').filter((l) => !/^(uniqProcName|outputRun|submitPath):/.test(l));
    expectRejected('escape', [...esc, 'outputRun: bad/../../escape', 'submitPath: SUBMIT/escape'], 'escape.yaml', "key 'outputRun'", "'..' segment");
    expect(existsSync(path.join(h.home, 'escape'))).toBe(false);
    const esc2 = base('escape2').filter((l) => !/^uniqProcName:/.test(l));
    expectRejected('escape2', [...esc2, 'uniqProcName: ../../escape2'], 'escape2.yaml', "key 'uniqProcName'", "contains '/'");
  });

  it('a per-job value of the wrong type', () => {
    expectRejected('badmem', [...base('badmem'), 'requestMemory: lots'], 'badmem.yaml', "'requestMemory'", /number/);
  });

  it('a required key missing', () => {
    const lines = base('nopayload').filter((l) => !/^(payloadName|uniqProcName|outputRun):/.test(l));
    expectRejected('nopayload', [...lines, 'outputRun: "{output}/x"'], /payloadName/);
  });

  it('an undefined {variable} in a command template', () => {
    expectRejected('undefvar', [...base('undefvar').filter((l) => !l.startsWith('runQuantumCommand')), `runQuantumCommand: "sh -c 'true' {noSuchThing}"`], 'undefvar.yaml', 'noSuchThing');
  });

  it('a missing includeConfigs file', () => {
    expectRejected('noinclude', [...base('noinclude'), 'includeConfigs: [does_not_exist.yaml]'], 'noinclude.yaml', 'does_not_exist.yaml');
  });

  it('a label in two clusters', () => {
    expectRejected(
      'twoclusters',
      [
        ...base('twoclusters'),
        'clusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.dimension_clustering',
        'cluster:',
        '  a: {pipetasks: "isr, characterizeImage", dimensions: "visit, detector", equalDimensions: "visit:exposure"}',
        '  b: {pipetasks: "characterizeImage, calibrate", dimensions: "visit, detector"}',
      ],
      'characterizeImage',
      /cluster/,
    );
  });

  it('a cycle between clusters', () => {
    expectRejected(
      'cycle',
      [
        ...base('cycle'),
        'clusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.dimension_clustering',
        'cluster:',
        '  ends: {pipetasks: "isr, calibrate", dimensions: "visit, detector", equalDimensions: "visit:exposure"}',
      ],
      /cycle/i,
    );
  });

  it('a malformed graph file', () => {
    const g = path.join(h.home, 'broken.qgraph.jsonl');
    writeFileSync(g, '{"format":"tbps-qgraph","version":1,"metadata":{},"tasks":[{"label":"a","dimensions":[]}]}\n{"id":"q1","label":"a",\n');
    expectRejected('badgraph', [...base('badgraph').filter((l) => !l.startsWith('syntheticGraph')), `qgraphFile: ${g}`], 'broken.qgraph.jsonl', /line 2/);
  });

  it('an unknown workload system', () => {
    expectRejected('badwms', [...base('badwms'), 'wmsServiceClass: lsst.ctrl.bps.nosuch.Service'], /wmsServiceClass/);
  });

  it('an unreachable Temporal server', () => {
    const { file, submit } = write('nosrv', base('nosrv'));
    const r = h.tbps(['submit', file], { env: { TEMPORAL_ADDRESS: '127.0.0.1:1' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not reachable at 127\.0\.0\.1:1/);
    expect(r.stderr).toMatch(/tbps server start/);
    expect(existsSync(submit)).toBe(false);
  });

  it('a config file that does not exist', () => {
    const r = h.tbps(['submit', path.join(h.home, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.yaml: file not found/);
  });
});

describe('campaign and schedule names that would escape are refused with exit code 2', () => {
  const campaign = (name: string, steps: string[], extra: string[] = []) => {
    const base = path.join(h.home, `${name.replace(/[^a-z0-9]/gi, '_')}-base.yaml`);
    const shellBase = ['payloadName: camp', 'syntheticGraph: {quanta: 10}', `runQuantumCommand: "sh -c 'true' {qgraphNodeId}"`, `submitPath: ${path.join(h.home, 'submit')}/{outputRun}`];
    writeFileSync(base, [...shellBase, ''].join('\n'));
    const file = path.join(h.home, `campaign-${steps.length}-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, [`name: ${JSON.stringify(name)}`, `baseConfig: ${base}`, ...extra, 'steps:', ...steps.map((s) => `  - name: ${JSON.stringify(s)}`), ''].join('\n'));
    return file;
  };

  function expectRefused(args: string[], key: string, problem: string) {
    const before = existsSync(path.join(h.home, 'submit')) ? readdirSync(path.join(h.home, 'submit')).length : 0;
    const r = h.tbps(args);
    expect(r.code, r.stderr + r.stdout).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`key '${key}'`);
    expect(r.stderr).toContain(problem);
    expect(r.stdout).not.toContain('Started campaign');
    const after = existsSync(path.join(h.home, 'submit')) ? readdirSync(path.join(h.home, 'submit')).length : 0;
    expect(after).toBe(before); // nothing written
  }

  it('step names and campaign names with .., an absolute path or a control character', () => {
    expectRefused(['campaign', 'start', campaign('ok', ['step1', '..'])], 'steps[1].name', "has a '..' segment");
    expectRefused(['campaign', 'start', campaign('ok', ['/etc/cron.d'])], 'steps[0].name', 'is an absolute path');
    expectRefused(['campaign', 'start', campaign('ok', ['step\u0007'])], 'steps[0].name', 'contains a control character');
    expectRefused(['campaign', 'start', campaign('..', ['step1'])], 'name', "has a '..' segment");
    expectRefused(['campaign', 'start', campaign('ok', ['step1'], ['output: u/alice/../../escape'])], 'output', "has a '..' segment");
    expectRefused(['campaign', 'start', campaign('ok', ['step1']), '--name', '../escape'], '--name', "contains '/'");
    expectRefused(['schedule', 'create', '../escape', '--template', campaign('ok', ['step1'])], 'schedule id', "contains '/'");
  });
});
