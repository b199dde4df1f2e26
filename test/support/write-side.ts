import { CommandProcessor } from '../../src/eventing/command-processor';
import { decodeResult, type CommandResult } from '../../src/eventing/command-result';
import { CommandSender } from '../../src/eventing/command-sender';
import { CONTEXTS } from '../../src/eventing/contexts';
import { topics as topicLayout, type Topics } from '../../src/eventing/topics';
import { KafkaMessaging } from '../../src/infrastructure/kafka/kafka-messaging';
import { AvroRegistry } from '../../src/infrastructure/schema-registry/avro-registry';
import { RegistryCodec } from '../../src/infrastructure/schema-registry/registry-codec';
import type { IncomingRecord, Subscription } from '../../src/messaging/ports';
import { randomName, testConfig, testLogger } from './env';

/** A write side on topics of its own (random prefix), against the real broker and registry. */
export async function writeSide(partitions = 3) {
  const config = testConfig();
  const prefix = randomName('it').replace(/-/g, '_');
  const topics: Topics = topicLayout({
    prefix,
    partitions,
    contexts: CONTEXTS.map((c) => c.name),
    commandLogRetentionMs: 3600_000,
  });
  const messaging = new KafkaMessaging({ ...config.kafka, logger: testLogger(), logLevel: config.logLevel });
  await messaging.ensureTopics(topics.specs());
  const codec = await RegistryCodec.create(new AvroRegistry(config.schemaRegistry.url), {
    commands: topics.commands,
    events: topics.events,
  });
  const sender = new CommandSender(messaging.publisher(), codec, topics);
  const subscriptions: Subscription[] = [];
  const processor = (onCommitted?: (results: readonly CommandResult[]) => void) =>
    new CommandProcessor({
      groupId: `${prefix}-processor`,
      topics,
      contexts: CONTEXTS,
      codec,
      messaging,
      logger: testLogger(),
      idempotencyRetentionMs: 24 * 3600_000,
      ...(onCommitted && { onCommitted }),
    });

  /**
   * Every committed record of a topic, as it arrives, each once: the subscriber is
   * at-least-once (after a broker restart it may deliver a record again), so records are
   * de-duplicated by their position.
   */
  async function collect(topic: string): Promise<IncomingRecord[]> {
    const seen: IncomingRecord[] = [];
    const positions = new Set<string>();
    subscriptions.push(
      await messaging.subscribe({
        groupId: randomName('it-reader'),
        topics: [topic],
        fromBeginning: true,
        handle: async (b) => {
          for (const r of b.records) {
            const position = `${r.partition}/${r.offset}`;
            if (!positions.has(position)) seen.push(r);
            positions.add(position);
          }
        },
      }),
    );
    return seen;
  }

  /** Reads command results as they arrive; `of(id)` lists every answer given to a command id. */
  async function results() {
    const records = await collect(topics.commandResults);
    return {
      of: (commandId: string): CommandResult[] =>
        records.map((r) => decodeResult(r.value!)).filter((r) => r.commandId === commandId),
      all: (): CommandResult[] => records.map((r) => decodeResult(r.value!)),
    };
  }

  return {
    config,
    prefix,
    partitions,
    topics,
    messaging,
    codec,
    sender,
    processor,
    collect,
    results,
    close: async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
      await messaging.close();
    },
  };
}
