// Moved to paths/index.ts (activities and lsst/ must not reach into temporal/ for a path). Kept only so branches
// written before the move still build; new code imports '../paths/index.js'. Remove when nothing imports it.
export * from '../paths/index.js';
