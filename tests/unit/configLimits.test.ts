// Size and cost limits of config loading: the 8 MiB file limit (submit YAML and included files, refused before
// reading), includeConfigs depth, {var} expansion depth and size, YAML alias count and expansion, duplicate keys on
// both YAML paths (fast reader and library), and the fast reader giving exactly what the `yaml` library gives.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBpsConfig, type LoadOptions } from '../../core/config/index.js';
import { MAX_EXPANSION_DEPTH } from '../../core/config/expand.js';
import { MAX_INCLUDE_DEPTH } from '../../core/config/load.js';
import { MAX_YAML_DEPTH, parseYamlFast } from '../../core/config/yamlFast.js';
import { MAX_CONFIG_BYTES, MAX_YAML_ALIASES, parseConfigText } from '../../core/config/yamlFile.js';
import { badInput } from '../helpers/badInput.js';

let dir: string;
const PAYLOAD = 'payloadName: demo\nbutlerConfig: /repo\ninCollection: x\ndataQuery: "a=1"\npipelineYaml: /p.yaml\n';

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function opts(extra: LoadOptions = {}): LoadOptions {
  return { cwd: dir, operator: 'alice', env: { HOME: '/home/alice' }, now: new Date(Date.UTC(2024, 0, 2)), onWarning: () => {}, ...extra };
}


beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tbps-config-limits-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('file size', () => {
  it('refuses a submit YAML over 8 MiB naming the file, its size and the limit', () => {
    const p = write('huge.yaml', PAYLOAD);
    truncateSync(p, 50 * 1024 * 1024); // sparse: refused on its size, never read
    const e = badInput(() => loadBpsConfig('huge.yaml', opts()));
    expect(e.file).toBe('huge.yaml');
    expect(e.message).toMatch(/^huge\.yaml: the file is 50\.0 MiB \(52428800 bytes\), over the 8\.0 MiB limit/);
  });

  it('refuses an included file over the limit, naming the included file', () => {
    const inc = write('big-include.yaml', 'requestCpus: 1\n');
    truncateSync(inc, MAX_CONFIG_BYTES + 1);
    write('includes-big.yaml', `${PAYLOAD}includeConfigs: big-include.yaml\n`);
    const e = badInput(() => loadBpsConfig('includes-big.yaml', opts()));
    expect(e.file).toBe('big-include.yaml');
    expect(e.message).toContain(`(${MAX_CONFIG_BYTES + 1} bytes)`);
  });
});

describe('includeConfigs depth', () => {
  function chain(levels: number): void {
    for (let k = 1; k < levels; k++) write(`level${k}.yaml`, `includeConfigs: level${k + 1}.yaml\nv${k}: ${k}\n`);
    write(`level${levels}.yaml`, `v${levels}: ${levels}\n`);
    write('top.yaml', `${PAYLOAD}includeConfigs: level1.yaml\n`);
  }

  it(`loads a chain of ${MAX_INCLUDE_DEPTH} files`, () => {
    chain(MAX_INCLUDE_DEPTH - 1);
    expect(loadBpsConfig('top.yaml', opts()).get(`v${MAX_INCLUDE_DEPTH - 1}`)).toBe(MAX_INCLUDE_DEPTH - 1);
  });

  it('refuses a deeper chain, naming includeConfigs and listing the chain', () => {
    chain(MAX_INCLUDE_DEPTH + 3);
    const e = badInput(() => loadBpsConfig('top.yaml', opts()));
    expect(e.key).toBe('includeConfigs');
    expect(e.file).toBe(`level${MAX_INCLUDE_DEPTH - 1}.yaml`);
    expect(e.message).toContain(`nested more than ${MAX_INCLUDE_DEPTH} files deep`);
    expect(e.message).toContain('top.yaml -> ');
    expect(e.message).toContain(`level${MAX_INCLUDE_DEPTH}.yaml`);
  });
});

