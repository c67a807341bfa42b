// Validation of the graph-file header (line 1 of the tbps-qgraph format) with zod, reported as one BadInputError.

import { z } from 'zod';
import { segmentProblem } from '../config/names.js';
import { BadInputError } from '../errors.js';
import type { QGraphHeader } from './model.js';

const TaskDefSchema = z.object({
  label: z.string().min(1),
  dimensions: z.array(z.string()),
  taskClass: z.string().optional(),
});

const HeaderSchema = z.object({
  format: z.literal('tbps-qgraph'),
  version: z.literal(1),
  metadata: z.record(z.string(), z.unknown()),
  tasks: z.array(TaskDefSchema),
  quanta: z.number().int().nonnegative().optional(),
});

/** Check a parsed header value; `where` prefixes messages (e.g. "line 1"). */
export function validateHeader(value: unknown, file: string, where = 'line 1'): QGraphHeader {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadInputError(`${where}: header must be a JSON object {"format":"tbps-qgraph","version":1,...}`, { file });
  }
  const v = value as Record<string, unknown>;
  if (v.format !== 'tbps-qgraph') {
    throw new BadInputError(
      `${where}: header: format must be "tbps-qgraph" (got ${JSON.stringify(v.format)}); is this a tbps quantum-graph file?`,
      { file },
    );
  }
  if (v.version !== 1) {
    throw new BadInputError(`${where}: header: version must be 1 (got ${JSON.stringify(v.version)})`, { file });
  }
  const parsed = HeaderSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.join('.') || '(root)';
    throw new BadInputError(`${where}: header: ${path}: ${issue.message}`, { file });
  }
  const seen = new Set<string>();
  for (const t of parsed.data.tasks) {
    if (seen.has(t.label)) throw new BadInputError(`${where}: header: task label "${t.label}" is declared twice`, { file });
    const problem = segmentProblem(t.label);
    if (problem) throw new BadInputError(`${where}: header: task label ${JSON.stringify(t.label)} ${problem}; labels become directory names in the submit directory`, { file });
    seen.add(t.label);
  }
  return { ...parsed.data, metadata: parsed.data.metadata as Record<string, unknown> } as QGraphHeader;
}
