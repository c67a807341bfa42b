// No silent accepts in a config: retryUnlessExit types, keys that hold one string, unmatched braces in any string,
// clusterTemplate placeholders that are not the cluster's dimensions, warnings for misspelled known keys (with the
// likely key, printed on stderr by default), and the older BPS key outCollection used as outputRun with a note.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterQuanta } from '../../core/cluster/index.js';
import { BPS_DEFAULTS_FILE, loadBpsConfig, type BpsConfig, type LoadOptions } from '../../core/config/index.js';
import { isKnownKey, likelyKey } from '../../core/config/knownKeys.js';
import { unbalancedBrace } from '../../core/config/strict.js';
import { graphFromRecords, syntheticGraph } from '../../core/qgraph/index.js';
import { badInput } from '../helpers/badInput.js';

let dir: string;
const PAYLOAD = 'payloadName: demo\nbutlerConfig: /repo\ninCollection: x\ndataQuery: "a=1"\npipelineYaml: /p.yaml\n';

function load(name: string, body: string, extra: LoadOptions = {}): { config: BpsConfig; warnings: string[] } {
  writeFileSync(join(dir, name), PAYLOAD + body);
  const warnings: string[] = [];
  const config = loadBpsConfig(name, { cwd: dir, operator: 'alice', env: {}, now: new Date(Date.UTC(2024, 0, 2)), onWarning: (w) => warnings.push(w), ...extra });
  return { config, warnings };
}


beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tbps-config-strict-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('retryUnlessExit', () => {
  it('takes one exit code or a list of them', () => {
    expect(load('r1.yaml', 'retryUnlessExit: 3\n').config.jobAttributes().retryUnlessExit).toEqual([3]);
    expect(load('r2.yaml', 'retryUnlessExit: [1, 2, 5]\n').config.jobAttributes().retryUnlessExit).toEqual([1, 2, 5]);
    expect(load('r3.yaml', 'retryUnlessExit: []\n').config.jobAttributes().retryUnlessExit).toEqual([]);
  });

  it.each([
    ['retryUnlessExit: "1,2"\n', 'retryUnlessExit', 'got "1,2"'],
    ['retryUnlessExit: "2"\n', 'retryUnlessExit', 'got "2"'],
    ['retryUnlessExit: [1, "2"]\n', 'retryUnlessExit', 'got a list [1,"2"]'],
    ['retryUnlessExit: 1.5\n', 'retryUnlessExit', 'got 1.5'],
    ['pipetask:\n  isr:\n    retryUnlessExit: one\n', 'pipetask.isr.retryUnlessExit', 'got "one"'],
    ['finalJob:\n  retryUnlessExit: {a: 1}\n', 'finalJob.retryUnlessExit', 'got a section (a)'],
  ])('refuses %j naming the key', (body, key, got) => {
    const e = badInput(() => load('rbad.yaml', body));
    expect(e.key).toBe(key);
    expect(e.file).toBe('rbad.yaml');
    expect(e.message).toContain('expected an exit code or a list of exit codes');
    expect(e.message).toContain(got);
  });

  it('refuses a template that expands to a string, when a job reads it', () => {
    const { config } = load('rtpl.yaml', 'codes: "1,2"\nretryUnlessExit: "{codes}"\n');
    const e = badInput(() => config.jobAttributes());
    expect(e.key).toBe('retryUnlessExit');
    expect(e.message).toContain('got "1,2" (from "{codes}")');
  });
});

describe('keys that hold one string', () => {
  it.each([
    ['payload:\n  dataQuery: [a, b]\n', 'payload.dataQuery'],
    ['payload:\n  butlerConfig: {path: /repo}\n', 'payload.butlerConfig'],
    ['pipetask:\n  isr:\n    runQuantumCommand: [pipetask, run]\n', 'pipetask.isr.runQuantumCommand'],
    ['outputRun: [u/a]\n', 'outputRun'],
  ])('refuses a list or section in %j', (body, key) => {
    const e = badInput(() => load('sbad.yaml', body));
    expect(e.key).toBe(key);
    expect(e.message).toContain('expected one string');
  });
});

