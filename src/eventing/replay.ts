import type { IncomingRecord, Messaging } from '../messaging/ports';
import { fromHeaders } from './cloudevents';
import type { ContractCodec } from './codec';
import { type BoundedContext, CONTEXTS } from './contexts';
import { type ChainVerification, verifyChain } from './replay-verify';
import { topics } from './topics';

/**
 * Replay of one aggregate from the system of record (DESIGN.md §1.5, §2): read its events back
 * from its event topic, decode them as the latest schema version, and fold the context's pure
 * `evolve` over them. Nothing here can reach an effect: it reads Kafka and decodes through the
 * ports it is given, and lint forbids this module any Kubernetes, saga, HTTP or process import.
 */

export type ReplayErrorCode = 'UNKNOWN_CONTEXT' | 'BAD_AS_OF' | 'UNREADABLE_EVENT';

export class ReplayError extends Error {
  constructor(
    readonly code: ReplayErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReplayError';
  }
}

export interface ReplayTarget {
  readonly aggregateId: string;
  /** Bounded context name; `deployments` when omitted. */
  readonly context?: string;
  /** Topics are `<prefix>.<context>.events`; `sentinel` when omitted. */
  readonly topicPrefix?: string;
  /** Read this topic instead of the context's, e.g. a copy of the log under audit. */
  readonly topic?: string;
  /** Stop after this offset (inclusive). */
  readonly asOfOffset?: string | number | bigint;
  /** Stop before the first event whose CloudEvents time (`ce_time`) is later than this instant. */
  readonly asOfTime?: string;
}

export interface ReplayDeps {
  readonly messaging: Pick<Messaging, 'partitionOf' | 'readPartition'>;
  /** Only decoding is needed: replay never encodes or registers anything. */
  readonly codec: Pick<ContractCodec, 'decode'>;
  readonly contexts?: readonly BoundedContext[];
}

/** The raw records of one aggregate, in log order, up to the as-of point. */
export interface AggregateRecords {
  readonly aggregateId: string;
  readonly context: BoundedContext;
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly IncomingRecord[];
  /** The aggregate's records after the as-of point, read but not replayed. */
  readonly later: number;
}

export interface ReplayedEvent {
  readonly offset: string;
  readonly partition: number;
  /** Event type within the context, e.g. `DeploymentScaled`. */
  readonly type: string;
  readonly version: number;
  readonly time: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly hash: string;
  readonly previousHash: string;
  /** Upcast to the latest schema version: the shape `evolve` expects. */
  readonly data: unknown;
}

export interface Rebuilt {
  readonly events: readonly ReplayedEvent[];
  readonly state: unknown;
  readonly version: number;
}

export interface Replay extends Rebuilt {
  readonly aggregateId: string;
  readonly context: string;
  readonly topic: string;
  readonly partition: number;
  readonly later: number;
  readonly verification?: ChainVerification;
}

/**
 * Reads, optionally verifies, and rebuilds one aggregate. An event that cannot be decoded throws
 * (UNREADABLE_EVENT); to verify a history that may not even decode, use readHistory and
 * verifyChain, as `sentinel replay --verify` does.
 */
export async function replay(deps: ReplayDeps, target: ReplayTarget & { verify?: boolean }): Promise<Replay> {
  const history = await readHistory(deps, target);
  // Verified from the raw records, before decoding: the chain covers bytes, not decoded values.
  const verification = target.verify ? verifyChain(history.records) : undefined;
  const rebuilt = await rebuild(history, deps.codec);
  const { aggregateId, topic, partition, later } = history;
  return {
    aggregateId,
    context: history.context.name,
    topic,
    partition,
    later,
    ...rebuilt,
    ...(verification ? { verification } : {}),
  };
}

/**
 * The aggregate's records from the one partition that can hold them: the producers'
 * partitioner places its commands there, and the processor writes its events to the same
 * partition number of a topic with as many partitions (DESIGN.md §2; checked at start-up).
 */
export async function readHistory(deps: ReplayDeps, target: ReplayTarget): Promise<AggregateRecords> {
  const context = contextNamed(deps.contexts ?? CONTEXTS, target.context ?? 'deployments');
  const topic = target.topic ?? eventsTopicOf(target.topicPrefix ?? 'sentinel', context.name);
  const beyond = asOfPredicate(target);
  const partition = await deps.messaging.partitionOf(topic, target.aggregateId);
  const records: IncomingRecord[] = [];
  let later = 0;
  await deps.messaging.readPartition(topic, partition, (record) => {
    if (record.key?.toString('utf8') !== target.aggregateId) return;
    // A prefix, never a selection: state as of a point is the fold of everything before it, so
    // once one event is past the point every later one is too, even if its clock says otherwise.
    if (later > 0 || beyond(record)) later += 1;
    else records.push(record);
  });
  return { aggregateId: target.aggregateId, context, topic, partition, records, later };
}

