// The workload-system contract (wms/types.ts, wms/index.ts): one registry entry per known name, every external
// system built by its plugin with every method of the contract, the poll-interval key and its HTCondor alias, and
// bad input for unknown names.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpsConfig } from '../../core/config/index.js';
import { WMS_NAMES, wmsNameFor } from '../../core/submit/wmsNames.js';
import { wmsPollSeconds } from '../../core/submit/wmsPoll.js';
import { externalWmsPlugin, WMS_PLUGINS, wmsForServiceClass, wmsPlugin } from '../../wms/index.js';
import type { WmsStore, WorkloadSystem } from '../../wms/types.js';

const CONTRACT: Array<keyof WorkloadSystem> = ['prepare', 'submit', 'poll', 'cancel', 'restart', 'ping'];

/** A store no test call reaches: building a system must not touch it. */
const untouchedStore = new Proxy({}, { get: (_t, key) => () => Promise.reject(new Error(`store.${String(key)} called while building`)) }) as WmsStore;

describe('workload-system registry', () => {
  it('has one plugin per known name, registered under its own name', () => {
    expect(Object.keys(WMS_PLUGINS).sort()).toEqual([...WMS_NAMES].sort());
    for (const name of WMS_NAMES) expect(WMS_PLUGINS[name].name).toBe(name);
    expect(WMS_PLUGINS.local.mode).toBe('activities');
  });

  it('maps BPS class names and short names to plugins', () => {
    expect(wmsForServiceClass('lsst.ctrl.bps.htcondor.HTCondorService')?.name).toBe('htcondor');
    expect(wmsForServiceClass('HTCondor')?.name).toBe('htcondor');
    expect(wmsForServiceClass('local')?.name).toBe('local');
    expect(wmsNameFor('lsst.ctrl.bps.nosuch.NoSuchService')).toBeUndefined();
    expect(() => wmsPlugin('nosuch')).toThrow(/unknown workload system 'nosuch'; expected one of: local, htcondor/);
    expect(() => externalWmsPlugin('local')).toThrow(/'local' runs jobs as activities/);
  });

  it('builds every external system with every method of the contract', () => {
    const external = Object.values(WMS_PLUGINS).filter((p) => p.mode === 'external');
    expect(external.length).toBeGreaterThanOrEqual(1);
    const submitPath = mkdtempSync(path.join(os.tmpdir(), 'tbps-wms-contract-'));
    for (const plugin of external) {
      if (plugin.mode !== 'external') continue;
      expect(plugin.defaultPollSeconds).toBeGreaterThan(0);
      const config = BpsConfig.fromTree({ submitPath, htcondorShareGroup: 'none' });
      const system = plugin.create({ config, store: untouchedStore, baseEnvironment: { PATH: '/usr/bin:/bin' }, env: {} });
      expect(system.name).toBe(plugin.name);
      for (const method of CONTRACT) expect(typeof system[method], `${plugin.name}.${method}`).toBe('function');
      expect(typeof plugin.forPing({}).ping).toBe('function');
    }
  });

  it('reads wmsPollSeconds, else its alias htcondorPollSeconds, else the default; bad values are bad input', () => {
    expect(wmsPollSeconds(BpsConfig.fromTree({}), 5)).toBe(5);
    expect(wmsPollSeconds(BpsConfig.fromTree({ htcondorPollSeconds: 2 }), 5)).toBe(2);
    expect(wmsPollSeconds(BpsConfig.fromTree({ wmsPollSeconds: 3, htcondorPollSeconds: 2 }), 5)).toBe(3);
    expect(() => wmsPollSeconds(BpsConfig.fromTree({ wmsPollSeconds: 0 }), 5)).toThrow(/key 'wmsPollSeconds'.*above 0/);
  });
});
