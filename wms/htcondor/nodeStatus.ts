// Reader of a DAGMan node status file (NODE_STATUS_FILE): the DAG's status and each node's status.
import { existsSync, readFileSync } from 'node:fs';
import type { State } from '../../core/states.js';

export interface NodeStatusFile {
  dagStatus: number;
  nodes: Map<string, { status: number; details: string; held: number }>;
}

/** DAGMan node status codes -> BPS state (SUBMITTED is refined with the event log: RUNNING/HELD/PENDING). */
export const NODE_STATE: Record<number, State> = {
  0: 'UNREADY',
  1: 'READY',
  2: 'PENDING', // PRERUN
  3: 'PENDING', // SUBMITTED
  4: 'RUNNING', // POSTRUN
  5: 'SUCCEEDED',
  6: 'FAILED',
  7: 'PRUNED', // FUTILE
};

/** DagStatus values that mean DAGMan has finished. */
export const DAG_FINISHED = new Set([5, 6]);

export function readNodeStatus(file: string): NodeStatusFile | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  if (!text.includes('StatusEnd')) return undefined; // being rewritten
  const out: NodeStatusFile = { dagStatus: -1, nodes: new Map() };
  for (const block of text.split(/\n\]\s*\n?\[/)) {
    const type = /Type = "(\w+)"/.exec(block)?.[1];
    if (type === 'DagStatus') out.dagStatus = Number(/DagStatus = (\d+)/.exec(block)?.[1] ?? -1);
    else if (type === 'NodeStatus') {
      const node = /Node = "([^"]+)"/.exec(block)?.[1];
      if (!node) continue;
      out.nodes.set(node, {
        status: Number(/NodeStatus = (\d+)/.exec(block)?.[1] ?? 0),
        details: /StatusDetails = "([^"]*)"/.exec(block)?.[1] ?? '',
        held: Number(/JobProcsHeld = (\d+)/.exec(block)?.[1] ?? 0),
      });
    }
  }
  return out;
}
