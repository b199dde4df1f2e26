import { ReadModelQueries } from './read-model-queries';
import { z } from 'zod';
import type { RecordedDecision } from '../domain/policies/what-if';
import type { DecisionOutcome } from '../domain/policies/types';
import { decodeCursor, encodeCursor } from './cursor';
import {
  type DecisionDetail,
  type DecisionDetailRow,
  type DecisionRow,
  type DecisionView,
  type RecordedRow,
  toDecisionDetail,
  toDecisionView,
  toRecordedDecision,
} from './decision-views';
import { decisionsProjection } from './decisions.projection';
import type { Consistency, Page, PageRequest } from './deployment-queries';
import { DEFAULT_FRESHNESS, type FreshnessOptions } from './freshness';
import type { Queryable } from './sql';

export interface DecisionFilter {
  readonly outcome?: DecisionOutcome;
  /** A policy id: decisions it applied to. */
  readonly policy?: string;
  readonly actor?: string;
  readonly cluster?: string;
  /** ISO instants, half-open: from <= at < to. */
  readonly from?: string;
  readonly to?: string;
}

/**
 * Newest first by (at, decision_id). `a` is `at` to the microsecond as Postgres prints it, not
 * a JS Date, which would drop the microseconds and skip or repeat rows at a page boundary.
 */
const atIdCursor = z.object({ a: z.string().max(40), i: z.string() }).strict();

/** `at` in UTC at full precision, for the cursor. */
const CURSOR_AT = `to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

const VIEW_COLUMNS = `decision_id, deployment_id, deployment_name, action, actor, cluster, namespace, team,
  outcome, at, results, reasons`;

/** Queries over the decisions read model, through the live schema a rebuild swaps atomically. */
export class DecisionQueries extends ReadModelQueries {
  constructor(
    db: Queryable,
    /** The event topics the projection reads, `<prefix>.deployments.events`. */
    topics: readonly string[],
    freshness: FreshnessOptions = DEFAULT_FRESHNESS,
  ) {
    super(db, decisionsProjection.name, topics, freshness);
  }

  async list(
    filter: DecisionFilter,
    page: PageRequest,
    consistency: Consistency = {},
  ): Promise<Page<DecisionView>> {
    const after = page.cursor === undefined ? undefined : decodeCursor(atIdCursor, page.cursor);
    const stale = await this.stale(consistency);
    const values: unknown[] = [];
    const param = (v: unknown) => `$${values.push(v)}`;
    const where = filters(filter, param);
    if (after !== undefined)
      where.push(`(at, decision_id) < (${param(after.a)}::timestamptz, ${param(after.i)})`);
    const { rows } = await this.db.query<DecisionRow & { cursor_at: string }>(
      `SELECT ${VIEW_COLUMNS}, ${CURSOR_AT} FROM ${this.schema}.decisions
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY at DESC, decision_id DESC LIMIT ${param(page.limit + 1)}`,
      values,
    );
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    const more = rows.length > page.limit && last !== undefined;
    return {
      items: items.map(toDecisionView),
      nextCursor: more ? encodeCursor({ a: last.cursor_at, i: last.decision_id }) : null,
      stale,
    };
  }

  /** One decision with all its inputs; undefined when the read model does not know it. */
  async get(
    id: string,
    consistency: Consistency = {},
  ): Promise<{ decision?: DecisionDetail; stale: boolean }> {
    const stale = await this.stale(consistency);
    const { rows } = await this.db.query<DecisionDetailRow>(
      `SELECT ${VIEW_COLUMNS}, request, facts, tzdata, event_topic, event_partition, event_offset,
              aggregate_version
       FROM ${this.schema}.decisions WHERE decision_id = $1`,
      [id],
    );
    return rows[0] ? { decision: toDecisionDetail(rows[0]), stale } : { stale };
  }

  /** How many decisions were taken in [from, to): a what-if checks this before loading them. */
  async countBetween(from: string, to: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.schema}.decisions WHERE at >= $1 AND at < $2`,
      [from, to],
    );
    return rows[0]!.n;
  }

  /** Every decision taken in [from, to), oldest first, with the inputs to re-evaluate it. */
  async recordedBetween(from: string, to: string): Promise<RecordedDecision[]> {
    const { rows } = await this.db.query<RecordedRow>(
      `SELECT decision_id, deployment_id, actor, at, outcome, reasons, policies, request, facts, results
       FROM ${this.schema}.decisions WHERE at >= $1 AND at < $2 ORDER BY at, decision_id`,
      [from, to],
    );
    return rows.map(toRecordedDecision);
  }
}

function filters(filter: DecisionFilter, param: (v: unknown) => string): string[] {
  const where: string[] = [];
  for (const column of ['outcome', 'actor', 'cluster'] as const) {
    const value = filter[column];
    if (value !== undefined) where.push(`${column} = ${param(value)}`);
  }
  // Containment, so the GIN index on policy_ids answers it.
  if (filter.policy !== undefined) where.push(`policy_ids @> ARRAY[${param(filter.policy)}]::text[]`);
  if (filter.from !== undefined) where.push(`at >= ${param(filter.from)}`);
  if (filter.to !== undefined) where.push(`at < ${param(filter.to)}`);
  return where;
}
