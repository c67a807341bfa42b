// Determinism guard: replays recorded histories of run and batch workflows (a run with a planted failure and a
// restart, a cancelled run) and of campaign and nightly workflows (recorded before and after the mid-step
// continue-as-new patch) against the current workflow code. A change that would break running workflows fails
// here. Re-record deliberately with `npx tsx scripts/record-histories.ts` / `scripts/record-campaign-histories.ts`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../paths/index.js';

const dir = path.join(repoRoot, 'tests', 'fixtures', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('recorded workflow histories replay against the current code', () => {
  it('has run and batch histories to replay', () => {
    expect(files.filter((f) => f.includes('_batch_')).length).toBeGreaterThan(0);
    expect(files.filter((f) => !f.includes('_batch_')).length).toBeGreaterThan(1);
  });

  it('has campaign histories from before and after the mid-step continue-as-new patch', () => {
    const campaigns = files.filter((f) => f.startsWith('campaign_')).map((f) => readFileSync(path.join(dir, f), 'utf8'));
    const patchesOf = (text: string): string[] =>
      (JSON.parse(text) as { events: Array<{ markerRecordedEventAttributes?: { details?: Record<string, { payloads?: Array<{ data?: string }> }> } }> }).events.flatMap((e) =>
        Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((d) => (d.payloads ?? []).map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8'))),
      );
    const patchedHistories = campaigns.filter((text) => patchesOf(text).some((p) => p.includes('"campaign-mid-step-continue-as-new"')));
    expect(patchedHistories.length).toBeGreaterThan(3);
    expect(campaigns.length - patchedHistories.length).toBeGreaterThan(3);
    expect(patchedHistories.some((text) => text.includes('groupRunEnded'))).toBe(true);
  });

  it('replays every history without a nondeterminism error', async () => {
    const histories = files.map((f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(readFileSync(path.join(dir, f), 'utf8'))),
    }));
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundle') } }, histories)) results.push(r);
    expect(results).toHaveLength(files.length);
    for (const r of results) expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
  });
});
