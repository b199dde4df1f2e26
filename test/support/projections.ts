import { randomUUID } from 'crypto';
import type { CommandResult } from '../../src/eventing/command-result';
import { deployments } from '../../src/eventing/contexts';
import { Database } from '../../src/infrastructure/postgres/database';
import type { RecordPosition } from '../../src/messaging/ports';
import { DeploymentQueries } from '../../src/projections/deployment-queries';
import { deploymentsProjection } from '../../src/projections/deployments.projection';
import { CheckpointWatch } from '../../src/projections/freshness';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { liveGroupId } from '../../src/projections/projections';
import { checksums } from '../../src/projections/read-model-schema';
import { rebuildProjection, type RebuildRequest } from '../../src/projections/rebuild';
import { testLogger, waitFor } from './env';
import type { writeSide } from './write-side';

type WriteSide = Awaited<ReturnType<typeof writeSide>>;

/**
 * The deployments projection over a write side's topics and a database of its own. Live
 * runners, the rebuild and the queries each get their own pool, as separate processes would:
 * live writers pausing for a switch must not starve the rebuild of connections.
 */
export function projectionHarness(ws: WriteSide, db: Database) {
  const url = (db.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  const pools: Database[] = [];
  const pool = (size = 4) => {
    const d = new Database(url, size);
    pools.push(d);
    return d;
  };
  const topics = [ws.topics.events('deployments')];
  const deps = (database: Database) => ({
    messaging: ws.messaging,
    database,
    codec: ws.codec,
    logger: testLogger(),
  });
  const runners: ProjectionRunner[] = [];
  const queryDb = pool();
  // The projection's durable group, per database: a group's offsets belong with one database's
  // checkpoints (a new database under an old group would never see what the group has read).
  const group = `${liveGroupId(ws.prefix, 'deployments')}-${randomUUID().slice(0, 8)}`;

  return {
    topics,
    queries: new DeploymentQueries(queryDb.pool, topics, { timeoutMs: 5000, pollMs: 25 }),
    queriesWithWait: (timeoutMs: number) =>
      new DeploymentQueries(queryDb.pool, topics, { timeoutMs, pollMs: 25 }),
    /** A live runner; by default in this database's durable group. */
    live(options: { groupId?: string; database?: Database } = {}) {
      const runner = new ProjectionRunner(deps(options.database ?? pool()), {
        projection: deploymentsProjection,
        mode: 'live',
        groupId: options.groupId ?? group,
        topics,
        deadLetterTopic: ws.topics.dlq,
      });
      runners.push(runner);
      return runner;
    },
    /** `decodeDelayMs` slows the replay down, so the live projection moves on meanwhile. */
    rebuild(extra: Partial<RebuildRequest> & { decodeDelayMs?: number } = {}) {
      const { decodeDelayMs = 0, ...request } = extra;
      const codec = {
        decode: async (value: Buffer) => {
          await new Promise((r) => setTimeout(r, decodeDelayMs));
          return ws.codec.decode(value);
        },
      };
      return rebuildProjection(
        { ...deps(pool(12)), codec },
        {
          projection: deploymentsProjection,
          topics,
          groupId: `${ws.prefix}-rebuild-${randomUUID()}`,
          verify: true,
          pollMs: 100,
          ...request,
        },
      );
    },
    /** Waits until the live projection has applied every position. */
    async caughtUpWith(positions: readonly RecordPosition[], timeoutMs = 30_000) {
      const watch = new CheckpointWatch(queryDb.pool, 'deployments', topics, { timeoutMs, pollMs: 50 });
      expect(await watch.caughtUp(positions)).toBe(true);
    },
    checksums: (schema = 'read_deployments') => checksums(queryDb.pool, schema),
    count: async (table: string) =>
      Number((await queryDb.pool.query(`SELECT count(*) AS n FROM read_deployments.${table}`)).rows[0].n),
    close: async () => {
      await Promise.all(runners.map((r) => r.stop()));
      await Promise.all(pools.map((p) => p.close()));
    },
  };
}

/** Sends one deployment command and waits for its committed outcome. */
export function commands(ws: WriteSide, results: { of(id: string): CommandResult[] }) {
  return async (type: string, aggregateId: string, data: object, actor = 'alice'): Promise<CommandResult> => {
    const { commandId } = await ws.sender.send({
      context: deployments,
      type,
      aggregateId,
      data: { deploymentId: aggregateId, ...data },
      actor,
    });
    return waitFor(`the outcome of ${type} ${aggregateId}`, () => results.of(commandId)[0]);
  };
}

export const positionsOf = (results: readonly CommandResult[]): RecordPosition[] =>
  results.flatMap((r) => r.events.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
