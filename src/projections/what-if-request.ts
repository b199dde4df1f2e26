import { z } from 'zod';
import { policyIdOf } from '../commands/policy-requests';
import { readPolicyBody } from '../domain/policies/definition';
import type { Policy } from '../domain/policies/types';
import type { PolicyChange, RecordedDecision } from '../domain/policies/what-if';
import { ProblemException } from '../http/problem.filter';
import { instant } from './decisions.controller';

/**
 * The body of POST /v1/policies/what-if. Shape by zod, each upserted policy by readPolicyBody
 * (the validation POST /v1/policies applies), so a policy the endpoint would refuse is refused
 * here too; every error names its field, e.g. `changes[0].policy.rule.timezone`.
 */

/** Bounds a what-if's cost: one request re-evaluates at most this much history. */
export const MAX_RANGE_DAYS = 31;
export const MAX_DECISIONS = 200_000;
const DAY_MS = 86_400_000;

const policyId = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'is too long')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : -');

const change = z.discriminatedUnion(
  'op',
  [
    z
      .object({
        op: z.literal('upsert'),
        policy: z
          .record(z.string(), z.unknown())
          .describe('a policy body as for POST /v1/policies; `id` names the policy it replaces'),
      })
      .strict(),
    z.object({ op: z.literal('remove'), policyId }).strict(),
  ],
  { message: 'op must be upsert or remove' },
);

export const whatIfBody = z
  .object({
    from: instant.describe('ISO instant, inclusive'),
    to: instant.describe(`ISO instant, exclusive; at most ${MAX_RANGE_DAYS} days after from`),
    changes: z.array(change).max(100, 'must hold at most 100 changes'),
  })
  .strict();

export interface WhatIfRequest {
  readonly from: string;
  readonly to: string;
  /** Upserted policies carry version 1 until `withVersions` knows the recorded ones. */
  readonly changes: readonly PolicyChange[];
}

type FieldError = { field: string; reason: string };

/** `changes[0].policy.rule`, the form clients index their own JSON by. */
const fieldPath = (path: readonly PropertyKey[]) =>
  path.reduce<string>(
    (at, key) => (typeof key === 'number' ? `${at}[${key}]` : at ? `${at}.${String(key)}` : String(key)),
    '',
  );

export function parseWhatIf(body: unknown): WhatIfRequest {
  const result = whatIfBody.safeParse(body);
  if (!result.success)
    throw invalid(
      result.error.issues.flatMap((issue): FieldError[] => {
        const at = fieldPath(issue.path);
        if (issue.code === 'unrecognized_keys')
          return issue.keys.map((key) => ({
            field: at ? `${at}.${key}` : key,
            reason: 'is not a known field',
          }));
        return [{ field: at || 'body', reason: issue.message }];
      }),
    );
  const { from, to, changes } = result.data;
  const range = Date.parse(to) - Date.parse(from);
  if (!(range > 0)) throw invalid([{ field: 'to', reason: 'must be after from' }]);
  if (range > MAX_RANGE_DAYS * DAY_MS)
    throw invalid([{ field: 'to', reason: `must be at most ${MAX_RANGE_DAYS} days after from` }]);
  const read = changes.map((c, i) => (c.op === 'remove' ? c : upsert(c.policy, `changes[${i}].policy`)));
  const errors = read.flatMap((r) => ('errors' in r ? r.errors : []));
  if (errors.length > 0) throw invalid(errors);
  const parsed = read as PolicyChange[];
  const twice = parsed.findIndex((c, i) => parsed.findIndex((d) => idOf(d) === idOf(c)) !== i);
  if (twice !== -1)
    throw invalid([{ field: `changes[${twice}]`, reason: `names policy ${idOf(parsed[twice]!)} again` }]);
  return { from, to, changes: parsed };
}

const idOf = (c: PolicyChange) => (c.op === 'upsert' ? c.policy.id : c.policyId);

/** Without an id the policy is named by its name, as POST /v1/policies names it. */
function upsert(body: Record<string, unknown>, at: string): PolicyChange | { errors: FieldError[] } {
  const { id, ...rest } = body;
  const given = id === undefined ? undefined : policyId.safeParse(id);
  if (given && !given.success)
    return { errors: [{ field: `${at}.id`, reason: given.error.issues[0]!.message }] };
  const name = typeof rest.name === 'string' ? rest.name : '';
  const read = readPolicyBody(rest, given?.data ?? policyIdOf(name), 1);
  if (read.ok) return { op: 'upsert', policy: read.policy };
  return {
    errors: read.problems.map((p) => ({ field: p.field ? `${at}.${p.field}` : at, reason: p.reason })),
  };
}

/**
 * An upserted policy is the next version of what the decisions recorded: one more than the
 * highest version of it they name, or 1 for a policy none of them knew.
 */
export function withVersions(
  changes: readonly PolicyChange[],
  recorded: readonly RecordedDecision[],
): PolicyChange[] {
  const highest = new Map<string, number>();
  for (const d of recorded)
    if (!('unreadable' in d.inputs))
      for (const p of d.inputs.policies)
        highest.set(p.policyId, Math.max(highest.get(p.policyId) ?? 0, p.version));
  return changes.map((c): PolicyChange => {
    if (c.op === 'remove') return c;
    const policy: Policy = { ...c.policy, version: (highest.get(c.policy.id) ?? 0) + 1 };
    return { op: 'upsert', policy };
  });
}

export function invalid(errors: FieldError[]): ProblemException {
  return new ProblemException({
    type: 'invalid-request',
    title: 'The request body is invalid',
    status: 400,
    detail: errors.map((e) => `${e.field} ${e.reason}`).join('; '),
    errors,
  });
}
