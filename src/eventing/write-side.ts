import type { Config } from '../infrastructure/config/config';
import type { Logger } from '../infrastructure/logging/logger';
import type { AvroRegistry } from '../infrastructure/schema-registry/avro-registry';
import { RegistryCodec } from '../infrastructure/schema-registry/registry-codec';
import type { Messaging } from '../messaging/ports';
import { CommandProcessor } from './command-processor';
import type { CommandResult } from './command-result';
import { CommandSender } from './command-sender';
import { CONTEXTS } from './contexts';
import { topics as topicLayout, type Topics } from './topics';

export const PROCESSOR_GROUP = 'command-processor';

export interface WriteSide {
  topics: Topics;
  codec: RegistryCodec;
  sender: CommandSender;
}

/**
 * Creates the topics (explicitly: broker auto-creation is off) and registers every schema, then
 * returns what senders need. Safe to run from every process at start-up: both steps are idempotent.
 */
export async function prepareWriteSide(
  config: Config,
  messaging: Messaging,
  registry: AvroRegistry,
): Promise<WriteSide> {
  const topics = topicLayout({
    prefix: config.eventing.topicPrefix,
    partitions: config.eventing.partitions,
    contexts: CONTEXTS.map((c) => c.name),
    commandLogRetentionMs: config.eventing.commandLogRetentionMs,
  });
  await messaging.ensureTopics(topics.specs());
  const codec = await RegistryCodec.create(registry, { commands: topics.commands, events: topics.events });
  return { topics, codec, sender: new CommandSender(messaging.publisher(), codec, topics) };
}

export async function startCommandProcessor(
  config: Config,
  logger: Logger,
  messaging: Messaging,
  writeSide: WriteSide,
  onCommitted?: (results: readonly CommandResult[]) => void,
): Promise<CommandProcessor> {
  const processor = new CommandProcessor({
    groupId: `${config.eventing.topicPrefix}-${PROCESSOR_GROUP}`,
    topics: writeSide.topics,
    contexts: CONTEXTS,
    codec: writeSide.codec,
    messaging,
    logger: logger.child({ component: 'command-processor' }),
    idempotencyRetentionMs: config.eventing.idempotencyRetentionMs,
    ...(onCommitted && { onCommitted }),
  });
  await processor.start();
  return processor;
}
