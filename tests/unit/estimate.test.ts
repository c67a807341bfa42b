// The cost estimate (core/estimate/cost.ts) and the night's data (core/campaign/nightlyData.ts), pure.
import { describe, expect, it } from 'vitest';
import { dayObsDate, groupValues, newExposures, parseDayObs, withNightData, type CampaignSpec } from '../../core/campaign/index.js';
import { estimateGroup, historyEtaSeconds, runShape, stepWallSeconds, type PlannedLabel } from '../../core/estimate/cost.js';

const labels: PlannedLabel[] = [
  { label: 'pipetaskInit', kind: 'init', jobs: 1, quanta: 0, tasks: {}, cpus: 1 },
  { label: 'step1_detector', kind: 'payload', jobs: 4, quanta: 8, tasks: { isr: 4, calibrate: 4 }, cpus: 1 },
  { label: 'finalJob', kind: 'final', jobs: 1, quanta: 0, tasks: {}, cpus: 1 },
];

describe('cost estimate', () => {
  it('adds task seconds per quantum, takes the largest peak memory and the runs’ overhead and parallelism', () => {
    const history = {
      taskSecondsPerQuantum: { isr: 3, calibrate: 6 },
      labelPeakMemoryMb: { pipetaskInit: 100, step1_detector: 300, finalJob: 200 },
      runs: [
        { durationSeconds: 50, payloadSeconds: 40, payloadSpanSeconds: 20 },
        { durationSeconds: 70, payloadSeconds: 60, payloadSpanSeconds: 30 },
      ],
    };
    expect(runShape(history.runs)).toEqual({ overheadSeconds: 35, parallelism: 2 });
    const e = estimateGroup(labels, history);
    expect(e.cpuHours).toBeCloseTo((4 * 3 + 4 * 6) / 3600);
    expect(e.peakMemoryMb).toBe(300);
    expect(e.wallSeconds).toBeCloseTo(35 + 36 / 2);
    expect(e.notes).toEqual([]);
  });

  it('says plainly where history is missing', () => {
    const e = estimateGroup(labels, { taskSecondsPerQuantum: { isr: 3 }, labelPeakMemoryMb: {}, runs: [] });
    expect(e.cpuHours).toBeNull();
    expect(e.wallSeconds).toBeNull();
    expect(e.notes.join('\n')).toMatch(/no history for task\(s\) calibrate/);
    expect(e.notes.join('\n')).toMatch(/no past run/);
  });

  it('packs groups into concurrency lanes and estimates what is left of a campaign', () => {
    expect(stepWallSeconds([10, 10, 10], 2)).toBe(20);
    expect(stepWallSeconds([30, 10, 10], 2)).toBe(30);
    expect(stepWallSeconds([], 2)).toBe(0);
    const runs = [{ durationSeconds: 40, payloadSeconds: 40, payloadSpanSeconds: 20 }];
    expect(historyEtaSeconds({ jobsLeft: 10, meanJobSeconds: 4, groupsLeft: 2, concurrency: 2, runs })).toBeCloseTo(20 + 20);
    expect(historyEtaSeconds({ jobsLeft: 10, meanJobSeconds: 4, groupsLeft: 2, concurrency: 2, runs: [] })).toBeNull();
  });
});

describe('night data', () => {
  const answer = {
    dayObs: 20131102,
    exposures: [
      { exposure: 3, visits: [30] },
      { exposure: 1, visits: [10] },
      { exposure: 2, visits: [10] },
    ],
    covered: [2],
    outputRuns: ['u/x/step1/g1'],
  };
  it('keeps the exposures the outputs do not cover and groups them by exposure or visit', () => {
    const fresh = newExposures(answer);
    expect(fresh.map((e) => e.exposure)).toEqual([1, 3]);
    expect(groupValues(fresh, 'exposure')).toEqual([1, 3]);
    expect(groupValues(newExposures({ ...answer, covered: [] }), 'visit')).toEqual([10, 30]);
  });

  it('splits the steps without a split of their own by the nightly grouping', () => {
    const spec = {
      name: 'n',
      baseConfig: '/b.yaml',
      concurrency: 2,
      failurePolicy: { onFailure: 'pause', maxFailedGroups: 0 },
      steps: [{ name: 'step1' }, { name: 'step3', split: { dimension: 'tract', values: [0] } }],
      nightly: { groupBy: 'visit', groupSize: 2 },
    } as CampaignSpec;
    const night = withNightData(spec, [10, 20, 30]);
    expect(night.steps[0].split).toEqual({ dimension: 'visit', values: [10, 20, 30], groupSize: 2 });
    expect(night.steps[1].split).toEqual({ dimension: 'tract', values: [0] });
    expect(() => withNightData(spec, [])).toThrow(/at least one exposure/);
  });

  it('reads a day_obs as a real date, else names the key', () => {
    expect(dayObsDate('20131102')).toBe('2013-11-02');
    expect(dayObsDate('2013-11-02')).toBe('2013-11-02');
    expect(dayObsDate('20131332')).toBeUndefined();
    expect(dayObsDate('20130230')).toBeUndefined();
    expect(dayObsDate('yesterday')).toBeUndefined();
    expect(() => parseDayObs('2013-02-30', '--day-obs')).toThrow(/--day-obs.*not a date/);
  });
});
