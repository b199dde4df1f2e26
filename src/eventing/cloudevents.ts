import type { RecordHeaders } from '../messaging/ports';

/**
 * CloudEvents 1.0 Kafka protocol binding, binary mode: attributes are `ce_`-prefixed headers
 * and the value is the data. Extension names are lower-case alphanumerics as the spec requires.
 */
export interface CloudEventAttributes {
  id: string;
  source: string;
  type: string;
  time: string;
  subject: string;
  actor: string;
  correlationId: string;
  causationId: string;
  /** Aggregate version the event creates (events) or that the sender expects (commands). */
  version?: number;
  hash?: string;
  previousHash?: string;
  /** Commands only: a digest of the HTTP request an Idempotency-Key was sent with. */
  requestHash?: string;
}

export const AVRO_CONTENT_TYPE = 'application/avro';

const EXTENSIONS = {
  actor: 'ce_actor',
  correlationId: 'ce_correlationid',
  causationId: 'ce_causationid',
  version: 'ce_aggregateversion',
  hash: 'ce_eventhash',
  previousHash: 'ce_prevhash',
  requestHash: 'ce_requesthash',
} as const;

export function toHeaders(a: CloudEventAttributes): Record<string, string> {
  const headers: Record<string, string> = {
    ce_specversion: '1.0',
    ce_id: a.id,
    ce_source: a.source,
    ce_type: a.type,
    ce_time: a.time,
    ce_subject: a.subject,
    'content-type': AVRO_CONTENT_TYPE,
    [EXTENSIONS.actor]: a.actor,
    [EXTENSIONS.correlationId]: a.correlationId,
    [EXTENSIONS.causationId]: a.causationId,
  };
  if (a.version !== undefined) headers[EXTENSIONS.version] = String(a.version);
  if (a.hash !== undefined) headers[EXTENSIONS.hash] = a.hash;
  if (a.previousHash !== undefined) headers[EXTENSIONS.previousHash] = a.previousHash;
  if (a.requestHash !== undefined) headers[EXTENSIONS.requestHash] = a.requestHash;
  return headers;
}

export class EnvelopeError extends Error {
  readonly code = 'ENVELOPE_INVALID';
}

/** Reads the attributes back, failing with the name of the first missing or bad header. */
export function fromHeaders(h: RecordHeaders): CloudEventAttributes {
  const required = (name: string) => {
    const v = h[name];
    if (v === undefined || v === '') throw new EnvelopeError(`header ${name} is missing`);
    return v;
  };
  if (required('ce_specversion') !== '1.0')
    throw new EnvelopeError(`header ce_specversion must be 1.0, got ${h.ce_specversion}`);
  const version = h[EXTENSIONS.version];
  if (version !== undefined && !/^\d+$/.test(version))
    throw new EnvelopeError(`header ${EXTENSIONS.version} must be a non-negative integer`);
  return {
    id: required('ce_id'),
    source: required('ce_source'),
    type: required('ce_type'),
    time: required('ce_time'),
    subject: required('ce_subject'),
    actor: required(EXTENSIONS.actor),
    correlationId: h[EXTENSIONS.correlationId] ?? required('ce_id'),
    causationId: h[EXTENSIONS.causationId] ?? required('ce_id'),
    ...(version !== undefined ? { version: Number(version) } : {}),
    ...(h[EXTENSIONS.hash] ? { hash: h[EXTENSIONS.hash] } : {}),
    ...(h[EXTENSIONS.previousHash] ? { previousHash: h[EXTENSIONS.previousHash] } : {}),
    ...(h[EXTENSIONS.requestHash] ? { requestHash: h[EXTENSIONS.requestHash] } : {}),
  };
}
