import type { PolicyEvaluated } from '../domain/deployments/contracts.generated';
import type { Handler, ProjectionDefinition } from './projection';

/**
 * The decisions read model (migrations/0005): one row per PolicyEvaluated, with every input of
 * the decision, so decisions can be listed and re-evaluated without reading the log. Only that
 * event type is handled; the rest of the deployments topic is skipped (and counted).
 */

const OUTCOMES = new Set(['allowed', 'denied', 'would_deny']);

/**
 * A recorded JSON text, parsed. The decider writes these with recordJson, so a failure is not
 * expected; it yields undefined rather than throwing, because a handler that throws stops the
 * projection on that event forever.
 */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * A Postgres array literal: the row renderer sends JS arrays as JSON (for jsonb columns), which
 * a text[] column would not accept.
 */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** Ids of the policies that applied: a result other than not_applicable. */
function appliedPolicyIds(results: unknown): string[] {
  if (!Array.isArray(results)) return [];
  const ids = results
    .filter((r): r is { policyId: string } => isObject(r) && typeof r.policyId === 'string')
    .filter((r) => (r as { result?: unknown }).result !== 'not_applicable')
    .map((r) => r.policyId);
  return [...new Set(ids)];
}

const evaluated: Handler = (e) => {
  const d = e.data as PolicyEvaluated;
  const request = parsed(d.request);
  const fields = isObject(request) ? request : {};
  const results = parsed(d.results);
  return [
    {
      op: 'insert',
      table: 'decisions',
      row: {
        decision_id: d.decisionId,
        deployment_id: d.deploymentId,
        deployment_name: text(fields.deploymentName),
        action: d.action,
        // The request names the actor; the event's own actor is the same command's, as a fallback.
        actor: text(fields.actor) ?? e.actor,
        cluster: text(fields.cluster),
        namespace: text(fields.namespace),
        team: text(fields.team),
        // Unknown outcomes are written by no Sentinel version; fail closed rather than stall.
        outcome: OUTCOMES.has(d.outcome) ? d.outcome : 'denied',
        at: d.now,
        policy_ids: textArray(appliedPolicyIds(results)),
        policies: d.policies.map((p) => ({
          policyId: p.policyId,
          version: p.version,
          definition: p.definition,
        })),
        // Kept as recorded even when it is not JSON: a JSON string of the text, never lost.
        request: request === undefined ? JSON.stringify(d.request) : d.request,
        facts: d.facts,
        results: Array.isArray(results) ? d.results : '[]',
        reasons: [...d.reasons],
        tzdata: d.tzdata,
        event_topic: e.topic,
        event_partition: e.partition,
        event_offset: e.offset,
        aggregate_version: e.version,
      },
    },
  ];
};

export const decisionsProjection: ProjectionDefinition = {
  name: 'decisions',
  context: 'deployments',
  namespace: 'sentinel.deployments',
  tables: { decisions: ['decision_id'] },
  handlers: { PolicyEvaluated: evaluated },
};
