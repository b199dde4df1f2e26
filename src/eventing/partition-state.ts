import type { IncomingRecord, PartitionedRecord } from '../messaging/ports';
import type { CommandResult } from './command-result';

/** What the processor keeps per aggregate, snapshotted to the changelog after every change. */
export interface AggregateSnapshot {
  readonly context: string;
  readonly version: number;
  readonly lastHash: string;
  readonly state: unknown;
}

/** A processed command as its changelog record holds it. */
export interface ProcessedCommand {
  readonly result: CommandResult;
  /** When it was processed (ms since the epoch); kept at least the idempotency retention. */
  readonly at: number;
}

/**
 * A processed command as memory holds it. The id must be known for the whole idempotency window
 * (24 h by default), but the full outcome (~0.9 KB on the heap) only while a repeat is likely:
 * beyond the most recent RECENT_OUTCOMES, and after a restore, only the offset of the changelog
 * record that holds it is kept (~0.1 KB), and a late repeat reads it from there.
 */
export type RememberedCommand =
  | { readonly at: number; readonly result: CommandResult; readonly offset?: number }
  /** `offset`: of the changelog record holding the full outcome. */
  | { readonly at: number; readonly result?: undefined; readonly offset: number };

/** Per partition: enough for clients retrying within seconds, a bounded share of the heap. */
export const RECENT_OUTCOMES = 2_000;

const AGGREGATE = 'a/';
const COMMAND = 'c/';
/** The partition's input position: the offset of the first command not yet processed. */
const POSITION = 'p/';

/** The changelog key of a processed command's record. */
export const processedKey = (commandId: string) => COMMAND + commandId;

/**
 * The state one command-processor partition owns: aggregates and recently processed command ids.
 * It is restored from the compacted changelog on every claim of the partition, and changes are
 * staged per batch so an aborted transaction leaves it untouched.
 */
export class PartitionState {
  private readonly aggregates = new Map<string, AggregateSnapshot>();
  /** In processing order (a Map keeps insertion order), so the oldest come first. */
  private readonly processed = new Map<string, RememberedCommand>();
  /** Ids whose entry still holds its full outcome, oldest first, from `recentHead` on. */
  private recent: string[] = [];
  private recentHead = 0;
  /**
   * Offset of the first command record not yet processed, once the changelog has recorded one.
   * Records before it were processed by a committed transaction and are delivered again only
   * because the group's offsets are a resume hint (ADR 0010).
   */
  private nextInput?: bigint;
  /** Where the next event of each events topic will land, once an earlier commit showed it. */
  private readonly nextEvent = new Map<string, bigint>();

  restore(record: IncomingRecord): void {
    const key = record.key?.toString('utf8') ?? '';
    const value = record.value ? (JSON.parse(record.value.toString('utf8')) as unknown) : undefined;
    if (key.startsWith(AGGREGATE))
      set(this.aggregates, key.slice(AGGREGATE.length), value as AggregateSnapshot | undefined);
    else if (key.startsWith(COMMAND)) {
      const processed = value as ProcessedCommand | undefined;
      const remembered = processed && { at: processed.at, offset: Number(record.offset) };
      set(this.processed, key.slice(COMMAND.length), remembered);
    } else if (key.startsWith(POSITION) && value !== undefined)
      this.nextInput = BigInt((value as { next: string }).next);
  }

  /** The records of a delivered batch not processed yet. */
  unprocessed<R extends { offset: string }>(records: readonly R[]): readonly R[] {
    const next = this.nextInput;
    return next === undefined ? records : records.filter((r) => BigInt(r.offset) >= next);
  }

  get size() {
    return { aggregates: this.aggregates.size, processed: this.processed.size };
  }

  batch(): StagedChanges {
    return new StagedChanges(this.aggregates, this.processed);
  }

  /**
   * Up to `limit` command ids older than the retention, to tombstone so compaction can drop them.
   * Only the oldest entries are looked at: this runs for every batch.
   */
  expired(now: number, retentionMs: number, limit: number): string[] {
    const ids: string[] = [];
    for (const [id, p] of this.processed) {
      if (ids.length >= limit || now - p.at <= retentionMs) break;
      ids.push(id);
    }
    return ids;
  }

