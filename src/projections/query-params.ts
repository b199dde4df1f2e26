import { z } from 'zod';
import { ProblemException } from '../http/problem.filter';
import type { RecordPosition } from '../messaging/ports';
import { InvalidCursor } from './cursor';

/**
 * Query-string validation for the read endpoints: anything malformed or unknown is a 400
 * problem naming each bad parameter, before a query runs.
 */

const text = z.string().min(1, 'must not be empty').max(253, 'must be at most 253 characters');

const POSITION = /^([A-Za-z0-9._-]+):(\d{1,9}):(\d{1,19})$/;

/** `after=<topic>:<partition>:<offset>[,...]`: event positions from a command result. */
const positions = z.string().transform((value, ctx): RecordPosition[] => {
  const parts = value.split(',');
  const parsed = parts.map((p) => POSITION.exec(p.trim()));
  if (parts.length > 64 || parsed.some((m) => m === null)) {
    ctx.addIssue({ code: 'custom', message: 'must be <topic>:<partition>:<offset>[,...] (at most 64)' });
    return z.NEVER;
  }
  return parsed.map((m) => ({ topic: m![1]!, partition: Number(m![2]), offset: m![3]! }));
});

const page = {
  cursor: z
    .string()
    .max(1024, 'is too long')
    .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor returned by this endpoint')
    .optional(),
  limit: z.coerce
    .number({ message: 'must be an integer from 1 to 200' })
    .int('must be an integer from 1 to 200')
    .min(1, 'must be an integer from 1 to 200')
    .max(200, 'must be an integer from 1 to 200')
    .default(50),
  after: positions.optional(),
};

export const listQuery = z
  .object({
    cluster: text.optional(),
    namespace: text.optional(),
    team: text.optional(),
    status: z.enum(['Active', 'Deleted'], { message: 'must be Active or Deleted' }).optional(),
    ...page,
  })
  .strict();

export const policyListQuery = z
  .object({
    enabled: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .transform((v) => v === 'true')
      .optional(),
    mode: z.enum(['enforce', 'dry_run'], { message: 'must be enforce or dry_run' }).optional(),
    status: z.enum(['Active', 'Deleted'], { message: 'must be Active or Deleted' }).optional(),
    ...page,
  })
  .strict();

export const historyQuery = z.object(page).strict();

export const getQuery = z.object({ after: page.after }).strict();

export const deploymentId = z
  .string()
  .max(200, 'is too long')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : -');

export function parseQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  throw invalid(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ field: key, reason: 'is not a known query parameter' }))
        : [{ field: issue.path.map(String).join('.') || 'query', reason: issue.message }],
    ),
  );
}

export function parseId(id: string): string {
  const result = deploymentId.safeParse(id);
  if (result.success) return result.data;
  throw invalid([{ field: 'id', reason: result.error.issues[0]?.message ?? 'is invalid' }]);
}

/** Runs a query, turning a forged or foreign cursor into the same 400 as other bad input. */
export async function withCursor<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidCursor) throw invalid([{ field: 'cursor', reason: error.message }]);
    throw error;
  }
}

function invalid(errors: { field: string; reason: string }[]): ProblemException {
  return new ProblemException({
    type: 'invalid-request',
    title: 'The request is invalid',
    status: 400,
    detail: errors.map((e) => `${e.field} ${e.reason}`).join('; '),
    errors,
  });
}
