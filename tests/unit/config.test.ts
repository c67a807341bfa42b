// Unit tests of core/config: BPS layers and includeConfigs, search order, {var}/${ENV} expansion, computed values,
// validation messages (file + key), jobAttributes, argv expansion and the JSON round trip.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { BpsConfig, formatTimestamp, loadBpsConfig, type LoadOptions } from '../../core/config/index.js';
import { badInput } from '../helpers/badInput.js';

let dir: string;
const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

function write(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

function opts(extra: LoadOptions = {}): LoadOptions {
  return { now: NOW, operator: 'alice', cwd: dir, env: { HOME: '/home/alice', SITE_DIR: 'sites' }, ...extra };
}

// At the root (BPS allows both), so test bodies can add their own payload: section.
const PAYLOAD = `
payloadName: demo
butlerConfig: /repo/butler.yaml
inCollection: HSC/defaults
dataQuery: "instrument='HSC' AND visit = 903342"
pipelineYaml: /pipelines/DRP.yaml#step1
`;

/** Writes a submit file (the payload block prepended) and loads it. */
function load(rel: string, body: string, o: LoadOptions = {}): BpsConfig {
  write(rel, PAYLOAD + body);
  return loadBpsConfig(rel, opts(o));
}


beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tbps-config-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('layers and precedence', () => {
  it('applies the built-in defaults', () => {
    const c = load('defaults.yaml', '');
    expect(c.getNumber('requestMemory')).toBe(2048);
    expect(c.getNumber('requestCpus')).toBe(1);
    expect(c.getNumber('memoryMultiplier')).toBe(2);
    expect(c.getNumber('numberOfRetries')).toBe(5);
    expect(c.getNumberList('retryUnlessExit')).toEqual([1, 2]);
    expect(c.getString('computeSite')).toBe('local');
    expect(c.getString('wmsServiceClass')).toBe('local');
    expect(c.getString('finalJob.whenRun')).toBe('ALWAYS');
    expect(c.getBool('useLazyCommands')).toBe(true);
    expect(c.fileOf('requestMemory')).toMatch(/config\/bps_defaults\.yaml$/);
  });

  it('orders defaults < WMS defaults (in order) < user YAML < CLI overrides', () => {
    write('wms1.yaml', 'requestMemory: 3000\nrequestCpus: 2\nqueue: q1\npriority: 1\n');
    write('wms2.yaml', 'requestCpus: 3\nqueue: q2\n');
    const c = load('layers.yaml', 'queue: userq\npriority: 7\n', {
      defaultsFiles: ['wms1.yaml', 'wms2.yaml'],
      overrides: { priority: 9 },
    });
    expect(c.getNumber('requestMemory')).toBe(3000);
    expect(c.getNumber('requestCpus')).toBe(3);
    expect(c.getString('queue')).toBe('userq');
    expect(c.getNumber('priority')).toBe(9);
    expect(c.fileOf('requestMemory')).toBe('wms1.yaml');
    expect(c.fileOf('requestCpus')).toBe('wms2.yaml');
    expect(c.fileOf('queue')).toBe('layers.yaml');
    expect(c.fileOf('bps_cmdline.priority')).toBe('command line');
    expect(c.toJSON().sources['priority']).toBe('command line');
  });

  it('CLI overrides take dotted keys and reach nested sections', () => {
    const c = load('cli.yaml', 'pipetask:\n  isr:\n    requestMemory: 4000\n', {
      overrides: { 'pipetask.isr.requestMemory': '8000', computeSite: 'big', unused: undefined },
    });
    expect(c.getNumber('requestMemory', { label: 'isr' })).toBe(8000);
    expect(c.getString('computeSite')).toBe('big');
    expect(c.has('unused')).toBe(false);
    expect(c.section('bps_cmdline')).toEqual({ pipetask: { isr: { requestMemory: '8000' } }, computeSite: 'big' });
  });

  it('deep-merges mappings and replaces lists', () => {
    write('merge-base.yaml', 'retryUnlessExit: [1, 2, 3]\nsite:\n  s1:\n    queue: a\n    requestCpus: 2\n');
    const c = load('merge.yaml', 'retryUnlessExit: [7]\nsite:\n  s1:\n    queue: b\n', { defaultsFiles: ['merge-base.yaml'] });
    expect(c.get('retryUnlessExit')).toEqual([7]);
    expect(c.section('site.s1')).toEqual({ queue: 'b', requestCpus: 2 });
  });

  it('can load without built-in defaults', () => {
    write('nodefaults.yaml', 'a: 1\n');
    const c = loadBpsConfig('nodefaults.yaml', opts({ defaultsFile: false }));
    expect(c.has('requestMemory')).toBe(false);
    expect(c.get('a')).toBe(1);
    expect(c.has('submitPath')).toBe(false);
  });

  it('null unsets a default (and is skipped by lookups)', () => {
    const c = load('nullset.yaml', 'memoryLimit: null\npipetask:\n  isr:\n    requestCpus: ~\n');
    expect(c.has('memoryLimit')).toBe(false);
    expect(c.jobAttributes({ label: 'isr' }).memoryLimit).toBeUndefined();
    expect(c.getNumber('requestCpus', { label: 'isr' })).toBe(1);
  });
});

describe('includeConfigs', () => {
  it('merges included files in order, the including file on top', () => {
    write('inc/a.yaml', 'x: a\ny: a\nz: a\nlistv: [1]\n');
    write('inc/b.yaml', 'y: b\nz: b\n');
    const c = load('inc/top.yaml', 'includeConfigs: [a.yaml, b.yaml]\nz: top\n');
    expect(c.get('x')).toBe('a');
    expect(c.get('y')).toBe('b');
    expect(c.get('z')).toBe('top');
    expect(c.has('includeConfigs')).toBe(false);
    expect(c.fileOf('x')).toBe('inc/a.yaml');
    expect(c.fileOf('y')).toBe('inc/b.yaml');
    expect(c.fileOf('z')).toBe('inc/top.yaml');
  });

  it('resolves nested includes relative to each including file, at any level of the tree', () => {
    write('nest/sub/tasks.yaml', 'includeConfigs: deeper/isr.yaml\ncalibrate:\n  requestMemory: 5000\n');
    write('nest/sub/deeper/isr.yaml', 'isr:\n  requestMemory: 3000\n  requestCpus: 2\n');
    write('nest/sub/isr-extra.yaml', 'requestCpus: 4\nqueue: fast\n');
    write('nest/common.yaml', 'operator: bob\npipetask:\n  isr:\n    requestMemory: 1000\n    priority: 3\n');
    const c = load(
      'nest/top.yaml',
      `includeConfigs:
  - common.yaml
pipetask:
  includeConfigs: [sub/tasks.yaml]
  isr:
    includeConfigs: sub/isr-extra.yaml
    queue: slow
`,
    );
    // nested file levels: pipetask.includeConfigs -> tasks.yaml -> deeper/isr.yaml
    expect(c.getNumber('requestMemory', { label: 'isr' })).toBe(3000);
    expect(c.getNumber('requestMemory', { label: 'calibrate' })).toBe(5000);
    // pipetask.isr.includeConfigs sits above pipetask.includeConfigs, the including mapping above both
    expect(c.getNumber('requestCpus', { label: 'isr' })).toBe(4);
    expect(c.getString('queue', { label: 'isr' })).toBe('slow');
    // the top-level include is below everything in top.yaml
    expect(c.getNumber('priority', { label: 'isr' })).toBe(3);
    expect(c.getString('operator')).toBe('bob');
    expect(c.fileOf('pipetask.isr.requestMemory')).toBe('nest/sub/deeper/isr.yaml');
    expect(c.fileOf('pipetask.calibrate.requestMemory')).toBe('nest/sub/tasks.yaml');
    expect(c.fileOf('pipetask.isr.requestCpus')).toBe('nest/sub/isr-extra.yaml');
  });

  it('expands ${ENV} in include paths', () => {
    write('envinc/sites/site.yaml', 'computeSite: envsite\n');
    const c = load('envinc/top.yaml', 'includeConfigs: ["${SITE_DIR}/site.yaml"]\n');
    expect(c.getString('computeSite')).toBe('envsite');
  });

  it('names the including file and the missing path', () => {
    write('missing/top.yaml', PAYLOAD + 'pipetask:\n  includeConfigs: [nothere.yaml]\n');
    const e = badInput(() => loadBpsConfig('missing/top.yaml', opts()));
    expect(e.file).toBe('missing/top.yaml');
    expect(e.key).toBe('pipetask.includeConfigs');
    expect(e.message).toContain('"nothere.yaml" not found');
    expect(e.message).toContain(join(dir, 'missing', 'nothere.yaml'));
  });

  it('reports an unset env var in an include path, a bad includeConfigs value and include cycles', () => {
    write('incenv.yaml', 'includeConfigs: ["${NOPE}/x.yaml"]\n');
    expect(badInput(() => loadBpsConfig('incenv.yaml', opts())).message).toContain('${NOPE}');
    write('incbad.yaml', 'includeConfigs: {a: 1}\n');
    expect(badInput(() => loadBpsConfig('incbad.yaml', opts())).message).toMatch(/incbad\.yaml: key 'includeConfigs': expected a file name or a list/);
    write('cyc/a.yaml', 'includeConfigs: b.yaml\n');
    write('cyc/b.yaml', 'includeConfigs: a.yaml\n');
    expect(badInput(() => loadBpsConfig('cyc/a.yaml', opts())).message).toContain('includeConfigs cycle');
  });
});

describe('search order', () => {
  const ALL = `
v: root
bps_defined:
  v: computed
cloud:
  c1:
    v: cloud
site:
  s1:
    v: site
    computeCloud: c1
  s2:
    v: site2
pipetask:
  isr:
    v: pipetask
    finalJob:
      v: isrFinal
  calib:
    computeSite: s2
cluster:
  step1:
    v: cluster
finalJob:
  v: final
  inner:
    w: finalInner
computeSite: s1
`;
  it('finds the first hit in CLI > payload > cluster > pipetask > site > cloud > computed > root', () => {
    const ctx = { label: 'isr', cluster: 'step1' };
    const drop = (text: string, what: string) => text.replace(new RegExp(`\\n\\s*v: ${what}\\n`), '\n');
    let body = ALL + 'payload:\n  v: payload\n';
    const cli = load('order.yaml', body, { overrides: { v: 'cli' } });
    expect(cli.get('v', ctx)).toBe('cli');
    expect(cli.get('v', ctx)).toBe('cli');
    expect(load('order.yaml', body).get('v', ctx)).toBe('payload');
    body = ALL;
    const expected = ['cluster', 'pipetask', 'site', 'cloud', 'computed', 'root'];
    for (const what of expected) {
      const c = load('order.yaml', body);
      expect(c.get('v', ctx), `after removing the sections before ${what}`).toBe(what);
      body = drop(body, what);
    }
  });

  it('uses ctx.site, else computeSite by search order (pipetask.<label>.computeSite moves a label)', () => {
    const c = load('site.yaml', ALL);
    expect(c.get('v')).toBe('site');
    expect(c.get('v', { site: 's2' })).toBe('site2');
    expect(c.get('v', { label: 'calib' })).toBe('site2');
    expect(c.jobAttributes({ label: 'calib' }).computeSite).toBe('s2');
    expect(c.jobAttributes({ site: 'other' }).computeSite).toBe('other');
  });

  it('searches sections only for the current label/cluster and skips unknown names', () => {
    const c = load('ctx.yaml', ALL);
    expect(c.get('v', { label: 'nothere', cluster: 'nope' })).toBe('site');
    expect(c.get('v', { cluster: 'step1' })).toBe('cluster');
  });

  it('looks dotted keys up as paths in each section; a leading dot means the root only', () => {
    const c = load('dotted.yaml', ALL);
    expect(c.get('finalJob.v')).toBe('final');
    expect(c.get('finalJob.v', { label: 'isr' })).toBe('isrFinal');
    expect(c.get('.finalJob.v', { label: 'isr' })).toBe('final');
    expect(c.get('.bps_defined.v')).toBe('computed');
    expect(c.get('finalJob.inner.w')).toBe('finalInner');
    expect(c.get('finalJob.whenRun')).toBe('ALWAYS');
    expect(c.has('finalJob.nothing')).toBe(false);
  });

  it('ctx.section is searched right after the CLI', () => {
    const c = load('section.yaml', ALL, { overrides: { requestCpus: 3 } });
    expect(c.get('v', { section: 'finalJob', label: 'isr' })).toBe('final');
    expect(c.get('w', { section: 'finalJob.inner' })).toBe('finalInner');
    expect(c.get('requestCpus', { section: 'finalJob' })).toBe(3);
  });

  it('section() returns a section by path from the root', () => {
    const c = load('sections.yaml', ALL);
    expect(c.section('cluster')).toEqual({ step1: { v: 'cluster' } });
    expect(c.section('finalJob.inner')).toEqual({ w: 'finalInner' });
    expect(c.section('v')).toBeUndefined();
    expect(c.section('nope')).toBeUndefined();
  });
});

describe('expansion', () => {
  const VARS = `
a: "{b}-{c}"
b: "B{c}"
c: 3
lst: [1, 2]
sect:
  k: 1
cyc1: "x{cyc2}"
cyc2: "y{cyc3}"
cyc3: "z{cyc1}"
self: "{self}"
bad: "{nothere}"
home: "\${HOME}/work"
pwd: "\${PWD}/sub"
noenv: "\${NOT_SET_ANYWHERE}"
pipetask:
  isr:
    c: 9
`;
  let c: BpsConfig;
  beforeAll(() => {
    c = load('vars.yaml', VARS);
  });

  it('expands {var} recursively through the search order', () => {
    expect(c.getString('a')).toBe('B3-3');
    expect(c.getString('a', { label: 'isr' })).toBe('B9-9');
    expect(c.expand('{a}/{b}', { label: 'isr' })).toBe('B9-9/B9');
    expect(c.getString('outputRun')).toBe('u/alice/demo/20240102T030405Z');
    expect(c.get('a')).toBe('{b}-{c}');
  });

  it('uses extra values first and inserts them literally', () => {
    expect(c.expand('{c}-{label}', {}, { c: 'E', label: 'isr' })).toBe('E-isr');
    expect(c.expand('{a}', {}, { c: 5 })).toBe('B5-5');
    expect(c.expand('{x}', {}, { x: '{c}' })).toBe('{c}');
  });

  it('handles numbers, lists, escapes, format specs and unknown brace forms', () => {
    expect(c.expand('{c}{lst}')).toBe('31,2');
    expect(c.expand('{{c}} {c}')).toBe('{c} 3');
    expect(c.expand('{v:06}/{c:3}', {}, { v: 42 })).toBe('000042/  3');
    expect(c.expand('a {x,y} { c } $HOME $(Cluster)')).toBe('a {x,y} { c } $HOME $(Cluster)');
    expect(badInput(() => c.expand('{sect}')).message).toContain("refers to 'sect', which is a section");
    expect(badInput(() => c.expand('{c:>5}')).message).toContain('unsupported format spec');
  });

  it('detects cycles', () => {
    const e = badInput(() => c.getString('cyc1'));
    expect(e.message).toContain('variable cycle {cyc1} -> {cyc2} -> {cyc3} -> {cyc1}');
    expect(e.key).toBe('cyc1');
    expect(badInput(() => c.getString('self')).message).toContain('{self} -> {self}');
    expect(badInput(() => c.expand('{cyc2}')).message).toContain('{cyc2} -> {cyc3} -> {cyc1} -> {cyc2}');
  });

  it('names an undefined variable and the key or template', () => {
    const e = badInput(() => c.getString('bad'));
    expect(e.message).toBe(
      "vars.yaml: key 'bad': undefined variable {nothere}; define 'nothere' in the submit YAML (at the top level or under payload:) or on the command line",
    );
    const t = badInput(() => c.expand('run {a} {missingVar}'));
    expect(t.message).toContain('undefined variable {missingVar} in template "run {a} {missingVar}"');
    const chain = badInput(() => c.expand('{bad}'));
    expect(chain.message).toContain('(expanding bad)');
  });

  it('says which file a failing default came from', () => {
    write('nopayload.yaml', 'pipelineYaml: x.yaml\n');
    const e = badInput(() => loadBpsConfig('nopayload.yaml', opts()));
    expect(e.file).toBe('nopayload.yaml');
    expect(e.key).toBe('outputRun');
    expect(e.message).toContain('undefined variable {payloadName}');
    expect(e.message).toContain('expanding outputRun -> output');
    expect(e.message).toMatch(/value of 'outputRun' from .*bps_defaults\.yaml/);
  });

  it('expands ${ENV} from the given environment and ${PWD} from cwd', () => {
    expect(c.getString('home')).toBe('/home/alice/work');
    expect(c.getString('pwd')).toBe(`${dir}/sub`);
    const e = badInput(() => c.getString('noenv'));
    expect(e.message).toContain('environment variable ${NOT_SET_ANYWHERE} is not set');
    expect(e.key).toBe('noenv');
  });

  it('expandPartial leaves undefined {vars} as written and expands the rest', () => {
    expect(c.expandPartial('{a} --qgraph-node-id {qgraphNodeId} {job:04} {{x}}')).toBe('B3-3 --qgraph-node-id {qgraphNodeId} {job:04} {{x}}');
    expect(c.expandPartial('{bad}')).toBe('{nothere}');
    expect(c.expandPartial('{qgraphNodeId}', {}, { qgraphNodeId: 'n1' })).toBe('n1');
    expect(() => c.expandPartial('{cyc1}')).toThrow(BadInputError);
    expect(c.expandWith('{a}{nothere}', {}, undefined, { undefinedVars: 'empty' })).toBe('B3-3');
  });
});

describe('computed values', () => {
  it('formats the timestamp like BPS', () => {
    expect(formatTimestamp(NOW)).toBe('20240102T030405Z');
    expect(formatTimestamp(new Date(Date.UTC(1999, 11, 31, 23, 59, 58)))).toBe('19991231T235958Z');
  });

  it('computes timestamp, operator, uniqProcName, submitPath and configFile', () => {
    const c = load('computed.yaml', '');
    expect(c.section('bps_defined')).toEqual({
      timestamp: '20240102T030405Z',
      operator: 'alice',
      configFile: join(dir, 'computed.yaml'),
      uniqProcName: 'u_alice_demo_20240102T030405Z',
      submitPath: `${dir}/submit/u/alice/demo/20240102T030405Z`,
    });
    expect(c.getString('submitPath')).toBe(`${dir}/submit/u/alice/demo/20240102T030405Z`);
    expect(c.getString('qgraphFileTemplate')).toBe('u_alice_demo_20240102T030405Z.qg');
    expect(c.configFile).toBe('computed.yaml');
  });

  it('keeps operator and uniqProcName set by the user, and takes the operator from the env otherwise', () => {
    const c = load('computed2.yaml', 'operator: carol\nuniqProcName: mine\npayload:\n  outputRun: "run/{operator}"\n');
    expect(c.getString('operator')).toBe('carol');
    expect(c.getString('uniqProcName')).toBe('mine');
    expect(c.getString('submitPath')).toBe(`${dir}/submit/run/carol`);
    write('computed3.yaml', PAYLOAD);
    const d = loadBpsConfig('computed3.yaml', { now: NOW, cwd: dir, env: { LOGNAME: 'dave' } });
    expect(d.getString('operator')).toBe('dave');
    expect(d.getString('uniqProcName')).toBe('u_dave_demo_20240102T030405Z');
  });

  it('withDefined adds values to bps_defined without touching the original', () => {
    const c = load('withdef.yaml', '');
    const d = c.withDefined({ qgraphFile: '/s/run.qg' });
    expect(d.getString('qgraphFile')).toBe('/s/run.qg');
    expect(c.has('qgraphFile')).toBe(false);
    expect(d.fileOf('bps_defined.qgraphFile')).toBe('computed (bps_defined)');
  });
});

describe('validation', () => {
  it('reports a bad per-job value with file and full key', () => {
    write('fixtures/bad.yaml', PAYLOAD + 'pipetask:\n  isr:\n    requestMemory: lots\n');
    const e = badInput(() => loadBpsConfig('fixtures/bad.yaml', opts()));
    expect(e.message).toBe(`fixtures/bad.yaml: key 'pipetask.isr.requestMemory': expected a number of MiB (e.g. 4096), got "lots"`);
    expect(e.file).toBe('fixtures/bad.yaml');
    expect(e.key).toBe('pipetask.isr.requestMemory');
  });

  it.each([
    ['requestCpus: 1.5', "key 'requestCpus': expected a whole number of CPUs >= 1 (e.g. 4), got 1.5"],
    ['memoryMultiplier: 0.5', "key 'memoryMultiplier': expected a number >= 1"],
    ['numberOfRetries: -1', "key 'numberOfRetries': expected a whole number >= 0"],
    ['retryUnlessExit: [1, x]', "key 'retryUnlessExit': expected an exit code or a list of exit codes"],
    ['site:\n  s1:\n    requestWalltime: soon', "key 'site.s1.requestWalltime': expected a wall time in seconds"],
    ['cluster:\n  c1:\n    preemptible: maybe', "key 'cluster.c1.preemptible': expected true or false"],
    ['payload:\n  requestDisk: {a: 1}', "key 'payload.requestDisk': expected a number of MiB (e.g. 10240), got a section (a)"],
    ['environment: [A]', "key 'environment': expected a mapping of variable names"],
    ['environment:\n  A: {b: 1}', "key 'environment.A': expected a string or number"],
    ['finalJob:\n  whenRun: SOMETIMES', `key 'finalJob.whenRun': expected one of ALWAYS, SUCCESS, NEVER, got "SOMETIMES"`],
    ['pipetask: [isr]', "key 'pipetask': expected a section"],
    ['pipetask:\n  isr: 4096', "key 'pipetask.isr': expected the settings of task label 'isr'"],
  ])('rejects %s', (body, msg) => {
    write('bad2.yaml', PAYLOAD + body + '\n');
    const e = badInput(() => loadBpsConfig('bad2.yaml', opts()));
    expect(e.message).toContain(`bad2.yaml: ${msg}`);
  });

  it('rejects bad CLI values naming the command line', () => {
    write('badcli.yaml', PAYLOAD);
    const e = badInput(() => loadBpsConfig('badcli.yaml', opts({ overrides: { requestMemory: 'huge' } })));
    expect(e.message).toBe(`command line: key 'requestMemory': expected a number of MiB (e.g. 4096), got "huge"`);
  });

  it('reports YAML syntax errors with file and line, and a non-mapping top level', () => {
    write('syntax.yaml', 'a: 1\nb: [1, 2\nc: 3\n');
    const e = badInput(() => loadBpsConfig('syntax.yaml', opts()));
    expect(e.message).toMatch(/^syntax\.yaml: YAML syntax error at line \d+, column \d+/);
    write('dup.yaml', 'a: 1\na: 2\n');
    expect(badInput(() => loadBpsConfig('dup.yaml', opts())).message).toMatch(/^dup\.yaml: YAML syntax error at line 2/);
    write('list.yaml', '- a\n- b\n');
    expect(badInput(() => loadBpsConfig('list.yaml', opts())).message).toContain('list.yaml: expected a mapping of BPS settings at the top level');
    write('empty.yaml', '# nothing\n');
    expect(badInput(() => loadBpsConfig('empty.yaml', opts())).message).toContain('empty.yaml: the file is empty');
    expect(badInput(() => loadBpsConfig('nosuch.yaml', opts())).message).toContain('nosuch.yaml: cannot read the config file: no such file');
  });

  it('checks templated values when they are read', () => {
    const c = load('late.yaml', 'mem: lots\npipetask:\n  isr:\n    requestMemory: "{mem}"\n');
    const e = badInput(() => c.jobAttributes({ label: 'isr' }));
    expect(e.message).toBe(`late.yaml: key 'pipetask.isr.requestMemory': expected a number of MiB (e.g. 4096), got "lots" (from "{mem}")`);
    expect(badInput(() => c.getNumber('mem')).message).toBe(`late.yaml: key 'mem': expected a number, got "lots"`);
  });

  it('typed getters: missing keys, defaults, coercions', () => {
    const c = load('typed.yaml', 'n: "12"\nt: "yes"\nf: off\nl1: "1, 2,3"\nl2: 4\nnames: "isr, calibrate"\nnum: "{n}"\n');
    expect(c.getNumber('n')).toBe(12);
    expect(c.getNumber('num')).toBe(12);
    expect(c.getNumber('nothing', {}, 7)).toBe(7);
    expect(c.getString('nothing', {}, 'd')).toBe('d');
    expect(c.getBool('t')).toBe(true);
    expect(c.getBool('f')).toBe(false);
    expect(c.getBool('saveDot')).toBe(false);
    expect(c.getNumberList('l1')).toEqual([1, 2, 3]);
    expect(c.getNumberList('l2')).toEqual([4]);
    expect(c.getNumberList('nothing', {}, [])).toEqual([]);
    expect(c.getStringList('names')).toEqual(['isr', 'calibrate']);
    expect(c.getString('requestMemory')).toBe('2048');
    const e = badInput(() => c.getNumber('nothing'));
    expect(e.message).toBe("typed.yaml: key 'nothing': is not set; add nothing (a number) to the submit YAML or the command line");
    expect(badInput(() => c.getString('executionButler')).message).toContain("key 'executionButler': expected a string, got a section (whenCreate)");
    expect(badInput(() => c.getBool('n')).message).toContain('expected true or false, got "12"');
  });
});

describe('jobAttributes', () => {
  const RES = `
requestWalltime: "1:30:00"
environment:
  OMP_NUM_THREADS: 1
  RUN: "{outputRun}"
  H: "\${HOME}"
pipetask:
  isr:
    requestMemory: 4096
    retryUnlessExit: [1, 2, 3]
    abortOnValue: 3
  calibrate:
    requestCpus: 4
    environment:
      ONLY: calib
cluster:
  step1:
    requestMemory: 6000
    concurrencyLimit: db_limit
site:
  local:
    queue: localq
    priority: 5
  big:
    requestMemory: 100000
    memoryLimit: 200000
    preemptible: false
`;
  let c: BpsConfig;
  beforeAll(() => {
    c = load('res.yaml', RES);
  });

  it('gives the defaults', () => {
    const d = load('resdef.yaml', '').jobAttributes({ label: 'x' });
    expect(d).toEqual({
      requestMemory: 2048,
      memoryMultiplier: 2,
      memoryLimit: 491520,
      requestCpus: 1,
      numberOfRetries: 5,
      retryUnlessExit: [1, 2],
      computeSite: 'local',
      environment: {},
      preemptible: true,
    });
  });

  it('applies pipetask, cluster and site values by search order', () => {
    const isr = c.jobAttributes({ label: 'isr' });
    expect(isr).toMatchObject({ requestMemory: 4096, retryUnlessExit: [1, 2, 3], abortOnValue: 3, queue: 'localq', priority: 5, requestWalltime: 5400 });
    expect(isr.environment).toEqual({ OMP_NUM_THREADS: '1', RUN: 'u/alice/demo/20240102T030405Z', H: '/home/alice' });
    const cl = c.jobAttributes({ cluster: 'step1', label: 'isr' });
    expect(cl.requestMemory).toBe(6000);
    expect(cl.concurrencyLimit).toBe('db_limit');
    expect(c.jobAttributes({ label: 'calibrate' })).toMatchObject({ requestCpus: 4, requestMemory: 2048, environment: { ONLY: 'calib' } });
    const big = c.jobAttributes({ label: 'isr', site: 'big' });
    expect(big).toMatchObject({ requestMemory: 4096, memoryLimit: 200000, preemptible: false, computeSite: 'big' });
    expect(big.queue).toBeUndefined();
    expect(c.jobAttributes({ label: 'other', site: 'big' }).requestMemory).toBe(100000);
  });

  it('reads the finalJob section with ctx.section', () => {
    const f = c.jobAttributes({ section: 'finalJob' });
    expect(f.retryUnlessExit).toEqual([2]);
    expect(f.requestMemory).toBe(4096);
  });

  it('CLI overrides win over every section', () => {
    const d = load('rescli.yaml', RES, { overrides: { requestMemory: 1234 } });
    expect(d.jobAttributes({ label: 'isr', cluster: 'step1', site: 'big' }).requestMemory).toBe(1234);
  });

  it('reports a missing computeSite', () => {
    const d = load('nosite.yaml', 'computeSite: null\n');
    expect(badInput(() => d.jobAttributes({})).message).toContain("key 'computeSite': is not set");
  });
});

describe('command templates as argv', () => {
  const EXTRA = { qgraphFile: '/submit/run.qg' };
  let c: BpsConfig;
  beforeAll(() => {
    c = load('cmd.yaml', 'payload:\n  dataQuery: "instrument=\'HSC\' AND band = \\"i\\""\nextraQgraphOptions: "--skip-existing   -c a:1"\n');
  });

  it('builds the quantum-graph command with the data query as one argument', () => {
    expect(c.getArgv('createQuantumGraph', {}, EXTRA)).toEqual([
      'pipetask', '--long-log', '--log-level=VERBOSE', 'qgraph',
      '-b', '/repo/butler.yaml', '-i', 'HSC/defaults', '-o', 'u/alice/demo',
      '--output-run', 'u/alice/demo/20240102T030405Z', '-p', '/pipelines/DRP.yaml#step1',
      '--save-qgraph', '/submit/run.qg', '--qgraph-datastore-records',
      '-d', `instrument='HSC' AND band = "i"`, '--skip-existing', '-c', 'a:1',
    ]);
  });

  it('keeps job-time placeholders with undefinedVars: keep, and empty options give no words', () => {
    const argv = c.getArgv('runQuantumCommand', { label: 'isr' }, EXTRA, { undefinedVars: 'keep' });
    expect(argv).toEqual(['pipetask', '--long-log', '--log-level=VERBOSE', 'run-qbb', '/repo/butler.yaml', '/submit/run.qg', '--qgraph-node-id', '{qgraphNodeId}']);
    expect(c.getArgv('runQuantumCommand', {}, { ...EXTRA, qgraphNodeId: 'a b,c' }).slice(-1)).toEqual(['a b,c']);
    expect(() => c.getArgv('runQuantumCommand', {}, EXTRA)).toThrow(/undefined variable \{qgraphNodeId\}/);
  });

  it('has pipetaskInit and finalJob commands', () => {
    expect(c.getArgv('runQuantumCommand', { label: 'pipetaskInit' }, EXTRA)).toEqual([
      'pipetask', '--long-log', '--log-level=VERBOSE', 'pre-exec-init-qbb', '/repo/butler.yaml', '/submit/run.qg',
    ]);
    // command1 defaults to aggregate-graph, as in ctrl_bps; transfer-from-graph stays one setting away
    expect(c.getArgv('command1', { section: 'finalJob' }, EXTRA)).toEqual([
      'butler', '--long-log', '--log-level=VERBOSE', 'aggregate-graph', '/submit/run.qg', '/repo/butler.yaml',
      '-j', '1', '--register-dataset-types', '--update-output-chain',
    ]);
    expect(c.getArgv('transferFromGraphCommand', { section: 'finalJob' }, EXTRA)).toEqual([
      'butler', '--long-log', '--log-level=VERBOSE', 'transfer-from-graph', '/submit/run.qg', '/repo/butler.yaml',
      '--register-dataset-types', '--update-output-chain',
    ]);
  });

  it('takes pipetask and butler from ${CTRL_MPEXEC_DIR}/bin and ${DAF_BUTLER_DIR}/bin when set, as ctrl_bps does', () => {
    const env = { HOME: '/home/alice', CTRL_MPEXEC_DIR: '/stack/ctrl_mpexec/', DAF_BUTLER_DIR: '/stack/{odd}/daf_butler' };
    const s = load('stack.yaml', '', { env });
    expect(s.getArgv('runQuantumCommand', {}, { ...EXTRA, qgraphNodeId: 'q1' })[0]).toBe('/stack/ctrl_mpexec/bin/pipetask');
    expect(s.getArgv('createQuantumGraph', {}, EXTRA)[0]).toBe('/stack/ctrl_mpexec/bin/pipetask');
    expect(s.getArgv('runQuantumCommand', { label: 'pipetaskInit' }, EXTRA)[0]).toBe('/stack/ctrl_mpexec/bin/pipetask');
    // braces in the directory stay literal
    expect(s.getArgv('command1', { section: 'finalJob' }, EXTRA)[0]).toBe('/stack/{odd}/daf_butler/bin/butler');
    expect(s.fileOf('pipetaskExe')).toMatch(/stack location from the environment/);
    // only one of them set: the other stays on PATH
    const one = load('stack1.yaml', '', { env: { HOME: '/home/alice', DAF_BUTLER_DIR: '/b' } });
    expect(one.getString('pipetaskExe')).toBe('pipetask');
    expect(one.getString('butlerExe')).toBe('/b/bin/butler');
    // neither set (or empty): PATH
    expect(load('nostack.yaml', '', { env: { HOME: '/home/alice', CTRL_MPEXEC_DIR: '' } }).getString('pipetaskExe')).toBe('pipetask');
    // the submit YAML (or a WMS default) still wins over the environment
    expect(load('ownexe.yaml', 'pipetaskExe: /site/bin/pipetask\n', { env }).getString('pipetaskExe')).toBe('/site/bin/pipetask');
  });

  it('handles quotes, escapes and empty quoted words', () => {
    expect(c.expandArgv(`echo "a {c}" 'b c' "" x\\ y pre{e}post`, {}, { c: 'C D', e: '' })).toEqual(['echo', 'a C D', 'b c', '', 'x y', 'prepost']);
    expect(badInput(() => c.expandArgv('echo "open')).message).toContain('unterminated double quote');
  });
});

describe('serialisation', () => {
  it('round-trips through JSON and fromTree', () => {
    const c = load('round.yaml', 'pipetask:\n  isr:\n    requestMemory: 4096\nhome: "${HOME}"\n');
    const wire = JSON.parse(JSON.stringify(c));
    const d = BpsConfig.fromTree(wire.tree, wire.sources, { HOME: '/h' });
    expect(d.tree).toEqual(c.tree);
    expect(d.jobAttributes({ label: 'isr' })).toEqual(c.jobAttributes({ label: 'isr' }));
    expect(d.getString('outputRun')).toBe(c.getString('outputRun'));
    expect(d.getString('home')).toBe('/h');
    expect(d.fileOf('pipetask.isr.requestMemory')).toBe('round.yaml');
    expect(d.configFile).toBe('round.yaml');
    expect(Object.isFrozen(d.tree)).toBe(true);
    expect(Object.isFrozen(c.section('pipetask'))).toBe(true);
    expect(wire.tree).not.toBe(d.tree);
  });

  it('fromTree works on a bare tree', () => {
    const d = BpsConfig.fromTree({ a: '{b}', b: 2, pipetask: { t: { b: 3 } } });
    expect(d.getString('a')).toBe('2');
    expect(d.getString('a', { label: 't' })).toBe('3');
    expect(d.toJSON().sources).toEqual({});
  });
});
