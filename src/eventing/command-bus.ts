import { randomUUID } from 'crypto';
import type { CommandResult } from './command-result';
import type { CommandResultsFeed } from './command-results-feed';
import type { CommandSender, OutgoingCommand } from './command-sender';

/** What a caller gets back: the outcome, or "accepted, pending" with the id to look it up by. */
export type Outcome = { kind: 'completed'; result: CommandResult } | { kind: 'pending'; commandId: string };

/**
 * Sends a command and waits, bounded, for its outcome (DESIGN.md §3 step 3). The waiter is
 * registered before the command is produced, so even an instant answer is not missed.
 */
export class CommandBus {
  constructor(
    private readonly sender: CommandSender,
    private readonly feed: CommandResultsFeed,
    private readonly timeoutMs: number,
  ) {}

  async dispatch(command: OutgoingCommand): Promise<Outcome> {
    const commandId = command.commandId ?? randomUUID();
    const waiting = this.feed.waitFor(commandId, this.timeoutMs);
    try {
      await this.sender.send({ ...command, commandId });
    } catch (error) {
      waiting.cancel();
      throw error;
    }
    const result = await waiting.result;
    return result ? { kind: 'completed', result } : { kind: 'pending', commandId };
  }

  /** Sends without waiting for the outcome: for facts the caller will not act on. */
  async send(command: OutgoingCommand): Promise<void> {
    await this.sender.send(command);
  }

  /** The outcome of an earlier command, once it has one. */
  lookup(commandId: string): Promise<CommandResult | undefined> {
    return this.feed.lookup(commandId);
  }
}
