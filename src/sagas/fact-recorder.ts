import type { OutcomeCommand } from '../domain/deployments/messages';
import type { CommandSender } from '../eventing/command-sender';
import { deployments } from '../eventing/contexts';
import { DEFAULT_RETRY, type RetryPolicy, withRetries } from './failures';
import type { Tracked } from './tracked';

/** The actor stamped on every fact the effects role records. */
export const EFFECTS_ACTOR = 'system:sentinel-effects';

/**
 * Records cluster facts as commands (DESIGN.md §5: outcomes are reported as commands), with ids
 * derived from the fact so that sending one again is answered as a duplicate. Each names the
 * intent event that caused it, so the audit trail links request, intent, effect and outcome.
 */
export class FactRecorder {
  constructor(
    private readonly sender: Pick<CommandSender, 'send'>,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  async record<C extends OutcomeCommand>(
    t: Tracked,
    command: { type: C['type']; data: C['data'] },
    commandId: string,
  ): Promise<void> {
    const sent = await withRetries(
      () =>
        this.sender.send({
          context: deployments,
          type: command.type,
          aggregateId: t.deploymentId,
          data: command.data,
          actor: EFFECTS_ACTOR,
          commandId,
          ...(t.intentEventId ? { causationId: t.intentEventId, correlationId: t.correlationId } : {}),
        }),
      this.retry,
    );
    if (!sent.ok)
      throw new Error(`recording ${command.type} for ${t.deploymentId} failed: ${sent.failure.reason}`);
  }
}
