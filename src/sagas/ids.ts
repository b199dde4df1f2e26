import { createHash } from 'crypto';

/**
 * Command ids that are a pure function of what they record, so a redelivered event, a restart
 * or a second watcher sending the same fact yields the same id, and the command processor's
 * idempotency answers it as a duplicate instead of recording it twice.
 */
export function factId(...parts: readonly (string | number)[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // Version 8 ("custom") UUID layout: derived, not random.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** One outcome per (deployment, intent version, outcome): a failure then a success both count. */
export const outcomeCommandId = (deploymentId: string, intentVersion: number, outcome: string) =>
  factId('apply-outcome', deploymentId, intentVersion, outcome);

/** One status report per object state: the same uid and resourceVersion is the same fact. */
export const statusCommandId = (deploymentId: string, uid: string, resourceVersion: string) =>
  factId('observed-status', deploymentId, uid, resourceVersion);

/** A hand edit is one drift per object generation (status updates do not change it). */
export const modifiedDriftId = (deploymentId: string, uid: string, generation: number) =>
  factId('drift-modified', deploymentId, uid, generation);

/**
 * A hand delete is one drift per intent: the watch and the resync may both notice the same
 * missing object, and after the repair (a new intent version) a new deletion is a new fact.
 */
export const deletedDriftId = (deploymentId: string, intentVersion: number) =>
  factId('drift-deleted', deploymentId, intentVersion);
