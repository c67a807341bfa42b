// The short chaos soak (issue 10, item 10): a 3-step x 2-group synthetic campaign of ~140 jobs on a private
// cluster (SQLite dev server, orchestrator, two executors) with 4 random SIGKILLs of workers and one SIGKILL and
// restart of the dev server. Afterwards the campaign SUCCEEDED, every job SUCCEEDED exactly once, retries and
// repeated executions only where a kill hit a running job, no attempt left RUNNING or skipped, no job process
// outlived its executor or the campaign. The full soak is `npm run soak -- --kills 20`.
// TBPS_SOAK_SEED replays a seed (printed in the failure message).
import { describe, expect, it } from 'vitest';
import { resultLine } from '../../bench/lib/soak/checks.js';
import { runSoak } from '../../bench/lib/soak/run.js';
import { syntheticWorkload } from '../../bench/lib/soak/syntheticWorkload.js';

const seed = Number(process.env.TBPS_SOAK_SEED ?? 20261202);

describe('short chaos soak', () => {
  it('survives 4 worker kills and a dev server restart with every job done exactly once', async () => {
    const lines: string[] = [];
    const outcome = await runSoak({
      seed,
      kills: 4,
      serverRestarts: 1,
      mode: 'synthetic',
      executorCpus: 4,
      timeoutSeconds: 300,
      workload: syntheticWorkload({ quantaPerGroup: 20, jobSeconds: 0.3, numberOfRetries: 3, heartbeatTimeout: 10 }),
      say: (l) => lines.push(l),
    });
    const report = [...lines, resultLine(outcome), ...outcome.details, `replay: TBPS_SOAK_SEED=${seed}, files in ${outcome.home}`].join('\n');
    console.log(report);
    expect(outcome.figures.kills, report).toBe(4);
    expect(outcome.figures.server_restarts, report).toBe(1);
    expect(Number(outcome.figures.jobs), report).toBeGreaterThan(100);
    expect(outcome.failed, report).toEqual([]);
  }, 420_000);
});
