import type { AggregateSnapshot } from '../src/eventing/partition-state';
import { replay, type Replay } from '../src/eventing/replay';
import { randomName, waitFor } from './support/env';
import { copyRecords, createScaleUpdate, flipLastByte, HISTORY_TIMES, recordsOf } from './support/event-log';
import { writeSide } from './support/write-side';

describe('replay against the real broker and registry', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  const id = randomName('dep-replay');
  let commandIds: string[];
  let eventOffsets: string[];

  beforeAll(async () => {
    ws = await writeSide();
    const results = await ws.results();
    const processor = ws.processor();
    await processor.start();
    try {
      // Other aggregates share the partition, so replay has to pick the right records out.
      const neighbours = await sameProducerPartition(id, 2);
      for (const other of neighbours)
        await createScaleUpdate(ws.sender, other, (c) => waitFor(c, () => results.of(c)[0]));
      commandIds = await createScaleUpdate(ws.sender, id, (c) => waitFor(c, () => results.of(c)[0]));
    } finally {
      await processor.stop();
    }
    eventOffsets = commandIds.map((c) => results.of(c)[0]!.events[0]!.offset);
  });
  afterAll(() => ws.close());

  /** Ids whose commands the producer puts on the same partition as `of`'s. */
  async function sameProducerPartition(of: string, count: number): Promise<string[]> {
    const target = await ws.messaging.partitionOf(ws.topics.commands, of);
    const ids: string[] = [];
    for (let i = 0; ids.length < count; i++) {
      const candidate = `${of}-n${i}`;
      if ((await ws.messaging.partitionOf(ws.topics.commands, candidate)) === target) ids.push(candidate);
    }
    return ids;
  }

  const replayOf = (extra: Partial<Parameters<typeof replay>[1]> = {}) =>
    replay(
      { messaging: ws.messaging, codec: ws.codec },
      { aggregateId: id, topicPrefix: ws.prefix, ...extra },
    );

  it('names the partition the producer chose, for every key', async () => {
    const topic = randomName('it-partitions');
    await ws.messaging.ensureTopics([{ topic, partitions: 7 }]);
    for (let i = 0; i < 40; i++) {
      const key = `key-${i}-${Math.random().toString(36).slice(2)}`;
      const [position] = await ws.messaging.publisher().publish([{ topic, key, value: Buffer.from('x') }]);
      expect(await ws.messaging.partitionOf(topic, key)).toBe(position!.partition);
    }
  });

  it('rebuilds the full history and exactly the state the processor holds', async () => {
    const full = await replayOf({ verify: true });
    expect(full.events.map((e) => [e.version, e.type, e.offset])).toEqual([
      [1, 'DeploymentCreated', eventOffsets[0]],
      [2, 'DeploymentScaled', eventOffsets[1]],
      [3, 'DeploymentUpdated', eventOffsets[2]],
    ]);
    expect(full.events[1]).toMatchObject({
      time: HISTORY_TIMES[1],
      actor: 'alice',
      causationId: commandIds[1],
      correlationId: commandIds[1],
      previousHash: full.events[0]!.hash,
      data: { deploymentId: id, replicas: 4, previousReplicas: 2 },
    });
    expect(full).toMatchObject({ version: 3, later: 0, topic: ws.topics.events('deployments') });
    expect(full.state).toMatchObject({ status: 'Active', replicas: 4, revision: 2 });
    expect(full.verification).toEqual({ ok: true, checked: 3, head: full.events[2]!.hash, problems: [] });

    // Rebuilding from the log gives exactly the live state (DESIGN.md §1.4), hash head included.
    const snapshot = await liveSnapshot(full.partition);
    expect(full.state).toEqual(snapshot.state);
    expect([full.version, full.verification!.head]).toEqual([snapshot.version, snapshot.lastHash]);
  });

  it('stops at an offset (inclusive) with the state after it', async () => {
    const asOf = await replayOf({ asOfOffset: eventOffsets[1] });
    expect(asOf.events.map((e) => e.type)).toEqual(['DeploymentCreated', 'DeploymentScaled']);
    expect(asOf).toMatchObject({ version: 2, later: 1 });
    expect(asOf.state).toMatchObject({ status: 'Active', replicas: 4, revision: 1 });
  });

  it('stops at a time, comparing the events’ CloudEvents time', async () => {
    const between = await replayOf({ asOfTime: '2026-03-01T10:30:00Z' });
    expect(between.events.map((e) => e.version)).toEqual([1, 2]);
    expect(between.state).toMatchObject({ replicas: 4, revision: 1 });
    // Inclusive at the exact instant of an event.
    expect((await replayOf({ asOfTime: HISTORY_TIMES[0] })).version).toBe(1);
    const before = await replayOf({ asOfTime: '2026-03-01T08:59:59.999+00:00' });
    expect(before).toMatchObject({ events: [], version: 0, later: 3, state: { status: 'Absent' } });
  });

  describe('a tampered copy of the log', () => {
    /** Copies the aggregate's events to a new topic after `tamper`, and verifies the copy. */
    async function verifyCopy(
      tamper: (records: Awaited<ReturnType<typeof recordsOf>>) => Awaited<ReturnType<typeof recordsOf>>,
    ): Promise<{ result: Replay; offsets: string[] }> {
      const original = await recordsOf(ws.messaging, ws.topics.events('deployments'), id, 3);
      const topic = `${ws.prefix}.audit-${randomName('copy')}`;
      await ws.messaging.ensureTopics([{ topic, partitions: 3 }]);
      const offsets = await copyRecords(ws.messaging, topic, tamper(original));
      return { result: await replayOf({ topic, verify: true }), offsets };
    }

    it('is verified when copied faithfully', async () => {
      const { result } = await verifyCopy((records) => records);
      expect(result.verification).toMatchObject({ ok: true, checked: 3, problems: [] });
    });

    it('reports a flipped byte as a hash mismatch at that event only', async () => {
      const { result, offsets } = await verifyCopy((records) =>
        records.map((r, i) => (i === 1 ? { ...r, value: flipLastByte(r.value!) } : r)),
      );
      expect(result.verification!.problems).toEqual([
        { offset: offsets[1], version: 2, problem: 'hash mismatch', detail: expect.any(String) },
      ]);
      // The tampered value still decodes: replay shows what the record now claims.
      expect(result.events[1]!.data).toMatchObject({ previousReplicas: 3 });
    });

    it('reports a dropped event as a version gap and a broken link at the event after it', async () => {
      const { result, offsets } = await verifyCopy((records) => records.filter((_, i) => i !== 1));
      expect(result.verification!.problems).toEqual([
        { offset: offsets[1], version: 3, problem: 'version gap', detail: 'expected version 2, found 3' },
        { offset: offsets[1], version: 3, problem: 'broken link', detail: expect.any(String) },
      ]);
    });

    it('reports two swapped events at both of them', async () => {
      const { result, offsets } = await verifyCopy((r) => [r[0]!, r[2]!, r[1]!]);
      expect(result.verification!.problems.map((p) => [p.offset, p.version, p.problem])).toEqual([
        [offsets[1], 3, 'version gap'],
        [offsets[1], 3, 'broken link'],
        [offsets[2], 2, 'version gap'],
        [offsets[2], 2, 'broken link'],
      ]);
    });

    it('reports a repeated event as a duplicate version', async () => {
      const { result, offsets } = await verifyCopy((r) => [r[0]!, r[1]!, r[1]!, r[2]!]);
      expect(result.verification!.problems.map((p) => [p.offset, p.version, p.problem])).toEqual([
        [offsets[2], 2, 'duplicate version'],
        [offsets[2], 2, 'broken link'],
      ]);
    });
  });

  /** The aggregate snapshot the processor committed to the changelog. */
  async function liveSnapshot(partition: number): Promise<AggregateSnapshot> {
    let snapshot: AggregateSnapshot | undefined;
    await ws.messaging.readPartition(ws.topics.changelog, partition, (r) => {
      if (r.key?.toString() === `a/${id}` && r.value) snapshot = JSON.parse(r.value.toString());
    });
    return snapshot!;
  }
});
