import type { RecordPosition } from '../messaging/ports';
import { CheckpointWatch, DEFAULT_FRESHNESS, type FreshnessOptions } from './freshness';
import { schemaNames } from './read-model-schema';
import type { Queryable } from './sql';

/** Read-your-writes: the positions a command returned, which a query may wait for. */
export interface Consistency {
  readonly after?: readonly RecordPosition[];
}

/**
 * What every projection's queries share: they read the live schema (which a rebuild swaps
 * atomically) and can wait, bounded, until the projection has passed the positions a caller
 * names (DESIGN.md §4).
 */
export abstract class ReadModelQueries {
  protected readonly schema: string;
  private readonly watch: CheckpointWatch;

  protected constructor(
    protected readonly db: Queryable,
    projection: string,
    /** The event topics the projection reads. */
    topics: readonly string[],
    freshness: FreshnessOptions = DEFAULT_FRESHNESS,
  ) {
    this.schema = schemaNames(projection).live;
    this.watch = new CheckpointWatch(db, projection, topics, freshness);
  }

  /** True when the caller asked for positions the projection did not reach in time. */
  protected async stale(consistency: Consistency): Promise<boolean> {
    if (!consistency.after?.length) return false;
    return !(await this.watch.caughtUp(consistency.after));
  }
}
