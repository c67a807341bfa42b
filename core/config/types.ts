// The contract of the BPS config module (implementation in core/config/*.ts).
// A config is a merged YAML tree (JSON-serialisable, so it can travel as a workflow input) plus the
// BPS lookup rules: search order CLI > payload > cluster.<name> > pipetask.<label> > site.<site> > cloud.<cloud>
// > computed (bps_defined) > root; `{var}` expands recursively through the same lookup; `${ENV}` from the environment.

export interface LookupContext {
  /** Current pipeline task label: enables the `pipetask.<label>` section. */
  label?: string;
  /** Current cluster name: enables the `cluster.<name>` section. */
  cluster?: string;
  /** Compute site; defaults to the config's `computeSite`. Enables `site.<site>`. */
  site?: string;
  /**
   * Extra section (dotted path from the root, e.g. 'finalJob') searched right after the CLI overrides,
   * like BPS's "search object": `jobAttributes({ section: 'finalJob' })` takes `finalJob.requestMemory` first.
   */
  section?: string;
}

export interface LoadOptions {
  /** CLI options (highest layer), e.g. { computeSite: 'local' }. Keys may be dotted paths ('pipetask.isr.requestMemory'). */
  overrides?: Record<string, unknown>;
  /** Extra default files merged below the user YAML (the WMS plugin defaults). */
  defaultsFiles?: string[];
  /** Replace config/bps_defaults.yaml (tests); `false` loads no built-in defaults at all. */
  defaultsFile?: string | false;
  /** Environment for `${ENV}` (default process.env). When given, it is used alone. */
  env?: Record<string, string | undefined>;
  /** Clock for bps_defined.timestamp (default: now). */
  now?: Date;
  /** Operator name when the config does not set `operator` (default env USER / LOGNAME / login name). */
  operator?: string;
  /** Directory relative paths and `${PWD}` refer to (default process.cwd()). */
  cwd?: string;
  /**
   * Receives each warning or note about the config (a misspelled key, an older BPS key), one line, prefixed
   * 'warning: ' or 'note: '. Default: printed on stderr, each distinct line once per process.
   */
  onWarning?: (line: string) => void;
}

/** Where a value came from, for error messages. */
export interface KeySource {
  file: string;
  key: string;
}

/** All per-job values, validated (units: MiB for memory and disk, seconds for walltime). */
export interface JobAttributes {
  requestMemory: number;
  requestMemoryMax?: number;
  memoryMultiplier: number;
  memoryLimit?: number;
  requestCpus: number;
  requestDisk?: number;
  requestWalltime?: number;
  numberOfRetries: number;
  retryUnlessExit: number[];
  abortOnValue?: number;
  priority?: number;
  concurrencyLimit?: string;
  queue?: string;
  computeSite: string;
  environment: Record<string, string>;
  preemptible?: boolean;
}

/** What to do with a `{var}` that is defined nowhere. */
export type UndefinedVars = 'error' | 'keep' | 'empty';

export interface ExpandOptions {
  /** 'error' (expand), 'keep' (expandPartial: leave `{var}` as written), 'empty' (replace by ''). */
  undefinedVars?: UndefinedVars;
  /** Key the template belongs to, used in error messages. */
  key?: string;
}
