import type { Logger } from '../infrastructure/logging/logger';
import type {
  IncomingRecord,
  Messaging,
  PartitionBatch,
  PartitionedRecord,
  RecordPosition,
  Subscription,
  BatchTransaction,
} from '../messaging/ports';
import type { ContractCodec } from './codec';
import { type CommandResult, encodeResult } from './command-result';
import type { BoundedContext } from './contexts';
import { deadLetter } from './dead-letter';
import { decideCommand, type DecideDeps, type Decision } from './decide-command';
import { PartitionState, processedKey, type ProcessedCommand, type StagedChanges } from './partition-state';
import type { Topics } from './topics';

export interface CommandProcessorOptions {
  groupId: string;
  topics: Topics;
  contexts: readonly BoundedContext[];
  codec: ContractCodec;
  messaging: Messaging;
  logger: Logger;
  idempotencyRetentionMs: number;
  /**
   * Hears each batch's results once its transaction has committed: callers waiting in this
   * process are answered without waiting for the results topic to be read back (DESIGN.md §8:
   * one process runs every role by default).
   */
  onCommitted?(results: readonly CommandResult[]): void;
}

/** At most this many expired command ids are tombstoned per batch, to keep transactions small. */
const SWEEP_LIMIT = 100;

/**
 * Events per transaction (a command's events are never split), so an events partition is written
 * in record batches of at most about this many: reading one event back (state as of a time)
 * fetches its whole record batch. With 20 per batch bench/audit-as-of.ts reads a 300-event
 * aggregate in p99 ~40 ms, with 500 ~120 ms. A steady stream fills fewer anyway; a batch
 * delivered after a backlog is worked off in several transactions.
 */
const EVENTS_PER_TRANSACTION = 20;
/** Records handed to one transaction, to be decided until the events above are reached. */
const RECORDS_PER_TRANSACTION = 50;

/**
 * The single writer of each command partition (DESIGN.md §3). For every batch, in one Kafka
 * transaction: the events of each command, the aggregate snapshots and processed command ids
 * (changelog), the command results, dead letters and the input position (changelog too, so the
 * group's offsets are only a resume hint: ADR 0010).
 */
export class CommandProcessor {
  private readonly partitions = new Map<number, PartitionState>();
  private subscription?: Subscription;
  private readonly deciding: DecideDeps;

  constructor(private readonly options: CommandProcessorOptions) {
    this.deciding = { ...options, storedOutcome: (id, p, offset) => this.storedOutcome(id, p, offset) };
  }

