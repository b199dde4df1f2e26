import { canonicalJson, describeProblem, readDefinition } from './definition';
import { evaluate } from './evaluate';
import type { Decision, Policy, PolicyFacts, PolicyRequest } from './types';

/** One policy as a decision names it: id, version and that version's canonical definition. */
export interface RecordedPolicy {
  readonly policyId: string;
  readonly version: number;
  readonly definition: string;
}

/** Everything a decision was taken from (DESIGN.md §1.3), as the log keeps it. */
export interface DecisionInputs {
  readonly policies: readonly RecordedPolicy[];
  readonly request: PolicyRequest;
  readonly facts: PolicyFacts;
  readonly now: string;
}

export const EMPTY_FACTS: PolicyFacts = { deployments: [], burnRates: {}, recentActions: {} };

/**
 * Reads recorded facts. The shape is checked only as far as evaluation depends on it; anything
 * else (a number where a list belongs) is caught by the rules, which fail closed.
 */
export function readFacts(json: string): PolicyFacts | string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return 'the recorded facts are not valid JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return 'the recorded facts are not a JSON object';
  const facts = value as Partial<PolicyFacts>;
  if (!Array.isArray(facts.deployments)) return 'the recorded facts have no deployments list';
  return {
    ...EMPTY_FACTS,
    ...facts,
    burnRates: isRecord(facts.burnRates) ? facts.burnRates : {},
    recentActions: isRecord(facts.recentActions) ? facts.recentActions : {},
  } as PolicyFacts;
}

const isRecord = (v: unknown): v is Record<string, never> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A recorded policy, read once: the validated policy, or why its definition cannot be read. */
export type ReadPolicy =
  | { readonly ok: true; readonly policy: Policy }
  | { readonly ok: false; readonly policyId: string; readonly version: number; readonly problem: string };

export function readRecordedPolicy(p: RecordedPolicy): ReadPolicy {
  const read = readDefinition(p.definition, p.policyId, p.version);
  if (read.ok) return { ok: true, policy: read.policy };
  return {
    ok: false,
    policyId: p.policyId,
    version: p.version,
    problem: read.problems.map(describeProblem).join('; '),
  };
}

/**
 * Re-derives a decision from its recorded inputs alone. A recorded definition that no longer
 * validates cannot be evaluated, so it denies, like any rule that cannot be checked.
 */
export function decideRecorded(inputs: DecisionInputs): Decision {
  return decideRead(inputs.policies.map(readRecordedPolicy), inputs.request, inputs.facts, inputs.now);
}

/**
 * decideRecorded on policies already read, so a caller re-evaluating many decisions (what-if)
 * reads each distinct policy version once instead of once per decision.
 */
export function decideRead(
  read: readonly ReadPolicy[],
  request: PolicyRequest,
  facts: PolicyFacts,
  now: string,
): Decision {
  const policies: Policy[] = [];
  const unreadable: Extract<ReadPolicy, { ok: false }>[] = [];
  for (const r of read) {
    if (r.ok) policies.push(r.policy);
    else unreadable.push(r);
  }
  const decision = evaluate(policies, request, facts, now);
  if (unreadable.length === 0) return decision;
  return {
    ...decision,
    outcome: 'denied',
    policies: [
      ...decision.policies,
      ...unreadable
        .filter((p) => !policies.some((q) => q.id === p.policyId))
        .map((p) => ({ id: p.policyId, version: p.version })),
    ],
    reasons: [...unreadable.map((p) => unreadableReason(p)), ...decision.reasons],
  };
}

/** The canonical text a decision records for facts and requests, so equal inputs are equal bytes. */
export const recordJson = (value: unknown): string => canonicalJson(value);

/** Why a decision on an unreadable recorded policy is a denial, in the decision's words. */
export const unreadableReason = (p: { policyId: string; version: number; problem: string }): string =>
  `policy ${p.policyId} version ${p.version} cannot be read (${p.problem}), so the change is refused`;
