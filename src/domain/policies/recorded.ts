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

/**
 * Re-derives a decision from its recorded inputs alone. A recorded definition that no longer
 * validates cannot be evaluated, so it denies, like any rule that cannot be checked.
 */
export function decideRecorded(inputs: DecisionInputs): Decision {
  const policies: Policy[] = [];
  const unreadable: string[] = [];
  for (const p of inputs.policies) {
    const read = readDefinition(p.definition, p.policyId, p.version);
    if (read.ok) policies.push(read.policy);
    else
      unreadable.push(
        `policy ${p.policyId} version ${p.version} cannot be read (${read.problems.map(describeProblem).join('; ')}), so the change is refused`,
      );
  }
  const decision = evaluate(policies, inputs.request, inputs.facts, inputs.now);
  if (unreadable.length === 0) return decision;
  return {
    ...decision,
    outcome: 'denied',
    policies: [
      ...decision.policies,
      ...inputs.policies
        .filter((p) => !policies.some((q) => q.id === p.policyId))
        .map((p) => ({ id: p.policyId, version: p.version })),
    ],
    reasons: [...unreadable, ...decision.reasons],
  };
}

/** The canonical text a decision records for facts and requests, so equal inputs are equal bytes. */
export const recordJson = (value: unknown): string => canonicalJson(value);
