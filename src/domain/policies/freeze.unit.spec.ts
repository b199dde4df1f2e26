import { given, only, policy } from './fixtures.spec';
import type { ChangeFreezeRule } from './types';

const zone = 'Europe/Berlin';
const freeze = (fields: Omit<ChangeFreezeRule, 'type' | 'timezone'>, timezone = zone) =>
  policy({ type: 'change_freeze', timezone, ...fields }, { name: 'holiday-freeze' });
/** The result of one freeze policy at an instant. */
const at = (rule: Omit<ChangeFreezeRule, 'type' | 'timezone'>, now: string, change = {}) =>
  only(given(freeze(rule)).when(change, now));

describe('change freeze: one-off windows (local, half-open)', () => {
  // Berlin is UTC+1 in December: local midnight of the 24th is 23:00Z on the 23rd.
  const christmas = { windows: [{ start: '2026-12-24T00:00:00', end: '2026-12-27T00:00:00' }] };

  it('is not in effect just before the start', () => {
    expect(at(christmas, '2026-12-23T22:59:59.999Z')).toMatchObject({
      result: 'allowed',
      reason:
        "change freeze 'holiday-freeze' (Europe/Berlin) is not in effect at 2026-12-23 23:59 local time",
    });
  });

  it('is in effect from the start instant, inclusive', () => {
    expect(at(christmas, '2026-12-23T23:00:00Z')).toMatchObject({
      result: 'denied',
      reason: "change freeze 'holiday-freeze' (Europe/Berlin) is in effect until 2026-12-27 00:00 local time",
    });
  });

  it('is in effect up to, and not at, the end instant', () => {
    expect(at(christmas, '2026-12-26T22:59:59Z').result).toBe('denied');
    expect(at(christmas, '2026-12-26T23:00:00Z').result).toBe('allowed');
  });
});

describe('change freeze: recurring weekly windows', () => {
  // 2026-11-27 is a Friday.
  const overnight = { recurring: [{ days: ['FRI' as const], from: '17:00', to: '09:00' }] };
  const weekend = { recurring: [{ days: ['SAT' as const, 'SUN' as const], from: '00:00', to: '24:00' }] };

  it('runs a window crossing midnight into the next morning', () => {
    expect(at(overnight, '2026-11-27T15:59:59Z').result).toBe('allowed'); // Fri 16:59:59
    expect(at(overnight, '2026-11-27T16:00:00Z')).toMatchObject({
      result: 'denied',
      reason: "change freeze 'holiday-freeze' (Europe/Berlin) is in effect until 2026-11-28 09:00 local time",
    });
    expect(at(overnight, '2026-11-28T07:59:59Z').result).toBe('denied'); // Sat 08:59:59
    expect(at(overnight, '2026-11-28T08:00:00Z').result).toBe('allowed'); // Sat 09:00
  });

  it('belongs to the day it starts on: Thursday evening is not frozen', () => {
    expect(at(overnight, '2026-11-26T20:00:00Z').result).toBe('allowed');
  });

  it('freezes the whole weekend, and names Monday 00:00 as the end', () => {
    expect(at(weekend, '2026-11-27T22:59:59Z').result).toBe('allowed'); // Fri 23:59:59
    expect(at(weekend, '2026-11-28T09:00:00Z')).toMatchObject({
      result: 'denied',
      reason: "change freeze 'holiday-freeze' (Europe/Berlin) is in effect until 2026-11-30 00:00 local time",
    });
    expect(at(weekend, '2026-11-29T22:59:59Z').result).toBe('denied'); // Sun 23:59:59
    expect(at(weekend, '2026-11-29T23:00:00Z').result).toBe('allowed'); // Mon 00:00
  });

  it('joins touching windows of different kinds into one freeze', () => {
    // Christmas window ends Sunday 27th 00:00 local, the weekend runs on to Monday 28th.
    const both = { ...weekend, windows: [{ start: '2026-12-24T00:00:00', end: '2026-12-27T00:00:00' }] };
    expect(at(both, '2026-12-24T10:00:00Z').reason).toMatch(/in effect until 2026-12-28 00:00 local time$/);
  });

  it('says "at least until" for a freeze that never ends', () => {
    const always = {
      recurring: [
        { days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const, from: '00:00', to: '24:00' },
      ],
    };
    expect(at(always, '2026-11-25T10:00:00Z').reason).toMatch(
      /is in effect at least until \d{4}-\d{2}-\d{2} 00:00/,
    );
  });
});

describe('change freeze: holidays', () => {
  const newYearsEve = { holidays: ['2026-12-31'] };

  it('freezes the whole local day', () => {
    expect(at(newYearsEve, '2026-12-30T22:59:59Z').result).toBe('allowed');
    expect(at(newYearsEve, '2026-12-30T23:00:00Z')).toMatchObject({
      result: 'denied',
      reason: "change freeze 'holiday-freeze' (Europe/Berlin) is in effect until 2027-01-01 00:00 local time",
    });
    expect(at(newYearsEve, '2026-12-31T22:59:59Z').result).toBe('denied');
    expect(at(newYearsEve, '2026-12-31T23:00:00Z').result).toBe('allowed');
  });

  it('uses the rule time zone, not UTC', () => {
    const tokyo = only(given(freeze(newYearsEve, 'Asia/Tokyo')).when({}, '2026-12-30T15:00:00Z'));
    expect(tokyo.reason).toBe(
      "change freeze 'holiday-freeze' (Asia/Tokyo) is in effect until 2027-01-01 00:00 local time",
    );
  });
});

