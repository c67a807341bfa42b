// `tbps dashboard`: the live web dashboard (client/dashboard/). Placeholder until the server lands.
import type { Command } from 'commander';

export function registerDashboard(_program: Command): void {}
