import { EnvelopeError, fromHeaders } from '../eventing/cloudevents';
import type { ContractCodec } from '../eventing/codec';
import { isSchemaContractError } from '../infrastructure/schema-registry/errors';
import type { IncomingRecord } from '../messaging/ports';
import { type ProjectedEvent, type ProjectionDefinition, sourcesOf } from './projection';

/**
 * What a projection makes of one record:
 * - event: a type it handles, decoded (upcast to the latest schema version);
 * - unknown: a type it has no handler for; skipped without decoding, so an event type added by a
 *   newer build never stops an older projection;
 * - poison: a handled type that cannot be read (bad envelope, undecodable value); it goes to the
 *   dead-letter topic and the projection moves on (DESIGN.md §1.6).
 * Anything else (the registry unreachable, say) throws, and the batch is delivered again.
 */
export type ReadRecord =
  | { readonly kind: 'event'; readonly event: ProjectedEvent }
  | { readonly kind: 'unknown'; readonly type: string }
  | { readonly kind: 'poison'; readonly reason: string };

export class UnreadableEvent extends Error {
  readonly code = 'UNREADABLE_EVENT';
}

export async function readRecord(
  projection: ProjectionDefinition,
  codec: Pick<ContractCodec, 'decode'>,
  record: IncomingRecord,
): Promise<ReadRecord> {
  const { type, context } = shortType(projection, record.headers.ce_type ?? '') ?? {};
  if (type === undefined || !Object.prototype.hasOwnProperty.call(projection.handlers, type))
    return { kind: 'unknown', type: record.headers.ce_type ?? '(no ce_type)' };
  try {
    return { kind: 'event', event: { ...(await decode(codec, record, type)), context } };
  } catch (error) {
    if (error instanceof EnvelopeError || error instanceof UnreadableEvent || isSchemaContractError(error))
      return { kind: 'poison', reason: `${where(record)}: ${error.message}` };
    throw error;
  }
}

async function decode(
  codec: Pick<ContractCodec, 'decode'>,
  record: IncomingRecord,
  type: string,
): Promise<ProjectedEvent> {
  const attrs = fromHeaders(record.headers);
  if (!record.value) throw new UnreadableEvent('the record has no value');
  if (attrs.version === undefined) throw new UnreadableEvent('the event has no aggregate version header');
  const decoded = await codec.decode(record.value).catch((error: unknown) => {
    // Decoding is deterministic once the writer's schema is known: only fetching it can fail
    // for a while (the registry unreachable), and that must be retried, not skipped.
    if (registryUnavailable(error)) throw error;
    throw new UnreadableEvent(`its value cannot be decoded: ${(error as Error).message}`);
  });
  if (decoded.fullName !== attrs.type)
    throw new UnreadableEvent(`ce_type says ${attrs.type} but the value is a ${decoded.fullName}`);
  return {
    type,
    data: decoded.data,
    id: attrs.id,
    aggregateId: attrs.subject,
    version: attrs.version,
    time: attrs.time,
    actor: attrs.actor,
    correlationId: attrs.correlationId,
    causationId: attrs.causationId,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    ...(attrs.hash !== undefined ? { hash: attrs.hash } : {}),
    ...(attrs.previousHash !== undefined ? { previousHash: attrs.previousHash } : {}),
  };
}

function shortType(projection: ProjectionDefinition, ceType: string) {
  const source = sourcesOf(projection).find((s) => ceType.startsWith(`${s.namespace}.`));
  return source && { type: ceType.slice(source.namespace.length + 1), context: source.context };
}

function registryUnavailable(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return (
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    (e.name === 'TypeError' && e.message === 'fetch failed') ||
    /^schema registry answered/.test(e.message ?? '')
  );
}

const where = (r: IncomingRecord) => `event at ${r.topic}/${r.partition}@${r.offset}`;
