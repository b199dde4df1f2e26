import type { Response } from 'express';
import type { Outcome } from '../eventing/command-bus';
import type { CommandResult } from '../eventing/command-result';
import { ProblemException } from '../http/problem.filter';

/** What a change endpoint answers on success: the new version and where its events landed. */
export interface ChangeAccepted {
  id: string;
  commandId: string;
  version: number;
  /** Positions to pass as `after` to a query for read-your-writes. */
  events: CommandResult['events'];
}

/** The kind of aggregate a change endpoint acts on, for Location and the problems' wording. */
export interface Resource {
  readonly noun: string;
  readonly path: string;
}

export const DEPLOYMENT: Resource = { noun: 'deployment', path: '/v1/deployments' };

/**
 * Maps a command's outcome to HTTP (DESIGN.md §6): accepted → 200/201 with the version as ETag,
 * version conflict → 412, domain rejection → 422 (404/409 where the reason is existence),
 * past the timeout → 202 with where to look the outcome up.
 */
export function answer(
  res: Response,
  outcome: Outcome,
  created: boolean,
  resource: Resource = DEPLOYMENT,
): ChangeAccepted | { commandId: string; status: 'pending' } {
  if (outcome.kind === 'pending') {
    res.status(202).location(`/v1/commands/${outcome.commandId}`);
    return { commandId: outcome.commandId, status: 'pending' };
  }
  const r = outcome.result;
  switch (r.status) {
    case 'accepted':
      // A repeated Idempotency-Key gets the original answer; the header tells it was replayed.
      res.status(created ? 201 : 200).setHeader('ETag', `"${r.version}"`);
      if (r.duplicate) res.setHeader('Idempotent-Replayed', 'true');
      if (created) res.location(`${resource.path}/${r.aggregateId}`);
      return { id: r.aggregateId, commandId: r.commandId, version: r.version, events: r.events };
    case 'conflict':
      res.setHeader('ETag', `"${r.version}"`);
      throw new ProblemException({
        type: 'version-conflict',
        title: `The ${resource.noun} has changed since the version named in If-Match`,
        status: 412,
        detail: `${r.reasons.join('; ')}; read it again and retry with If-Match: "${r.version}"`,
      });
    case 'rejected':
      throw rejection(r, resource);
    case 'invalid':
      throw new ProblemException({
        type: 'command-unreadable',
        title: 'The command could not be processed',
        status: 500,
        detail: `it was parked in the dead-letter topic: ${r.reasons.join('; ')}`,
      });
  }
}

const FIELDS = [
  'replicas',
  'image',
  'resources.cpu',
  'resources.memory',
  'resources.gpu',
  'env',
  'name',
  'namespace',
  'cluster',
  'labels',
  'team',
  'costPerReplicaHour',
  'toRevision',
  'revision',
];

const FIELD_PREFIX = /^([A-Za-z][\w.[\]]*): /;

function rejection(r: CommandResult, resource: Resource): ProblemException {
  if (r.events.some((e) => e.type === 'PolicyDenied')) return policyDenial(r);
  const status = r.reasons.some((x) => /does not exist$/.test(x))
    ? 404
    : r.reasons.some((x) => /already exists$/.test(x))
      ? 409
      : 422;
  return new ProblemException({
    type: status === 404 ? 'not-found' : status === 409 ? 'already-exists' : 'rejected',
    title:
      status === 404
        ? `No such ${resource.noun}`
        : status === 409
          ? `The ${resource.noun} already exists`
          : 'The change was rejected',
    status,
    detail: r.reasons.join('; '),
    // Domain reasons start with the field they are about where there is one, either bare or
    // as `field: reason` (policies, whose fields are paths into the definition).
    errors: r.reasons.map((reason) => ({
      field: FIELDS.find((f) => reason.startsWith(f)) ?? FIELD_PREFIX.exec(reason)?.[1] ?? 'request',
      reason,
    })),
  });
}

/** A policy refused the change: the reasons say which rule and why; the decision id finds it in /v1/decisions. */
function policyDenial(r: CommandResult): ProblemException {
  return new ProblemException({
    type: 'policy-denied',
    title: 'A policy denied the change',
    status: 422,
    detail: r.reasons.join('; '),
    decisionId: r.commandId,
    errors: r.reasons.map((reason) => ({ field: 'policy', reason })),
  });
}
