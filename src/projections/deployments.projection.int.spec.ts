import { randomUUID } from 'crypto';
import { toHeaders } from '../eventing/cloudevents';
import type { CommandResult } from '../eventing/command-result';
import { listDeadLetters } from '../eventing/dead-letters';
import { Database, type QueryRows } from '../infrastructure/postgres/database';
import { withFreshDatabase } from '../../test/support/database';
import { createDeployment } from '../../test/support/deployments';
import { randomName, waitFor } from '../../test/support/env';
import { commands, positionsOf, projectionHarness } from '../../test/support/projections';
import { writeSide } from '../../test/support/write-side';

/** The deployments projection fed by the real write side: Kafka, registry and Postgres. */
describe('deployments projection against the real stack', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  let processor: ReturnType<Awaited<ReturnType<typeof writeSide>>['processor']>;
  let send: ReturnType<typeof commands>;
  const outcomes: CommandResult[] = [];
  const id = (n: string) => `${randomName('dep')}-${n}`;
  const ids = { a: id('a'), b: id('b'), c: id('c'), ghost: id('ghost') };

  beforeAll(async () => {
    ws = await writeSide(3);
    processor = ws.processor();
    await processor.start();
    const results = await ws.results();
    const sendCommand = commands(ws, results);
    send = async (...args) => {
      const outcome = await sendCommand(...args);
      outcomes.push(outcome);
      return outcome;
    };
    await send(
      'CreateDeployment',
      ids.a,
      createDeployment(ids.a, { team: 'vision', labels: { tier: 'gold' } }),
    );
    await send('CreateDeployment', ids.b, createDeployment(ids.b, { cluster: 'local-b' }));
    await send('CreateDeployment', ids.c, createDeployment(ids.c));
    await send('ScaleDeployment', ids.a, { replicas: 5 }, 'bob');
    await send('UpdateDeployment', ids.a, {
      image: 'registry.example/llm:2.0',
      env: { MODE: 'x' },
      resources: null,
    });
    await send('RollbackDeployment', ids.a, { toRevision: 1 });
    await send('ScaleDeployment', ids.b, { replicas: -1 });
    await send('DeleteDeployment', ids.c, {});
    await send('ScaleDeployment', ids.ghost, { replicas: 1 });
  });
  afterAll(async () => {
    await processor.stop();
    await ws.close();
  });

  const events = () => outcomes.reduce((n, o) => n + o.events.length, 0);

  it('projects every command outcome into deployments, revisions and history', () =>
    withFreshDatabase(async (db) => {
      const p = projectionHarness(ws, db);
      try {
        await p.live().start();
        await p.caughtUpWith(positionsOf(outcomes));

        const a = (await p.queries.get(ids.a)).deployment!;
        expect(a).toMatchObject({
          id: ids.a,
          status: 'Active',
          team: 'vision',
          labels: { tier: 'gold' },
          version: 4,
          desired: { replicas: 5, revision: 3, image: 'registry.example/llm:1.0', env: {} },
          observed: null,
          createdBy: 'alice',
          updatedBy: 'alice',
          currentRevision: { revision: 3, cause: 'rolled_back', restoredFromRevision: 1, createdBy: 'alice' },
        });
        // The rejected scale moved b's version, not its replicas.
        expect((await p.queries.get(ids.b)).deployment).toMatchObject({
          version: 2,
          desired: { replicas: 2 },
        });
        expect((await p.queries.get(ids.c)).deployment).toMatchObject({ status: 'Deleted', version: 2 });
        expect((await p.queries.get(ids.ghost)).deployment).toBeUndefined();

        const history = await p.queries.history(ids.a, { limit: 50 });
        expect(history.items.map((h) => [h.version, h.type, h.actor])).toEqual([
          [1, 'DeploymentCreated', 'alice'],
          [2, 'DeploymentScaled', 'bob'],
          [3, 'DeploymentUpdated', 'alice'],
          [4, 'DeploymentRolledBack', 'alice'],
        ]);
        const scaled = outcomes.find(
          (o) => o.aggregateId === ids.a && o.events[0]?.type === 'DeploymentScaled',
        )!;
        expect(history.items[1]).toMatchObject({
          causationId: scaled.commandId,
          correlationId: scaled.commandId,
          position: { topic: scaled.events[0]!.topic, offset: scaled.events[0]!.offset },
        });
        const ghost = await p.queries.history(ids.ghost, { limit: 50 });
        expect(ghost.items).toEqual([
          expect.objectContaining({
            type: 'DeploymentRejected',
            data: expect.objectContaining({ command: 'ScaleDeployment' }),
          }),
        ]);
        expect(await p.count('deployment_history')).toBe(events());
        expect(await p.count('deployment_revisions')).toBe(5);
      } finally {
        await p.close();
      }
    }));

  it('applies each event once when the same events are delivered again to a fresh group', () =>
    withFreshDatabase(async (db) => {
      const p = projectionHarness(ws, db);
      try {
        const first = p.live();
        await first.start();
        await p.caughtUpWith(positionsOf(outcomes));
        await first.stop();
        const before = await p.checksums();

        // A reset consumer group: every record comes again, from offset 0.
        const again = p.live({ groupId: `${ws.prefix}-reset-${randomUUID()}` });
        await again.start();
        await waitFor('every event delivered again', () =>
          again.stats.redelivered >= events() ? true : undefined,
        );
        expect(again.stats.applied).toBe(0);
        expect(await p.checksums()).toEqual(before);
        expect(await p.count('deployment_history')).toBe(events());
      } finally {
        await p.close();
      }
    }));

  it('writes the batches of several partitions that arrive together in one transaction', () =>
    withFreshDatabase(async (db) => {
      const p = projectionHarness(ws, db);
      const counting = new CountingDatabase(connectionString(db));
      try {
        const partitions = new Set(positionsOf(outcomes).map((x) => x.partition));
        expect(partitions.size).toBeGreaterThan(1);
        // A first run decodes every event type once: a decode that must ask the registry would
        // let the other partitions' batches go ahead without it.
        const first = p.live();
        await first.start();
        await p.caughtUpWith(positionsOf(outcomes));
        await first.stop();
        // A fresh group is handed every event again, each partition in its first fetch.
        const again = p.live({ database: counting, groupId: `${ws.prefix}-grouped-${randomUUID()}` });
        await again.start();
        await waitFor('every event delivered again', () =>
          again.stats.redelivered >= events() ? true : undefined,
        );
        expect(again.stats.applied).toBe(0);
        // One transaction per partition batch would lock one checkpoint each.
        expect(Math.max(...counting.checkpointsPerTransaction)).toBe(partitions.size);
        expect(counting.checkpointsPerTransaction.length).toBeLessThan(partitions.size);
      } finally {
        await p.close();
        await counting.close();
      }
    }));

  it('rolls a failed batch back whole and ends consistent after crashes and a restart', () =>
    withFreshDatabase(async (db) => {
      const p = projectionHarness(ws, db);
      // Every other batch fails after writing its rows, before COMMIT: as if the process died there.
      const flaky = new FlakyDatabase(connectionString(db), 2);
      try {
        const crashing = p.live({ database: flaky });
        await crashing.start();
        // More commands while it runs, so it is stopped in the middle of the stream.
        const more = Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            send('ScaleDeployment', i % 2 ? ids.a : ids.b, { replicas: 2 + i }),
          ),
        );
        await waitFor('batches both applied and failed', () =>
          flaky.failures >= 1 && crashing.stats.applied > 0 ? true : undefined,
        );
        await crashing.stop();
        await more;

        await p.live().start();
        await p.caughtUpWith(positionsOf(outcomes));
        expect(await p.count('deployment_history')).toBe(events());
        // The crashed run's live tables equal a rebuild from offset 0.
        const rebuilt = await p.rebuild({ verify: true });
        expect(rebuilt).toMatchObject({ switched: true, mismatches: [] });
      } finally {
        await p.close();
        await flaky.close();
      }
    }));

  it('parks an unreadable event on the dead-letter topic, skips unknown types, and moves on', () =>
    withFreshDatabase(async (db) => {
      const p = projectionHarness(ws, db);
      try {
        const topic = ws.topics.events('deployments');
        const record = (type: string, version: number) => ({
          topic,
          key: ids.a,
          value: Buffer.from('not avro at all'),
          headers: toHeaders({
            id: randomUUID(),
            source: '/test',
            type: `sentinel.deployments.${type}`,
            time: new Date().toISOString(),
            subject: ids.a,
            actor: 'mallory',
            correlationId: 'c',
            causationId: 'c',
            version,
          }),
        });
        const [poison] = await ws.messaging.publisher().publish([record('DeploymentScaled', 99)]);
        await ws.messaging.publisher().publish([record('DeploymentSomethingNew', 100)]);
        const after = await send('ScaleDeployment', ids.a, { replicas: 11 });

        const runner = p.live();
        await runner.start();
        await p.caughtUpWith(positionsOf([...outcomes, after]));
        expect(runner.stats).toMatchObject({ poison: 1, unknown: 1 });
        expect((await p.queries.get(ids.a)).deployment).toMatchObject({
          version: after.version,
          desired: { replicas: 11 },
        });
        expect((await p.queries.history(ids.a, { limit: 200 })).items.map((h) => h.actor)).not.toContain(
          'mallory',
        );
        const letters = await listDeadLetters(ws.messaging, ws.topics.dlq);
        expect(
          letters.find((l) => l.source?.offset === poison!.offset && l.source.topic === topic),
        ).toMatchObject({
          reason: expect.stringMatching(/cannot be decoded/),
        });
      } finally {
        await p.close();
      }
    }));
});

