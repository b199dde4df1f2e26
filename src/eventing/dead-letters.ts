import type { Messaging, PartitionedRecord, RecordPosition } from '../messaging/ports';
import type { DeadLetter } from './dead-letter';
import { topics } from './topics';

/**
 * Operating the dead-letter topic (DESIGN.md §1.6): list what was parked and why, and redrive a
 * parked command once its cause is fixed, by putting the original back where it came from.
 *
 * Redriving is safe to repeat. The redriven record keeps its command id (`ce_id`), and the
 * processor answers a command id it has already processed with the original outcome, marked
 * duplicate, writing no event; a record that is still unreadable is simply dead-lettered again.
 * The same rule means that, today, the processor also answers a redrive as a duplicate while it
 * still remembers the id from the failed attempt (SENTINEL_IDEMPOTENCY_RETENTION_MS).
 */

/** Header added to a redriven record: `<dlq topic>/<partition>/<offset>` of the dead letter. */
export const REDRIVEN_FROM = 'sentinel-redriven-from';

/** The dead-letter topic has one partition (src/eventing/topics.ts). */
const DLQ_PARTITION = 0;

export interface DeadLetterTopics {
  readonly dlq: string;
  /** The only topic dead letters are redriven to. */
  readonly commands: string;
}

/** From the one topic layout (partition counts and retention do not affect names). */
export function deadLetterTopicsOf(prefix: string): DeadLetterTopics {
  const layout = topics({ prefix, partitions: 1, contexts: [], commandLogRetentionMs: 0 });
  return { dlq: layout.dlq, commands: layout.commands };
}

export interface DeadLetterEntry {
  readonly offset: string;
  readonly failedAt: string;
  readonly reason: string;
  readonly source: DeadLetter['source'] | null;
  readonly key: string | null;
  /** From the parked record's CloudEvents headers, when it had them. */
  readonly commandType: string | null;
  readonly commandId: string | null;
  /** Set when the parked record was itself a redrive that failed again. */
  readonly redrivenFrom: string | null;
  /** The whole dead letter; absent when the record on the topic is not one (nothing to redrive). */
  readonly letter?: DeadLetter;
}

export interface Redriven {
  readonly from: string;
  readonly entry: DeadLetterEntry;
  readonly to: RecordPosition;
}

export class DeadLetterError extends Error {
  constructor(
    readonly code: 'NO_SUCH_DEAD_LETTER' | 'NOT_REDRIVABLE',
    message: string,
  ) {
    super(message);
    this.name = 'DeadLetterError';
  }
}

/** Every dead letter, oldest first, from the start of the topic to its current end. */
export async function listDeadLetters(
  messaging: Pick<Messaging, 'readPartition'>,
  dlqTopic: string,
): Promise<DeadLetterEntry[]> {
  const entries: DeadLetterEntry[] = [];
  await messaging.readPartition(dlqTopic, DLQ_PARTITION, (record) =>
    entries.push(toEntry(record.offset, record.value)),
  );
  return entries;
}

/**
 * Republishes dead letters to their source: the original value byte for byte, its key and
 * headers, to the partition it was read from (the partition decides which processor owns the
 * command and where its events go), plus the REDRIVEN_FROM header. With 'all', what cannot be
 * redriven is skipped and returned with the reason; a single offset that cannot be is an error.
 */
export async function redrive(
  messaging: Pick<Messaging, 'readPartition' | 'publisher'>,
  topics: DeadLetterTopics,
  which: { offset: string } | 'all',
): Promise<{ redriven: Redriven[]; skipped: { entry: DeadLetterEntry; why: string }[] }> {
  const entries = await listDeadLetters(messaging, topics.dlq);
  const chosen = which === 'all' ? entries : [pick(entries, which.offset, topics.dlq)];
  const skipped: { entry: DeadLetterEntry; why: string }[] = [];
  const publisher = messaging.publisher();
  const redriven: Redriven[] = [];
  // One at a time, in dead-letter order: each gets its own position to report, and records for
  // one partition keep their relative order.
  for (const entry of chosen) {
    const why = notRedrivable(entry, topics.commands);
    if (why && which !== 'all')
      throw new DeadLetterError('NOT_REDRIVABLE', `offset ${entry.offset} of ${topics.dlq}: ${why}`);
    if (why) {
      skipped.push({ entry, why });
      continue;
    }
    const from = `${topics.dlq}/${DLQ_PARTITION}/${entry.offset}`;
    const [to] = await publisher.publish([redriveRecord(entry.letter!, from)]);
    redriven.push({ from, entry, to: to! });
  }
  return { redriven, skipped };
}

/** The record a dead letter is redriven as. Pure, so what is republished can be checked. */
export function redriveRecord(letter: DeadLetter, from: string): PartitionedRecord {
  return {
    topic: letter.source.topic,
    partition: letter.source.partition,
    key: letter.key,
    value: letter.value === null ? null : Buffer.from(letter.value, 'base64'),
    headers: { ...letter.headers, [REDRIVEN_FROM]: from },
  };
}

function pick(entries: readonly DeadLetterEntry[], offset: string, dlqTopic: string): DeadLetterEntry {
  const entry = entries.find((e) => e.offset === offset);
  if (!entry) {
    const range = entries.length ? `offsets ${entries[0]!.offset}..${entries.at(-1)!.offset}` : 'none';
    throw new DeadLetterError(
      'NO_SUCH_DEAD_LETTER',
      `no dead letter at offset ${offset} of ${dlqTopic} (it holds ${range}); see \`sentinel dlq list\``,
    );
  }
  return entry;
}

function notRedrivable(entry: DeadLetterEntry, commands: string): string | undefined {
  if (!entry.letter) return entry.reason;
  if (entry.letter.source.topic === commands) return undefined;
  // Events are the system of record: appending one again would fork its aggregate's hash chain.
  // A consumer that parked an event is fixed by letting it read the log again, not by redrive.
  return `it came from ${entry.letter.source.topic}; only commands (${commands}) are redriven`;
}

function toEntry(offset: string, value: Buffer | null): DeadLetterEntry {
  let letter: DeadLetter;
  try {
    letter = JSON.parse(value?.toString('utf8') ?? 'null') as DeadLetter;
    if (typeof letter?.reason !== 'string' || typeof letter.source?.topic !== 'string')
      throw new Error('not a dead letter written by Sentinel');
  } catch (error) {
    // Shown, never skipped: whatever is on the topic is something an operator should see.
    const reason = `unreadable dead letter: ${(error as Error).message}`;
    const none = { source: null, key: null, commandType: null, commandId: null, redrivenFrom: null };
    return { offset, failedAt: '', reason, ...none };
  }
  const headers = letter.headers ?? {};
  return {
    offset,
    failedAt: letter.failedAt,
    reason: letter.reason,
    source: letter.source,
    key: letter.key,
    commandType: headers.ce_type ?? null,
    commandId: headers.ce_id ?? null,
    redrivenFrom: headers[REDRIVEN_FROM] ?? null,
    letter,
  };
}
