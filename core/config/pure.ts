// The part of core/config that has no node: imports: safe to import from Temporal workflow code
// (rebuild a config there with BpsConfig.fromTree). File loading lives in load.ts / index.ts.

export { BpsConfig, COMPUTED_SOURCE, type Env } from './config.js';
export { ATTRIBUTE_KEYS, ATTRIBUTE_SPECS } from './attributes.js';
export { formatTimestamp } from './computed.js';
export { CLI_SECTION, COMPUTED_SECTION, SEARCH_SECTIONS, type Hit } from './lookup.js';
export type { ExpandOptions, JobAttributes, KeySource, LoadOptions, LookupContext, UndefinedVars } from './types.js';