describe('{var} expansion limits', () => {
  it('refuses a chain deeper than the limit, naming the key and the chain', () => {
    const vars = Array.from({ length: MAX_EXPANSION_DEPTH + 5 }, (_, k) => `v${k}: "{v${k + 1}}"`).join('\n');
    write('deep.yaml', `${PAYLOAD}${vars}\nv${MAX_EXPANSION_DEPTH + 5}: end\n`);
    const c = loadBpsConfig('deep.yaml', opts());
    const e = badInput(() => c.getString('v0'));
    expect(e.key).toBe('v0');
    expect(e.message).toContain(`nested more than ${MAX_EXPANSION_DEPTH} deep`);
    expect(e.message).toContain('{v0} -> {v1}');
    // a shorter chain is fine
    expect(c.getString(`v10`)).toBe('end');
  });

  it('names the key and the chain of a cycle', () => {
    write('cycle.yaml', `${PAYLOAD}a: "{b}"\nb: "x{c}"\nc: "{a}"\n`);
    const e = badInput(() => loadBpsConfig('cycle.yaml', opts()).getString('a'));
    expect(e.key).toBe('a');
    expect(e.message).toContain('variable cycle {a} -> {b} -> {c} -> {a}');
  });

  it('refuses values that double at every level before they exhaust memory', () => {
    const levels = Array.from({ length: 30 }, (_, k) => `d${k + 1}: "{d${k}}{d${k}}"`).join('\n');
    write('double.yaml', `${PAYLOAD}d0: "${'x'.repeat(100)}"\n${levels}\n`);
    const e = badInput(() => loadBpsConfig('double.yaml', opts()).getString('d30'));
    expect(e.key).toBe('d30');
    expect(e.message).toContain('grows over');
  });

  it('bounds a command template the same way when it is split into argv', () => {
    const levels = Array.from({ length: 24 }, (_, k) => `d${k + 1}: "{d${k}}{d${k}}"`).join('\n');
    write('doublecmd.yaml', `${PAYLOAD}d0: "${'x'.repeat(16)}"\n${levels}\ncmd: "sh -c 'true' {d24}"\n`);
    const config = loadBpsConfig('doublecmd.yaml', opts());
    const e = badInput(() => config.expandArgv(config.get('cmd') as string));
    expect(e.message).toContain('grows over');
  });
});

describe('YAML aliases and duplicate keys', () => {
  it(`refuses more than ${MAX_YAML_ALIASES} aliases`, () => {
    const refs = Array.from({ length: MAX_YAML_ALIASES + 1 }, (_, k) => `r${k}: *v`).join('\n');
    write('aliases.yaml', `${PAYLOAD}v: &v 1\n${refs}\n`);
    const e = badInput(() => loadBpsConfig('aliases.yaml', opts()));
    expect(e.file).toBe('aliases.yaml');
    expect(e.message).toContain(`more than ${MAX_YAML_ALIASES} YAML aliases`);
  });

  it('refuses aliases that expand exponentially ("billion laughs")', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let k = 1; k < 9; k++) lines.push(`a${k}: &a${k} [${Array.from({ length: 10 }, () => `*a${k - 1}`).join(', ')}]`);
    write('laughs.yaml', `${PAYLOAD}${lines.join('\n')}\n`);
    const e = badInput(() => loadBpsConfig('laughs.yaml', opts()));
    expect(e.file).toBe('laughs.yaml');
    expect(e.message).toMatch(/alias/i);
  });

  it('names a duplicate key and both lines, on the fast path and on the library path', () => {
    write('dup-fast.yaml', `${PAYLOAD}requestMemory: 1\nsite:\n  s1:\n    queue: a\n    queue: b\n`);
    const fast = badInput(() => loadBpsConfig('dup-fast.yaml', opts()));
    expect(fast.message).toBe("dup-fast.yaml: YAML syntax error at line 10: duplicate key 'queue' (first at line 9); keep one of them");
    // An anchor sends the text to the yaml library; the same check, linear, gives the same message.
    write('dup-lib.yaml', `${PAYLOAD}requestMemory: &m 1\nsite:\n  s1:\n    queue: a\n    queue: b\n`);
    const lib = badInput(() => loadBpsConfig('dup-lib.yaml', opts()));
    expect(lib.message).toBe("dup-lib.yaml: YAML syntax error at line 10: duplicate key 'queue' (first at line 9); keep one of them");
  });

  it('finds a duplicate among 50,000 keys of one mapping on both paths', () => {
    const keys = Array.from({ length: 50000 }, (_, k) => `  k${k}: ${k}`);
    keys.push('  k17: again');
    const text = `big:\n${keys.join('\n')}\n`;
    expect(badInput(() => parseConfigText('many.yaml', text)).message).toContain("at line 50002: duplicate key 'k17' (first at line 19)");
    expect(badInput(() => parseConfigText('many.yaml', `x: &x 1\n${text}`)).message).toContain("at line 50003: duplicate key 'k17' (first at line 20)");
  });
});

