import { randomUUID } from 'crypto';
import type { Logger } from '../infrastructure/logging/logger';
import type { Database } from '../infrastructure/postgres/database';
import type { Messaging, Subscription } from '../messaging/ports';
import { type CommandResult, decodeResult } from './command-result';

/**
 * Outcomes heard in-process and not yet read back from the topic, at most this many: the topic
 * normally delivers them within milliseconds; the oldest go first if it never does (a crash).
 */
const HEARD_KEPT = 10_000;

/** One outcome: a duplicate answer repeats its original's fields but for the flag. */
const identity = (r: CommandResult) => `${r.commandId}\n${r.processedAt}\n${r.duplicate === true}`;

/**
 * Every command outcome, as it is committed: it wakes callers waiting in this process and is
 * recorded in Postgres for later look-ups. Each process reads all partitions under a group of its
 * own (a waiter must hear its answer whichever partition it lands on) from the moment it joins.
 */
export class CommandResultsFeed {
  private readonly waiters = new Map<string, ((result: CommandResult) => void)[]>();
  /** Outcomes passed on by hear(), by identity, with how many times each was heard. */
  private readonly heard = new Map<string, number>();
  private subscription?: Subscription;

  constructor(
    private readonly messaging: Messaging,
    private readonly database: Database,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the feed has joined, so no answer to a command sent afterwards is missed. */
  async start(groupPrefix: string): Promise<void> {
    let joined!: () => void;
    const ready = new Promise<void>((resolve) => (joined = resolve));
    this.subscription = await this.messaging.subscribe({
      groupId: `${groupPrefix}-results-${randomUUID()}`,
      topics: [this.topic],
      fromBeginning: false,
      // The group is this process's alone and starts at the end each time: its offsets would
      // never be read, and each commit would hold the next fetch (and the answers in it) back.
      offsetCommitIntervalMs: null,
      onJoined: () => joined(),
      handle: async (batch) => {
        const results = batch.records.filter((r) => r.value).map((r) => decodeResult(r.value!));
        // Waiters hear the committed outcome first; the Postgres record serves later look-ups and
        // is written before the offset moves on, so a crash in between re-delivers the batch.
        for (const result of results) if (!this.heardBefore(result)) this.wake(result);
        await this.record(results);
      },
    });
    await ready;
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  /** Waits for a command's first answer; undefined after the timeout (the caller answers "pending"). */
  waitFor(
    commandId: string,
    timeoutMs: number,
  ): { result: Promise<CommandResult | undefined>; cancel(): void } {
    let settle!: (r: CommandResult | undefined) => void;
    const result = new Promise<CommandResult | undefined>((resolve) => (settle = resolve));
    const listener = (r: CommandResult) => settle(r);
    this.waiters.set(commandId, [...(this.waiters.get(commandId) ?? []), listener]);
    const timer = setTimeout(() => settle(undefined), timeoutMs);
    const cancel = () => {
      clearTimeout(timer);
      const rest = (this.waiters.get(commandId) ?? []).filter((l) => l !== listener);
      if (rest.length > 0) this.waiters.set(commandId, rest);
      else this.waiters.delete(commandId);
    };
    void result.then(cancel);
    return { result, cancel: () => settle(undefined) };
  }

  /** The recorded outcome of a command, if any. */
  async lookup(commandId: string): Promise<CommandResult | undefined> {
    const { rows } = await this.database.pool.query<{ result: CommandResult }>(
      'SELECT result FROM command_results WHERE command_id = $1',
      [commandId],
    );
    return rows[0]?.result;
  }

  private async record(results: CommandResult[]): Promise<void> {
    const originals = results.filter((r) => !r.duplicate);
    if (originals.length === 0) return;
    // Every process records every outcome; the first insert wins and the rest are no-ops.
    await this.database.pool.query(
      `INSERT INTO command_results (command_id, aggregate_id, command_type, status, version, result, processed_at)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(command_id text, aggregate_id text, command_type text,
         status text, version integer, result jsonb, processed_at timestamptz)
       ON CONFLICT (command_id) DO NOTHING`,
      [
        JSON.stringify(
          originals.map((r) => ({
            command_id: r.commandId,
            aggregate_id: r.aggregateId,
            command_type: r.commandType,
            status: r.status,
            version: r.version,
            result: r,
            processed_at: r.processedAt,
          })),
        ),
      ],
    );
    this.logger.debug({ count: originals.length }, 'recorded command results');
  }

  /**
   * Outcomes committed by a processor in this process, heard before the results topic is read
   * back. The topic still delivers them; a caller already answered is not answered again.
   */
  hear(results: readonly CommandResult[]): void {
    for (const result of results) {
      const key = identity(result);
      const count = (this.heard.get(key) ?? 0) + 1;
      // Re-inserted, so the map's order stays the order in which outcomes were last heard.
      this.heard.delete(key);
      this.heard.set(key, count);
      if (this.heard.size > HEARD_KEPT) this.heard.delete(this.heard.keys().next().value!);
      this.wake(result);
    }
  }

  /**
   * Whether the topic now delivers an outcome that hear() passed on already. Such an outcome must
   * not wake anyone: a caller waiting now sent the same command id again (an Idempotency-Key
   * replay), and its answer is the duplicate the processor gives it, not this original.
   */
  private heardBefore(result: CommandResult): boolean {
    const key = identity(result);
    const count = this.heard.get(key);
    if (count === undefined) return false;
    if (count > 1) this.heard.set(key, count - 1);
    else this.heard.delete(key);
    return true;
  }

  private wake(result: CommandResult): void {
    for (const listener of this.waiters.get(result.commandId) ?? []) listener(result);
  }
}
