// Which values of a quantum's `data_coordinate` (in a pipe_base `.qg` thin graph) are which dimensions.
// A data coordinate lists the task's required dimensions, then its implied ones, each group in the dimension
// universe's order. The serialized pipeline graph gives, per task, the full set of its dimensions (sorted by name),
// and every dataset type's dimensions in universe order; the task's metadata output has exactly the task's
// dimensions, so it fixes the order. A dimension is implied when another dimension of the same set implies it
// (the universe's `implies` lists, also in the file); the others are required.
import { BadInputError } from '../../core/errors.js';

/** One task of the graph, in pipeline (topological) order. */
export interface TaskDimensions {
  label: string;
  taskClass?: string;
  /** Required dimensions in universe order: the first `required.length` values of a data coordinate. */
  required: string[];
  /** Number of values in a data coordinate (required + implied). */
  coordinateLength: number;
}

interface SerializedTask {
  task_class?: string;
  dimensions?: string[];
  index?: number;
  metadata_output?: { dataset_type_name?: string };
}

interface SerializedPipelineGraph {
  tasks?: Record<string, SerializedTask>;
  dataset_types?: Record<string, { dimensions?: string[] | null }>;
  dimensions?: { elements?: Record<string, { implies?: string[] }> } | null;
}

/** The tasks of a serialized pipeline graph (the `pipeline_graph` block) with the layout of their data coordinates. */
export function taskDimensions(pipelineGraph: unknown, file: string): TaskDimensions[] {
  const graph = pipelineGraph as SerializedPipelineGraph;
  const bad = (problem: string) => new BadInputError(`pipeline_graph block: ${problem}`, { file });
  if (!graph || typeof graph !== 'object' || !graph.tasks || typeof graph.tasks !== 'object') throw bad('no tasks');
  const elements = graph.dimensions?.elements;
  if (!elements) throw bad('no dimension universe (dimensions.elements)');
  const implies = (name: string) => elements[name]?.implies ?? [];
  const entries = Object.entries(graph.tasks);
  // The file lists tasks in the pipeline graph's sorted (topological) order; `index` is that order too.
  if (entries.every(([, t]) => typeof t.index === 'number')) entries.sort((a, b) => (a[1].index as number) - (b[1].index as number));
  return entries.map(([label, task]) => {
    const names = task.dimensions;
    if (!Array.isArray(names)) throw bad(`task ${label}: no dimensions (an unresolved pipeline graph?)`);
    const metadataType = task.metadata_output?.dataset_type_name;
    const ordered = metadataType ? graph.dataset_types?.[metadataType]?.dimensions : undefined;
    if (!Array.isArray(ordered) || ordered.length !== names.length || !names.every((n) => ordered.includes(n)))
      throw bad(
        `task ${label}: its metadata dataset type ${JSON.stringify(metadataType)} does not carry the task's dimensions ` +
          `[${names.join(', ')}] in universe order; this .qg layout is not one tbps reads (pipe_base format version 1)`,
      );
    const implied = new Set<string>();
    for (const name of ordered) for (const other of implies(name)) if (ordered.includes(other)) implied.add(other);
    return {
      label,
      taskClass: task.task_class,
      required: ordered.filter((n) => !implied.has(n)),
      coordinateLength: ordered.length,
    };
  });
}