describe('braces in templates', () => {
  it('finds the unmatched brace', () => {
    expect(unbalancedBrace('{a}_{b}')).toBe(-1);
    expect(unbalancedBrace('{{literal}} and ${HOME}')).toBe(-1);
    expect(unbalancedBrace("-c 'task:x={\"a\": {\"b\": 1}}'")).toBe(-1);
    expect(unbalancedBrace('{a}_{b')).toBe(4);
    expect(unbalancedBrace('a}')).toBe(1);
    expect(unbalancedBrace('{a}}')).toBe(3);
  });

  it.each([
    ['runQuantumCommand: "{pipetaskExe} run-qbb {butlerConfig {qgraphFile}"\n', 'runQuantumCommand', "a '{' without its '}'"],
    ['payload:\n  output: "u/{operator/x"\n', 'payload.output', "a '{' without its '}'"],
    ['extraRunQuantumOptions: "--x y}"\n', 'extraRunQuantumOptions', "a '}' without its '{'"],
    ['cluster:\n  c1:\n    clusterTemplate: "{visit}_{detector"\n', 'cluster.c1.clusterTemplate', "a '{' without its '}'"],
    ['environment:\n  A: "${HOME"\n', 'environment.A', "a '{' without its '}'"],
    ['finalJob:\n  command1: "{butlerExe} x {qgraphFile"\n', 'finalJob.command1', "a '{' without its '}'"],
  ])('refuses %j naming the key', (body, key, what) => {
    const e = badInput(() => load('bbad.yaml', body));
    expect(e.key).toBe(key);
    expect(e.file).toBe('bbad.yaml');
    expect(e.message).toContain(what);
  });

  it('leaves error-class patterns (regular expressions) alone', () => {
    const { config } = load('eclass.yaml', 'errorClasses:\n  - name: brace\n    pattern: "x\\\\{3"\n');
    expect(config.get('errorClasses')).toBeDefined();
  });
});

describe('clusterTemplate', () => {
  const DIM = 'clusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.dimension_clustering\n';
  const graph = () => {
    const { header, records } = syntheticGraph({ visits: 2, detectors: 2, tracts: 1, patchesPerTract: 1, bands: 1, visitsPerPatch: 2 });
    return graphFromRecords(header, records);
  };

  it('refuses a placeholder that is not a dimension of the cluster, naming the key', () => {
    const { config } = load('ct.yaml', `${DIM}cluster:\n  perVisit:\n    pipetasks: isr, calibrate\n    dimensions: visit\n    clusterTemplate: "v{visit}_{detector}"\n`);
    const e = badInput(() => clusterQuanta(graph(), config));
    expect(e.key).toBe('cluster.perVisit.clusterTemplate');
    expect(e.message).toContain('names {detector}, which is not a dimension of cluster "perVisit" (its dimensions: visit)');
  });

  it('accepts the dimensions, partition dimensions and {label}', () => {
    const { config } = load(
      'ctok.yaml',
      `${DIM}cluster:\n  perVisit:\n    pipetasks: calibrate\n    dimensions: visit, detector\n    clusterTemplate: "{label}_{visit}_{detector}"\n`,
    );
    const names = clusterQuanta(graph(), config).clusters.map((c) => c.name);
    expect(names).toContain('perVisit_903334_0');
  });
});

