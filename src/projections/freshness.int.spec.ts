import { withFreshDatabase } from '../../test/support/database';
import { CheckpointWatch, ProjectionCommits } from './freshness';
import type { Queryable } from './sql';

/** A Queryable that counts the reads sent through it. */
function countingReads(pool: Queryable): Queryable & { reads: number } {
  const counting = {
    reads: 0,
    query: <R>(text: string, values?: unknown[]) => {
      counting.reads++;
      return pool.query<R>(text, values);
    },
  };
  return counting;
}

describe('read-your-writes waits against real Postgres', () => {
  it('answers many waiting queries with one checkpoint read per poll, then times out the rest', async () => {
    await withFreshDatabase(async (db) => {
      const counting = countingReads(db.pool);
      const topic = 'sentinel.deployments.events';
      const watch = new CheckpointWatch(counting, 'deployments', [topic], { timeoutMs: 2000, pollMs: 25 });
      const advance = (next: number) =>
        db.pool.query(
          `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) VALUES ('deployments', $1, 0, $2)
           ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
          [topic, next],
        );
      const started = Date.now();
      const fresh = Array.from({ length: 100 }, (_, i) =>
        watch.caughtUp([{ topic, partition: 0, offset: String(i % 10) }]),
      );
      const never = watch.caughtUp([{ topic, partition: 0, offset: '500' }]);
      const elsewhere = await watch.caughtUp([{ topic: 'another.topic', partition: 0, offset: '9' }]);
      await new Promise((r) => setTimeout(r, 200));
      await advance(10);
      expect(await Promise.all(fresh)).toEqual(Array(100).fill(true));
      expect(await never).toBe(false);
      expect(elsewhere).toBe(true);
      // One read per 25 ms tick for everyone: ~80 over the 2 s the last waiter waits, never 100 per tick.
      const ticks = Math.ceil((Date.now() - started) / 25) + 1;
      expect(counting.reads).toBeLessThanOrEqual(ticks);
    });
  });

  it('reads again at once when a projection of this process signals a commit, not at the next poll', async () => {
    await withFreshDatabase(async (db) => {
      const counting = countingReads(db.pool);
      const topic = 'sentinel.deployments.events';
      const commits = new ProjectionCommits();
      // A poll far longer than the test: only the signal can end the wait in time.
      const watch = new CheckpointWatch(counting, 'deployments', [topic], {
        timeoutMs: 60_000,
        pollMs: 60_000,
        commits,
      });
      const waiting = watch.caughtUp([{ topic, partition: 0, offset: '3' }]);
      await new Promise((r) => setTimeout(r, 200));
      expect(counting.reads).toBe(1);
      await db.pool.query(
        `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) VALUES ('deployments', $1, 0, 4)`,
        [topic],
      );
      // Another projection's commit says nothing about this one.
      commits.committed('audit');
      await new Promise((r) => setTimeout(r, 200));
      expect(counting.reads).toBe(1);
      commits.committed('deployments');
      const late = new Promise((r) => setTimeout(() => r('still waiting'), 10_000));
      expect(await Promise.race([waiting, late])).toBe(true);
      expect(counting.reads).toBe(2);
    });
  });
});
