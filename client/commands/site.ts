// `tbps site show SITE [--json]`: a compute site's running and waiting jobs per campaign against the site's
// maxRunningJobs and each campaign's maxRunningJobs (the per-site scheduler's leases in the store).
import type { Command } from 'commander';
import { runAction } from '../exit.js';
import { siteView, withServices, type SiteView } from '../services/index.js';
import { describeVerb } from '../commandIndex.js';

function limitText(limit: number | null): string {
  return limit === null ? 'no limit' : String(limit);
}

export function formatSiteView(view: SiteView): string {
  const lines = [
    `Site ${view.site}  running ${view.running} of ${limitText(view.limit)} (site.${view.site}.maxRunningJobs)  waiting ${view.waiting}  runs seen ${view.runs}`,
  ];
  if (view.campaigns.length === 0) {
    lines.push('no job holds or waits for a slot of this site');
    return lines.join('\n');
  }
  const rows = [
    ['CAMPAIGN', 'PRIORITY', 'RUNNING', 'LIMIT', 'WAITING'],
    ...view.campaigns.map((c) => [c.campaign || '(no campaign)', String(c.priority), String(c.running), limitText(c.limit), String(c.waiting)]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) lines.push(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
  lines.push('priority 1 is the highest; a waiting job starts when its site and its campaign are under their limits, higher priority first');
  return lines.join('\n');
}

export function registerSite(program: Command): void {
  const site = program.command('site').description(describeVerb('site'));
  site
    .command('show')
    .description('running jobs per campaign on a compute site against the limits (site and campaign maxRunningJobs)')
    .argument('<site>', 'compute site name (computeSite)')
    .option('--json', 'machine-readable output')
    .action((name: string, o) =>
      runAction(async () => {
        const view = await withServices((ctx) => siteView(ctx, name));
        console.log(o.json ? JSON.stringify(view, null, 2) : formatSiteView(view));
        return 0;
      }),
    );
}
