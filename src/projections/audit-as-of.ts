import type { ContractCodec } from '../eventing/codec';
import { CONTEXTS } from '../eventing/contexts';
import { rebuild } from '../eventing/replay';
import { type ChainProblem, type ChainVerification, verifyChain } from '../eventing/replay-verify';
import type { IncomingRecord, Messaging } from '../messaging/ports';
import type { EventCoordinates } from './audit-queries';

/**
 * State of one aggregate as of a time or an offset, rebuilt from Kafka (issue 7). The audit read
 * model only says where the aggregate's records are; they are fetched by coordinates, decoded and
 * folded with the context's pure `evolve` through src/eventing/replay.ts, so this path, like
 * replay, can reach no effect. What was read is checked against the hash chain.
 */

/** An instant (ce_time <= it) or an offset of the aggregate's partition (offset <= it). */
export type AsOf =
  | { readonly kind: 'time'; readonly ms: number }
  | {
      readonly kind: 'offset';
      readonly offset: bigint;
      readonly topic?: string;
      readonly partition?: number;
    };

const POSITION = /^(?:([A-Za-z0-9._-]+):(\d{1,9}):)?(\d{1,19})$/;

/** Parses `asOf`: an ISO 8601 instant with a zone, `<topic>:<partition>:<offset>` or an offset. */
export function parseAsOf(value: string): AsOf | undefined {
  // A date first: `2026-11-27T10:00:00` must not read as topic `2026-11-27T10`.
  const position = /^\d{4}-\d\d-\d\dT/.test(value) ? null : POSITION.exec(value);
  if (position) {
    const [, topic, partition, offset] = position;
    return topic === undefined
      ? { kind: 'offset', offset: BigInt(offset!) }
      : { kind: 'offset', offset: BigInt(offset!), topic, partition: Number(partition) };
  }
  // A zone is required, so the instant does not depend on the server's.
  const ms = /(Z|[+-]\d\d:\d\d)$/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? undefined : { kind: 'time', ms };
}

export interface AsOfDeps {
  readonly messaging: Pick<Messaging, 'readRecords'>;
  readonly codec: Pick<ContractCodec, 'decode'>;
}

export interface StateAsOf {
  readonly aggregateId: string;
  readonly context: string;
  readonly version: number;
  readonly state: unknown;
  readonly events: readonly {
    topic: string;
    partition: number;
    offset: string;
    type: string;
    version: number;
    time: string;
    actor: string;
    causationId: string;
    hash: string;
    data: unknown;
  }[];
  readonly verification: ChainVerification;
  readonly source: 'kafka';
}

export class AsOfMismatch extends Error {
  readonly code = 'AS_OF_MISMATCH';
}

/** `coordinates` are the aggregate's, in version order, and not empty. */
export async function stateAsOf(
  deps: AsOfDeps,
  aggregateId: string,
  coordinates: readonly EventCoordinates[],
  asOf: AsOf,
): Promise<StateAsOf> {
  const { topic, partition, context: contextName } = coordinates[0]!;
  if (
    asOf.kind === 'offset' &&
    asOf.topic !== undefined &&
    (asOf.topic !== topic || asOf.partition !== partition)
  )
    throw new AsOfMismatch(
      `the events of ${aggregateId} are on ${topic}:${partition}, not ${asOf.topic}:${asOf.partition}`,
    );
  const context = CONTEXTS.find((c) => c.name === contextName);
  if (!context) throw new Error(`the audit read model names an unknown context ${contextName}`);
  // Read up to the first event the read model places past the point (clocks may disagree with log
  // order, so the prefix is cut again below on what the log itself says).
  const ordered = [...coordinates].sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
  const cut = ordered.findIndex((c) => beyond(asOf, BigInt(c.offset), c.at.getTime()));
  const wanted = cut === -1 ? ordered : ordered.slice(0, cut);
  const read = await deps.messaging.readRecords(
    topic,
    partition,
    wanted.map((c) => c.offset),
  );
  const ours = read.filter((r) => r.key?.toString('utf8') === aggregateId);
  const records = prefix(ours, asOf);
  const rebuilt = await rebuild({ aggregateId, context, topic, partition, records, later: 0 }, deps.codec);
  return {
    aggregateId,
    context: context.name,
    version: rebuilt.version,
    state: rebuilt.state,
    events: rebuilt.events.map((e) => ({
      topic,
      partition,
      offset: e.offset,
      type: e.type,
      version: e.version,
      time: e.time,
      actor: e.actor,
      causationId: e.causationId,
      hash: e.hash,
      data: e.data,
    })),
    verification: withMissing(verifyChain(records), upTo(wanted, ours[records.length]), ours),
    source: 'kafka',
  };
}

function beyond(asOf: AsOf, offset: bigint, timeMs: number): boolean {
  return asOf.kind === 'offset' ? offset > asOf.offset : timeMs > asOf.ms;
}

/** As replay does: everything before the first record past the point, and nothing after it. */
function prefix(records: readonly IncomingRecord[], asOf: AsOf): IncomingRecord[] {
  const first = records.findIndex((r) => beyond(asOf, BigInt(r.offset), Date.parse(r.headers.ce_time ?? '')));
  return first === -1 ? [...records] : records.slice(0, first);
}

/** The coordinates before the first record the log places past the point (all without one). */
function upTo(wanted: readonly EventCoordinates[], firstPast: IncomingRecord | undefined) {
  return firstPast ? wanted.filter((c) => BigInt(c.offset) < BigInt(firstPast.offset)) : wanted;
}

/** An event the read model locates but the log does not hold (for this aggregate) breaks the chain. */
function withMissing(
  verification: ChainVerification,
  expected: readonly EventCoordinates[],
  read: readonly IncomingRecord[],
): ChainVerification {
  const found = new Set(read.map((r) => r.offset));
  const missing: ChainProblem[] = expected
    .filter((c) => !found.has(c.offset))
    .map((c) => ({
      offset: c.offset,
      version: c.version,
      problem: 'version gap',
      detail: `the audit read model locates version ${c.version} here, but the log holds no committed event of this aggregate there`,
    }));
  if (missing.length === 0) return verification;
  return { ...verification, ok: false, problems: [...verification.problems, ...missing] };
}
