import { createServer } from 'http';
import type { AddressInfo } from 'net';
import { randomName, testConfig, testLogger, waitFor } from '../../../test/support/env';
import { KafkaMessaging } from '../kafka/kafka-messaging';
import type { Subscription } from '../../messaging/ports';
import { AvroRecordSchema, AvroRegistry, topicRecordSubject, wireSchemaId } from './avro-registry';

const config = testConfig();

describe('AvroRegistry against the real schema registry', () => {
  const registry = new AvroRegistry(config.schemaRegistry.url);
  const namespace = `it.${randomName('ns').replace(/-/g, '_')}`;
  const v1: AvroRecordSchema = {
    type: 'record',
    name: 'ModelDeployed',
    namespace,
    fields: [
      { name: 'model', type: 'string' },
      { name: 'replicas', type: 'int' },
    ],
  };

  it('registers a schema, and encodes, produces, consumes and decodes a value', async () => {
    const topic = randomName('it-avro');
    const subject = topicRecordSubject(topic, `${namespace}.ModelDeployed`);
    const id = await registry.register(v1, subject);
    expect(await registry.register(v1, subject)).toBe(id);

    const messaging = new KafkaMessaging({
      ...config.kafka,
      logger: testLogger(),
      logLevel: config.logLevel,
    });
    let sub: Subscription | undefined;
    try {
      await messaging.ensureTopics([{ topic, partitions: 1 }]);
      const value = await registry.encode(id, { model: 'llama-3-8b', replicas: 3 });
      expect(wireSchemaId(value)).toBe(id);
      await messaging.publisher().publish([{ topic, key: 'dep-1', value }]);

      const decoded: unknown[] = [];
      sub = await messaging.subscribe({
        groupId: randomName('it-avro-reader'),
        topics: [topic],
        fromBeginning: true,
        handle: async (batch) => {
          for (const r of batch.records)
            decoded.push(await new AvroRegistry(config.schemaRegistry.url).decode(r.value!));
        },
      });
      await waitFor('the decoded record', () => (decoded.length > 0 ? true : undefined));
      expect(decoded).toEqual([{ model: 'llama-3-8b', replicas: 3 }]);
    } finally {
      await sub?.stop();
      await messaging.close();
    }
  });

  it('finishes a first registration cut off before the subject got its compatibility level', async () => {
    const subject = topicRecordSubject(randomName('it-cutoff'), `${namespace}.ModelDeployed`);
    const url = `${config.schemaRegistry.url}/subjects/${encodeURIComponent(subject)}/versions`;
    const headers = { 'content-type': 'application/vnd.schemaregistry.v1+json' };
    // What a start killed between the client's two requests leaves: a version, and no level.
    const cutOff = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ schema: JSON.stringify(v1) }),
    });
    const { id } = (await cutOff.json()) as { id: number };
    const level = async () =>
      (
        (await (
          await fetch(`${config.schemaRegistry.url}/config/${encodeURIComponent(subject)}`)
        ).json()) as {
          compatibilityLevel: string;
        }
      ).compatibilityLevel;
    expect(await level()).toBe('NONE');

    expect(await registry.register(v1, subject)).toBe(id);
    expect(await level()).toBe('BACKWARD_TRANSITIVE');
    // The level now protects the subject: a breaking change is refused.
    const breaking = { ...v1, fields: [...v1.fields, { name: 'gpu', type: 'int' }] };
    await expect(registry.register(breaking, subject)).rejects.toThrow();
  });

  it('knows the schemas this process registered, and asks for any other id once', async () => {
    const subject = topicRecordSubject(randomName('it-avro'), `${namespace}.ModelDeployed`);
    const fetched = jest.spyOn(globalThis, 'fetch');
    try {
      const id = await registry.register(v1, subject);
      fetched.mockClear();
      // Another instance in the same process, as the projections' decoder is.
      expect(await new AvroRegistry(config.schemaRegistry.url).schemaById(id)).toEqual(v1);
      expect(fetched).not.toHaveBeenCalled();

      // The same registry under another spelling of its address knows nothing yet.
      const url = config.schemaRegistry.url;
      const alias = url.includes('127.0.0.1')
        ? url.replace('127.0.0.1', 'localhost')
        : url.replace('localhost', '127.0.0.1');
      expect(alias).not.toBe(url);
      const other = new AvroRegistry(alias);
      const answers = await Promise.all([other.schemaById(id), other.schemaById(id), other.schemaById(id)]);
      expect(answers.map((a) => (a as AvroRecordSchema).name)).toEqual(Array(3).fill('ModelDeployed'));
      expect(fetched).toHaveBeenCalledTimes(1);
    } finally {
      fetched.mockRestore();
    }
  });

  it('rejects a change that breaks BACKWARD_TRANSITIVE compatibility, and accepts a compatible one', async () => {
    const subject = topicRecordSubject(randomName('it-compat'), `${namespace}.ModelDeployed`);
    await registry.register(v1, subject);
    const withDefault = { ...v1, fields: [...v1.fields, { name: 'gpu', type: 'int', default: 0 }] };
    const withoutDefault = { ...v1, fields: [...v1.fields, { name: 'team', type: 'string' }] };
    await expect(registry.register(withDefault, subject)).resolves.toEqual(expect.any(Number));
    await expect(registry.register(withoutDefault, subject)).rejects.toThrow(/compatib/i);
  });

  it('answers the readiness ping', async () => {
    await expect(registry.ping(10_000)).resolves.toBeUndefined();
  });

  it('fails the ping for a URL that is not a registry', async () => {
    // Not the registry's own 404: in two CI runs Apicurio logged its 404 for an unknown path
    // and the answer never reached the client. Any HTTP server that answers 404 will do.
    const server = createServer((_req, res) => res.writeHead(404).end('not here'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await expect(new AvroRegistry(`http://127.0.0.1:${port}/apis/ccompat/v7`).ping(10_000)).rejects.toThrow(
        'schema registry answered 404 for GET /config',
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
