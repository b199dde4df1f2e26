import { z } from 'zod';

/**
 * Opaque pagination cursors: base64url JSON of the last item's sort key. Opaque so the key can
 * change without breaking clients; validated on the way in so a forged one is a 400, not a 500.
 */
export class InvalidCursor extends Error {
  readonly code = 'INVALID_CURSOR';
  constructor() {
    super('is not a cursor returned by this endpoint');
  }
}

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor<T>(schema: z.ZodType<T>, cursor: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursor();
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new InvalidCursor();
  return result.data;
}

/** Deployments are listed by (name, id): names repeat across clusters, ids break the tie. */
export const nameIdCursor = z.object({ n: z.string(), i: z.string() }).strict();
/** History is listed by aggregate version. */
export const versionCursor = z.object({ v: z.number().int().min(0) }).strict();
