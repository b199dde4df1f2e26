import { randomUUID } from 'crypto';
import type { CommandResult } from '../eventing/command-result';
import { replay } from '../eventing/replay';
import { withFreshDatabase } from '../../test/support/database';
import { createDeployment } from '../../test/support/deployments';
import { randomName, testConfig, testLogger } from '../../test/support/env';
import { commands, positionsOf } from '../../test/support/projections';
import { writeSide } from '../../test/support/write-side';
import { AsOfMismatch, parseAsOf, stateAsOf } from './audit-as-of';
import { type AuditEventView, AuditQueries } from './audit-queries';
import { auditProjection } from './audit.projection';
import type { Database } from '../infrastructure/postgres/database';
import { CheckpointWatch } from './freshness';
import { ProjectionRunner } from './projection-runner';
import { decodingCodec, eventTopicsOf } from './projections';

/** The audit projection, search and state-as-of against the real write side (issue 7). */
describe('audit read model and state as of a point', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  let processor: ReturnType<Awaited<ReturnType<typeof writeSide>>['processor']>;
  const outcomes: CommandResult[] = [];
  const a = `${randomName('dep')}-a`;
  const b = `${randomName('dep')}-b`;
  let first: number;
  let last: number;

  beforeAll(async () => {
    ws = await writeSide(3);
    processor = ws.processor();
    await processor.start();
    const send = commands(ws, await ws.results());
    first = Date.now();
    outcomes.push(await send('CreateDeployment', a, createDeployment(a)));
    outcomes.push(await send('CreateDeployment', b, createDeployment(b, { cluster: 'local-b' }), 'bob'));
    for (let i = 1; i <= 24; i++) {
      // Apart in time, so random instants fall between events.
      await new Promise((r) => setTimeout(r, 15));
      outcomes.push(await send('ScaleDeployment', a, { replicas: i }, i % 3 === 0 ? 'bob' : 'alice'));
    }
    outcomes.push(await send('ScaleDeployment', b, { replicas: 9 }, 'bob'));
    last = Date.now();
  }, 120_000);
  afterAll(async () => {
    await processor.stop();
    await ws.close();
  });

  const topics = () => eventTopicsOf(ws.prefix, auditProjection);
  const project = async (db: Database) => {
    const runner = new ProjectionRunner(
      { messaging: ws.messaging, database: db, codec: ws.codec, logger: testLogger() },
      {
        projection: auditProjection,
        mode: 'live',
        groupId: `${ws.prefix}-audit-${randomUUID().slice(0, 8)}`,
        topics: topics(),
        deadLetterTopic: ws.topics.dlq,
      },
    );
    await runner.start();
    const watch = new CheckpointWatch(db.pool, 'audit', topics(), { timeoutMs: 30_000, pollMs: 50 });
    expect(await watch.caughtUp(positionsOf(outcomes))).toBe(true);
    return runner;
  };
  const asOfDeps = () => ({ messaging: ws.messaging, codec: decodingCodec(testConfig().schemaRegistry.url) });

  it('lists every event with its coordinates, filters and pages through them in log-time order', () =>
    withFreshDatabase(async (db) => {
      const runner = await project(db);
      try {
        const queries = new AuditQueries(db.pool, topics());
        const events = outcomes.flatMap((o) => o.events);
        const items: AuditEventView[] = [];
        let cursor: string | undefined;
        do {
          const page = await queries.list({}, { limit: 7, ...(cursor ? { cursor } : {}) });
          items.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(items).toHaveLength(events.length);
        expect(new Set(items.map((i) => `${i.topic}:${i.partition}:${i.offset}`))).toEqual(
          new Set(events.map((e) => `${e.topic}:${e.partition}:${e.offset}`)),
        );
        const times = items.map((i) => Date.parse(i.at));
        expect([...times].sort((x, y) => x - y)).toEqual(times);

        const scaledB = await queries.list({ subject: b, type: 'DeploymentScaled' }, { limit: 500 });
        expect(scaledB.items).toEqual([
          expect.objectContaining({
            context: 'deployments',
            subject: b,
            version: 2,
            actor: 'bob',
            cluster: 'local-b',
            namespace: 'inference',
            team: 'ml-platform',
            data: expect.objectContaining({ replicas: 9 }),
            hash: expect.stringMatching(/^[0-9a-f]{64}$/),
          }),
        ]);
        const byBob = await queries.list({ actor: 'bob', cluster: 'local-a' }, { limit: 500 });
        expect(byBob.items.map((i) => i.version)).toEqual([4, 7, 10, 13, 16, 19, 22, 25]);
        const window = await queries.list(
          { subject: a, from: items.find((i) => i.subject === a && i.version === 3)!.at },
          { limit: 500 },
        );
        expect(window.items[0]!.version).toBe(3);
        const scaled = outcomes[5]!.events[0]!;
        const { items: caused } = await queries.list({ subject: a }, { limit: 500 });
        expect(caused.find((i) => i.offset === scaled.offset)!.causationId).toBe(outcomes[5]!.commandId);
      } finally {
        await runner.stop();
      }
    }));

  it('rebuilds state from Kafka that agrees with a brute-force replay at 20 random instants', () =>
    withFreshDatabase(async (db) => {
      const runner = await project(db);
      try {
        const queries = new AuditQueries(db.pool, topics());
        const { coordinates } = await queries.coordinatesOf(a);
        expect(coordinates).toHaveLength(25);
        for (let i = 0; i < 20; i++) {
          const instant = new Date(first - 50 + Math.random() * (last - first + 100)).toISOString();
          const fast = await stateAsOf(asOfDeps(), a, coordinates, parseAsOf(instant)!);
          const brute = await replay(
            { messaging: ws.messaging, codec: ws.codec },
            { aggregateId: a, topicPrefix: ws.prefix, asOfTime: instant, verify: true },
          );
          expect({ instant, version: fast.version, state: fast.state }).toEqual({
            instant,
            version: brute.version,
            state: brute.state,
          });
          expect(fast.events.map((e) => [e.offset, e.hash, e.type])).toEqual(
            brute.events.map((e) => [e.offset, e.hash, e.type]),
          );
          expect(fast.verification).toMatchObject({ ok: true, checked: brute.events.length });
          expect(fast.source).toBe('kafka');
        }
      } finally {
        await runner.stop();
      }
    }));

  it('rebuilds as of an offset, and refuses an offset of another partition', () =>
    withFreshDatabase(async (db) => {
      const runner = await project(db);
      try {
        const { coordinates } = await new AuditQueries(db.pool, topics()).coordinatesOf(a);
        const tenth = coordinates[9]!;
        const at = `${tenth.topic}:${tenth.partition}:${tenth.offset}`;
        const fast = await stateAsOf(asOfDeps(), a, coordinates, parseAsOf(at)!);
        const plain = await stateAsOf(asOfDeps(), a, coordinates, parseAsOf(tenth.offset)!);
        const brute = await replay(
          { messaging: ws.messaging, codec: ws.codec },
          { aggregateId: a, topicPrefix: ws.prefix, asOfOffset: tenth.offset },
        );
        expect(fast.version).toBe(10);
        expect(fast.state).toEqual(brute.state);
        expect(plain.state).toEqual(brute.state);
        const other = `${tenth.topic}:${tenth.partition + 1}:${tenth.offset}`;
        await expect(stateAsOf(asOfDeps(), a, coordinates, parseAsOf(other)!)).rejects.toThrow(AsOfMismatch);
        const before = await stateAsOf(asOfDeps(), a, coordinates, parseAsOf('2000-01-01T00:00:00Z')!);
        expect(before).toMatchObject({ version: 0, events: [], verification: { ok: true, checked: 0 } });
        expect((await new AuditQueries(db.pool, topics()).coordinatesOf('nobody')).coordinates).toEqual([]);
        expect(parseAsOf('yesterday')).toBeUndefined();
        expect(parseAsOf('2026-11-27T10:00:00')).toBeUndefined();
      } finally {
        await runner.stop();
      }
    }));
});
