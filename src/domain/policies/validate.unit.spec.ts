import { promqlProblem } from './promql';
import { validatePolicy } from './validate';

const valid = {
  id: 'pol-1',
  version: 3,
  name: 'holiday-freeze',
  priority: 100,
  mode: 'enforce',
  selector: { clusters: ['prod-eu'], labels: { tier: '1' }, actions: ['update', 'scale'] },
  rule: {
    type: 'change_freeze',
    timezone: 'Europe/Berlin',
    windows: [{ start: '2026-12-24T00:00:00', end: '2026-12-27T00:00:00' }],
    recurring: [{ days: ['SAT', 'SUN'], from: '00:00', to: '24:00' }],
    holidays: ['2026-12-31'],
    exceptions: [
      { approver: 'alice', expires: '2026-12-25T12:00:00Z', reason: 'hotfix', subjects: ['dep-1'] },
    ],
  },
};

/** The problems of `valid` with the rule (or other top-level fields) replaced. */
function problemsOf(change: Record<string, unknown>, rule?: Record<string, unknown>) {
  const result = validatePolicy({ ...valid, ...change, ...(rule ? { rule } : {}) });
  return result.ok ? [] : result.problems;
}

describe('validatePolicy: accepted policies', () => {
  it('returns the typed policy', () => {
    expect(validatePolicy(valid)).toEqual({ ok: true, policy: valid });
  });

  it('defaults an omitted selector to match everything', () => {
    const { selector: _selector, ...withoutSelector } = valid;
    const result = validatePolicy(withoutSelector);
    expect(result.ok && result.policy.selector).toEqual({});
  });

  it.each([
    { type: 'cost_ceiling', per: 'team', maxPerHour: 120 },
    { type: 'cost_ceiling', per: 'namespace', maxPerMonth: 90_000 },
    { type: 'quota', per: 'namespace', limits: { replicas: 20, cpu: '16', memory: '64Gi', gpu: 8 } },
    { type: 'quota', per: 'team', limits: { cpu: '500m', memory: '1.5G' } },
    { type: 'sla', minReadyReplicas: 2 },
    { type: 'slo', query: 'sum(rate(http_errors{job="api",code=~"5.."}[5m])) / 0.001', maxBurnRate: 2 },
    { type: 'rate_limit', per: 'actor', max: 10, window: '1h' },
    { type: 'rate_limit', per: 'cluster', max: 1, window: '30m' },
    { type: 'rate_limit', per: 'action', max: 100, window: '7d' },
    {
      type: 'change_freeze',
      timezone: 'America/New_York',
      recurring: [{ days: ['FRI'], from: '17:00', to: '09:00' }],
    },
  ])('accepts rule %j', (rule) => {
    expect(problemsOf({}, rule)).toEqual([]);
  });
});

