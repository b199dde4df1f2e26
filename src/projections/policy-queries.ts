import { ReadModelQueries } from './read-model-queries';
import { decodeCursor, encodeCursor, nameIdCursor } from './cursor';
import type { Consistency, Page, PageRequest } from './deployment-queries';
import { DEFAULT_FRESHNESS, type FreshnessOptions } from './freshness';
import { policiesProjection } from './policies.projection';
import type { Queryable } from './sql';

export interface PolicyFilter {
  readonly enabled?: boolean;
  readonly mode?: 'enforce' | 'dry_run';
  readonly status?: 'Active' | 'Deleted';
}

/** Rows of read_policies.policies as the driver returns them (migrations/0004). */
interface PolicyRow {
  id: string;
  name: string;
  priority: number;
  mode: 'enforce' | 'dry_run';
  enabled: boolean;
  status: 'Active' | 'Deleted';
  version: number;
  aggregate_version: number;
  definition: { selector?: unknown; rule: unknown };
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
}

/** What the API shows of a policy: its current version as written, and its lifecycle. */
export interface PolicyView {
  id: string;
  name: string;
  priority: number;
  mode: 'enforce' | 'dry_run';
  enabled: boolean;
  status: 'Active' | 'Deleted';
  /** The policy version, as decisions record it. */
  policyVersion: number;
  /** The aggregate version: send it as If-Match to change the policy. */
  version: number;
  selector: unknown;
  rule: unknown;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

const toView = (r: PolicyRow): PolicyView => ({
  id: r.id,
  name: r.name,
  priority: r.priority,
  mode: r.mode,
  enabled: r.enabled,
  status: r.status,
  policyVersion: r.version,
  version: r.aggregate_version,
  selector: r.definition.selector ?? {},
  rule: r.definition.rule,
  createdAt: r.created_at.toISOString(),
  createdBy: r.created_by,
  updatedAt: r.updated_at.toISOString(),
  updatedBy: r.updated_by,
});

/** Queries over the policies read model, through the live schema a rebuild swaps atomically. */
export class PolicyQueries extends ReadModelQueries {
  constructor(
    db: Queryable,
    /** The event topics the projection reads, `<prefix>.policies.events`. */
    topics: readonly string[],
    freshness: FreshnessOptions = DEFAULT_FRESHNESS,
  ) {
    super(db, policiesProjection.name, topics, freshness);
  }

  async list(
    filter: PolicyFilter,
    page: PageRequest,
    consistency: Consistency = {},
  ): Promise<Page<PolicyView>> {
    const after = page.cursor === undefined ? undefined : decodeCursor(nameIdCursor, page.cursor);
    const stale = await this.stale(consistency);
    const values: unknown[] = [];
    const param = (v: unknown) => `$${values.push(v)}`;
    const where: string[] = [];
    for (const column of ['enabled', 'mode', 'status'] as const) {
      const value = filter[column];
      if (value !== undefined) where.push(`${column} = ${param(value)}`);
    }
    if (after !== undefined) where.push(`(name, id) > (${param(after.n)}, ${param(after.i)})`);
    const { rows } = await this.db.query<PolicyRow>(
      `SELECT * FROM ${this.schema}.policies ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
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

  /** The policy's current version; undefined when the read model does not know it. */
  async get(id: string, consistency: Consistency = {}): Promise<{ policy?: PolicyView; stale: boolean }> {
    const stale = await this.stale(consistency);
    const { rows } = await this.db.query<PolicyRow>(`SELECT * FROM ${this.schema}.policies WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? { policy: toView(rows[0]), stale } : { stale };
  }
}
