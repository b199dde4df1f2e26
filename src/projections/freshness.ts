import type { RecordPosition } from '../messaging/ports';
import { partitionKey, readCheckpoints } from './checkpoints';
import type { Queryable } from './sql';

/**
 * Read-your-writes (DESIGN.md §4): a command result lists the positions of its events; a query
 * given them waits, bounded, until the projection's checkpoint has passed every one of them.
 */
export interface FreshnessOptions {
  /** How long a query waits for the projection before answering with what it has. */
  readonly timeoutMs: number;
  readonly pollMs: number;
}

export const DEFAULT_FRESHNESS: FreshnessOptions = { timeoutMs: 5000, pollMs: 25 };

/**
 * True once the projection has applied every position on the topics it reads (positions on
 * other topics say nothing about it and are ignored); false if the wait ran out first.
 */
export async function caughtUp(
  db: Queryable,
  projection: string,
  topics: readonly string[],
  positions: readonly RecordPosition[],
  options: FreshnessOptions = DEFAULT_FRESHNESS,
): Promise<boolean> {
  const wanted = positions.filter((p) => topics.includes(p.topic));
  if (wanted.length === 0) return true;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const checkpoints = await readCheckpoints(db, projection);
    const reached = wanted.every(
      (p) => (checkpoints.get(partitionKey(p.topic, p.partition)) ?? 0n) > BigInt(p.offset),
    );
    if (reached) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}
