// Campaign domain logic (pure): spec schema, group splitting, nightly windows. Files: load.ts.
export * from './spec.js';
export * from './nightly.js';
export * from './state.js';
