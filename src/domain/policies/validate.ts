import { ACTIONS, type Policy, type Problem, type RuleType } from './types';
import { freezeProblems } from './validate-freeze';
import {
  integerAtLeast,
  isRecord,
  listOf,
  nonEmptyString,
  objectProblems,
  oneOf,
  optional,
  problem,
  type Json,
} from './validate-fields';
import { costProblems, quotaProblems, rateLimitProblems, slaProblems, sloProblems } from './validate-rules';

export type PolicyValidation =
  | { readonly ok: true; readonly policy: Policy }
  | { readonly ok: false; readonly problems: readonly Problem[] };

const RULES: Readonly<Record<RuleType, (rule: Json, field: string) => Problem[]>> = {
  cost_ceiling: costProblems,
  quota: quotaProblems,
  sla: slaProblems,
  slo: sloProblems,
  rate_limit: rateLimitProblems,
  change_freeze: freezeProblems,
};

function labelsProblems(value: unknown, field: string): Problem[] {
  if (!isRecord(value)) return [problem(field, 'must be an object of label names to values')];
  return Object.entries(value)
    .filter(([, v]) => typeof v !== 'string')
    .map(([k]) => problem(`${field}.${k}`, 'must be a string'));
}

function selectorProblems(value: unknown, field: string): Problem[] {
  const keys = ['clusters', 'namespaces', 'teams', 'labels', 'actions'];
  const shape = objectProblems(value, field, keys);
  if (!isRecord(value)) return shape;
  return [
    ...shape,
    ...['clusters', 'namespaces', 'teams'].flatMap((k) => optional(value, field, k, listOf(nonEmptyString))),
    ...optional(value, field, 'labels', labelsProblems),
    ...optional(value, field, 'actions', listOf(oneOf(ACTIONS))),
  ];
}

function ruleProblems(value: unknown, field: string): Problem[] {
  if (!isRecord(value)) return objectProblems(value, field, []);
  const type = value.type;
  const check = typeof type === 'string' && Object.hasOwn(RULES, type) ? RULES[type as RuleType] : undefined;
  if (check === undefined)
    return [
      problem(
        `${field}.type`,
        `unknown rule type ${JSON.stringify(type)}; expected one of ${Object.keys(RULES).join(', ')}`,
      ),
    ];
  return check(value, field);
}

const POLICY_KEYS = ['id', 'version', 'name', 'priority', 'mode', 'selector', 'rule'];

/**
 * Checks untrusted JSON and returns a typed policy, or every problem found with the field it is
 * in. An omitted selector matches every change.
 */
export function validatePolicy(input: unknown): PolicyValidation {
  const shape = objectProblems(input, '', POLICY_KEYS, ['id', 'version', 'name', 'priority', 'mode', 'rule']);
  if (!isRecord(input)) return { ok: false, problems: shape };
  const problems = [
    ...shape,
    ...optional(input, '', 'id', nonEmptyString),
    ...optional(input, '', 'version', integerAtLeast(1)),
    ...optional(input, '', 'name', nonEmptyString),
    ...optional(input, '', 'priority', integerAtLeast(Number.MIN_SAFE_INTEGER)),
    ...optional(input, '', 'mode', oneOf(['enforce', 'dry_run'])),
    ...optional(input, '', 'selector', selectorProblems),
    ...optional(input, '', 'rule', ruleProblems),
  ];
  if (problems.length > 0) return { ok: false, problems };
  // Every key was checked above and unknown keys were refused, so the shape is a Policy.
  const policy = { selector: {}, ...input } as unknown as Policy;
  return { ok: true, policy };
}
