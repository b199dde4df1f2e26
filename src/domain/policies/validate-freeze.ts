import { isTimeZone, parseClock, parseLocalDate, parseLocalDateTime } from './local-time';
import { DAYS, type Problem } from './types';
import {
  at,
  isRecord,
  listOf,
  objectProblems,
  oneOf,
  optional,
  parsed,
  problem,
  type Json,
} from './validate-fields';
import { ruleShape } from './validate-rules';

const LOCAL_DATE_TIME = 'a local date-time such as 2026-12-24T00:00:00';

function timeZoneProblems(value: unknown, field: string): Problem[] {
  if (typeof value !== 'string')
    return [problem(field, 'must be an IANA time zone name such as Europe/Berlin')];
  return isTimeZone(value)
    ? []
    : [problem(field, `"${value}" is not a known IANA time zone name (such as Europe/Berlin)`)];
}

function windowProblems(value: unknown, field: string): Problem[] {
  const shape = objectProblems(value, field, ['start', 'end'], ['start', 'end']);
  if (!isRecord(value)) return shape;
  const fields = [
    ...optional(value, field, 'start', parsed(parseLocalDateTime, LOCAL_DATE_TIME)),
    ...optional(value, field, 'end', parsed(parseLocalDateTime, LOCAL_DATE_TIME)),
  ];
  const start = typeof value.start === 'string' ? parseLocalDateTime(value.start) : undefined;
  const end = typeof value.end === 'string' ? parseLocalDateTime(value.end) : undefined;
  const order =
    start !== undefined && end !== undefined && end <= start
      ? [problem(at(field, 'end'), `${String(value.end)} must be after start ${String(value.start)}`)]
      : [];
  return [...shape, ...fields, ...order];
}

const clock = (allowMidnightEnd: boolean) =>
  parsed(
    (text) => parseClock(text, allowMidnightEnd),
    allowMidnightEnd ? 'a time of day from 00:00 to 24:00' : 'a time of day from 00:00 to 23:59',
  );

function recurringProblems(value: unknown, field: string): Problem[] {
  const shape = objectProblems(value, field, ['days', 'from', 'to'], ['days', 'from', 'to']);
  if (!isRecord(value)) return shape;
  const from = typeof value.from === 'string' ? parseClock(value.from, false) : undefined;
  const to = typeof value.to === 'string' ? parseClock(value.to, true) : undefined;
  // to < from is a window crossing midnight; equal ends would be empty (or a whole day): say which.
  const empty =
    from !== undefined && from === to
      ? [problem(at(field, 'to'), 'must differ from "from"; use 00:00 to 24:00 for a whole day')]
      : [];
  return [
    ...shape,
    ...optional(value, field, 'days', listOf(oneOf(DAYS))),
    ...optional(value, field, 'from', clock(false)),
    ...optional(value, field, 'to', clock(true)),
    ...empty,
  ];
}

export function freezeProblems(rule: Json, field: string): Problem[] {
  const none = ['windows', 'recurring', 'holidays'].every((k) => rule[k] === undefined);
  return [
    ...ruleShape(rule, field, ['timezone', 'windows', 'recurring', 'holidays'], ['timezone']),
    ...optional(rule, field, 'timezone', timeZoneProblems),
    ...optional(rule, field, 'windows', listOf(windowProblems)),
    ...optional(rule, field, 'recurring', listOf(recurringProblems)),
    ...optional(rule, field, 'holidays', listOf(parsed(parseLocalDate, 'a date such as 2026-12-31'))),
    ...(none ? [problem(field, 'must set at least one of windows, recurring, holidays')] : []),
  ];
}