  async start(): Promise<void> {
    const { messaging, topics, groupId } = this.options;
    this.subscription = await messaging.runTransactional({
      groupId,
      topics: [topics.commands],
      fromBeginning: true,
      inputPositions: 'output',
      maxRecordsPerTransaction: RECORDS_PER_TRANSACTION,
      // Only a resume hint (the changelog holds the position): a commit holds this member's next
      // fetch back, so it is rare; a restart re-reads and skips at most this much of the log.
      offsetCommitIntervalMs: 10_000,
      onPartitionClaimed: (_topic, partition) => this.restore(partition),
      onRebalance: () => this.partitions.clear(),
      handle: (batch, tx) => this.handle(batch, tx),
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  private async restore(partition: number): Promise<void> {
    const started = Date.now();
    const state = new PartitionState();
    const records = await this.options.messaging.readPartition(
      this.options.topics.changelog,
      partition,
      (r) => state.restore(r),
    );
    this.partitions.set(partition, state);
    this.options.logger.info(
      { partition, records, ...state.size, ms: Date.now() - started },
      'restored partition state from the changelog',
    );
  }

  /** Resolves with how many of the batch's records this transaction took (see decideAll). */
  private async handle(batch: PartitionBatch, tx: BatchTransaction): Promise<number | void> {
    const state = this.partitions.get(batch.partition);
    if (!state) throw new Error(`partition ${batch.partition} has no restored state`);
    // Records a committed transaction already processed: nothing is sent for them again.
    const records = state.unprocessed(batch.records);
    if (records.length < batch.records.length)
      this.options.logger.info(
        { partition: batch.partition, skipped: batch.records.length - records.length },
        'skipped commands the changelog records as processed (delivered again after a restart)',
      );
    if (records.length === 0) return;
    const staged = state.batch();
    const decisions = await this.decideAll(records, staged);
    const taken = records.slice(0, decisions.length);
    staged.nextInput = (BigInt(taken.at(-1)!.offset) + 1n).toString();
    const events = decisions.flatMap((d) => d.events);
    const predicted = state.predictOffsets(events);
    // Once the events' offsets are known in advance, events, results and changelog go out in one
    // request; otherwise the events go first and their offsets come from the broker's answer.
    const positions = predicted
      ? events.map((e, i) => ({ topic: e.topic, partition: e.partition, offset: predicted[i]! }))
      : await tx.send(events);
    const results = this.finish(decisions, positions, staged, state);
    const changelog = staged.changelog(this.options.topics.changelog, batch.partition);
    const rest = [
      ...decisions.flatMap((d) => d.deadLetters),
      ...results.map((r) => this.resultRecord(r, batch.partition)),
      ...changelog,
    ];
    const sent = predicted ? await tx.send([...events, ...rest]) : await tx.send(rest);
    if (predicted) checkPredicted(sent.slice(0, events.length), positions);
    staged.located(sent.slice(sent.length - changelog.length));
    tx.onCommit(() => {
      state.apply(staged, positions);
      this.options.onCommitted?.(results);
    });
    return batch.records.length - records.length + taken.length;
  }

  /** Decides the records in order until they have made EVENTS_PER_TRANSACTION events. */
  private async decideAll(records: readonly IncomingRecord[], staged: StagedChanges): Promise<Decision[]> {
    const decisions: Decision[] = [];
    const firstInBatch = new Map<string, number>();
    let events = 0;
    for (const record of records) {
      if (events >= EVENTS_PER_TRANSACTION) break;
      const id = record.headers.ce_id;
      const first = id !== undefined ? firstInBatch.get(id) : undefined;
      // A command id repeated within one batch is answered like any other duplicate.
      const decision = first !== undefined ? duplicateOf(first) : await this.decide(record, staged);
      decisions.push(decision);
      events += decision.events.length;
      if (id !== undefined && first === undefined) firstInBatch.set(id, decisions.length - 1);
    }
    return decisions;
  }

  /** The batch's results, each command remembered as processed, expired ones tombstoned. */
  private finish(
    decisions: readonly Decision[],
    positions: readonly RecordPosition[],
    staged: StagedChanges,
    state: PartitionState,
  ): CommandResult[] {
    const now = Date.now();
    const processedAt = new Date(now).toISOString();
    const results: CommandResult[] = [];
    let next = 0;
    for (const d of decisions) {
      const result = d.finish(positions.slice(next, (next += d.events.length)), processedAt, results);
      results.push(result);
      // A dead-lettered command is not remembered as processed: once the cause is fixed (e.g. a
      // processor that knows a newer schema), `sentinel dlq redrive` must be able to apply it.
      if (!result.duplicate && d.deadLetters.length === 0)
        staged.processed.set(result.commandId, { result, at: now });
    }
    for (const id of state.expired(now, this.options.idempotencyRetentionMs, SWEEP_LIMIT))
      staged.processed.set(id, undefined);
    return results;
  }

  private async decide(record: IncomingRecord, staged: StagedChanges): Promise<Decision> {
    try {
      return await decideCommand(record, staged, this.deciding);
    } catch (error) {
      // Unreadable or unknown: park it with its reason and move on (DESIGN.md §1.6).
      const reason = (error as Error).message;
      this.options.logger.warn(
        { partition: record.partition, offset: record.offset, reason },
        'command sent to the dead-letter topic',
      );
      return invalid(record, reason, this.options.topics.dlq);
    }
  }

  /** A processed command's outcome, from its changelog record (memory keeps recent ones only). */
  private async storedOutcome(commandId: string, partition: number, offset: number): Promise<CommandResult> {
    const topic = this.options.topics.changelog;
    const [record] = await this.options.messaging.readRecords(topic, partition, [String(offset)]);
    // Compaction keeps a key's latest record, and a command id leaves memory when it is
    // tombstoned: anything else there means the log was changed behind Sentinel's back.
    if (!record?.value || record.key?.toString('utf8') !== processedKey(commandId))
      throw new Error(`the outcome of command ${commandId} is not at ${topic}/${partition} offset ${offset}`);
    return (JSON.parse(record.value.toString('utf8')) as ProcessedCommand).result;
  }

  private resultRecord(result: CommandResult, partition: number): PartitionedRecord {
    return {
      topic: this.options.topics.commandResults,
      partition,
      key: result.aggregateId,
      value: encodeResult(result),
    };
  }
}

/**
 * Fails the batch if the broker put an event elsewhere than predicted: the transaction aborts,
 * the partition is claimed again and the batch redelivered, so a result naming an offset its
 * event did not get never commits.
 */
function checkPredicted(sent: readonly RecordPosition[], predicted: readonly RecordPosition[]): void {
  const wrong = sent.findIndex((p, i) => p.offset !== predicted[i]!.offset);
  if (wrong === -1) return;
  const { topic, partition, offset } = sent[wrong]!;
  throw new Error(
    `event offsets differ from the ones predicted (${topic}/${partition}: ${offset}, not ` +
      `${predicted[wrong]!.offset}); is another producer writing to the events topic?`,
  );
}

function duplicateOf(index: number): Decision {
  return {
    events: [],
    deadLetters: [],
    finish: (_p, _at, earlier) => ({ ...earlier[index]!, duplicate: true }),
  };
}

function invalid(record: IncomingRecord, reason: string, dlqTopic: string): Decision {
  const commandId = record.headers.ce_id || `${record.topic}/${record.partition}/${record.offset}`;
  return {
    events: [],
    deadLetters: [deadLetter(dlqTopic, record, reason)],
    finish: (_positions, processedAt) => ({
      commandId,
      aggregateId: record.key?.toString('utf8') ?? '',
      commandType: record.headers.ce_type ?? 'unknown',
      status: 'invalid',
      version: 0,
      events: [],
      reasons: [reason],
      processedAt,
    }),
  };
}
