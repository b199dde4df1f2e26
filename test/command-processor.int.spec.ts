import { Kafka, logLevel } from 'kafkajs';
import { fromHeaders } from '../src/eventing/cloudevents';
import { avroBody } from '../src/eventing/codec';
import type { CommandResult } from '../src/eventing/command-result';
import { deployments } from '../src/eventing/contexts';
import { chainHash, GENESIS_HASH } from '../src/eventing/hash-chain';
import type { IncomingRecord } from '../src/messaging/ports';
import { createDeployment } from './support/deployments';
import { waitFor } from './support/env';
import { writeSide } from './support/write-side';

describe('command processor against the real broker and registry', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  beforeAll(async () => (ws = await writeSide()));
  afterAll(() => ws.close());

  const send = (
    type: string,
    aggregateId: string,
    data: object,
    extra: { commandId?: string; expectedVersion?: number } = {},
  ) =>
    ws.sender.send({
      context: deployments,
      type,
      aggregateId,
      data: { deploymentId: aggregateId, ...data },
      actor: 'alice',
      ...extra,
    });

  it('appends versioned, hash-chained CloudEvents and answers every command exactly once', async () => {
    const results = await ws.results();
    const events = await ws.collect(ws.topics.events('deployments'));
    const answer = (id: string) => waitFor(`the result of ${id}`, () => results.of(id)[0]);
    let processor = ws.processor();
    await processor.start();

    const created = await send('CreateDeployment', 'dep-a', createDeployment('dep-a'));
    expect(await answer(created.commandId)).toMatchObject({
      status: 'accepted',
      version: 1,
      events: [{ type: 'DeploymentCreated', version: 1 }],
    });

    const scaled = await send('ScaleDeployment', 'dep-a', { replicas: 4 }, { expectedVersion: 1 });
    const scaledResult = await answer(scaled.commandId);
    expect(scaledResult).toMatchObject({ status: 'accepted', version: 2 });

    const stale = await send('ScaleDeployment', 'dep-a', { replicas: 9 }, { expectedVersion: 1 });
    expect(await answer(stale.commandId)).toMatchObject({
      status: 'conflict',
      version: 2,
      reasons: ['expected version 1 but the aggregate is at version 2'],
    });

    const missing = await send('ScaleDeployment', 'dep-missing', { replicas: 1 });
    expect(await answer(missing.commandId)).toMatchObject({
      status: 'rejected',
      version: 1,
      reasons: ['deployment dep-missing does not exist'],
    });

    // The same command id again: the original outcome, marked duplicate, and no new event.
    await send('CreateDeployment', 'dep-a', createDeployment('dep-a'), { commandId: created.commandId });
    await waitFor('the duplicate answer', () => results.of(created.commandId)[1]);
    expect(results.of(created.commandId)[1]).toMatchObject({
      status: 'accepted',
      version: 1,
      duplicate: true,
    });

    // A new processor instance restores aggregates and processed ids from the changelog.
    await processor.stop();
    processor = ws.processor();
    await processor.start();
    const again = await send(
      'ScaleDeployment',
      'dep-a',
      { replicas: 4 },
      { commandId: scaled.commandId, expectedVersion: 1 },
    );
    await waitFor('the duplicate after restart', () => results.of(again.commandId)[1]);
    expect(results.of(scaled.commandId)[1]).toMatchObject({ ...pick(scaledResult), duplicate: true });
    const updated = await send(
      'UpdateDeployment',
      'dep-a',
      { image: 'registry.example/llm:2.0', env: null, resources: null },
      { expectedVersion: 2 },
    );
    expect(await answer(updated.commandId)).toMatchObject({
      status: 'accepted',
      version: 3,
      events: [{ type: 'DeploymentUpdated' }],
    });
    await processor.stop();

    await waitFor('all events', () => (events.length >= 4 ? true : undefined));
    const chainA = events.filter((e) => e.key!.toString() === 'dep-a');
    expect(chainA.map((e) => fromHeaders(e.headers).type)).toEqual([
      'sentinel.deployments.DeploymentCreated',
      'sentinel.deployments.DeploymentScaled',
      'sentinel.deployments.DeploymentUpdated',
    ]);
    expectValidChain(chainA);
    // The positions in the results are where the events really are.
    const position = (await answer(updated.commandId)).events[0]!;
    expect(chainA[2]).toMatchObject({ partition: position.partition, offset: position.offset });
  });

  it('predicts event offsets right and skips what the changelog says was processed', async () => {
    const results = await ws.results();
    const events = await ws.collect(ws.topics.events('deployments'));
    const answer = (id: string) => waitFor(`the result of ${id}`, () => results.of(id)[0]);
    const processor = ws.processor();
    await processor.start();
    // One aggregate, one partition: after the first commit every later batch's event offsets are
    // predicted and sent in one request with the results that name them.
    const sent = [await send('CreateDeployment', 'dep-p', createDeployment('dep-p'))];
    await answer(sent[0]!.commandId);
    for (let i = 1; i <= 12; i++) sent.push(await send('ScaleDeployment', 'dep-p', { replicas: i }));
    const answered = await Promise.all(sent.map((c) => answer(c.commandId)));
    await waitFor('13 events', () =>
      events.filter((e) => e.key!.toString() === 'dep-p').length >= 13 ? true : undefined,
    );
    const at = new Map(events.map((e) => [`${e.partition}/${e.offset}`, e]));
    for (const [i, result] of answered.entries()) {
      expect(result.status).toBe('accepted');
      const event = at.get(`${result.events[0]!.partition}/${result.events[0]!.offset}`);
      expect(event?.headers.ce_causationid).toBe(sent[i]!.commandId);
    }
    await processor.stop();

    // The group's offsets are only where fetching resumes: rewound to the start, a new processor
    // is handed every command again and answers none of them twice.
    const admin = new Kafka({ brokers: ws.config.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.resetOffsets({
      groupId: `${ws.prefix}-processor`,
      topic: ws.topics.commands,
      earliest: true,
    });
    await admin.disconnect();
    const before = results.all().length;
    const next = ws.processor();
    await next.start();
    const fresh = await send('ScaleDeployment', 'dep-p', { replicas: 20 });
    expect(await answer(fresh.commandId)).toMatchObject({ status: 'accepted', version: 14 });
    await next.stop();
    expect(results.all().length).toBe(before + 1);
  });

  it('works off a backlog in transactions of at most 20 events, in order', async () => {
    const results = await ws.results();
    // Sent while no processor runs: the next one is handed all 50 in one batch.
    const sent = [await send('CreateDeployment', 'dep-backlog', createDeployment('dep-backlog'))];
    for (let i = 1; i < 50; i++) sent.push(await send('ScaleDeployment', 'dep-backlog', { replicas: i }));
    const processor = ws.processor();
    await processor.start();
    const answered = await waitFor('50 answers', () => {
      const all = sent.map((c) => results.of(c.commandId)[0]);
      return all.every((r) => r !== undefined) ? (all as CommandResult[]) : undefined;
    });
    await processor.stop();
    expect(answered.map((r) => r.version)).toEqual(sent.map((_, i) => i + 1));
    // Each commit marker takes an offset: the events' offsets come in one run per transaction.
    const offsets = answered.map((r) => Number(r.events[0]!.offset));
    const runs: number[] = [1];
    for (let i = 1; i < offsets.length; i++) {
      if (offsets[i] === offsets[i - 1]! + 1) runs[runs.length - 1]! += 1;
      else runs.push(1);
    }
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...runs)).toBeLessThanOrEqual(20);
  });

  it('sends an unreadable command to the dead-letter topic with its reason, and goes on', async () => {
    const results = await ws.results();
    const dlq = await ws.collect(ws.topics.dlq);
    const processor = ws.processor();
    await processor.start();
    try {
      await ws.messaging.publisher().publish([
        {
          topic: ws.topics.commands,
          key: 'dep-x',
          value: Buffer.from('not avro'),
          headers: { ce_id: 'garbage-1', ce_specversion: '1.0' },
        },
      ]);
      const after = await send('CreateDeployment', 'dep-b', createDeployment('dep-b'));
      await waitFor('the next command to be answered', () => results.of(after.commandId)[0]);
      await waitFor('the dead letter', () => dlq[0]);
      expect(results.of('garbage-1')[0]).toMatchObject({
        status: 'invalid',
        reasons: ['header ce_source is missing'],
      });
      expect(JSON.parse(dlq[0]!.value!.toString())).toMatchObject({
        reason: 'header ce_source is missing',
        source: { topic: ws.topics.commands },
        value: Buffer.from('not avro').toString('base64'),
      });
    } finally {
      await processor.stop();
    }
  });
});

function pick(r: CommandResult) {
  const { commandId, status, version, events } = r;
  return { commandId, status, version, events };
}

/** Every event links to its predecessor, versions are contiguous, and each hash recomputes. */
function expectValidChain(records: IncomingRecord[]) {
  let previous = GENESIS_HASH;
  records.forEach((record, i) => {
    const attrs = fromHeaders(record.headers);
    expect(attrs.version).toBe(i + 1);
    expect(attrs.previousHash).toBe(previous);
    expect(chainHash(previous, { ...attrs, version: attrs.version! }, avroBody(record.value!))).toBe(
      attrs.hash,
    );
    previous = attrs.hash!;
  });
}
