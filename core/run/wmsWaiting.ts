// The note a run carries while its workload system does not answer (a submit or poll activity failed and Temporal
// retries it): "waiting for <wms>: <its error>, retry N". The store keeps it on the run (report, status, dashboard);
// the run workflow mirrors it into the BpsWmsWaiting search attribute when told by the WMS_WAITING_SIGNAL.

/** Signal the WMS activities send the run workflow: the note, or '' once the workload system answers again. */
export const WMS_WAITING_SIGNAL = 'wmsWaiting';

/** Longest error text kept in a note (a Keyword search attribute holds little, and one line reads best). */
const MAX_ERROR_CHARS = 300;

/**
 * The note for a failed call to `wms`: the error's first non-empty line (shortened), and `retry` the number of the
 * retry Temporal schedules next (the failed attempt's number).
 */
export function formatWmsWaiting(wms: string, error: string, retry: number): string {
  const line = error.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? 'no answer';
  const shortened = line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS - 1)}…` : line;
  return `waiting for ${wms}: ${shortened}, retry ${retry}`;
}
