import { createHash } from 'crypto';

/** The link before an aggregate's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an event's hash covers besides its Avro body: the envelope fields that give it meaning. */
export interface HashedEnvelope {
  id: string;
  type: string;
  subject: string;
  version: number;
  time: string;
  actor: string;
  correlationId: string;
  causationId: string;
}

/**
 * hash(n) = sha256(hash(n-1) ‖ canonical(n)): changing, dropping, reordering or inserting an
 * event breaks every later link of its aggregate. The canonical form is a fixed-order JSON of
 * the envelope plus the Avro body bytes (deterministic for a given schema), not the wire bytes:
 * the schema id prefix is a registry artifact and may differ between registries.
 */
export function chainHash(previous: string, envelope: HashedEnvelope, body: Buffer): string {
  const { id, type, subject, version, time, actor, correlationId, causationId } = envelope;
  return createHash('sha256')
    .update(previous, 'utf8')
    .update(JSON.stringify([id, type, subject, version, time, actor, correlationId, causationId]), 'utf8')
    .update(Buffer.from([0]))
    .update(body)
    .digest('hex');
}
