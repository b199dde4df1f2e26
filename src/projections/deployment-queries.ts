import { type Consistency, ReadModelQueries } from './read-model-queries';
import { decodeCursor, encodeCursor, nameIdCursor, versionCursor } from './cursor';
import { deploymentsProjection } from './deployments.projection';
import { DEFAULT_FRESHNESS, type FreshnessOptions } from './freshness';
import type { Queryable } from './sql';
import {
  type DeploymentDetail,
  type DeploymentRow,
  type DeploymentView,
  type HistoryEntry,
  type HistoryRow,
  toDetail,
  type WithRevision,
  toHistoryEntry,
  toView,
} from './deployment-views';

export interface DeploymentFilter {
  readonly cluster?: string;
  readonly namespace?: string;
  readonly status?: 'Active' | 'Deleted';
  readonly team?: string;
}

export interface PageRequest {
  readonly cursor?: string;
  readonly limit: number;
}

/** Positions from a command result: wait until the read model has applied them. */
export type { Consistency } from './read-model-queries';

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
  /** True when `after` was given and the projection had not reached it within the wait. */
  readonly stale: boolean;
}

/**
 * Queries over the deployments read model. Tables are named through the live schema, which a
 * rebuild swaps in one transaction; a query running across the swap reads one or the other.
 */
export class DeploymentQueries extends ReadModelQueries {
  constructor(
    db: Queryable,
    /** The event topics the projection reads, `<prefix>.deployments.events`. */
    topics: readonly string[],
    freshness: FreshnessOptions = DEFAULT_FRESHNESS,
  ) {
    super(db, deploymentsProjection.name, topics, freshness);
  }

  async list(
    filter: DeploymentFilter,
    page: PageRequest,
    consistency: Consistency = {},
  ): Promise<Page<DeploymentView>> {
    const after = page.cursor === undefined ? undefined : decodeCursor(nameIdCursor, page.cursor);
    const stale = await this.stale(consistency);
    const values: unknown[] = [];
    const param = (v: unknown) => `$${values.push(v)}`;
    const where: string[] = [];
    for (const column of ['cluster', 'namespace', 'status', 'team'] as const) {
      const value = filter[column];
      if (value !== undefined) where.push(`${column} = ${param(value)}`);
    }
    if (after !== undefined) {
      where.push(`(name, id) > (${param(after.n)}, ${param(after.i)})`);
    }
    const { rows } = await this.db.query<DeploymentRow>(
      `SELECT * FROM ${this.schema}.deployments ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY name, id LIMIT ${param(page.limit + 1)}`,
      values,
    );
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    const more = rows.length > page.limit && last !== undefined;
    return {
      items: items.map(toView),
      nextCursor: more ? encodeCursor({ n: last.name, i: last.id }) : null,
      stale,
    };
  }

  /** The deployment with its current revision; undefined when the read model does not know it. */
  async get(
    id: string,
    consistency: Consistency = {},
  ): Promise<{ deployment?: DeploymentDetail; stale: boolean }> {
    const stale = await this.stale(consistency);
    const { rows } = await this.db.query<WithRevision>(
      `SELECT d.*, r.cause AS rev_cause, r.restored_from_revision AS rev_restored_from,
              r.created_at AS rev_created_at, r.created_by AS rev_created_by
       FROM ${this.schema}.deployments d
       LEFT JOIN ${this.schema}.deployment_revisions r ON r.deployment_id = d.id AND r.revision = d.revision
       WHERE d.id = $1`,
      [id],
    );
    return rows[0] ? { deployment: toDetail(rows[0]), stale } : { stale };
  }

  /**
   * Every event of a deployment, oldest first, by version; `found` is false when there is none
   * (no such deployment, as far as the read model knows).
   */
  async history(
    id: string,
    page: PageRequest,
    consistency: Consistency = {},
  ): Promise<Page<HistoryEntry> & { found: boolean }> {
    const from = page.cursor === undefined ? 0 : decodeCursor(versionCursor, page.cursor).v;
    const stale = await this.stale(consistency);
    const { rows } = await this.db.query<HistoryRow>(
      `SELECT * FROM ${this.schema}.deployment_history WHERE deployment_id = $1 AND version > $2
       ORDER BY version LIMIT $3`,
      [id, from, page.limit + 1],
    );
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    const found = items.length > 0 || (from > 0 && (await this.hasHistory(id)));
    const more = rows.length > page.limit && last !== undefined;
    return {
      items: items.map(toHistoryEntry),
      nextCursor: more ? encodeCursor({ v: last.version }) : null,
      stale,
      found,
    };
  }

  private async hasHistory(id: string): Promise<boolean> {
    const { rows } = await this.db.query<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${this.schema}.deployment_history WHERE deployment_id = $1) AS found`,
      [id],
    );
    return rows[0]!.found;
  }
}
