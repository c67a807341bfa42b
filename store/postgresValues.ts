// What PostgreSQL stores and returns differently from SQLite, made the same in one place: 64-bit integers
// (count(*), sum() of integers) and numerics come back as JavaScript numbers, not strings, and text values cannot
// hold U+0000, which SQLite keeps (a job's log line may have one): it is stored as U+FFFD, the replacement character.

import pg from 'pg';
import {
  OperationNodeTransformer,
  PrimitiveValueListNode,
  ValueNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

const INT8 = pg.types.builtins.INT8;
const NUMERIC = pg.types.builtins.NUMERIC;

/** Type parsers of the store's pool: int8 and numeric as numbers (every count fits: below 2^53), the rest as pg's. */
export const storeTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 || oid === NUMERIC) return (text: string) => (text === null ? null : Number(text));
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

const NUL = /\u0000/g;
const withoutNul = (v: unknown): unknown => (typeof v === 'string' && v.includes('\u0000') ? v.replace(NUL, '\uFFFD') : v);

class NulReplacer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    const v = withoutNul(node.value);
    if (v === node.value) return node;
    return node.immediate ? ValueNode.createImmediate(v) : ValueNode.create(v);
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    if (!node.values.some((v) => typeof v === 'string' && v.includes('\u0000'))) return node;
    return PrimitiveValueListNode.create(node.values.map(withoutNul));
  }
}

/** Replaces U+0000 in every bound string value of a query (PostgreSQL text cannot hold it). */
export class NulTextPlugin implements KyselyPlugin {
  readonly #replacer = new NulReplacer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#replacer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
