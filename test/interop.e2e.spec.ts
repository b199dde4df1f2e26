import { execFile } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';
import { deployments } from '../src/eventing/contexts';
import { createDeployment } from './support/deployments';
import { REPO_ROOT, waitFor } from './support/env';
import { writeSide } from './support/write-side';

const PYTHON = join(REPO_ROOT, '.stack', 'interop-venv', 'bin', 'python');

/**
 * DESIGN.md §2: any Kafka consumer, in any language, reads Sentinel's events with a stock
 * Confluent-compatible Avro deserializer (only the registry URL) and a CloudEvents SDK.
 */
it('is readable by a Python consumer with stock Confluent Avro and CloudEvents libraries', async () => {
  const ws = await writeSide(1);
  const processor = ws.processor();
  const results = await ws.results();
  try {
    await processor.start();
    const created = await ws.sender.send({
      context: deployments,
      type: 'CreateDeployment',
      aggregateId: 'dep-py',
      data: createDeployment('dep-py'),
      actor: 'alice',
    });
    const scaled = await ws.sender.send({
      context: deployments,
      type: 'ScaleDeployment',
      aggregateId: 'dep-py',
      data: { deploymentId: 'dep-py', replicas: 7 },
      actor: 'bob',
    });
    await waitFor('both outcomes', () =>
      results.of(created.commandId)[0] && results.of(scaled.commandId)[0] ? true : undefined,
    );

    const { stdout } = await promisify(execFile)(
      PYTHON,
      [
        join(__dirname, 'interop', 'read_events.py'),
        ws.config.kafka.brokers.join(','),
        ws.config.schemaRegistry.url,
        ws.topics.events('deployments'),
        '2',
      ],
      { timeout: 60_000 },
    );
    const events = JSON.parse(stdout) as {
      attributes: Record<string, string>;
      data: Record<string, unknown>;
    }[];
    expect(events).toHaveLength(2);
    expect(events[0]!.attributes).toMatchObject({
      specversion: '1.0',
      type: 'sentinel.deployments.DeploymentCreated',
      source: '/sentinel/deployments',
      subject: 'dep-py',
      datacontenttype: 'application/avro',
      actor: 'alice',
      causationid: created.commandId,
      aggregateversion: '1',
    });
    expect(events[0]!.data).toMatchObject({
      deploymentId: 'dep-py',
      replicas: 2,
      kind: 'Deployment',
      resources: { cpu: '2', memory: '8Gi', gpu: 1 },
    });
    expect(events[1]!.attributes).toMatchObject({
      type: 'sentinel.deployments.DeploymentScaled',
      actor: 'bob',
      aggregateversion: '2',
      prevhash: events[0]!.attributes.eventhash,
    });
    expect(events[1]!.data).toEqual({ deploymentId: 'dep-py', replicas: 7, previousReplicas: 2 });
  } finally {
    await processor.stop();
    await ws.close();
  }
});
