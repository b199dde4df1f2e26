import type { Request, Response } from 'express';
import { createHash, randomUUID } from 'crypto';
import { canonicalJson } from '../domain/policies/definition';
import type { CommandResult } from '../eventing/command-result';
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
  const requestHash = key ? fingerprint(req) : undefined;
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
      ...(requestHash !== undefined ? { requestHash } : {}),
    });
    if (outcome.kind === 'completed') refuseReusedKey(outcome.result, requestHash, key);
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

/** Method, path and the body in canonical form: what a retry with the same key must repeat. */
function fingerprint(req: Request): string {
  const body = req.body === undefined ? '' : canonicalJson(req.body);
  return createHash('sha256').update(`${req.method} ${req.path}\n${body}`).digest('hex');
}

/**
 * A key is one request's: reusing it for a different one is a client bug that must not pass as
 * a replay of the first (IETF draft "The Idempotency-Key HTTP Header Field", 422). Nothing was
 * changed: the processor answered from the first outcome.
 */
function refuseReusedKey(result: CommandResult, requestHash: string | undefined, key: string | undefined) {
  if (!result.duplicate || !requestHash || !result.requestHash || result.requestHash === requestHash) return;
  throw new ProblemException({
    type: 'idempotency-key-reused',
    title: 'The Idempotency-Key was already used for a different request',
    status: 422,
    detail: `Idempotency-Key ${key} was first sent with another method, path or body; nothing was changed. Use a new key for a new request`,
    errors: [{ field: 'Idempotency-Key', reason: 'was already used for a different request' }],
  });
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
