/**
 * Wall-clock time in IANA zones with `Intl.DateTimeFormat` only: no dependency, and nothing here
 * reads the clock (the instant is always passed in). Times are epoch milliseconds; a "local" value
 * is the wall-clock reading encoded as if it were UTC, which makes day and minute arithmetic on
 * local dates plain integer arithmetic.
 *
 * The zone rules come from the ICU data in the Node runtime: a replay on a runtime with newer
 * tz data could differ for a zone whose rules changed after the decision. Zones change rarely and
 * with notice; the recorded decision keeps its original result either way.
 */

export const MINUTE = 60_000;
export const DAY = 86_400_000;

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

// Formatters are costly to build; caching one per zone is memoisation, not state: the output
// depends on the arguments only.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isTimeZone(zone: string): boolean {
  // Intl also accepts offsets such as "+01:00"; the issue asks for IANA names, which have letters.
  if (!/^[A-Za-z]/.test(zone)) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Date.UTC for years 0–99 would add 1900; the accepted inputs are four-digit years >= 1000. */
function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number | undefined {
  if (y < 1000 || mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(ms).getUTCDate() === d ? ms : undefined;
}

/** Strict ISO-8601 instant with `Z` or an offset: a zoneless string would depend on the host zone. */
export function parseInstant(text: string): number | undefined {
  const m = INSTANT.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone = 'Z'] = m;
  const base = utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
  if (base === undefined) return undefined;
  const offsetMinutes =
    zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
  // Milliseconds from the digits, not from a float, so "…:00.009Z" is exactly 9 ms.
  return base + Number(frac.padEnd(3, '0').slice(0, 3)) - offsetMinutes * MINUTE;
}

export function parseLocalDateTime(text: string): number | undefined {
  const m = LOCAL_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((p) => Number(p ?? '0'));
  return utc(y!, mo!, d!, h!, mi!, s!);
}

export function parseLocalDate(text: string): number | undefined {
  const m = LOCAL_DATE.exec(text);
  return m ? utc(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}

/** "HH:MM" as minutes after midnight; "24:00" only where `allowMidnightEnd`. */
export function parseClock(text: string, allowMidnightEnd: boolean): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (allowMidnightEnd && minutes === 24 * 60) return minutes;
  return Number(m[1]) <= 23 && Number(m[2]) <= 59 ? minutes : undefined;
}

/**
 * Intl's formatToParts dominates a decision's cost (a freeze check converts the same window
 * edges for every decision), so readings are remembered. The result depends only on the
 * arguments and the runtime's zone data, so remembering it changes no answer; the map is
 * emptied when it grows past a bound instead of growing with every instant ever asked.
 */
const readings = new Map<string, number>();
const READINGS_KEPT = 100_000;

/** The wall-clock reading of an instant in a zone, to the second. */
export function toLocal(instant: number, zone: string): number {
  const key = `${zone}\u0000${instant}`;
  const known = readings.get(key);
  if (known !== undefined) return known;
  if (readings.size >= READINGS_KEPT) readings.clear();
  const local = readLocal(instant, zone);
  readings.set(key, local);
  return local;
}

function readLocal(instant: number, zone: string): number {
  const parts = formatter(zone).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

function offsetAt(instant: number, zone: string): number {
  return toLocal(instant, zone) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a local wall-clock reading names. A reading that happens twice (clocks set back)
 * resolves to its `earliest` or `latest` occurrence; a reading that never happens (clocks set
 * forward) resolves to the moment the clocks jump, the first instant after the gap. Freeze windows
 * use `earliest` for starts and `latest` for ends, so a window covers every instant whose local
 * reading lies inside it, both passes of a repeated hour included.
 */
export function toInstant(local: number, zone: string, pick: 'earliest' | 'latest'): number {
  const before = offsetAt(local - DAY, zone);
  const after = offsetAt(local + DAY, zone);
  const candidates = [...new Set([local - before, local - after])]
    .filter((c) => toLocal(c, zone) === local)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return pick === 'earliest' ? candidates[0]! : candidates[candidates.length - 1]!;
  return jumpInstant(local - after, local - before, after, zone);
}

/** Binary search, to the second, for the first instant in (low, high] that has the later offset. */
function jumpInstant(low: number, high: number, laterOffset: number, zone: string): number {
  let lo = Math.floor(low / 1000);
  let hi = Math.ceil(high / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid * 1000, zone) === laterOffset) hi = mid;
    else lo = mid;
  }
  return hi * 1000;
}

/** Monday = 0 … Sunday = 6, for a local midnight. */
export function weekdayIndex(localDay: number): number {
  return (new Date(localDay).getUTCDay() + 6) % 7;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-27 00:00", the local reading of an instant, for reasons a person reads. */
export function formatLocal(instant: number, zone: string): string {
  const d = new Date(toLocal(instant, zone));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1000, m: MINUTE, h: 60 * MINUTE, d: DAY };

/** "30s", "30m", "1h", "7d" as milliseconds; zero and other forms are refused. */
export function parseDuration(text: string): number | undefined {
  const m = /^([1-9]\d{0,5})([smhd])$/.exec(text);
  return m ? Number(m[1]) * DURATION_UNITS[m[2]!]! : undefined;
}