describe('validatePolicy: problems name the field and the reason', () => {
  it('refuses a value that is not an object', () => {
    expect(validatePolicy('policy')).toEqual({
      ok: false,
      problems: [{ field: '(policy)', reason: 'must be an object, got "policy"' }],
    });
  });

  it('lists every missing and unknown top-level field', () => {
    const result = validatePolicy({ id: 'x', owner: 'bob' });
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual([
      'owner',
      'version',
      'name',
      'priority',
      'mode',
      'rule',
    ]);
  });

  it.each([
    [{ version: 0 }, 'version', 'must be at least 1, got 0'],
    [{ version: 1.5 }, 'version', 'must be an integer, got 1.5'],
    [{ name: ' ' }, 'name', 'must be a non-empty string, got " "'],
    [{ mode: 'audit' }, 'mode', 'must be one of enforce, dry_run, got "audit"'],
    [
      { selector: { regions: ['eu'] } },
      'selector.regions',
      'unknown field; expected one of clusters, namespaces, teams, labels, actions',
    ],
    [{ selector: { clusters: [] } }, 'selector.clusters', 'must not be empty; omit the field instead'],
    [
      { selector: { actions: ['restart'] } },
      'selector.actions[0]',
      'must be one of create, update, scale, rollback, delete, got "restart"',
    ],
    [{ selector: { labels: { tier: 1 } } }, 'selector.labels.tier', 'must be a string'],
  ])('top level %j → %s', (change, field, reason) => {
    expect(problemsOf(change)).toEqual([{ field, reason }]);
  });

  const freeze = (fields: Record<string, unknown>) => ({ ...valid.rule, ...fields });

  it.each([
    [
      { type: 'budget' },
      'rule.type',
      'unknown rule type "budget"; expected one of cost_ceiling, quota, sla, slo, rate_limit, change_freeze',
    ],
    [
      freeze({ timezone: 'Europe/Berlinn' }),
      'rule.timezone',
      '"Europe/Berlinn" is not a known IANA time zone name (such as Europe/Berlin)',
    ],
    [
      freeze({ timezone: '+01:00' }),
      'rule.timezone',
      '"+01:00" is not a known IANA time zone name (such as Europe/Berlin)',
    ],
    [
      freeze({ recurring: [{ days: ['SAT'], from: '25:00', to: '24:00' }] }),
      'rule.recurring[0].from',
      '"25:00" is not a time of day from 00:00 to 23:59',
    ],
    [
      freeze({ recurring: [{ days: ['SAT'], from: '24:00', to: '01:00' }] }),
      'rule.recurring[0].from',
      '"24:00" is not a time of day from 00:00 to 23:59',
    ],
    [
      freeze({ recurring: [{ days: ['SAT'], from: '10:00', to: '10:00' }] }),
      'rule.recurring[0].to',
      'must differ from "from"; use 00:00 to 24:00 for a whole day',
    ],
    [
      freeze({ recurring: [{ days: ['SAMSTAG'], from: '10:00', to: '11:00' }] }),
      'rule.recurring[0].days[0]',
      'must be one of MON, TUE, WED, THU, FRI, SAT, SUN, got "SAMSTAG"',
    ],
    [
      freeze({ windows: [{ start: '2026-12-27T00:00:00', end: '2026-12-24T00:00:00' }] }),
      'rule.windows[0].end',
      '2026-12-24T00:00:00 must be after start 2026-12-27T00:00:00',
    ],
    [
      freeze({ windows: [{ start: '2026-02-30T00:00:00', end: '2026-03-01T00:00:00' }] }),
      'rule.windows[0].start',
      '"2026-02-30T00:00:00" is not a local date-time such as 2026-12-24T00:00:00',
    ],
    [
      freeze({ holidays: ['31.12.2026'] }),
      'rule.holidays[0]',
      '"31.12.2026" is not a date such as 2026-12-31',
    ],
    [
      freeze({ exceptions: [{ approver: 'alice', expires: '2026-12-25T12:00:00', reason: 'hotfix' }] }),
      'rule.exceptions[0].expires',
      '"2026-12-25T12:00:00" is not an ISO instant with a zone, such as 2026-12-25T12:00:00Z',
    ],
    [
      { type: 'change_freeze', timezone: 'UTC' },
      'rule',
      'must set at least one of windows, recurring, holidays',
    ],
  ])('rule %j → %s', (rule, field, reason) => {
    expect(problemsOf({}, rule)).toEqual([{ field, reason }]);
  });

  it.each([
    [{ cpu: '16 cores' }, 'rule.limits.cpu', '"16 cores" is not a CPU quantity such as 500m or 2'],
    [{ memory: '64GB' }, 'rule.limits.memory', '"64GB" is not a memory quantity such as 512Mi or 64Gi'],
    [{ cpu: '-1' }, 'rule.limits.cpu', 'must not be negative, got "-1"'],
    [{ gpu: -1 }, 'rule.limits.gpu', 'must not be negative, got -1'],
    [{ replicas: 2.5 }, 'rule.limits.replicas', 'must be an integer, got 2.5'],
    [{ pods: 3 }, 'rule.limits.pods', 'unknown field; expected one of replicas, cpu, memory, gpu'],
    [{}, 'rule.limits', 'must set at least one of replicas, cpu, memory, gpu'],
  ])('quota limits %j → %s', (limits, field, reason) => {
    const problems = problemsOf({}, { type: 'quota', per: 'namespace', limits });
    expect(problems).toContainEqual({ field, reason });
  });

  it.each([
    [
      { type: 'cost_ceiling', per: 'team', maxPerHour: -5 },
      'rule.maxPerHour',
      'must not be negative, got -5',
    ],
    [
      { type: 'cost_ceiling', per: 'cluster', maxPerHour: 5 },
      'rule.per',
      'must be one of team, namespace, got "cluster"',
    ],
    [{ type: 'cost_ceiling', per: 'team' }, 'rule.maxPerHour', 'maxPerHour or maxPerMonth is required'],
    [{ type: 'sla', minReadyReplicas: 0 }, 'rule.minReadyReplicas', 'must be at least 1, got 0'],
    [{ type: 'slo', query: 'rate(x[5m]', maxBurnRate: 2 }, 'rule.query', "'(' is not closed"],
    [{ type: 'slo', query: 'x', maxBurnRate: '2' }, 'rule.maxBurnRate', 'must be a number, got "2"'],
    [
      { type: 'rate_limit', per: 'actor', max: 10, window: '1 hour' },
      'rule.window',
      '"1 hour" is not a window such as 30s, 30m, 1h or 7d',
    ],
    [
      { type: 'rate_limit', per: 'actor', max: 10, window: '0h' },
      'rule.window',
      '"0h" is not a window such as 30s, 30m, 1h or 7d',
    ],
    [{ type: 'rate_limit', per: 'actor', max: 0, window: '1h' }, 'rule.max', 'must be at least 1, got 0'],
    [
      { type: 'sla', minReadyReplicas: 2, priority: 1 },
      'rule.priority',
      'unknown field; expected one of type, minReadyReplicas, exceptions',
    ],
  ])('rule %j → %s', (rule, field, reason) => {
    expect(problemsOf({}, rule)).toEqual([{ field, reason }]);
  });

  it('reports several problems at once', () => {
    const problems = problemsOf({ mode: 'x' }, { type: 'quota', per: 'team', limits: { gpu: -1, cpu: 'x' } });
    expect(problems.map((p) => p.field)).toEqual(['mode', 'rule.limits.cpu', 'rule.limits.gpu']);
  });
});

describe('promql light check (not a parser)', () => {
  it.each([
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    ['sum(rate(x[5m]))\n/ 2', 'must be on one line (no newlines)'],
    ['sum(rate(x[5m])))', "unbalanced ')' at position 17"],
    ['sum(rate(x[5m)])', "unbalanced ')' at position 14"],
    ['x{job="api"', "'{' is not closed"],
    ['x{job="api}', 'string starting at position 7 is not closed'],
  ])('refuses %j: %s', (query, reason) => {
    expect(promqlProblem(query)).toBe(reason);
  });

  it('ignores brackets inside string literals', () => {
    expect(promqlProblem('count(x{path=~"/a(b|c"})')).toBeUndefined();
    expect(promqlProblem("count(x{path='\\'(['})")).toBeUndefined();
  });
});