/** Decodes each record (upcast to the latest version) and folds the context's `evolve`. */
export async function rebuild(
  history: AggregateRecords,
  codec: Pick<ContractCodec, 'decode'>,
): Promise<Rebuilt> {
  const { decider, namespace } = history.context;
  const events: ReplayedEvent[] = [];
  let state = decider.initialState();
  for (const record of history.records) {
    const event = await readEvent(record, namespace, codec);
    state = decider.evolve(state, { type: event.type, data: event.data });
    events.push(event);
  }
  return { events, state, version: events.at(-1)?.version ?? 0 };
}

async function readEvent(
  record: IncomingRecord,
  namespace: string,
  codec: Pick<ContractCodec, 'decode'>,
): Promise<ReplayedEvent> {
  const where = `event at ${record.topic}/${record.partition}@${record.offset}`;
  const unreadable = (why: string, cause?: unknown) =>
    new ReplayError('UNREADABLE_EVENT', `${where} ${why}`, { cause });
  let attrs: ReturnType<typeof fromHeaders>;
  let decoded: { fullName: string; data: unknown };
  try {
    attrs = fromHeaders(record.headers);
    if (!record.value) throw new Error('it has no value');
    decoded = await codec.decode(record.value);
  } catch (error) {
    throw unreadable(`cannot be read: ${(error as Error).message}`, error);
  }
  const { fullName } = decoded;
  if (fullName !== attrs.type) throw unreadable(`says ce_type ${attrs.type} but its value is a ${fullName}`);
  if (!fullName.startsWith(`${namespace}.`))
    throw unreadable(`is a ${fullName}, not an event of ${namespace}`);
  if (attrs.version === undefined) throw unreadable('has no aggregate version header');
  return {
    offset: record.offset,
    partition: record.partition,
    type: fullName.slice(namespace.length + 1),
    version: attrs.version,
    time: attrs.time,
    actor: attrs.actor,
    correlationId: attrs.correlationId,
    causationId: attrs.causationId,
    hash: attrs.hash ?? '',
    previousHash: attrs.previousHash ?? '',
    data: decoded.data,
  };
}

/** `<prefix>.<context>.events`, from the one topic layout (only the names are needed here). */
function eventsTopicOf(prefix: string, context: string): string {
  return topics({ prefix, partitions: 1, contexts: [context], commandLogRetentionMs: 0 }).events(context);
}

function contextNamed(contexts: readonly BoundedContext[], name: string): BoundedContext {
  const context = contexts.find((c) => c.name === name);
  if (!context) {
    const known = contexts.map((c) => c.name).join(', ');
    throw new ReplayError('UNKNOWN_CONTEXT', `no bounded context named ${name} (known: ${known})`);
  }
  return context;
}

/** True for a record past the as-of point (an offset, inclusive, and/or an instant). */
function asOfPredicate(target: ReplayTarget): (record: IncomingRecord) => boolean {
  const offset = target.asOfOffset === undefined ? undefined : parseOffset(target.asOfOffset);
  const time =
    target.asOfTime === undefined ? undefined : parseInstant(target.asOfTime, 'BAD_AS_OF', 'as-of time');
  return (record) =>
    (offset !== undefined && BigInt(record.offset) > offset) ||
    (time !== undefined &&
      parseInstant(record.headers.ce_time, 'UNREADABLE_EVENT', `ce_time of offset ${record.offset}`) > time);
}

function parseOffset(value: string | number | bigint): bigint {
  if (!/^\d+$/.test(String(value)))
    throw new ReplayError('BAD_AS_OF', `as-of offset ${String(value)} is not a non-negative integer`);
  return BigInt(value);
}

function parseInstant(value: string | undefined, code: ReplayErrorCode, what: string): number {
  // ISO 8601 with a zone, so the instant does not depend on the machine replaying it.
  const ms = value && /(Z|[+-]\d\d:\d\d)$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms))
    throw new ReplayError(code, `${what} ${JSON.stringify(value)} is not an ISO 8601 instant with a zone`);
  return ms;
}
