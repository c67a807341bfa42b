// The workload systems tbps knows, by short name, and how `wmsServiceClass` values map to them: a short name
// (local, htcondor, slurm) or a BPS class name (lsst.ctrl.bps.htcondor.HTCondorService). wms/index.ts registers one
// plugin per name (its registry is typed by WmsName, so a name without a plugin does not compile).
export const WMS_NAMES = ['local', 'htcondor', 'slurm'] as const;
export type WmsName = (typeof WMS_NAMES)[number];

export function wmsNameFor(value: string): WmsName | undefined {
  const v = value.toLowerCase();
  return WMS_NAMES.find((n) => v === n || v.includes(`.${n}`) || v.includes(n));
}
