import type { Request, Response } from 'express';
import { randomUUID } from 'crypto';
import type { BoundedContext } from '../eventing/contexts';
import type { Eventing } from '../eventing/eventing';
import { PublishFailed } from '../messaging/ports';
import { ProblemException } from '../http/problem.filter';
import type { Actor } from '../infrastructure/auth';
import { answer, type Resource } from './command-outcome';
import { commandIdOf } from './identifiers';
import { expectedVersion, idempotencyKey } from './request-parsing';

export interface Change {
  type: string;
  aggregateId: string;
  data: unknown;
  created?: boolean;
}

/**
 * What every change endpoint does once its body is valid: send the command with the caller's
 * Idempotency-Key and If-Match, wait for its outcome and map it to HTTP. Shared so each
 * context's controller only validates and names its commands.
 */
export async function sendCommand(
  eventing: Eventing,
  target: { context: BoundedContext; resource: Resource },
  change: Change,
  http: { req: Request; res: Response; actor: Actor },
) {
  const { req, res, actor } = http;
  const bus = eventing.bus;
  if (!bus)
    throw new ProblemException({
      type: 'unavailable',
      title: 'The write side is not running yet',
      status: 503,
      detail: `write side is ${eventing.status.state}; retry shortly (see /readyz)`,
    });
  const key = idempotencyKey(header(req, 'idempotency-key'));
  const version = expectedVersion(header(req, 'if-match'));
  try {
    const outcome = await bus.dispatch({
      context: target.context,
      type: change.type,
      aggregateId: change.aggregateId,
      data: change.data,
      actor: actor.subject,
      commandId: key ? commandIdOf(actor.subject, key) : randomUUID(),
      ...(version !== undefined ? { expectedVersion: version } : {}),
      ...(typeof req.id === 'string' ? { correlationId: req.id } : {}),
    });
    return answer(res, outcome, change.created === true, target.resource);
  } catch (error) {
    if (error instanceof PublishFailed && error.retriable) {
      res.setHeader('Retry-After', '1');
      throw new ProblemException({
        type: 'unavailable',
        title: 'The event log is unavailable',
        status: 503,
        detail: `${error.message}; nothing was changed — retry with the same Idempotency-Key`,
      });
    }
    throw error;
  }
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
