// Single-quantum clusters (BPS single_quantum_clustering): one cluster per quantum not yet clustered, named as
// ctrl_bps names them: "<node id>_<label>_<templateDataId>" (default template
// "{tract}_{patch}_{band}_{visit}_{exposure}_{detector}"; empty placeholders leave runs of '_' that collapse to one,
// a trailing '_' stays), e.g. 6f1c..._isr_903342_10, 6f1c..._consolidateVisitSummary_903342_.
// `useNodeIdInClusterName` (per task, default true as in ctrl_bps) false drops the id prefix; names that then repeat
// get _2, _3, ... (where ctrl_bps would stop with a duplicate-cluster error).

import type { GraphAccess } from './access.js';
import { DEFAULT_TEMPLATE_DATA_ID, type ClusterConfig, configError } from './settings.js';
import { ClusterTable, NO_TAGS } from './table.js';
import { compileNameTemplate, type NameRegistry, type NameTemplate } from './template.js';

function templateFor(config: ClusterConfig, label: string): NameTemplate {
  const raw = config.get('templateDataId', { label });
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    throw configError(config, 'templateDataId', `must be a string such as "${DEFAULT_TEMPLATE_DATA_ID}"`);
  }
  const prefix = useNodeId(config, label) ? '{node_number}_' : '';
  return compileNameTemplate(`${prefix}{label}_${raw ?? DEFAULT_TEMPLATE_DATA_ID}`);
}

/** `useNodeIdInClusterName` for a task: true unless set to false (YAML false, or the strings false/False/no). */
function useNodeId(config: ClusterConfig, label: string): boolean {
  const value = config.get('useNodeIdInClusterName', { label });
  if (value === undefined || value === null || value === true) return true;
  if (value === false) return false;
  const text = String(value).trim().toLowerCase();
  if (text === 'false' || text === 'no' || text === '0') return false;
  if (text === 'true' || text === 'yes' || text === '1') return true;
  throw configError(config, 'useNodeIdInClusterName', `must be true or false (got ${JSON.stringify(value)})`);
}

export function addSingleClusters(g: GraphAccess, config: ClusterConfig, table: ClusterTable, names: NameRegistry): void {
  const templates: (NameTemplate | undefined)[] = g.labels.map(() => undefined);
  const taskLabels = g.labels.map((l) => [l]);
  const clusterOf = table.clusterOf;
  for (let q = 0; q < g.size; q++) {
    if (clusterOf[q] !== -1) continue;
    const l = g.labelIndex(q);
    const label = g.labels[l];
    const tpl = (templates[l] ??= templateFor(config, label));
    const name = names.claim(
      tpl.render((k) => (k === 'label' ? label : k === 'node_number' ? g.graph.id(q) : g.value(q, k))) || label,
    );
    clusterOf[q] = table.add(name, label, taskLabels[l], NO_TAGS);
  }
}
