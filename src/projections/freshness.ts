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
  /** Commits of projections running in this process: a wait reads again at once, not next poll. */
  readonly commits?: ProjectionCommits;
}

/**
 * Tells waiting queries in this process that a projection committed. Only a shortcut: projections
 * in other processes are still seen by polling, so a missed signal costs at most one poll.
 */
export class ProjectionCommits {
  private readonly listeners = new Map<string, Set<() => void>>();

  committed(projection: string): void {
    for (const listener of this.listeners.get(projection) ?? []) listener();
  }

  /** Calls `listener` after each commit of `projection`; returns the way to stop. */
  listen(projection: string, listener: () => void): () => void {
    const set = this.listeners.get(projection) ?? new Set();
    this.listeners.set(projection, set.add(listener));
    return () => set.delete(listener);
  }
}

export const DEFAULT_FRESHNESS: FreshnessOptions = { timeoutMs: 5000, pollMs: 25 };

interface Waiter {
  readonly wanted: readonly RecordPosition[];
  readonly deadline: number;
  resolve(caughtUp: boolean): void;
}

/**
 * Answers "has the projection applied these positions yet?" for every waiting query with one
 * checkpoint read per poll: a burst of read-your-writes queries must not each poll Postgres and
 * take the connections the projection itself needs to catch up.
 */
export class CheckpointWatch {
  private waiters: Waiter[] = [];
  private polling = false;
  /** A commit was signalled since the last read began. */
  private signalled = false;
  private wake?: () => void;

  constructor(
    private readonly db: Queryable,
    private readonly projection: string,
    private readonly topics: readonly string[],
    private readonly options: FreshnessOptions = DEFAULT_FRESHNESS,
  ) {
    options.commits?.listen(projection, () => {
      this.signalled = true;
      this.wake?.();
    });
  }

  /**
   * True once the projection has applied every position on the topics it reads (positions on
   * other topics say nothing about it and are ignored); false if the wait ran out first.
   */
  caughtUp(positions: readonly RecordPosition[]): Promise<boolean> {
    const wanted = positions.filter((p) => this.topics.includes(p.topic));
    if (wanted.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.waiters.push({ wanted, deadline: Date.now() + this.options.timeoutMs, resolve });
      void this.poll();
    });
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      while (this.waiters.length > 0) {
        this.signalled = false;
        // A failed read answers nobody this round; the deadline still bounds every wait.
        const checkpoints = await readCheckpoints(this.db, this.projection).catch(() => undefined);
        const now = Date.now();
        this.waiters = this.waiters.filter((w) => {
          const reached = checkpoints !== undefined && w.wanted.every((p) => applied(checkpoints, p));
          if (reached || now >= w.deadline) w.resolve(reached);
          return !reached && now < w.deadline;
        });
        if (this.waiters.length > 0) await this.nap();
      }
    } finally {
      this.polling = false;
    }
  }

  /** Until the next poll, or sooner if a commit is signalled (or was, during the last read). */
  private nap(): Promise<void> {
    if (this.signalled) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollMs);
      this.wake = done;
    });
  }
}

function applied(checkpoints: Map<string, bigint>, p: RecordPosition): boolean {
  return (checkpoints.get(partitionKey(p.topic, p.partition)) ?? 0n) > BigInt(p.offset);
}
