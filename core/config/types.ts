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
}

export interface LoadOptions {
  /** CLI options (highest layer), e.g. { computeSite: 'local' }. */
  overrides?: Record<string, unknown>;
  /** Extra default files merged below the user YAML (the WMS plugin defaults). */
  defaultsFiles?: string[];
  env?: Record<string, string | undefined>;
  now?: Date;
  operator?: string;
  cwd?: string;
}

/** Where a value came from, for error messages. */
export interface KeySource {
  file: string;
  key: string;
}
