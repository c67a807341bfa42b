// Single-quantum clusters (BPS single_quantum_clustering): one cluster per quantum not yet clustered, named
// "<label>_<templateDataId>" (default template "{tract}_{patch}_{band}_{visit}_{exposure}_{detector}", empty
// placeholders dropped), e.g. isr_903342_10; repeats get _2, _3, ...; `useNodeIdInClusterName: true` prefixes the id.

import type { GraphAccess } from './access.js';
import { DEFAULT_TEMPLATE_DATA_ID, type ClusterConfig, configError } from './settings.js';
import { ClusterTable, NO_TAGS } from './table.js';
import { compileNameTemplate, type NameRegistry, type NameTemplate } from './template.js';

function templateFor(config: ClusterConfig, label: string): NameTemplate {
  const raw = config.get('templateDataId', { label });
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    throw configError(config, 'templateDataId', `must be a string such as "${DEFAULT_TEMPLATE_DATA_ID}"`);
  }
  const useId = config.get('useNodeIdInClusterName', { label });
  const prefix = useId === true || useId === 'true' || useId === 'True' ? '{node_number}_' : '';
  return compileNameTemplate(`${prefix}{label}_${raw ?? DEFAULT_TEMPLATE_DATA_ID}`);
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