/**
 * Behaviour on DST days (documented in local-time.ts `toInstant`): a window covers every instant
 * whose local reading lies in [start, end). A local time skipped by the spring jump resolves to
 * the jump itself; a local time repeated in autumn opens at its first and closes at its last pass.
 */
describe('change freeze: daylight saving time in Europe/Berlin', () => {
  it('spring forward (02:00 → 03:00 on 2026-03-29): 02:30–03:30 freezes the real half hour 03:00–03:30', () => {
    const window = { windows: [{ start: '2026-03-29T02:30:00', end: '2026-03-29T03:30:00' }] };
    expect(at(window, '2026-03-29T00:59:59Z').result).toBe('allowed'); // 01:59:59 CET
    expect(at(window, '2026-03-29T01:00:00Z')).toMatchObject({
      result: 'denied', // 03:00 CEST, the first instant after the skipped hour
      reason: "change freeze 'holiday-freeze' (Europe/Berlin) is in effect until 2026-03-29 03:30 local time",
    });
    expect(at(window, '2026-03-29T01:29:59Z').result).toBe('denied');
    expect(at(window, '2026-03-29T01:30:00Z').result).toBe('allowed'); // 03:30 CEST
  });

  it('spring forward, recurring on Sundays: the same half hour', () => {
    const sundays = { recurring: [{ days: ['SUN' as const], from: '02:30', to: '03:30' }] };
    expect(at(sundays, '2026-03-29T00:59:59Z').result).toBe('allowed');
    expect(at(sundays, '2026-03-29T01:00:00Z').result).toBe('denied');
    expect(at(sundays, '2026-03-29T01:30:00Z').result).toBe('allowed');
  });

  it('fall back (03:00 → 02:00 on 2026-10-25): 02:30–03:30 freezes two real hours, both passes of 02:30', () => {
    const window = { windows: [{ start: '2026-10-25T02:30:00', end: '2026-10-25T03:30:00' }] };
    expect(at(window, '2026-10-25T00:29:59Z').result).toBe('allowed'); // 02:29:59 CEST
    expect(at(window, '2026-10-25T00:30:00Z')).toMatchObject({
      result: 'denied', // 02:30 CEST, first pass
      reason: "change freeze 'holiday-freeze' (Europe/Berlin) is in effect until 2026-10-25 03:30 local time",
    });
    expect(at(window, '2026-10-25T01:15:00Z').result).toBe('denied'); // 02:15 CET, second pass, inside the span
    expect(at(window, '2026-10-25T02:29:59Z').result).toBe('denied'); // 03:29:59 CET
    expect(at(window, '2026-10-25T02:30:00Z').result).toBe('allowed'); // 03:30 CET
  });

  it('fall back, a window ending at 02:30: frozen until the second 02:30', () => {
    const window = { windows: [{ start: '2026-10-25T01:00:00', end: '2026-10-25T02:30:00' }] };
    expect(at(window, '2026-10-25T01:29:59Z').result).toBe('denied'); // 02:29:59 CET
    expect(at(window, '2026-10-25T01:30:00Z').result).toBe('allowed'); // 02:30 CET
  });
});

describe('change freeze: exceptions', () => {
  const hotfix = { approver: 'alice', expires: '2026-12-25T12:00:00Z', reason: 'hotfix' };
  const christmas = { windows: [{ start: '2026-12-24T00:00:00', end: '2026-12-27T00:00:00' }] };

  it('lets the change through before expiry and says who approved it', () => {
    const result = at({ ...christmas, exceptions: [hotfix] }, '2026-12-25T11:59:59Z');
    expect(result).toMatchObject({
      result: 'allowed',
      exception: { approver: 'alice', reason: 'hotfix', expires: '2026-12-25T12:00:00Z' },
      reason:
        "change freeze 'holiday-freeze' (Europe/Berlin) is in effect until 2026-12-27 00:00 local time; " +
        'let through by an exception approved by alice (hotfix), valid until 2026-12-25T12:00:00Z',
    });
  });

  it('has expired at exactly its expiry instant, and after', () => {
    expect(at({ ...christmas, exceptions: [hotfix] }, '2026-12-25T12:00:00Z').result).toBe('denied');
    expect(at({ ...christmas, exceptions: [hotfix] }, '2026-12-25T12:00:01Z').result).toBe('denied');
  });

  it('applies only to its subjects, by deployment id or name', () => {
    const other = { ...hotfix, subjects: ['dep-9'] };
    const byName = { ...hotfix, subjects: ['llm-server'] };
    expect(at({ ...christmas, exceptions: [other] }, '2026-12-25T10:00:00Z').result).toBe('denied');
    expect(at({ ...christmas, exceptions: [other, byName] }, '2026-12-25T10:00:00Z').result).toBe('allowed');
  });

  it('leaves no trace on an allowed change outside the freeze', () => {
    expect(at({ ...christmas, exceptions: [hotfix] }, '2026-12-20T10:00:00Z').exception).toBeUndefined();
  });
});

describe('change freeze: policies that were never validated', () => {
  it('denies with a reason when the time zone is unknown (fail closed)', () => {
    const result = only(given(freeze({ holidays: ['2026-12-31'] }, 'Mars/Olympus')).when());
    expect(result.result).toBe('denied');
    expect(result.reason).toMatch(/^policy 'holiday-freeze' could not be evaluated \(.*Mars\/Olympus/);
  });
});