  /**
   * The offsets `events` will get if they are the next records of their partitions, or
   * undefined while a topic's next offset is unknown (after a claim, until a commit shows it).
   * Sound because this partition's transactional producer is the only writer of its events
   * partitions; the caller still checks the broker's answer before committing.
   */
  predictOffsets(events: readonly { topic: string }[]): string[] | undefined {
    const next = new Map<string, bigint>();
    const offsets: string[] = [];
    for (const { topic } of events) {
      const offset = next.get(topic) ?? this.nextEvent.get(topic);
      if (offset === undefined) return undefined;
      offsets.push(offset.toString());
      next.set(topic, offset + 1n);
    }
    return offsets;
  }

  apply(staged: StagedChanges, written: readonly { topic: string; offset: string }[] = []): void {
    for (const [id, snapshot] of staged.aggregates) this.aggregates.set(id, snapshot);
    for (const [id, processed] of staged.processed) {
      const offset = staged.offsets.get(id);
      set(this.processed, id, processed && { ...processed, ...(offset !== undefined && { offset }) });
      if (processed && offset !== undefined) this.recent.push(id);
    }
    this.forgetOldOutcomes();
    if (staged.nextInput !== undefined) this.nextInput = BigInt(staged.nextInput);
    // The commit appended one control record (the marker) after each partition's last event.
    for (const { topic, offset } of written) this.nextEvent.set(topic, BigInt(offset) + 2n);
  }

  /** Keeps the full outcome of the most recent commands only; the rest keep their offset. */
  private forgetOldOutcomes(): void {
    while (this.recent.length - this.recentHead > RECENT_OUTCOMES) {
      const id = this.recent[this.recentHead++]!;
      const entry = this.processed.get(id);
      // Setting an existing key keeps its place in the processing order.
      if (entry?.offset !== undefined) this.processed.set(id, { at: entry.at, offset: entry.offset });
    }
    if (this.recentHead > RECENT_OUTCOMES) {
      this.recent = this.recent.slice(this.recentHead);
      this.recentHead = 0;
    }
  }
}

/** One batch's changes, read through to the committed state, applied only after the commit. */
export class StagedChanges {
  readonly aggregates = new Map<string, AggregateSnapshot>();
  readonly processed = new Map<string, ProcessedCommand | undefined>();
  /** The input position after this batch, written with it. */
  nextInput?: string;
  /** Where the changelog records of `processed` landed, once sent (see `located`). */
  readonly offsets = new Map<string, number>();

  constructor(
    private readonly committedAggregates: ReadonlyMap<string, AggregateSnapshot>,
    private readonly committedProcessed: ReadonlyMap<string, RememberedCommand>,
  ) {}

  aggregate(id: string): AggregateSnapshot | undefined {
    return this.aggregates.get(id) ?? this.committedAggregates.get(id);
  }

  processedCommand(id: string): RememberedCommand | undefined {
    return this.processed.has(id) ? this.processed.get(id) : this.committedProcessed.get(id);
  }

  /** The changelog records that make these changes durable with the batch's transaction. */
  changelog(topic: string, partition: number): PartitionedRecord[] {
    const record = (key: string, value: unknown): PartitionedRecord => ({
      topic,
      partition,
      key,
      value: value === undefined ? null : Buffer.from(JSON.stringify(value)),
    });
    return [
      ...[...this.aggregates].map(([id, s]) => record(AGGREGATE + id, s)),
      ...[...this.processed].map(([id, p]) => record(processedKey(id), p)),
      ...(this.nextInput !== undefined ? [record(POSITION, { next: this.nextInput })] : []),
    ];
  }

  /** Takes note of where the records `changelog()` returned were written, in the same order. */
  located(positions: readonly { offset: string }[]): void {
    let i = this.aggregates.size;
    for (const [id, processed] of this.processed) {
      const offset = positions[i++]?.offset;
      if (processed && offset !== undefined) this.offsets.set(id, Number(offset));
    }
  }
}

function set<V>(map: Map<string, V>, key: string, value: V | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}