function connectionString(db: Database): string {
  return (db.pool as unknown as { options: { connectionString: string } }).options.connectionString;
}

/** A database whose every n-th projection write fails after its rows, before COMMIT. */
class FlakyDatabase extends Database {
  failures = 0;
  private count = 0;

  constructor(
    url: string,
    private readonly every: number,
  ) {
    super(url, 4);
  }

  override readThenWrite<T>(
    open: string,
    write: (opened: QueryRows[]) => Promise<{ sql?: string; value: T }>,
  ): Promise<T> {
    return super.readThenWrite<T>(open, async (opened) => {
      const out = await write(opened);
      if (!out.sql || ++this.count % this.every !== 0) return out;
      this.failures += 1;
      // The rows are written, then a failing statement ends the round trip before its COMMIT.
      return { ...out, sql: `${out.sql};\nSELECT 'simulated crash before COMMIT'::int` };
    });
  }
}

/** A database that records how many checkpoints each projection transaction locks. */
class CountingDatabase extends Database {
  readonly checkpointsPerTransaction: number[] = [];

  constructor(url: string) {
    super(url, 4);
  }

  override readThenWrite<T>(
    open: string,
    write: (opened: QueryRows[]) => Promise<{ sql?: string; value: T }>,
  ): Promise<T> {
    this.checkpointsPerTransaction.push(open.match(/FOR UPDATE/g)?.length ?? 0);
    return super.readThenWrite(open, write);
  }
}
