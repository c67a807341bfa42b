// Links into the Temporal Web UI.
import type { ConnectionSettings } from '../temporal/connection.js';

export function webUiUrl(settings: ConnectionSettings, workflowId: string): string {
  const base = process.env.TBPS_WEB_UI ?? guessUi(settings.address);
  return `${base}/namespaces/${encodeURIComponent(settings.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function guessUi(address: string): string {
  const [host, port] = address.split(':');
  const p = Number(port ?? 7233) + 1000;
  return `http://${host === '127.0.0.1' || host === 'localhost' ? 'localhost' : host}:${p}`;
}
