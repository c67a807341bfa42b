// Public API of the BPS config module: loadBpsConfig (files, layers, includeConfigs, computed values) and
// BpsConfig (search order, {var}/${ENV} expansion, typed getters, jobAttributes). Workflow code should import
// './pure.js' instead (no node: modules).

export * from './pure.js';
export { BPS_DEFAULTS_FILE, CLI_SOURCE, loadBpsConfig, loadLayers, readYamlMapping } from './load.js';
