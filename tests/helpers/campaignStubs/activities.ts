// Stub activities of the CampaignManager tests, in the test process: the campaign's two activities (a group's run
// input; a failed group's restart input) answer without files, and `stubGroupOutcome` (called by the stub run
// workflow) lets the test decide each group run's outcome and hold it running until released. Every call is
// recorded so the test can count how often a group was prepared or restarted.
import type { GroupRun, GroupRunRequest } from '../../../core/submit/groupRun.js';
import type { RunInput } from '../../../core/run/types.js';
import { groupRunId } from '../../../core/campaign/index.js';

export interface StubOutcome {
  state: 'SUCCEEDED' | 'FAILED';
  message?: string;
}

export interface StubActivities {
  prepareGroupRun(req: GroupRunRequest): Promise<GroupRun>;
  restartGroupRun(args: { runId: string; submitPath?: string; taskQueuePrefix: string }): Promise<RunInput>;
  stubGroupOutcome(args: { runId: string; restart: boolean }): Promise<StubOutcome>;
}

export interface GroupRunControl {
  activities: StubActivities;
  /** prepareGroupRun requests, in call order. */
  prepared: GroupRunRequest[];
  /** Run ids restarted, in call order. */
  restarted: string[];
  /** Run ids whose run is in progress (held or deciding), and those that ended, in order. */
  running: Set<string>;
  ended: string[];
  /** These runs fail on their first execution (a restart succeeds). */
  failFirst: Set<string>;
  /** Holds the runs the predicate matches until release() (runs already held are released too). */
  hold(predicate: (runId: string) => boolean): void;
  release(): void;
}

export function groupRunControl(): GroupRunControl {
  let holding: ((runId: string) => boolean) | undefined;
  let waiters: Array<() => void> = [];
  const control: GroupRunControl = {
    prepared: [],
    restarted: [],
    running: new Set(),
    ended: [],
    failFirst: new Set(),
    hold(predicate) {
      holding = predicate;
    },
    release() {
      holding = undefined;
      for (const w of waiters) w();
      waiters = [];
    },
    activities: {
      async prepareGroupRun(req) {
        control.prepared.push(req);
        const runId = groupRunId(req.campaign.name, req.step.name, req.group.id);
        const submitPath = `/nonexistent/stub/${runId}`;
        const dataQuery = req.group.values.length > 0 ? `${req.step.split?.dimension} IN (${req.group.values.join(', ')})` : undefined;
        return {
          input: { runId, submitPath, configRef: { file: `${submitPath}/tbps_config.json`, sha256: 'stub' }, taskQueuePrefix: req.taskQueuePrefix },
          dataQuery,
          payloadName: 'stub',
          computeSite: 'local',
        };
      },
      async restartGroupRun(args) {
        control.restarted.push(args.runId);
        const submitPath = args.submitPath ?? `/nonexistent/stub/${args.runId}`;
        return { runId: args.runId, submitPath, configRef: { file: `${submitPath}/tbps_config.json`, sha256: 'stub' }, taskQueuePrefix: args.taskQueuePrefix, restart: true };
      },
      async stubGroupOutcome({ runId, restart }) {
        control.running.add(runId);
        while (holding?.(runId)) await new Promise<void>((resolve) => waiters.push(resolve));
        control.running.delete(runId);
        control.ended.push(runId);
        if (!restart && control.failFirst.has(runId)) return { state: 'FAILED', message: `planted failure of ${runId}` };
        return { state: 'SUCCEEDED' };
      },
    },
  };
  return control;
}
