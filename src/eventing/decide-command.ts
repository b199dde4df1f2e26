import { createHash } from 'crypto';
import type { IncomingRecord, PartitionedRecord, RecordPosition } from '../messaging/ports';
import { type CloudEventAttributes, fromHeaders, toHeaders } from './cloudevents';
import { avroBody, type ContractCodec } from './codec';
import type { CommandResult } from './command-result';
import { type BoundedContext, contextOfCommand } from './contexts';
import { chainHash, GENESIS_HASH } from './hash-chain';
import type { AggregateSnapshot, StagedChanges } from './partition-state';
import type { Topics } from './topics';

/** One command's outcome before its events have offsets: `finish` builds the result once they do. */
export interface Decision {
  events: PartitionedRecord[];
  deadLetters: PartitionedRecord[];
  /** `earlier` holds the results of the commands before this one in the batch. */
  finish(positions: RecordPosition[], processedAt: string, earlier: readonly CommandResult[]): CommandResult;
}

export interface DecideDeps {
  contexts: readonly BoundedContext[];
  codec: ContractCodec;
  topics: Topics;
  /** The outcome a processed command's changelog record holds, for one no longer in memory. */
  storedOutcome(commandId: string, partition: number, offset: number): Promise<CommandResult>;
}

/**
 * Reads one command record, checks idempotency and the expected version, runs the pure decider
 * and stages the new aggregate snapshot. Throws for records that cannot be read at all; the
 * processor dead-letters those.
 */
export async function decideCommand(
  record: IncomingRecord,
  staged: StagedChanges,
  deps: DecideDeps,
): Promise<Decision> {
  const { attrs, fullName, data, context, type } = await readCommand(record, deps);
  const base = {
    commandId: attrs.id,
    aggregateId: attrs.subject,
    commandType: fullName,
    ...(attrs.requestHash !== undefined && { requestHash: attrs.requestHash }),
  };

  const earlier = staged.processedCommand(attrs.id);
  if (earlier) {
    const result =
      earlier.result !== undefined
        ? earlier.result
        : await deps.storedOutcome(attrs.id, record.partition, earlier.offset);
    return answer({ ...result, duplicate: true });
  }

  const current: AggregateSnapshot = staged.aggregate(attrs.subject) ?? {
    context: context.name,
    version: 0,
    lastHash: GENESIS_HASH,
    state: context.decider.initialState(),
  };
  const refuse = (status: 'conflict' | 'invalid', reason: string) =>
    answer({ ...base, status, version: current.version, events: [], reasons: [reason] }, true);
  if (current.context !== context.name) {
    return refuse('invalid', `aggregate ${attrs.subject} belongs to ${current.context}, not ${context.name}`);
  }
  if (attrs.version !== undefined && attrs.version !== current.version) {
    return refuse(
      'conflict',
      `expected version ${attrs.version} but the aggregate is at version ${current.version}`,
    );
  }

  const decided = context.decider.decide({ type, data }, current.state, {
    now: attrs.time,
    actor: attrs.actor,
    commandId: attrs.id,
  });
  const records: PartitionedRecord[] = [];
  let { lastHash, state } = current;
  for (const [i, event] of decided.entries()) {
    const version = current.version + i + 1;
    const eventType = `${context.namespace}.${event.type}`;
    const value = await deps.codec.encode(eventType, event.data);
    const envelope = { ...eventAttributes(attrs, context, eventType, i), version };
    const hash = chainHash(lastHash, envelope, avroBody(value));
    records.push({
      topic: deps.topics.events(context.name),
      partition: record.partition,
      key: attrs.subject,
      value,
      headers: toHeaders({ ...envelope, hash, previousHash: lastHash }),
    });
    lastHash = hash;
    state = context.decider.evolve(state, event);
  }
  if (decided.length > 0)
    staged.aggregates.set(attrs.subject, {
      context: context.name,
      version: current.version + decided.length,
      lastHash,
      state,
    });

  const rejection = decided.find((e) => context.rejectionTypes.includes(e.type));
  const reasons = rejection ? (((rejection.data as { reasons?: string[] }).reasons ?? []) as string[]) : [];
  return {
    events: records,
    deadLetters: [],
    finish: (positions, processedAt) => ({
      ...base,
      status: rejection ? 'rejected' : 'accepted',
      version: current.version + decided.length,
      events: positions.map((p, i) => ({ ...p, type: decided[i]!.type, version: current.version + i + 1 })),
      reasons,
      processedAt,
    }),
  };
}

/** Envelope, value and owning context of a command record; throws what makes it unreadable. */
async function readCommand(record: IncomingRecord, deps: DecideDeps) {
  const attrs = fromHeaders(record.headers);
  if (!record.value) throw new Error('command record has no value');
  const { fullName, data } = await deps.codec.decode(record.value);
  if (fullName !== attrs.type)
    throw new Error(`ce_type ${attrs.type} does not match the value's schema ${fullName}`);
  const owner = contextOfCommand(deps.contexts, fullName);
  if (!owner) throw new Error(`unknown command type ${fullName}`);
  return { attrs, fullName, data, ...owner };
}

function answer(
  result: Omit<CommandResult, 'processedAt'> & { processedAt?: string },
  fresh = false,
): Decision {
  return {
    events: [],
    deadLetters: [],
    finish: (_p, processedAt) => ({
      ...result,
      processedAt: fresh ? processedAt : (result.processedAt ?? processedAt),
    }),
  };
}

/**
 * Event attributes are derived from the command alone, so a command redelivered after a crash
 * yields byte-identical events: same ids, same time, same hashes.
 */
function eventAttributes(
  command: CloudEventAttributes,
  context: BoundedContext,
  type: string,
  index: number,
): CloudEventAttributes {
  return {
    id: uuidFrom(`${command.id}/${index}`),
    source: `/sentinel/${context.name}`,
    type,
    time: command.time,
    subject: command.subject,
    actor: command.actor,
    correlationId: command.correlationId,
    causationId: command.id,
  };
}

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
