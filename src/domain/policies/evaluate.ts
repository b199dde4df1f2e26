import { unreachable } from '../shared/decider';
import { checkCost, checkQuota } from './capacity';
import { checkFreeze } from './freeze';
import { checkRateLimit, checkSla, checkSlo } from './guards';
import { parseInstant } from './local-time';
import { selectorMismatch } from './selector';
import type {
  ApprovedException,
  Decision,
  DecisionOutcome,
  Policy,
  PolicyFacts,
  PolicyRequest,
  RuleResult,
} from './types';
import { fail, type RuleContext, type Verdict } from './verdict';

/**
 * Priority descending, then id, then version. Plain code-unit comparison, not localeCompare,
 * so the order (and so the decision) does not depend on the host's locale or on input order.
 */
export function byPriority(a: Policy, b: Policy): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.version - b.version;
}

function check(context: RuleContext): Verdict {
  const rule = context.policy.rule;
  switch (rule.type) {
    case 'cost_ceiling':
      return checkCost(context, rule);
    case 'quota':
      return checkQuota(context, rule);
    case 'sla':
      return checkSla(context, rule);
    case 'slo':
      return checkSlo(context, rule);
    case 'rate_limit':
      return checkRateLimit(context, rule);
    case 'change_freeze':
      return checkFreeze(context, rule);
    default:
      return unreachable(rule);
  }
}

/** A policy that cannot be evaluated (built without validation, unreadable facts) denies: fail closed. */
function safeCheck(context: RuleContext): Verdict {
  try {
    return check(context);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return fail(`policy '${context.policy.name}' could not be evaluated (${why})`);
  }
}

/** The first listed exception that covers this deployment and has not expired (expired AT `expires`). */
function activeException(policy: Policy, request: PolicyRequest, now: number): ApprovedException | undefined {
  const found = (policy.rule.exceptions ?? []).find((e) => {
    const expires = parseInstant(e.expires);
    const subjects = e.subjects;
    const covers =
      subjects === undefined ||
      subjects.includes(request.deploymentId) ||
      (request.deploymentName !== undefined && subjects.includes(request.deploymentName));
    return expires !== undefined && now < expires && covers;
  });
  return found && { approver: found.approver, reason: found.reason, expires: found.expires };
}

function evaluateOne(policy: Policy, request: PolicyRequest, facts: PolicyFacts, now: string): RuleResult {
  const base = {
    policyId: policy.id,
    policyVersion: policy.version,
    policyName: policy.name,
    priority: policy.priority,
    mode: policy.mode,
    ruleType: policy.rule.type,
  };
  const mismatch = selectorMismatch(policy.selector, request);
  if (mismatch !== undefined)
    return {
      ...base,
      result: 'not_applicable',
      reason: `policy '${policy.name}' does not apply: ${mismatch}`,
    };
  const instant = parseInstant(now);
  const verdict =
    instant === undefined
      ? fail(`the decision time '${now}' is not an ISO instant, so no rule can be checked`)
      : safeCheck({ policy, request, facts, now: instant });
  if (verdict.pass) return { ...base, result: 'allowed', reason: verdict.reason };
  const exception = instant === undefined ? undefined : activeException(policy, request, instant);
  if (exception)
    return {
      ...base,
      result: 'allowed',
      reason: `${verdict.reason}; let through by an exception approved by ${exception.approver} (${exception.reason}), valid until ${exception.expires}`,
      exception,
    };
  return policy.mode === 'enforce'
    ? { ...base, result: 'denied', reason: verdict.reason }
    : { ...base, result: 'would_deny', reason: `dry run: ${verdict.reason}` };
}

/**
 * Pure: the same policies (in any order), request, facts and `now` give a deep-equal decision.
 * Every policy is listed with its result; any enforced denial denies (deny overrides, whatever
 * the priority); dry-run denials only report `would_deny`.
 */
export function evaluate(
  policies: readonly Policy[],
  request: PolicyRequest,
  facts: PolicyFacts,
  now: string,
): Decision {
  const ordered = [...policies].sort(byPriority);
  const results = ordered.map((p) => evaluateOne(p, request, facts, now));
  const outcome: DecisionOutcome = results.some((r) => r.result === 'denied')
    ? 'denied'
    : results.some((r) => r.result === 'would_deny')
      ? 'would_deny'
      : 'allowed';
  return {
    outcome,
    now,
    policies: ordered.map((p) => ({ id: p.id, version: p.version })),
    results,
    reasons: results.filter((r) => r.result === 'denied' || r.result === 'would_deny').map((r) => r.reason),
  };
}
