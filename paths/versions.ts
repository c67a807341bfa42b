// Versions of tbps and of the Temporal SDK it runs on (for provenance and `--version`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './index.js';

const read = (p: string) => (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;

export const TBPS_VERSION = read(path.join(repoRoot, 'package.json'));
export const TEMPORAL_SDK_VERSION = read(path.join(repoRoot, 'node_modules', '@temporalio', 'worker', 'package.json'));
