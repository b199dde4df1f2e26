/** The answer to one command, on `sentinel.command-results` and in the changelog for dedup. */
export interface CommandResult {
  readonly commandId: string;
  readonly aggregateId: string;
  readonly commandType: string;
  /**
   * accepted: events were appended (possibly none, for a no-op); rejected: the domain refused and
   * the refusal is an event; conflict: the expected version did not match; invalid: the command
   * could not be read and went to the dead-letter topic.
   */
  readonly status: 'accepted' | 'rejected' | 'conflict' | 'invalid';
  /** Aggregate version after the command (the current version on conflict). */
  readonly version: number;
  readonly events: readonly EventPosition[];
  readonly reasons: readonly string[];
  readonly processedAt: string;
  /** Set when this answer repeats the outcome of an earlier delivery of the same command id. */
  readonly duplicate?: boolean;
  /** The digest of the HTTP request that first used this command id's Idempotency-Key. */
  readonly requestHash?: string;
}

export interface EventPosition {
  readonly type: string;
  readonly version: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export function encodeResult(result: CommandResult): Buffer {
  return Buffer.from(JSON.stringify(result));
}

export function decodeResult(value: Buffer): CommandResult {
  return JSON.parse(value.toString('utf8')) as CommandResult;
}
