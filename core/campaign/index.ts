// Campaign domain logic (pure): spec schema, group splitting, nightly windows, the workflow's compact state and the
// operator's view of it. Files: load.ts.
export * from './spec.js';
export * from './nightly.js';
export * from './state.js';
export * from './view.js';
export * from './nightlyData.js';
