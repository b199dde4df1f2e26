import { z } from 'zod';

/** A report covers at most this many days: a year, leap day included. */
export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

export interface ReportRange {
  /** ISO instants in UTC with milliseconds, half-open [from, to). */
  readonly from: string;
  readonly to: string;
}

export interface FieldError {
  readonly field: string;
  readonly reason: string;
}

export type RangeResult = { ok: true; range: ReportRange } | { ok: false; errors: FieldError[] };

const instant = z.iso.datetime({ offset: true });
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * The range of a report from two ISO instants (any offset). Both are normalised to UTC, so
 * `2026-11-01T01:00:00+01:00` and `2026-11-01T00:00:00Z` give the same report, byte for byte.
 */
export function parseRange(from: string | undefined, to: string | undefined): RangeResult {
  const errors: FieldError[] = [];
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value === undefined || value === '') errors.push({ field, reason: 'is required' });
    else if (!instant.safeParse(value).success)
      errors.push({ field, reason: 'must be an ISO 8601 instant, e.g. 2026-11-01T00:00:00Z' });
  }
  if (errors.length) return { ok: false, errors };
  const [start, end] = [Date.parse(from!), Date.parse(to!)];
  if (end <= start) return { ok: false, errors: [{ field: 'to', reason: 'must be after from' }] };
  if (end - start > MAX_RANGE_DAYS * DAY_MS)
    return {
      ok: false,
      errors: [{ field: 'to', reason: `must be at most ${MAX_RANGE_DAYS} days after from` }],
    };
  return { ok: true, range: { from: new Date(start).toISOString(), to: new Date(end).toISOString() } };
}

/** `2026-11` → [2026-11-01T00:00Z, 2026-12-01T00:00Z): a calendar month in UTC. */
export function monthRange(month: string): RangeResult {
  const m = MONTH.exec(month);
  if (!m) return { ok: false, errors: [{ field: 'month', reason: 'must be YYYY-MM, e.g. 2026-11' }] };
  const [year, index] = [Number(m[1]), Number(m[2]) - 1];
  return {
    ok: true,
    range: {
      from: new Date(Date.UTC(year, index, 1)).toISOString(),
      to: new Date(Date.UTC(year, index + 1, 1)).toISOString(),
    },
  };
}