describe('nesting depth', () => {
  it('refuses sections nested deeper than the limit on both YAML paths, naming the line', () => {
    const deep = Array.from({ length: MAX_YAML_DEPTH + 5 }, (_, d) => `${' '.repeat(d)}k${d}:`).join('\n');
    expect(badInput(() => parseConfigText('deep.yaml', deep)).message).toBe(
      `deep.yaml: sections and lists nested more than ${MAX_YAML_DEPTH} levels deep at line ${MAX_YAML_DEPTH + 1}; flatten the config`,
    );
    const flow = `a: &a 1\nb: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    expect(badInput(() => parseConfigText('flow.yaml', flow)).message).toContain(`nested more than ${MAX_YAML_DEPTH} levels deep`);
  });

  it(`loads ${MAX_YAML_DEPTH} levels`, () => {
    const ok = Array.from({ length: MAX_YAML_DEPTH }, (_, d) => `${' '.repeat(d)}k${d}:`).join('\n') + ' 1\n';
    expect(parseConfigText('ok.yaml', ok)).toBeTypeOf('object');
  });
});

describe('the fast YAML reader', () => {
  const SNIPPETS = [
    'a: 1\nb: [1, 2, "x", \'y\']\nc: {d: 1, e: two}\n',
    'a: |\n  x\n  y\nb: 1\n',
    'a: >-\n  x\n  y\n\n  z\nb: 2\n',
    'a: >\n  x\n\n\n  y\n',
    'a: |-\n  x\n\n  y\n\nb: 1\n',
    'a: |\nb: 1\n',
    'a:\n- 1\n- 2\nb:\n  - x: 1\n    y: 2\n  - z\n',
    '- a\n- - b\n  - c\n- d: 1\n  e: 2\n',
    'a: "x\\ty\\u00e9\\"q\\\\"\n',
    "a: 'it''s'\n",
    'a: 1.5\nb: .5\nc: 1e3\nd: -7\ne: +3\nf: 007\ng: 1.\nh: 1_000\n',
    'a: true\nb: False\nc: ~\nd: null\ne:\nf: TRUE\ng: yes\n',
    '# only a comment\n',
    '',
    'a: b # c\nd: "e" # f\ng: x#y\n',
    'a:\n  b:\n    c: 1\n  # comment\n  d: 2\ne: 3\n',
    'a: []\nb: {}\nc: [ ]\nd: [1, [2, 3], {b: c}]\n',
    'a: --long-log --log-level=VERBOSE\nb: -1\nc: "{x}_{y}"\nd: u/{operator}/{payloadName}\n',
    'key with space: 1\n"quoted key": 2\n',
    'a: "x"\r\nb: 2\r\n',
    'runQuantumCommand: >-\n  {pipetaskExe} {runPreCmdOpts} run-qbb\n  {butlerConfig}\n  --qgraph-node-id {qgraphNodeId}\n',
  ];

  it('gives exactly what the yaml library gives for the text it accepts', () => {
    let accepted = 0;
    for (const text of SNIPPETS) {
      const fast = parseYamlFast(text);
      if (fast.kind !== 'ok') continue;
      accepted++;
      expect(JSON.stringify(fast.value), JSON.stringify(text)).toBe(JSON.stringify(parseDocument(text).toJS() ?? null));
    }
    expect(accepted).toBe(SNIPPETS.length);
  });

  it('agrees with the yaml library on every YAML file of the repository', () => {
    const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(3);
    let accepted = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const fast = parseYamlFast(text);
      if (fast.kind !== 'ok') continue;
      accepted++;
      expect(JSON.stringify(fast.value), f).toBe(JSON.stringify(parseDocument(text).toJS() ?? null));
    }
    expect(accepted).toBeGreaterThan(3);
  });

  it('leaves what it does not handle to the library (anchors, tags, multi-line scalars, hex, documents)', () => {
    for (const text of ['a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: b\n  c\n', 'a: "x\n  y"\n', 'a: 0x1F\n', '---\na: 1\n', 'a: |+\n  x\n\n']) {
      expect(parseYamlFast(text).kind, text).toBe('unsupported');
      expect(() => parseConfigText('t.yaml', text)).not.toThrow();
    }
  });
});
