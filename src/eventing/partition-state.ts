import type { IncomingRecord, PartitionedRecord } from '../messaging/ports';
import type { CommandResult } from './command-result';

/** What the processor keeps per aggregate, snapshotted to the changelog after every change. */
export interface AggregateSnapshot {
  readonly context: string;
  readonly version: number;
  readonly lastHash: string;
  readonly state: unknown;
}

export interface ProcessedCommand {
  readonly result: CommandResult;
  /** When it was processed (ms since the epoch); kept at least the idempotency retention. */
  readonly at: number;
}

const AGGREGATE = 'a/';
const COMMAND = 'c/';

/**
 * The state one command-processor partition owns: aggregates and recently processed command ids.
 * It is restored from the compacted changelog on every claim of the partition, and changes are
 * staged per batch so an aborted transaction leaves it untouched.
 */
export class PartitionState {
  private readonly aggregates = new Map<string, AggregateSnapshot>();
  private readonly processed = new Map<string, ProcessedCommand>();

  restore(record: IncomingRecord): void {
    const key = record.key?.toString('utf8') ?? '';
    const value = record.value ? (JSON.parse(record.value.toString('utf8')) as unknown) : undefined;
    if (key.startsWith(AGGREGATE))
      set(this.aggregates, key.slice(AGGREGATE.length), value as AggregateSnapshot | undefined);
    else if (key.startsWith(COMMAND))
      set(this.processed, key.slice(COMMAND.length), value as ProcessedCommand | undefined);
  }

  get size() {
    return { aggregates: this.aggregates.size, processed: this.processed.size };
  }

  batch(): StagedChanges {
    return new StagedChanges(this.aggregates, this.processed);
  }

  /** Command ids older than the retention, to tombstone so compaction can drop them. */
  expired(now: number, retentionMs: number): string[] {
    return [...this.processed].filter(([, p]) => now - p.at > retentionMs).map(([id]) => id);
  }

  apply(staged: StagedChanges): void {
    for (const [id, snapshot] of staged.aggregates) this.aggregates.set(id, snapshot);
    for (const [id, processed] of staged.processed) set(this.processed, id, processed);
  }
}

/** One batch's changes, read through to the committed state, applied only after the commit. */
export class StagedChanges {
  readonly aggregates = new Map<string, AggregateSnapshot>();
  readonly processed = new Map<string, ProcessedCommand | undefined>();

  constructor(
    private readonly committedAggregates: ReadonlyMap<string, AggregateSnapshot>,
    private readonly committedProcessed: ReadonlyMap<string, ProcessedCommand>,
  ) {}

  aggregate(id: string): AggregateSnapshot | undefined {
    return this.aggregates.get(id) ?? this.committedAggregates.get(id);
  }

  processedCommand(id: string): ProcessedCommand | undefined {
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
      ...[...this.processed].map(([id, p]) => record(COMMAND + id, p)),
    ];
  }
}

function set<V>(map: Map<string, V>, key: string, value: V | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}
