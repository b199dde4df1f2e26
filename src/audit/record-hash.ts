import { fromHeaders } from '../eventing/cloudevents';
import { avroBody } from '../eventing/codec';
import { chainHash } from '../eventing/hash-chain';
import type { IncomingRecord } from '../messaging/ports';

/**
 * Why a record's bytes do not match the chain hash it carries, or undefined when they do. A
 * digest covers records by their chain hashes; this ties each hash back to the record's content,
 * so a changed value or header is caught even where the hash itself was left alone.
 */
export function recordHashMismatch(record: IncomingRecord): string | undefined {
  try {
    const attrs = fromHeaders(record.headers);
    const recomputed = chainHash(
      attrs.previousHash ?? '',
      { ...attrs, version: attrs.version ?? 0 },
      avroBody(record.value ?? Buffer.alloc(0)),
    );
    if (recomputed === attrs.hash) return undefined;
    return `content recomputes to ${recomputed.slice(0, 12)}…, the record carries ${(attrs.hash ?? '(none)').slice(0, 12)}…`;
  } catch (error) {
    return `envelope unreadable: ${(error as Error).message}`;
  }
}

/** The chain hash a record carries (ce_eventhash), if any. */
export const chainHashOf = (record: IncomingRecord): string | undefined => record.headers.ce_eventhash;
