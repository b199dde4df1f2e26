import { generateKeyPairSync } from 'crypto';
import { auditedTopics, digestsTopic } from '../src/audit/audit-topics';
import { encodeDigest, decodeDigest } from '../src/audit/digest';
import { DigestPublisher } from '../src/audit/digest-publisher';
import { verifyDigests } from '../src/audit/digest-verify';
import { verifyLog } from '../src/audit/log-scan';
import { topics as topicLayout } from '../src/eventing/topics';
import { CONTEXTS } from '../src/eventing/contexts';
import type { IncomingRecord } from '../src/messaging/ports';
import { randomName, waitFor } from './support/env';
import { copyRecords, createScaleUpdate, flipLastByte } from './support/event-log';
import { writeSide } from './support/write-side';

/** Every committed record of a topic, partition by partition, in offset order. */
async function allRecords(
  ws: Awaited<ReturnType<typeof writeSide>>,
  topic: string,
): Promise<IncomingRecord[]> {
  const records: IncomingRecord[] = [];
  for (let p = 0; p < (await ws.messaging.partitionCount(topic)); p++)
    await ws.messaging.readPartition(topic, p, (r) => void records.push(r));
  return records;
}

describe('tamper evidence for the whole log (real broker)', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  const ids = [randomName('dep-a'), randomName('dep-b')];
  let original: IncomingRecord[];

  beforeAll(async () => {
    ws = await writeSide();
    const results = await ws.results();
    const processor = ws.processor();
    await processor.start();
    try {
      for (const id of ids) await createScaleUpdate(ws.sender, id, (c) => waitFor(c, () => results.of(c)[0]));
    } finally {
      await processor.stop();
    }
    original = await allRecords(ws, ws.topics.events('deployments'));
  });
  afterAll(() => ws.close());

  const eventsOf = (id: string) => original.filter((r) => r.headers.ce_subject === id);

  /** Copies the log with `change` applied, returning the copy's topic and each copied record's position. */
  async function tamperedCopy(change: (records: IncomingRecord[]) => IncomingRecord[]) {
    const topic = `${ws.prefix}.copy-${randomName('t')}`;
    await ws.messaging.ensureTopics([{ topic, partitions: ws.partitions }]);
    const changed = change([...original]);
    const offsets = await copyRecords(ws.messaging, topic, changed);
    const at = (r: IncomingRecord) => ({
      partition: r.partition,
      offset: offsets[changed.indexOf(r)],
    });
    const result = await verifyLog(ws.messaging, { topics: [topic] });
    return { topic, at, result };
  }

  it('verifies the live log and a clean copy with zero problems, despite non-contiguous offsets', async () => {
    const live = await verifyLog(ws.messaging, { topics: auditedTopics(ws.prefix) });
    expect(live).toMatchObject({
      ok: true,
      problems: [],
      checked: { topics: 3, partitions: 9, records: 6, aggregates: 2 },
    });
    const { result } = await tamperedCopy((rs) => rs);
    expect(result).toMatchObject({ ok: true, checked: { records: 6, aggregates: 2 } });
  });

  it('reports a flipped byte as a hash mismatch at the record', async () => {
    const victim = eventsOf(ids[0]!)[1]!;
    const flipped = { ...victim, value: flipLastByte(victim.value!) };
    const { topic, at, result } = await tamperedCopy((rs) => rs.map((r) => (r === victim ? flipped : r)));
    expect(result.problems).toEqual([
      expect.objectContaining({
        kind: 'hash mismatch',
        topic,
        ...at(flipped),
        aggregateId: ids[0],
        version: 2,
      }),
    ]);
  });

  it('reports a dropped event as a version gap and a broken link at the next event', async () => {
    const [, dropped, next] = eventsOf(ids[0]!);
    const { topic, at, result } = await tamperedCopy((rs) => rs.filter((r) => r !== dropped));
    expect(result.problems.map((p) => [p.kind, p.topic, p.partition, p.offset, p.version])).toEqual([
      ['version gap', topic, at(next!).partition, at(next!).offset, 3],
      ['broken link', topic, at(next!).partition, at(next!).offset, 3],
    ]);
  });

  it('reports two swapped events of one aggregate at both records', async () => {
    const [, second, third] = eventsOf(ids[1]!);
    const { at, result } = await tamperedCopy((rs) => {
      const [i, j] = [rs.indexOf(second!), rs.indexOf(third!)];
      [rs[i], rs[j]] = [rs[j]!, rs[i]!];
      return rs;
    });
    const where = result.problems.map((p) => [p.kind, p.offset, p.aggregateId]);
    expect(where).toEqual(
      expect.arrayContaining([
        ['version gap', at(third!).offset, ids[1]],
        ['broken link', at(third!).offset, ids[1]],
        ['broken link', at(second!).offset, ids[1]],
      ]),
    );
    expect(result.problems.every((p) => p.kind !== 'hash mismatch')).toBe(true);
  });

  it('reports a well-formed forged event with a made-up hash, and the link it breaks', async () => {
    const [first, second] = eventsOf(ids[0]!);
    const forged = {
      ...second!,
      headers: { ...second!.headers, ce_id: 'forged', ce_actor: 'mallory', ce_eventhash: 'f'.repeat(64) },
    };
    const { at, result } = await tamperedCopy((rs) => rs.flatMap((r) => (r === first ? [r, forged] : [r])));
    expect(result.problems.map((p) => [p.kind, p.offset, p.version])).toEqual([
      ['hash mismatch', at(forged).offset, 2],
      ['duplicate version', at(second!).offset, 2],
      ['broken link', at(second!).offset, 2],
    ]);
  });

  describe('signed digests', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    /** A prefix whose event topics were written without transactions: a copy keeps their offsets. */
    const prefix = randomName('dg').replace(/-/g, '_');
    let digests: string;

    beforeAll(async () => {
      const layout = topicLayout({
        prefix,
        partitions: 3,
        contexts: CONTEXTS.map((c) => c.name),
        commandLogRetentionMs: 3600_000,
      });
      await ws.messaging.ensureTopics(layout.specs());
      digests = digestsTopic(prefix);
      const [firstHalf, secondHalf] = [original.slice(0, 3), original.slice(3)];
      const publisher = (id: string) =>
        new DigestPublisher(ws.messaging, {
          eventTopics: auditedTopics(prefix),
          digestsTopic: digests,
          privateKey,
          transactionalId: id,
        });
      // Two publishers sharing one id take turns: each fences the other, and the chain never forks.
      const [a, b] = [publisher(`${prefix}-digests`), publisher(`${prefix}-digests`)];
      await copyRecords(ws.messaging, layout.events('deployments'), firstHalf);
      await a.publish();
      await copyRecords(ws.messaging, layout.events('deployments'), secondHalf);
      await b.publish();
      await expect(a.publish()).rejects.toThrow();
      await a.publish();
      await Promise.all([a.close(), b.close()]);
    });

    it('verifies the chain and every range with the right public key', async () => {
      const result = await verifyDigests(ws.messaging, { digestsTopic: digests, publicKey });
      expect(result).toMatchObject({ ok: true, digests: 3, recomputed: 3, records: 6, problems: [] });
    });

    it('rejects every digest under the wrong public key', async () => {
      const wrong = generateKeyPairSync('ed25519').publicKey;
      const result = await verifyDigests(ws.messaging, { digestsTopic: digests, publicKey: wrong });
      expect(result.problems.map((p) => [p.kind, p.sequence])).toEqual([
        ['bad signature', 1],
        ['bad signature', 2],
        ['bad signature', 3],
      ]);
    });

    it('rejects a copy of the log with a changed record in a covered range, and accepts a clean copy', async () => {
      const covered = topicLayout({
        prefix,
        partitions: 3,
        contexts: ['deployments'],
        commandLogRetentionMs: 1,
      }).events('deployments');
      const source = await allRecords(ws, covered);
      const copy = async (records: IncomingRecord[]) => {
        const topic = `${prefix}.copy-${randomName('c')}`;
        await ws.messaging.ensureTopics([{ topic, partitions: 3 }]);
        await copyRecords(ws.messaging, topic, records);
        return verifyDigests(ws.messaging, {
          digestsTopic: digests,
          publicKey,
          topicMap: new Map([[covered, topic]]),
        });
      };
      expect(await copy(source)).toMatchObject({ ok: true });
      const victim = source[4]!;
      const changed = await copy(
        source.map((r) => (r === victim ? { ...r, value: flipLastByte(r.value!) } : r)),
      );
      expect(changed.problems).toEqual([
        expect.objectContaining({
          kind: 'record altered',
          partition: victim.partition,
          offset: victim.offset,
        }),
      ]);
      const rehashed = await copy(
        source.map((r) =>
          r === victim ? { ...r, headers: { ...r.headers, ce_eventhash: 'f'.repeat(64) } } : r,
        ),
      );
      expect(rehashed.problems.map((p) => p.kind)).toEqual(['record altered', 'range mismatch']);
    });

    it('rejects a digest whose body was changed', async () => {
      const records: IncomingRecord[] = [];
      await ws.messaging.readPartition(digests, 0, (r) => void records.push(r));
      const topic = `${prefix}.digests-copy`;
      await ws.messaging.ensureTopics([{ topic, partitions: 1 }]);
      const altered = records.map((r, i) => {
        if (i !== 1) return r;
        const d = decodeDigest(r.value);
        return {
          ...r,
          value: encodeDigest({ ...d, body: { ...d.body, createdAt: '2020-01-01T00:00:00.000Z' } }),
        };
      });
      await copyRecords(ws.messaging, topic, altered);
      const result = await verifyDigests(ws.messaging, { digestsTopic: topic, publicKey });
      expect(result.problems.map((p) => [p.kind, p.sequence])).toEqual([
        ['bad signature', 2],
        ['broken link', 3],
      ]);
    });
  });
});
