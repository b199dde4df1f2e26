import { readFacts, type RecordedPolicy } from '../domain/policies/recorded';
import type { DecisionOutcome, PolicyRequest, RuleOutcome, RuleResult } from '../domain/policies/types';
import type { RecordedDecision } from '../domain/policies/what-if';

/** Rows of read_decisions.decisions as the driver returns them (migrations/0005). */
export interface DecisionRow {
  decision_id: string;
  deployment_id: string;
  deployment_name: string | null;
  action: string;
  actor: string;
  cluster: string | null;
  namespace: string | null;
  team: string | null;
  outcome: DecisionOutcome;
  at: Date;
  results: RuleResult[];
  reasons: string[];
}

export interface DecisionDetailRow extends DecisionRow {
  request: unknown;
  facts: string;
  tzdata: string;
  event_topic: string;
  event_partition: number;
  /** bigint: the driver returns it as text. */
  event_offset: string;
  aggregate_version: number;
}

/** A policy that applied to the change, with what it said. */
export interface MatchedPolicy {
  id: string;
  version: number;
  name: string;
  result: RuleOutcome;
  reason: string;
}

export interface DecisionView {
  decisionId: string;
  deploymentId: string;
  deploymentName: string | null;
  action: string;
  actor: string;
  cluster: string | null;
  namespace: string | null;
  team: string | null;
  /** The instant the decision was taken for. */
  at: string;
  outcome: DecisionOutcome;
  /** Policies that applied (not_applicable ones are left out), in evaluation order. */
  policies: MatchedPolicy[];
  reasons: string[];
}

export interface DecisionDetail extends DecisionView {
  request: unknown;
  /** The recorded facts, parsed; the recorded text itself when it is not JSON. */
  facts: unknown;
  /** Every policy's result, not_applicable included. */
  results: RuleResult[];
  tzdata: string;
  /** Where the PolicyEvaluated event is in the log, and its version on the deployment. */
  position: { topic: string; partition: number; offset: string };
  version: number;
}

const matched = (results: readonly RuleResult[]): MatchedPolicy[] =>
  results
    .filter((r) => r.result !== 'not_applicable')
    .map((r) => ({
      id: r.policyId,
      version: r.policyVersion,
      name: r.policyName,
      result: r.result,
      reason: r.reason,
    }));

export const toDecisionView = (r: DecisionRow): DecisionView => ({
  decisionId: r.decision_id,
  deploymentId: r.deployment_id,
  deploymentName: r.deployment_name,
  action: r.action,
  actor: r.actor,
  cluster: r.cluster,
  namespace: r.namespace,
  team: r.team,
  at: r.at.toISOString(),
  outcome: r.outcome,
  policies: matched(r.results),
  reasons: r.reasons,
});

function parsedFacts(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const toDecisionDetail = (r: DecisionDetailRow): DecisionDetail => ({
  ...toDecisionView(r),
  request: r.request,
  facts: parsedFacts(r.facts),
  results: r.results,
  tzdata: r.tzdata,
  position: { topic: r.event_topic, partition: r.event_partition, offset: String(r.event_offset) },
  version: r.aggregate_version,
});

/** The columns a what-if needs, and nothing else: 10,000 of them must load in well under 500 ms. */
export interface RecordedRow {
  decision_id: string;
  deployment_id: string;
  actor: string;
  at: Date;
  outcome: DecisionOutcome;
  reasons: string[];
  policies: RecordedPolicy[];
  request: unknown;
  facts: string;
  results: RuleResult[];
}

export function toRecordedDecision(r: RecordedRow): RecordedDecision {
  const facts = readFacts(r.facts);
  const request = r.request;
  const at = r.at.toISOString();
  const inputs =
    typeof facts === 'string'
      ? { unreadable: facts }
      : request === null || typeof request !== 'object' || Array.isArray(request)
        ? { unreadable: 'the recorded request is not a JSON object' }
        : { policies: r.policies, request: request as PolicyRequest, facts, now: at };
  return {
    decisionId: r.decision_id,
    deploymentId: r.deployment_id,
    actor: r.actor,
    at,
    outcome: r.outcome,
    reasons: r.reasons,
    inputs,
    ...(Array.isArray(r.results) && { results: r.results }),
  };
}
