import { parseDuration, parseInstant } from './local-time';
import { promqlProblem } from './promql';
import { parseCpuMillis, parseMemoryBytes } from './quantity';
import type { Problem } from './types';
import {
  at,
  integerAtLeast,
  isRecord,
  listOf,
  nonEmptyString,
  nonNegativeNumber,
  objectProblems,
  oneOf,
  optional,
  parsed,
  problem,
  type Json,
} from './validate-fields';

const EXCEPTION_KEYS = ['approver', 'expires', 'reason', 'subjects'];

function exceptionProblems(value: unknown, field: string): Problem[] {
  const shape = objectProblems(value, field, EXCEPTION_KEYS, ['approver', 'expires', 'reason']);
  if (!isRecord(value)) return shape;
  return [
    ...shape,
    ...optional(value, field, 'approver', nonEmptyString),
    ...optional(
      value,
      field,
      'expires',
      parsed(parseInstant, 'an ISO instant with a zone, such as 2026-12-25T12:00:00Z'),
    ),
    ...optional(value, field, 'reason', nonEmptyString),
    ...optional(value, field, 'subjects', listOf(nonEmptyString)),
  ];
}

/** Checks the keys of one rule type; `exceptions` and `type` are allowed on every rule. */
export function ruleShape(rule: Json, field: string, keys: readonly string[], required: readonly string[]) {
  return [
    ...objectProblems(rule, field, ['type', ...keys, 'exceptions'], required),
    ...optional(rule, field, 'exceptions', listOf(exceptionProblems)),
  ];
}

export function costProblems(rule: Json, field: string): Problem[] {
  const none = rule.maxPerHour === undefined && rule.maxPerMonth === undefined;
  return [
    ...ruleShape(rule, field, ['per', 'maxPerHour', 'maxPerMonth'], ['per']),
    ...optional(rule, field, 'per', oneOf(['team', 'namespace'])),
    ...optional(rule, field, 'maxPerHour', nonNegativeNumber),
    ...optional(rule, field, 'maxPerMonth', nonNegativeNumber),
    ...(none ? [problem(at(field, 'maxPerHour'), 'maxPerHour or maxPerMonth is required')] : []),
  ];
}

/** A quantity string, with "negative" said plainly rather than "not a quantity". */
function quantity(parse: (text: string) => bigint | undefined, example: string) {
  return (value: unknown, field: string): Problem[] =>
    typeof value === 'string' && value.startsWith('-')
      ? [problem(field, `must not be negative, got "${value}"`)]
      : parsed(parse, example)(value, field);
}

function limitsProblems(value: unknown, field: string): Problem[] {
  const keys = ['replicas', 'cpu', 'memory', 'gpu'];
  const shape = objectProblems(value, field, keys);
  if (!isRecord(value)) return shape;
  const empty = keys.every((k) => value[k] === undefined);
  return [
    ...shape,
    ...(empty ? [problem(field, `must set at least one of ${keys.join(', ')}`)] : []),
    ...optional(value, field, 'replicas', integerAtLeast(0)),
    ...optional(value, field, 'cpu', quantity(parseCpuMillis, 'a CPU quantity such as 500m or 2')),
    ...optional(
      value,
      field,
      'memory',
      quantity(parseMemoryBytes, 'a memory quantity such as 512Mi or 64Gi'),
    ),
    ...optional(value, field, 'gpu', integerAtLeast(0)),
  ];
}

export function quotaProblems(rule: Json, field: string): Problem[] {
  return [
    ...ruleShape(rule, field, ['per', 'limits'], ['per', 'limits']),
    ...optional(rule, field, 'per', oneOf(['namespace', 'team'])),
    ...optional(rule, field, 'limits', limitsProblems),
  ];
}

export function slaProblems(rule: Json, field: string): Problem[] {
  return [
    ...ruleShape(rule, field, ['minReadyReplicas'], ['minReadyReplicas']),
    ...optional(rule, field, 'minReadyReplicas', integerAtLeast(1)),
  ];
}

export function sloProblems(rule: Json, field: string): Problem[] {
  const query = rule.query;
  const queryProblem = typeof query === 'string' ? promqlProblem(query) : undefined;
  return [
    ...ruleShape(rule, field, ['query', 'maxBurnRate'], ['query', 'maxBurnRate']),
    ...optional(rule, field, 'query', (v, f) => (typeof v === 'string' ? [] : nonEmptyString(v, f))),
    ...(queryProblem ? [problem(at(field, 'query'), queryProblem)] : []),
    ...optional(rule, field, 'maxBurnRate', nonNegativeNumber),
  ];
}

export function rateLimitProblems(rule: Json, field: string): Problem[] {
  return [
    ...ruleShape(rule, field, ['per', 'max', 'window'], ['per', 'max', 'window']),
    ...optional(rule, field, 'per', oneOf(['actor', 'team', 'cluster', 'action'])),
    // The current action counts, so a limit of 0 could never pass: use a change freeze for that.
    ...optional(rule, field, 'max', integerAtLeast(1)),
    ...optional(rule, field, 'window', parsed(parseDuration, 'a window such as 30s, 30m, 1h or 7d')),
  ];
}
