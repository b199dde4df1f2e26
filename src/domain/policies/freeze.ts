import {
  DAY,
  MINUTE,
  formatLocal,
  parseClock,
  parseLocalDate,
  parseLocalDateTime,
  toInstant,
  toLocal,
  weekdayIndex,
} from './local-time';
import { DAYS, type ChangeFreezeRule } from './types';
import { fail, pass, type RuleContext, type Verdict } from './verdict';

/** A half-open span of instants [start, end). */
interface Interval {
  readonly start: number;
  readonly end: number;
}

// A freeze that never ends (every day frozen) would chain forever; after this many hops the
// reason says "at least until".
const MAX_CHAIN = 64;

function required(value: number | undefined, what: string): number {
  // Validation refuses these; a policy built without it fails closed in evaluate.
  if (value === undefined) throw new Error(`invalid ${what}`);
  return value;
}

/** Local [start, end) to instants, covering every instant whose local reading lies inside. */
function span(startLocal: number, endLocal: number, zone: string): Interval {
  return { start: toInstant(startLocal, zone, 'earliest'), end: toInstant(endLocal, zone, 'latest') };
}

function oneOff(rule: ChangeFreezeRule): Interval[] {
  return (rule.windows ?? []).map((w) =>
    span(
      required(parseLocalDateTime(w.start), `window start ${w.start}`),
      required(parseLocalDateTime(w.end), `window end ${w.end}`),
      rule.timezone,
    ),
  );
}

function holidays(rule: ChangeFreezeRule): Interval[] {
  return (rule.holidays ?? []).map((h) => {
    const day = required(parseLocalDate(h), `holiday ${h}`);
    return span(day, day + DAY, rule.timezone);
  });
}

/**
 * Recurring windows that could contain `t`: those starting on t's local day or the day before
 * (a window crossing midnight, 17:00–09:00, belongs to the day it starts on).
 */
function recurring(rule: ChangeFreezeRule, t: number): Interval[] {
  const today = Math.floor(toLocal(t, rule.timezone) / DAY) * DAY;
  const intervals: Interval[] = [];
  for (const day of [today - DAY, today]) {
    const weekday = DAYS[weekdayIndex(day)]!;
    for (const r of (rule.recurring ?? []).filter((w) => w.days.includes(weekday))) {
      const from = required(parseClock(r.from, false), `time ${r.from}`);
      const to = required(parseClock(r.to, true), `time ${r.to}`);
      const end = to > from ? day + to * MINUTE : day + DAY + to * MINUTE;
      intervals.push(span(day + from * MINUTE, end, rule.timezone));
    }
  }
  return intervals;
}

/** The latest end among the windows containing `t`, or undefined when none does. */
function frozenUntil(rule: ChangeFreezeRule, t: number): number | undefined {
  const ends = [...oneOff(rule), ...holidays(rule), ...recurring(rule, t)]
    .filter((i) => i.start <= t && t < i.end)
    .map((i) => i.end);
  return ends.length > 0 ? Math.max(...ends) : undefined;
}

/**
 * Windows that touch or overlap (a weekend made of SAT and SUN, a holiday after a window) form one
 * freeze: the reason names the end of the whole run, which is when a change can go through.
 */
export function checkFreeze({ policy, now }: RuleContext, rule: ChangeFreezeRule): Verdict {
  const zone = rule.timezone;
  const label = `change freeze '${policy.name}' (${zone})`;
  let until = frozenUntil(rule, now);
  if (until === undefined) return pass(`${label} is not in effect at ${formatLocal(now, zone)} local time`);
  for (let hop = 0; hop < MAX_CHAIN; hop++) {
    const next = frozenUntil(rule, until);
    if (next === undefined) return fail(`${label} is in effect until ${formatLocal(until, zone)} local time`);
    until = next;
  }
  return fail(`${label} is in effect at least until ${formatLocal(until, zone)} local time`);
}