describe('misspelled keys', () => {
  it('guesses the known key', () => {
    expect(likelyKey('requestMemmory')).toBe('requestMemory');
    expect(likelyKey('numberOfRetry')).toBe('numberOfRetries');
    expect(likelyKey('clusterAlgoritm')).toBe('clusterAlgorithm');
    expect(likelyKey('requestmemory')).toBe('requestMemory');
    expect(likelyKey('requestMemory')).toBeUndefined();
    expect(likelyKey('myVisits')).toBeUndefined();
    expect(likelyKey('tract')).toBeUndefined();
  });

  it('knows every key of the built-in defaults', () => {
    const keys = new Set<string>();
    const walk = (node: unknown, depth: number) => {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
      for (const [k, v] of Object.entries(node)) {
        // pipetask.<label> names a task, not a key
        if (k !== 'pipetaskInit') keys.add(k);
        walk(v, depth + 1);
      }
    };
    walk(parse(readFileSync(BPS_DEFAULTS_FILE, 'utf8')), 0);
    expect(keys.size).toBeGreaterThan(40);
    expect([...keys].filter((k) => !isKnownKey(k))).toEqual([]);
  });

  it('warns naming the file, the full key and the likely key, and still loads', () => {
    const { config, warnings } = load(
      'typo.yaml',
      'requestMemmory: 4096\nclusterAlgoritm: x\npipetask:\n  isr:\n    numberOfRetry: 2\nmyOwnVariable: 1\n',
    );
    expect(warnings).toEqual([
      "warning: typo.yaml: key 'requestMemmory' is not a BPS key; did you mean 'requestMemory'? (it is ignored as written)",
      "warning: typo.yaml: key 'clusterAlgoritm' is not a BPS key; did you mean 'clusterAlgorithm'? (it is ignored as written)",
      "warning: typo.yaml: key 'pipetask.isr.numberOfRetry' is not a BPS key; did you mean 'numberOfRetries'? (it is ignored as written)",
    ]);
    expect(config.getNumber('requestMemory')).toBe(2048);
  });

  it('gives no warning when the config fails to load (its error stays the one line)', () => {
    const warnings: string[] = [];
    writeFileSync(join(dir, 'typo-bad.yaml'), `${PAYLOAD}requestMemmory: 4096\nrequestCpus: many\n`);
    const e = badInput(() => loadBpsConfig('typo-bad.yaml', { cwd: dir, operator: 'a', env: {}, onWarning: (w) => warnings.push(w) }));
    expect(e.key).toBe('requestCpus');
    expect(warnings).toEqual([]);
  });

  it('prints the warning on stderr by default', () => {
    writeFileSync(join(dir, 'typo-cli.yaml'), `${PAYLOAD}requestMemmory: 4096\n`);
    const script = `import { loadBpsConfig } from ${JSON.stringify(join(process.cwd(), 'core/config/index.ts'))};
loadBpsConfig('typo-cli.yaml', { cwd: ${JSON.stringify(dir)}, operator: 'a', env: {} });
loadBpsConfig('typo-cli.yaml', { cwd: ${JSON.stringify(dir)}, operator: 'a', env: {} });
process.stdout.write('loaded');`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('loaded');
    // loaded twice, warned once
    expect(run.stderr).toBe("warning: typo-cli.yaml: key 'requestMemmory' is not a BPS key; did you mean 'requestMemory'? (it is ignored as written)\n");
  });
});

describe('outCollection (older BPS)', () => {
  it('is used as outputRun, with a note', () => {
    const { config, warnings } = load('oc.yaml', 'outCollection: "u/{operator}/old_{timestamp}"\n');
    expect(config.getString('outputRun')).toBe('u/alice/old_20240102T000000Z');
    expect(config.getString('uniqProcName')).toBe('u_alice_old_20240102T000000Z');
    expect(warnings).toEqual([
      "note: oc.yaml: key 'outCollection' is the older BPS name of outputRun; used as outputRun (rename it to outputRun)",
    ]);
  });

  it('in payload: too', () => {
    const { config } = load('ocp.yaml', 'payload:\n  outCollection: u/alice/p\n');
    expect(config.getString('outputRun')).toBe('u/alice/p');
  });

  it('is refused next to an outputRun of the user', () => {
    const e = badInput(() => load('ocboth.yaml', 'outCollection: u/a/x\noutputRun: u/a/y\n'));
    expect(e.key).toBe('outCollection');
    expect(e.message).toContain('both outCollection (the older BPS name of outputRun) and outputRun are set');
  });

  it('gives way to --output-run, with a note', () => {
    const { config, warnings } = load('occli.yaml', 'outCollection: u/a/x\n', { overrides: { outputRun: 'u/a/cli' } });
    expect(config.getString('outputRun')).toBe('u/a/cli');
    expect(warnings[0]).toContain("key 'outCollection' (the older BPS name of outputRun) is ignored: --output-run is given");
  });
});
