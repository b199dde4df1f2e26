import { toHeaders } from '../src/eventing/cloudevents';
import type { DeadLetter } from '../src/eventing/dead-letter';
import { listDeadLetters, REDRIVEN_FROM, redrive } from '../src/eventing/dead-letters';
import type { IncomingRecord } from '../src/messaging/ports';
import { createDeployment } from './support/deployments';
import { randomName, waitFor } from './support/env';
import { newerBuild, newerProcessor } from './support/newer-build';
import { writeSide } from './support/write-side';

const CREATE = 'sentinel.deployments.CreateDeployment';

describe('dead letters: list and redrive, against the real broker, registry and processor', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  let results: Awaited<ReturnType<typeof ws.results>>;
  let commands: IncomingRecord[];
  // Each test gets topics of its own: dead letters accumulate, and counts must mean something.
  beforeEach(async () => {
    ws = await writeSide();
    results = await ws.results();
    commands = await ws.collect(ws.topics.commands);
  });
  afterEach(() => ws.close());

  const dlqTopics = () => ({ dlq: ws.topics.dlq, commands: ws.topics.commands });
  const headersFor = (commandId: string, aggregateId: string) =>
    toHeaders({
      id: commandId,
      source: '/sentinel/edge',
      type: CREATE,
      time: new Date().toISOString(),
      subject: aggregateId,
      actor: 'alice',
      correlationId: commandId,
      causationId: commandId,
    });
  const deadLetters = (atLeast: number) =>
    waitFor(`${atLeast} dead letter(s)`, async () => {
      const all = await listDeadLetters(ws.messaging, ws.topics.dlq);
      return all.length >= atLeast ? all : undefined;
    });
  const answers = (commandId: string, atLeast: number) =>
    waitFor(`${atLeast} answer(s) to ${commandId}`, () =>
      results.of(commandId).length >= atLeast ? results.of(commandId) : undefined,
    );
  const eventsOf = async (aggregateId: string) => {
    const topic = ws.topics.events('deployments');
    const found: IncomingRecord[] = [];
    await ws.messaging.readPartition(topic, await ws.messaging.partitionOf(topic, aggregateId), (r) => {
      if (r.key?.toString() === aggregateId) found.push(r);
    });
    return found;
  };
  const commandAt = (partition: number, offset: string) =>
    waitFor(`command ${partition}/${offset}`, () =>
      commands.find((r) => r.partition === partition && r.offset === offset),
    );
  const publishToDlq = (value: Buffer) =>
    ws.messaging.publisher().publish([{ topic: ws.topics.dlq, partition: 0, key: null, value }]);

  it('parks an unreadable command, lists it, redrives its exact bytes; still invalid, it is parked again', async () => {
    const processor = ws.processor();
    await processor.start();
    try {
      const aggregateId = randomName('dep-dlq');
      const commandId = randomName('cmd');
      // A valid CreateDeployment value whose envelope lacks ce_source.
      const { ce_source: _dropped, ...headers } = headersFor(commandId, aggregateId);
      const value = await ws.codec.encode(CREATE, createDeployment(aggregateId));
      const [sent] = await ws.messaging
        .publisher()
        .publish([{ topic: ws.topics.commands, key: aggregateId, value, headers }]);

      const [parked] = await deadLetters(1);
      expect(parked).toMatchObject({
        offset: '0',
        reason: 'header ce_source is missing',
        source: { topic: ws.topics.commands, partition: sent!.partition, offset: sent!.offset },
        key: aggregateId,
        commandType: CREATE,
        commandId,
        redrivenFrom: null,
      });
      expect(Date.parse(parked!.failedAt)).not.toBeNaN();

      // The original bytes, key and headers, to the partition they came from, plus where from.
      const { redriven } = await redrive(ws.messaging, dlqTopics(), { offset: parked!.offset });
      const from = `${ws.topics.dlq}/0/${parked!.offset}`;
      expect(redriven).toEqual([
        {
          from,
          entry: parked,
          to: {
            topic: ws.topics.commands,
            partition: sent!.partition,
            offset: String(Number(sent!.offset) + 1),
          },
        },
      ]);
      const original = await commandAt(sent!.partition, sent!.offset);
      const again = await commandAt(sent!.partition, redriven[0]!.to.offset);
      expect(again.value!.equals(original.value!)).toBe(true);
      expect(again.key!.equals(original.key!)).toBe(true);
      expect(again.headers).toEqual({ ...original.headers, [REDRIVEN_FROM]: from });

      // Still invalid: parked again with the same reason, and nothing else written.
      const [, reparked] = await deadLetters(2);
      expect(reparked).toMatchObject({ reason: parked!.reason, commandId, redrivenFrom: from });
      expect(reparked!.source!.offset).toBe(redriven[0]!.to.offset);

      // Redriving the same dead letter again is harmless: one more dead letter, no event.
      await redrive(ws.messaging, dlqTopics(), { offset: parked!.offset });
      await deadLetters(3);
      expect((await answers(commandId, 3)).map((r) => r.status)).toEqual(['invalid', 'invalid', 'invalid']);
      expect(await eventsOf(aggregateId)).toEqual([]);
    } finally {
      await processor.stop();
    }
  });

  it('redriven twice, a command is applied once: the second is answered as a duplicate', async () => {
    // A dead letter for a valid command the processor has never seen.
    const aggregateId = randomName('dep-twice');
    const commandId = randomName('cmd');
    const letter: DeadLetter = {
      reason: 'parked by an earlier build',
      source: {
        topic: ws.topics.commands,
        partition: await ws.messaging.partitionOf(ws.topics.commands, aggregateId),
        offset: '0',
      },
      key: aggregateId,
      headers: headersFor(commandId, aggregateId),
      value: (await ws.codec.encode(CREATE, createDeployment(aggregateId))).toString('base64'),
      failedAt: new Date().toISOString(),
    };
    await publishToDlq(Buffer.from(JSON.stringify(letter)));
    const processor = ws.processor();
    await processor.start();
    try {
      await redrive(ws.messaging, dlqTopics(), { offset: '0' });
      await answers(commandId, 1);
      // The operator runs it again after the first was applied: answered from the remembered id.
      await redrive(ws.messaging, dlqTopics(), { offset: '0' });
      const [first, second] = await answers(commandId, 2);
      expect(first).toMatchObject({ status: 'accepted', version: 1 });
      expect(second).toMatchObject({ status: 'accepted', version: 1, duplicate: true });
      expect((await eventsOf(aggregateId)).map((e) => e.headers.ce_type)).toEqual([
        'sentinel.deployments.DeploymentCreated',
      ]);
    } finally {
      await processor.stop();
    }
  });

  it('parks a command from a newer build; redriven to the upgraded processor it is applied', async () => {
    const aggregateId = randomName('dep-newer');
    const commandId = randomName('cmd');
    const newer = newerBuild(CREATE, 'rolloutNote');
    const value = await newer.encode(ws.config.schemaRegistry.url, ws.topics.commands, {
      ...createDeployment(aggregateId),
      rolloutNote: 'canary first',
    });
    const current = ws.processor();
    await current.start();
    try {
      await ws.messaging
        .publisher()
        .publish([
          { topic: ws.topics.commands, key: aggregateId, value, headers: headersFor(commandId, aggregateId) },
        ]);
      await answers(commandId, 1);
    } finally {
      await current.stop();
    }
    const [parked] = await deadLetters(1);
    expect(parked!.reason).toMatch(
      /^schema id \d+ \(sentinel\.deployments\.CreateDeployment\) is no version in schemas\/avro: it was written by a newer or a foreign build$/,
    );

    // The processor is upgraded to the build that has the version, then the command is redriven.
    const upgraded = await newerProcessor(newer.schemasDir, {
      registryUrl: ws.config.schemaRegistry.url,
      ...ws,
    });
    await upgraded.start();
    try {
      await redrive(ws.messaging, dlqTopics(), { offset: parked!.offset });
      const [, redriven] = await answers(commandId, 2);
      // A parked command is not remembered as processed, so the redrive applies it once.
      expect(redriven).toMatchObject({
        status: 'accepted',
        version: 1,
        events: [{ type: 'DeploymentCreated' }],
      });
      expect(redriven!.duplicate).toBeUndefined();
      expect(await eventsOf(aggregateId)).toHaveLength(1);
    } finally {
      await upgraded.stop();
    }
  });

  it('redrives every dead letter with all, skipping what is not a command', async () => {
    const aggregateId = randomName('dep-all');
    const value = await ws.codec.encode(CREATE, createDeployment(aggregateId));
    const letter = (topic: string, commandId: string): DeadLetter => ({
      reason: 'parked by a test',
      source: { topic, partition: 0, offset: '0' },
      key: aggregateId,
      headers: headersFor(commandId, aggregateId),
      value: value.toString('base64'),
      failedAt: new Date().toISOString(),
    });
    await publishToDlq(Buffer.from(JSON.stringify(letter(ws.topics.commands, randomName('cmd')))));
    await publishToDlq(Buffer.from('{oops'));
    await publishToDlq(Buffer.from(JSON.stringify(letter(ws.topics.events('deployments'), randomName('e')))));
    const listed = await deadLetters(3);
    expect(listed[1]).toMatchObject({
      offset: '1',
      reason: expect.stringMatching(/^unreadable dead letter: /),
    });

    const { redriven, skipped } = await redrive(ws.messaging, dlqTopics(), 'all');
    expect(redriven.map((r) => r.from)).toEqual([`${ws.topics.dlq}/0/0`]);
    expect(skipped.map((s) => [s.entry.offset, s.why])).toEqual([
      ['1', listed[1]!.reason],
      [
        '2',
        `it came from ${ws.topics.events('deployments')}; only commands (${ws.topics.commands}) are redriven`,
      ],
    ]);
    for (const offset of ['1', '2'])
      await expect(redrive(ws.messaging, dlqTopics(), { offset })).rejects.toMatchObject({
        code: 'NOT_REDRIVABLE',
      });
    await expect(redrive(ws.messaging, dlqTopics(), { offset: '9' })).rejects.toMatchObject({
      code: 'NO_SUCH_DEAD_LETTER',
      message: expect.stringContaining('it holds offsets 0..2'),
    });
    // Nothing was appended to the events topic the skipped letter names.
    expect(await ws.messaging.readPartition(ws.topics.events('deployments'), 0, () => undefined)).toBe(0);
  });
});
