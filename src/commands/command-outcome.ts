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

/**
 * Maps a command's outcome to HTTP (DESIGN.md §6): accepted → 200/201 with the version as ETag,
 * version conflict → 412, domain rejection → 422 (404/409 where the reason is existence),
 * past the timeout → 202 with where to look the outcome up.
 */
export function answer(
  res: Response,
  outcome: Outcome,
  created: boolean,
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
      if (created) res.location(`/v1/deployments/${r.aggregateId}`);
      return { id: r.aggregateId, commandId: r.commandId, version: r.version, events: r.events };
    case 'conflict':
      res.setHeader('ETag', `"${r.version}"`);
      throw new ProblemException({
        type: 'version-conflict',
        title: 'The deployment has changed since the version named in If-Match',
        status: 412,
        detail: `${r.reasons.join('; ')}; read it again and retry with If-Match: "${r.version}"`,
      });
    case 'rejected':
      throw rejection(r);
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

function rejection(r: CommandResult): ProblemException {
  const status = r.reasons.some((x) => /does not exist$/.test(x))
    ? 404
    : r.reasons.some((x) => /already exists$/.test(x))
      ? 409
      : 422;
  return new ProblemException({
    type: status === 404 ? 'not-found' : status === 409 ? 'already-exists' : 'rejected',
    title:
      status === 404
        ? 'No such deployment'
        : status === 409
          ? 'The deployment already exists'
          : 'The change was rejected',
    status,
    detail: r.reasons.join('; '),
    // Domain reasons start with the field they are about where there is one.
    errors: r.reasons.map((reason) => ({
      field: FIELDS.find((f) => reason.startsWith(f)) ?? 'request',
      reason,
    })),
  });
}
