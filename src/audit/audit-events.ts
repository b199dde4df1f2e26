import { topics as topicLayout } from '../eventing/topics';
import { CONTEXTS } from '../eventing/contexts';

export type { AuditEventRow } from '../projections/audit-rows';

/** The event topics of one deployment of Sentinel: a shared database holds other prefixes too. */
export function auditTopicsOf(prefix: string): string[] {
  const layout = topicLayout({ prefix, partitions: 1, contexts: [], commandLogRetentionMs: 0 });
  return CONTEXTS.map((c) => layout.events(c.name)).sort();
}

/** Desired-state changes (docs/adr/0005): the events a compliance report counts as changes. */
export const CHANGE_TYPES = [
  'DeploymentCreated',
  'DeploymentUpdated',
  'DeploymentScaled',
  'DeploymentRolledBack',
  'DeploymentDeleted',
] as const;

/** Event types a compliance report reads besides the actions of agents. */
export const REPORT_TYPES = [
  ...CHANGE_TYPES,
  'PolicyEvaluated',
  'PolicyDenied',
  'DeploymentRejected',
  'AccessDenied',
] as const;

/**
 * Some payload fields are JSON carried as text (PolicyEvaluated.request, results, facts, and
 * policy definitions): parsed when they are JSON, kept as recorded when they are not.
 */
export function jsonField(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

export const integer = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) ? value : null;
