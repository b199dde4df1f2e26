import { evaluate } from './evaluate';
import type { Decision, DeploymentFact, Policy, PolicyFacts, PolicyRequest, Rule, RuleResult } from './types';

/**
 * Builders shared by the unit specs (given/when/then over `evaluate`). Named `*.spec.ts` so the
 * build leaves it out; it holds no tests of its own.
 */

export const NOW = '2026-11-25T10:00:00Z';

export const baseRequest: PolicyRequest = {
  action: 'scale',
  deploymentId: 'dep-1',
  deploymentName: 'llm-server',
  actor: 'alice',
  cluster: 'local-a',
  namespace: 'payments',
  team: 'ml-platform',
  labels: { tier: '1' },
  replicas: 4,
  perReplica: { cpu: '2', memory: '8Gi', gpu: 1 },
  costPerReplicaHour: 3.5,
};

export const baseFacts: PolicyFacts = { deployments: [], burnRates: {}, recentActions: {} };

export function deployment(fields: Partial<DeploymentFact> & { id: string }): DeploymentFact {
  return {
    cluster: 'local-a',
    namespace: 'payments',
    team: 'ml-platform',
    replicas: 1,
    perReplica: { cpu: '1', memory: '1Gi', gpu: 0 },
    costPerReplicaHour: 1,
    ...fields,
  };
}

export function policy(rule: Rule, fields: Partial<Policy> = {}): Policy {
  return {
    id: `p-${rule.type}`,
    version: 1,
    name: rule.type,
    priority: 0,
    mode: 'enforce',
    selector: {},
    rule,
    ...fields,
  };
}

export function given(...policies: Policy[]) {
  let facts = baseFacts;
  const api = {
    facts(more: Partial<PolicyFacts>) {
      facts = { ...facts, ...more };
      return api;
    },
    when(change: Partial<PolicyRequest> = {}, now = NOW): Decision {
      return evaluate(policies, { ...baseRequest, ...change }, facts, now);
    },
  };
  return api;
}

/** The single result of a one-policy evaluation. */
export function only(decision: Decision): RuleResult {
  if (decision.results.length !== 1) throw new Error(`expected one result, got ${decision.results.length}`);
  return decision.results[0]!;
}
