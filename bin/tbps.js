#!/usr/bin/env node
// The `tbps` command: loads the TypeScript sources through tsx (no build step) and runs the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../client/cli.ts');
