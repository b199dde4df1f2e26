import { createHash } from 'crypto';
import { ProblemException } from '../http/problem.filter';

/** A UUID-shaped id that is a pure function of its parts (same input, same id). */
export function deterministicId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // Version 8 ("custom") UUID layout, so the id reads as what it is: derived, not random.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A deployment is identified by where it runs: one Kubernetes object per cluster, namespace and
 * name, so creating the same one twice is refused instead of fighting over the object.
 */
export const deploymentIdOf = (cluster: string, namespace: string, name: string) =>
  deterministicId('deployment', cluster, namespace, name);

/** An Idempotency-Key is the caller's: scoped to the actor so two callers never collide. */
export const commandIdOf = (actor: string, key: string) => deterministicId('command', actor, key);

/** Ids are minted by Sentinel; anything else names no such resource and reaches no command. */
export function knownId(id: string, noun: string): string {
  if (!ID_PATTERN.test(id))
    throw new ProblemException({
      type: 'not-found',
      title: `No such ${noun}`,
      status: 404,
      detail: `no ${noun} has id ${id}`,
    });
  return id;
}
