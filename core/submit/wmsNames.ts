// The workload systems tbps knows, by short name, and how `wmsServiceClass` values map to them: a short name
// (local, htcondor) or a BPS class name (lsst.ctrl.bps.htcondor.HTCondorService). wms/index.ts registers one
// implementation per name.
export const WMS_NAMES = ['local', 'htcondor'] as const;
export type WmsName = (typeof WMS_NAMES)[number];

export function wmsNameFor(value: string): WmsName | undefined {
  const v = value.toLowerCase();
  return WMS_NAMES.find((n) => v === n || v.includes(`.${n}`) || v.includes(n));
}
