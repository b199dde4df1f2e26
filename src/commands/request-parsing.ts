import { z } from 'zod';
import { ProblemException } from '../http/problem.filter';

/**
 * Shape checks at the edge: wrong types, missing or unknown fields are refused with 400 and the
 * path of each bad field, before anything reaches Kafka. Business rules (valid quantities,
 * image references, revisions) are the decider's and come back as 422 rejections.
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ProblemException({
      type: 'invalid-request',
      title: 'The request body must be a JSON object',
      status: 400,
      detail: 'send Content-Type: application/json with a JSON object body',
    });
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new ProblemException({
    type: 'invalid-request',
    title: 'The request body is invalid',
    status: 400,
    detail: `${result.error.issues.length} field(s) are invalid; see errors`,
    errors: result.error.issues.flatMap((issue) => fieldErrors(issue)),
  });
}

function fieldErrors(issue: z.core.$ZodIssue): { field: string; reason: string }[] {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => ({ field: at ? `${at}.${key}` : key, reason: 'is not a known field' }));
  return [{ field: at || 'body', reason: issue.message }];
}

const HEADER_VALUE = /^[A-Za-z0-9_.:-]{1,128}$/;

/** `Idempotency-Key`: letters, digits, `_ . : -`, at most 128 characters. */
export function idempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!HEADER_VALUE.test(value))
    throw headerProblem('Idempotency-Key', 'must be 1-128 characters of letters, digits, _ . : -');
  return value;
}

/** `If-Match: "<version>"` (a strong ETag as Sentinel sends them); weak or lists are refused. */
export function expectedVersion(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^"(\d{1,9})"$/.exec(value.trim());
  if (!match) throw headerProblem('If-Match', 'must be one ETag as returned by Sentinel, e.g. "3"');
  return Number(match[1]);
}

function headerProblem(header: string, reason: string): ProblemException {
  return new ProblemException({
    type: 'invalid-header',
    title: `The ${header} header is invalid`,
    status: 400,
    detail: `${header} ${reason}`,
    errors: [{ field: header, reason }],
  });
}
