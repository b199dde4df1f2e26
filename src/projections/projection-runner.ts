import type { ContractCodec } from '../eventing/codec';
import { deadLetter } from '../eventing/dead-letter';
import type { Logger } from '../infrastructure/logging/logger';
import type { Database } from '../infrastructure/postgres/database';
import type { IncomingRecord, Messaging, Subscription } from '../messaging/ports';
import { advanceCheckpointSql, lockCheckpointSql, rebuildCheckpointName } from './checkpoints';
import { type ReadRecord, readRecord } from './event-reading';
import { evolve, type ProjectionDefinition, type RowChange } from './projection';
import { schemaNames, trySharedSwitchLockSql } from './read-model-schema';
import { type Literal, renderBatch } from './sql';

/**
 * Runs one projection as a Kafka subscriber (DESIGN.md §4). Each partition batch is applied in
 * ONE Postgres transaction: the rows of every new event and the partition's checkpoint. Records
 * below the checkpoint were applied before and are skipped, so at-least-once delivery (a crash,
 * a rebalance, a reset group) never applies an event twice.
 *
 * - live: writes `read_<name>` under checkpoint `<name>`, holding the switch lock shared;
 * - rebuild: writes `read_<name>_next` under `<name>:rebuild`, and never passes `ceiling`.
 */
export interface RunnerOptions {
  readonly projection: ProjectionDefinition;
  readonly mode: 'live' | 'rebuild';
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where poison events are parked (live only; a rebuild meets the same ones again). */
  readonly deadLetterTopic?: string;
  /** Records at or past this offset wait until it moves (undefined: no limit). */
  readonly ceiling?: (topic: string, partition: number) => bigint | undefined;
}

export interface RunnerDeps {
  /** Told, per applied event, how long after entering the log its rows committed (live only). */
  readonly observeLag?: (projection: string, seconds: number) => void;
  readonly messaging: Messaging;
  readonly database: Database;
  readonly codec: Pick<ContractCodec, 'decode'>;
  readonly logger: Logger;
}

export interface RunnerStats {
  applied: number;
  unknown: number;
  poison: number;
  /** Records delivered again below the checkpoint, and skipped. */
  redelivered: number;
}

const HOLD_POLL_MS = 100;

type Read = { readonly record: IncomingRecord; readonly read: ReadRecord };
type Counted = { applied: number; unknown: Map<string, number>; poison: string[] };
/** A batch's write: paused by a rebuild's switch, or done (`counted` absent when nothing was new). */
type WriteOutcome =
  | 'paused'
  | {
      readonly redelivered: number;
      readonly counted?: Counted;
      /** When each newly applied record entered the log (ms since the epoch). */
      readonly appended?: readonly number[];
    };

