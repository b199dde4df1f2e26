import type { ContractCodec } from '../eventing/codec';
import { deadLetter } from '../eventing/dead-letter';
import type { Logger } from '../infrastructure/logging/logger';
import type { Database } from '../infrastructure/postgres/database';
import type { IncomingRecord, Messaging, Subscription } from '../messaging/ports';
import { advanceCheckpointSql, lockCheckpointSql, partitionKey, rebuildCheckpointName } from './checkpoints';
import { GroupCommit } from './group-commit';
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
  /** Told after each committed write that moved a checkpoint (live only). */
  readonly onCommitted?: (projection: string) => void;
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
/** One partition's decoded records, waiting to be written with others (see GroupCommit). */
type Slice = { readonly topic: string; readonly partition: number; readonly read: readonly Read[] };
/** A slice's write (`counted` absent when nothing in it was new). */
type Written = {
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
  private readonly commits = new GroupCommit<Slice, Written>(
    (slices) => this.writeAll(slices),
    (s) => partitionKey(s.topic, s.partition),
  );

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

  /**
   * Applies records of one partition (in offset order) and moves its checkpoint, atomically:
   * in one transaction with the other partitions' batches that arrive meanwhile (GroupCommit).
   */
  async apply(topic: string, partition: number, records: readonly IncomingRecord[]): Promise<void> {
    // Decoded before the transaction, so a slow registry never holds a connection or the lock.
    const read: Read[] = [];
    for (const record of records)
      read.push({ record, read: await readRecord(this.options.projection, this.deps.codec, record) });
    const outcome = await this.commits.submit({ topic, partition, read });
    this.stats.redelivered += outcome.redelivered;
    if (outcome.counted) this.record(topic, partition, outcome.counted);
    const committed = Date.now();
    if (this.options.mode !== 'live' || !outcome.appended) return;
    this.deps.onCommitted?.(this.options.projection.name);
    for (const at of outcome.appended)
      this.deps.observeLag?.(this.options.projection.name, (committed - at) / 1000);
  }

  private async writeAll(slices: readonly Slice[]): Promise<readonly Written[]> {
    let outcome = await this.write(slices);
    // A rebuild is switching in: wait for it without holding a connection, then apply here.
    for (; outcome === 'paused'; outcome = await this.write(slices)) {
      // Failing, not returning: a batch that returns is committed to the group as consumed.
      if (this.stopping) throw new Error('stopped while a rebuild was switching in; delivered again later');
      await new Promise((r) => setTimeout(r, HOLD_POLL_MS));
    }
    return outcome;
  }

  /**
   * One transaction: the rows of each slice's records past its partition's checkpoint, and the
   * new checkpoints. Two round trips whatever the size (see Database.readThenWrite): the switch
   * lock and the checkpoints, then the rows, the checkpoints' moves and the commit. Checkpoints
   * are locked in one order, so two members briefly sharing partitions never deadlock.
   */
  private write(slices: readonly Slice[]): Promise<readonly Written[] | 'paused'> {
    const literal: Literal = (value) => this.deps.database.literal(value);
    const ordered = [...slices].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    const open = [
      this.options.mode === 'live'
        ? trySharedSwitchLockSql(literal, this.options.projection.name)
        : 'SELECT true AS ok',
      `SET LOCAL search_path TO ${this.schema}, public`,
      ...ordered.flatMap((s) => lockCheckpointSql(literal, this.checkpoint, s.topic, s.partition)),
    ].join(';\n');
    return this.deps.database.readThenWrite<readonly Written[] | 'paused'>(open, async (opened) => {
      if (opened[0]!.rows[0]!.ok !== true) return { value: 'paused' };
      // After the lock and SET: an INSERT and a SELECT per slice, in `ordered` order.
      const next = new Map(
        ordered.map((s, i) => [s, BigInt(opened[3 + 2 * i]!.rows[0]!.next_offset as string)] as const),
      );
      const sql: string[] = [];
      const written: Written[] = [];
      for (const slice of slices) {
        const fresh = slice.read.filter((r) => BigInt(r.record.offset) >= next.get(slice)!);
        const redelivered = slice.read.length - fresh.length;
        if (fresh.length === 0) {
          written.push({ redelivered });
          continue;
        }
        const rows = await this.rows(fresh, literal);
        const last = BigInt(fresh.at(-1)!.record.offset);
        sql.push(
          rows.sql,
          advanceCheckpointSql(literal, this.checkpoint, slice.topic, slice.partition, last + 1n),
        );
        written.push({
          redelivered,
          counted: rows.counted,
          appended: fresh.map((r) => Number(r.record.timestamp)),
        });
      }
      const all = sql.filter(Boolean).join(';\n');
      return { sql: all || undefined, value: written };
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
