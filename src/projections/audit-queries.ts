import type { AuditEventRow } from './audit-rows';
import { ReadModelQueries } from './read-model-queries';
import { z } from 'zod';
import { auditProjection } from './audit.projection';
import { decodeCursor, encodeCursor } from './cursor';
import type { Consistency, Page, PageRequest } from './deployment-queries';
import { DEFAULT_FRESHNESS, type FreshnessOptions } from './freshness';
import type { Queryable } from './sql';

/** Audit search filters (issue 7); `from`/`to` are ISO instants, half-open: from <= at < to. */
export interface AuditFilter {
  readonly actor?: string;
  readonly type?: string;
  readonly subject?: string;
  readonly cluster?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface AuditEventView {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly context: string;
  readonly type: string;
  readonly eventId: string;
  readonly subject: string;
  readonly version: number;
  readonly at: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly hash: string;
  readonly previousHash: string;
  readonly cluster: string | null;
  readonly team: string | null;
  readonly namespace: string | null;
  readonly data: unknown;
}

/** Where one event of an aggregate is in the log, and what the read model says of it. */
export interface EventCoordinates {
  readonly context: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly version: number;
  readonly at: Date;
}

/** What list queries select: the row, its offset as text and the cursor's microsecond time. */
type EventRow = Omit<AuditEventRow, 'offset' | 'data'> & {
  offset_text: string;
  data: unknown;
  cursor_at: string;
};

/**
 * Oldest first by (at, topic, partition, offset). `a` is `at` to the microsecond as Postgres
 * prints it: a JS Date would drop microseconds and skip or repeat rows at a page boundary.
 */
const cursorKey = z
  .object({
    a: z.string().max(40),
    t: z.string().max(300),
    p: z.number().int().min(0),
    o: z.string().regex(/^\d{1,19}$/),
  })
  .strict();

const CURSOR_AT = `to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

/** Queries over the audit read model, through the live schema a rebuild swaps atomically. */
export class AuditQueries extends ReadModelQueries {
  constructor(
    db: Queryable,
    /** Every event topic the audit projection reads. */
    topics: readonly string[],
    freshness: FreshnessOptions = DEFAULT_FRESHNESS,
  ) {
    super(db, auditProjection.name, topics, freshness);
  }

  async list(
    filter: AuditFilter,
    page: PageRequest,
    consistency: Consistency = {},
  ): Promise<Page<AuditEventView>> {
    const after = page.cursor === undefined ? undefined : decodeCursor(cursorKey, page.cursor);
    const stale = await this.stale(consistency);
    const values: unknown[] = [];
    const param = (v: unknown) => `$${values.push(v)}`;
    const where = filters(filter, param);
    if (after !== undefined)
      where.push(
        `(at, topic, partition, "offset") > (${param(after.a)}::timestamptz, ${param(after.t)}, ${param(after.p)}::int, ${param(after.o)}::bigint)`,
      );
    const { rows } = await this.db.query<EventRow>(
      `SELECT *, "offset"::text AS offset_text, ${CURSOR_AT} FROM ${this.schema}.events
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY at, topic, partition, "offset" LIMIT ${param(page.limit + 1)}`,
      values,
    );
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    const more = rows.length > page.limit && last !== undefined;
    return {
      items: items.map(toView),
      nextCursor: more
        ? encodeCursor({ a: last.cursor_at, t: last.topic, p: last.partition, o: last.offset_text })
        : null,
      stale,
    };
  }

  /** Where each event of one aggregate is, in version order; empty for an unknown aggregate. */
  async coordinatesOf(aggregateId: string, consistency: Consistency = {}) {
    const stale = await this.stale(consistency);
    const { rows } = await this.db.query<EventCoordinates>(
      `SELECT context, topic, partition, "offset"::text AS "offset", version, at
       FROM ${this.schema}.events e WHERE aggregate_id = $1 ORDER BY version, e."offset"`,
      [aggregateId],
    );
    return { coordinates: rows, stale };
  }
}

function filters(filter: AuditFilter, param: (v: unknown) => string): string[] {
  const columns = {
    actor: 'actor',
    type: 'event_type',
    subject: 'aggregate_id',
    cluster: 'cluster',
  } as const;
  const where: string[] = [];
  for (const [key, column] of Object.entries(columns)) {
    const value = filter[key as keyof typeof columns];
    if (value !== undefined) where.push(`${column} = ${param(value)}`);
  }
  if (filter.from !== undefined) where.push(`at >= ${param(filter.from)}`);
  if (filter.to !== undefined) where.push(`at < ${param(filter.to)}`);
  return where;
}

function toView(r: EventRow): AuditEventView {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset_text,
    context: r.context,
    type: r.event_type,
    eventId: r.event_id,
    subject: r.aggregate_id,
    version: r.version,
    at: r.at.toISOString(),
    actor: r.actor,
    correlationId: r.correlation_id,
    causationId: r.causation_id,
    hash: r.hash,
    previousHash: r.previous_hash,
    cluster: r.cluster,
    team: r.team,
    namespace: r.namespace,
    data: r.data,
  };
}
