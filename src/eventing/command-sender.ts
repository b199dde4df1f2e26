import { randomUUID } from 'crypto';
import type { Publisher, RecordPosition } from '../messaging/ports';
import { toHeaders } from './cloudevents';
import type { ContractCodec } from './codec';
import type { BoundedContext } from './contexts';
import type { Topics } from './topics';

export interface OutgoingCommand {
  context: BoundedContext;
  /** Command type within the context, e.g. `ScaleDeployment`. */
  type: string;
  aggregateId: string;
  data: unknown;
  actor: string;
  /** Idempotency key: resending the same id yields the original outcome. */
  commandId?: string;
  expectedVersion?: number;
  correlationId?: string;
  causationId?: string;
  /** Decision time; the edge's clock, so deciders never read one (STYLE.md practice 5). */
  time?: string;
  /** Digest of the request an Idempotency-Key came with; kept on the result to spot a reused key. */
  requestHash?: string;
}

/** Produces commands to `sentinel.commands`, keyed by aggregate id (DESIGN.md §3 step 1). */
export class CommandSender {
  constructor(
    private readonly publisher: Publisher,
    private readonly codec: ContractCodec,
    private readonly topics: Topics,
  ) {}

  async send(command: OutgoingCommand): Promise<{ commandId: string; position: RecordPosition }> {
    const commandId = command.commandId ?? randomUUID();
    const type = `${command.context.namespace}.${command.type}`;
    const value = await this.codec.encode(type, command.data);
    const headers = toHeaders({
      id: commandId,
      source: '/sentinel/edge',
      type,
      time: command.time ?? new Date().toISOString(),
      subject: command.aggregateId,
      actor: command.actor,
      correlationId: command.correlationId ?? commandId,
      causationId: command.causationId ?? commandId,
      ...(command.expectedVersion !== undefined ? { version: command.expectedVersion } : {}),
      ...(command.requestHash !== undefined ? { requestHash: command.requestHash } : {}),
    });
    const [position] = await this.publisher.publish([
      { topic: this.topics.commands, key: command.aggregateId, value, headers },
    ]);
    return { commandId, position: position! };
  }
}
