import { toHeaders } from '../src/eventing/cloudevents';
import { listDeadLetters } from '../src/eventing/dead-letters';
import { runCli } from './support/cli';
import { createDeployment } from './support/deployments';
import { localSentinelEnv, randomName, waitFor } from './support/env';
import { writeSide } from './support/write-side';

describe('sentinel dlq (the built CLI) against the real broker and processor', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  const aggregateId = randomName('dep-cli-dlq');
  const commandId = randomName('cmd');
  // Dead letters are plain JSON on Kafka: the broker list is all these commands need.
  const kafkaOnly = { SENTINEL_KAFKA_BROKERS: localSentinelEnv().SENTINEL_KAFKA_BROKERS! };
  const dlq = (...args: string[]) => runCli(['dlq', ...args, '--topic-prefix', ws.prefix], kafkaOnly);

  beforeAll(async () => {
    ws = await writeSide();
    const processor = ws.processor();
    await processor.start();
    try {
      const { ce_source: _missing, ...headers } = toHeaders({
        id: commandId,
        source: '/sentinel/edge',
        type: 'sentinel.deployments.CreateDeployment',
        time: new Date().toISOString(),
        subject: aggregateId,
        actor: 'alice',
        correlationId: commandId,
        causationId: commandId,
      });
      const value = await ws.codec.encode(
        'sentinel.deployments.CreateDeployment',
        createDeployment(aggregateId),
      );
      await ws.messaging
        .publisher()
        .publish([{ topic: ws.topics.commands, key: aggregateId, value, headers }]);
      await waitFor('the dead letter', async () => (await listDeadLetters(ws.messaging, ws.topics.dlq))[0]);
    } finally {
      await processor.stop();
    }
  });
  afterAll(() => ws.close());

  it('lists dead letters as JSON and as text', async () => {
    const json = await dlq('list', '--json');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { topic: string; deadLetters: Record<string, unknown>[] };
    expect(doc.topic).toBe(ws.topics.dlq);
    expect(doc.deadLetters).toEqual([
      expect.objectContaining({
        offset: '0',
        reason: 'header ce_source is missing',
        source: expect.objectContaining({ topic: ws.topics.commands }),
        key: aggregateId,
        commandType: 'sentinel.deployments.CreateDeployment',
        commandId,
        valueBytes: expect.any(Number),
      }),
    ]);
    expect(doc.deadLetters[0]).not.toHaveProperty('letter');

    const text = await dlq('list');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^1 dead letter\\(s\\) in ${ws.topics.dlq}$`, 'm'));
    expect(text.stdout).toMatch(/^ {2}reason: header ce_source is missing$/m);
  });

  it('redrives one dead letter and says what went where', async () => {
    const run = await dlq('redrive', '--offset', '0');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const partition = await ws.messaging.partitionOf(ws.topics.commands, aggregateId);
    expect(run.stdout).toMatch(
      new RegExp(
        `^redriven ${ws.topics.dlq}/0/0 -> ${ws.topics.commands} partition ${partition} offset 1 ` +
          `\\(sentinel\\.deployments\\.CreateDeployment, id ${commandId}, key ${aggregateId}; ` +
          'it had failed: header ce_source is missing\\)$',
        'm',
      ),
    );
    expect(run.stdout).toMatch(/^1 record\(s\) redriven; /m);
  });

  it('refuses what it cannot do with exit code 1 and a hint', async () => {
    const neither = await dlq('redrive');
    expect(neither).toMatchObject({ code: 1, stderr: expect.stringContaining('--offset <offset> or --all') });
    const missing = await dlq('redrive', '--offset', '7');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no dead letter at offset 7 of ${ws.topics.dlq}`);
    const unconfigured = await runCli(['dlq', 'list'], {});
    expect(unconfigured.code).toBe(78);
  });
});
