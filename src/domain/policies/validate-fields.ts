import type { Problem } from './types';

/** Small checks on untrusted JSON, each returning problems with the exact field path. */

export type Json = Readonly<Record<string, unknown>>;

export const problem = (field: string, reason: string): Problem => ({ field, reason });
export const at = (parent: string, key: string | number): string =>
  typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;

export const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** The value is an object with no unknown keys and every required key present. */
export function objectProblems(
  value: unknown,
  field: string,
  allowed: readonly string[],
  required: readonly string[] = [],
): Problem[] {
  if (!isRecord(value)) return [problem(field || '(policy)', `must be an object, got ${show(value)}`)];
  return [
    ...Object.keys(value)
      .filter((k) => !allowed.includes(k))
      .map((k) => problem(at(field, k), `unknown field; expected one of ${allowed.join(', ')}`)),
    ...required.filter((k) => value[k] === undefined).map((k) => problem(at(field, k), 'is required')),
  ];
}

/** Checks `object[key]` when it is present; required keys are reported by objectProblems. */
export function optional(
  object: Json,
  field: string,
  key: string,
  check: (value: unknown, field: string) => Problem[],
): Problem[] {
  return object[key] === undefined ? [] : check(object[key], at(field, key));
}

export function nonEmptyString(value: unknown, field: string): Problem[] {
  return typeof value === 'string' && value.trim() !== ''
    ? []
    : [problem(field, `must be a non-empty string, got ${show(value)}`)];
}

export function integerAtLeast(min: number) {
  return (value: unknown, field: string): Problem[] => {
    if (typeof value !== 'number' || !Number.isInteger(value))
      return [problem(field, `must be an integer, got ${show(value)}`)];
    if (value < min)
      return [
        problem(
          field,
          min === 0 ? `must not be negative, got ${value}` : `must be at least ${min}, got ${value}`,
        ),
      ];
    return [];
  };
}

export function nonNegativeNumber(value: unknown, field: string): Problem[] {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return [problem(field, `must be a number, got ${show(value)}`)];
  return value < 0 ? [problem(field, `must not be negative, got ${value}`)] : [];
}

export function oneOf(options: readonly string[]) {
  return (value: unknown, field: string): Problem[] =>
    typeof value === 'string' && options.includes(value)
      ? []
      : [problem(field, `must be one of ${options.join(', ')}, got ${show(value)}`)];
}

/** A non-empty list (an empty one would match or contain nothing: omit the field instead). */
export function listOf(check: (value: unknown, field: string) => Problem[]) {
  return (value: unknown, field: string): Problem[] => {
    if (!Array.isArray(value)) return [problem(field, `must be a list, got ${show(value)}`)];
    if (value.length === 0) return [problem(field, 'must not be empty; omit the field instead')];
    return value.flatMap((item, i) => check(item, at(field, i)));
  };
}

/** A string the given parser accepts; `example` tells the person what was expected. */
export function parsed(parse: (text: string) => unknown, example: string) {
  return (value: unknown, field: string): Problem[] => {
    if (typeof value !== 'string')
      return [problem(field, `must be a string such as ${example}, got ${show(value)}`)];
    return parse(value) === undefined ? [problem(field, `"${value}" is not ${example}`)] : [];
  };
}