export class ProjectionRunner {
  readonly stats: RunnerStats = { applied: 0, unknown: 0, poison: 0, redelivered: 0 };
  private subscription?: Subscription;
  private stopping = false;
  private readonly schema: string;
  private readonly checkpoint: string;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly options: RunnerOptions,
  ) {
    const names = schemaNames(options.projection.name);
    const live = options.mode === 'live';
    this.schema = live ? names.live : names.next;
    this.checkpoint = live ? options.projection.name : rebuildCheckpointName(options.projection.name);
  }

  /** Whether the consumer has joined its group and received partitions since start. */
  joined = false;

  async start(): Promise<void> {
    this.stopping = false;
    this.joined = false;
    this.subscription = await this.deps.messaging.subscribe({
      groupId: this.options.groupId,
      topics: this.options.topics,
      fromBeginning: true,
      onJoined: () => (this.joined = true),
      handle: (batch) => this.handle(batch.topic, batch.partition, batch.records),
    });
  }

  /** Lets the batch in flight finish (a held one returns at once) and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  private async handle(topic: string, partition: number, records: readonly IncomingRecord[]) {
    let pending = records;
    while (pending.length > 0 && !this.stopping) {
      const count = below(pending, this.options.ceiling?.(topic, partition));
      if (count > 0) await this.apply(topic, partition, pending.slice(0, count));
      pending = pending.slice(count);
      if (pending.length > 0) await new Promise((r) => setTimeout(r, HOLD_POLL_MS));
    }
  }

  /** Applies records of one partition (in offset order) and moves its checkpoint, atomically. */
  async apply(topic: string, partition: number, records: readonly IncomingRecord[]): Promise<void> {
    // Decoded before the transaction, so a slow registry never holds a connection or the lock.
    const read: Read[] = [];
    for (const record of records)
      read.push({ record, read: await readRecord(this.options.projection, this.deps.codec, record) });
    let outcome = await this.write(topic, partition, read);
    // A rebuild is switching in: wait for it without holding a connection, then apply here.
    for (; outcome === 'paused'; outcome = await this.write(topic, partition, read)) {
      // Failing, not returning: a batch that returns is committed to the group as consumed.
      if (this.stopping) throw new Error('stopped while a rebuild was switching in; delivered again later');
      await new Promise((r) => setTimeout(r, HOLD_POLL_MS));
    }
    this.stats.redelivered += outcome.redelivered;
    if (outcome.counted) this.record(topic, partition, outcome.counted);
    const committed = Date.now();
    if (this.options.mode === 'live')
      for (const at of outcome.appended ?? [])
        this.deps.observeLag?.(this.options.projection.name, (committed - at) / 1000);
  }

  /**
   * One transaction: the rows of the records past the checkpoint, and the new checkpoint. Two
   * round trips whatever the batch's size (see Database.readThenWrite): the switch lock and the
   * checkpoint, then the rows, the checkpoint's move and the commit.
   */
  private write(topic: string, partition: number, read: readonly Read[]): Promise<WriteOutcome> {
    const literal: Literal = (value) => this.deps.database.literal(value);
    const open = [
      this.options.mode === 'live'
        ? trySharedSwitchLockSql(literal, this.options.projection.name)
        : 'SELECT true AS ok',
      `SET LOCAL search_path TO ${this.schema}, public`,
      ...lockCheckpointSql(literal, this.checkpoint, topic, partition),
    ].join(';\n');
    return this.deps.database.readThenWrite<WriteOutcome>(open, async (opened) => {
      if (opened[0]!.rows[0]!.ok !== true) return { value: 'paused' };
      const next = BigInt(opened.at(-1)!.rows[0]!.next_offset as string);
      const fresh = read.filter((r) => BigInt(r.record.offset) >= next);
      const redelivered = read.length - fresh.length;
      if (fresh.length === 0) return { value: { redelivered } };
      const { counted, sql } = await this.rows(fresh, literal);
      const last = BigInt(fresh.at(-1)!.record.offset);
      const advance = advanceCheckpointSql(literal, this.checkpoint, topic, partition, last + 1n);
      const appended = fresh.map((r) => Number(r.record.timestamp));
      return { sql: [sql, advance].filter(Boolean).join(';\n'), value: { redelivered, counted, appended } };
    });
  }

  private async rows(fresh: readonly Read[], literal: Literal) {
    const counted: Counted = { applied: 0, unknown: new Map<string, number>(), poison: [] };
    const changes: RowChange[][] = [];
    for (const { record, read } of fresh) {
      if (read.kind === 'unknown') counted.unknown.set(read.type, (counted.unknown.get(read.type) ?? 0) + 1);
      else if (read.kind === 'poison') {
        counted.poison.push(read.reason);
        // Parked before the rows commit: if the commit fails, the batch (and this) repeats.
        if (this.options.mode === 'live' && this.options.deadLetterTopic)
          await this.deps.messaging
            .publisher()
            .publish([deadLetter(this.options.deadLetterTopic, record, read.reason)]);
      } else {
        changes.push([...(evolve(this.options.projection, read.event) ?? [])]);
        counted.applied += 1;
      }
    }
    return { counted, sql: renderBatch(changes, literal) };
  }

  private record(topic: string, partition: number, counted: Counted) {
    const log = this.deps.logger;
    this.stats.applied += counted.applied;
    const unknown = [...counted.unknown.values()].reduce((a, b) => a + b, 0);
    this.stats.unknown += unknown;
    this.stats.poison += counted.poison.length;
    if (unknown > 0)
      log.debug(
        { topic, partition, types: Object.fromEntries(counted.unknown), total: this.stats.unknown },
        'skipped events of types this projection does not handle',
      );
    for (const reason of counted.poison)
      log.error({ topic, partition, reason, mode: this.options.mode }, 'unreadable event skipped');
  }
}

/** How many of the (offset-ordered) records come before `limit`. */
function below(records: readonly IncomingRecord[], limit: bigint | undefined): number {
  if (limit === undefined) return records.length;
  const first = records.findIndex((r) => BigInt(r.offset) >= limit);
  return first === -1 ? records.length : first;
}
