import { buildComplianceReport, type ReportEvent } from './compliance-report';
import { csvField, renderReport } from './report-format';
import { monthRange, parseRange } from './report-range';

const scope = {
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-12-01T00:00:00.000Z',
  sentinelVersion: '0.1.0',
  topics: ['s.deployments.events', 's.access.events'],
  agentActorPrefixes: ['system:', 'agent:'],
};

let offset = 0;
const event = (eventType: string, over: Partial<ReportEvent> = {}): ReportEvent => ({
  topic: 's.deployments.events',
  partition: 0,
  offset: String(offset++),
  eventType,
  aggregateId: 'dep-1',
  at: '2026-11-10T10:00:00.000Z',
  actor: 'alice',
  causationId: `cmd-${offset}`,
  cluster: 'local-a',
  team: 'ml',
  data: {},
  ...over,
});

const freezeResults = JSON.stringify([
  {
    policyId: 'p-freeze',
    policyVersion: 2,
    policyName: 'xmas',
    ruleType: 'change_freeze',
    result: 'allowed',
    exception: { approver: 'carol', reason: 'launch, "urgent"', expires: '2026-11-11T00:00:00Z' },
  },
  { policyId: 'p-quota', policyVersion: 1, policyName: 'quota', ruleType: 'quota', result: 'denied' },
]);

const events: ReportEvent[] = [
  event('DeploymentCreated'),
  event('DeploymentScaled', { actor: 'bob', cluster: 'local-b', team: null }),
  event('DeploymentScaled', { at: '2026-11-02T00:00:00.000Z' }),
  event('DeploymentRolledBack', { data: { toRevision: 1, revision: 3 } }),
  event('PolicyEvaluated', {
    data: { decisionId: 'd-1', action: 'scale', outcome: 'allowed', results: freezeResults },
  }),
  event('PolicyDenied', {
    data: { decisionId: 'd-2', command: 'ScaleDeployment', reasons: ['frozen, until Monday'] },
  }),
  event('DeploymentRejected', { data: { command: 'UpdateDeployment', reasons: ['no such revision'] } }),
  event('AccessDenied', {
    topic: 's.access.events',
    actor: 'mallory',
    cluster: null,
    team: null,
    data: {
      subject: 'mallory',
      role: 'viewer',
      status: 403,
      reason: 'forbidden',
      method: 'POST',
      path: '/v1/deployments',
    },
  }),
  event('DeploymentApplied', { actor: 'system:effects' }),
  event('DeploymentStatusObserved', { actor: 'system:effects' }),
  event('DeploymentStatusObserved', { actor: 'system:effects' }),
  event('DeploymentCreated', { at: '2026-12-01T00:00:00.000Z' }),
];

describe('compliance report', () => {
  it('counts changes per cluster, team and actor, and lists every finding', () => {
    const report = buildComplianceReport(events, scope);
    expect(report.changesByCluster).toEqual([
      { cluster: 'local-a', total: 3, created: 1, updated: 0, scaled: 1, rolledBack: 1, deleted: 0 },
      { cluster: 'local-b', total: 1, created: 0, updated: 0, scaled: 1, rolledBack: 0, deleted: 0 },
    ]);
    expect(report.changesByTeam.map((r) => [r.team, r.total])).toEqual([
      [null, 1],
      ['ml', 3],
    ]);
    expect(report.changesByActor.map((r) => [r.actor, r.total])).toEqual([
      ['alice', 3],
      ['bob', 1],
    ]);
    expect(report.deniedAttempts.map((r) => [r.eventType, r.reasons])).toEqual([
      ['DeploymentRejected', ['no such revision']],
      ['PolicyDenied', ['frozen, until Monday']],
    ]);
    expect(report.freezeChanges).toEqual([
      expect.objectContaining({
        policyId: 'p-freeze',
        result: 'allowed',
        approver: 'carol',
        decisionId: 'd-1',
      }),
    ]);
    expect(report.agentActions).toEqual([
      { actor: 'system:effects', eventType: 'DeploymentApplied', count: 1 },
      { actor: 'system:effects', eventType: 'DeploymentStatusObserved', count: 2 },
    ]);
    expect(report.rollbacks).toEqual([expect.objectContaining({ toRevision: 1, revision: 3 })]);
    expect(report.accessDenials).toEqual([expect.objectContaining({ subject: 'mallory', status: 403 })]);
    expect(report.totals).toEqual({
      changes: 4,
      deniedAttempts: 2,
      freezeChanges: 1,
      agentActions: 3,
      rollbacks: 1,
      accessDenials: 1,
    });
    expect(report.notes.join(' ')).toMatch(/naming convention/);
  });

  it('sorts every list by a total order: the same events in another order give the same bytes', () => {
    const shuffled = [...events].reverse().sort((a, b) => (a.eventType < b.eventType ? -1 : 1));
    for (const format of ['json', 'csv'] as const) {
      const a = renderReport(buildComplianceReport(events, scope), format);
      const b = renderReport(
        buildComplianceReport(shuffled, { ...scope, topics: [...scope.topics].reverse() }),
        format,
      );
      expect(b.body.equals(a.body)).toBe(true);
      expect(b.sha256).toBe(a.sha256);
      expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('orders rows of equal keys by their position in the log', () => {
    const same = [2, 10, 1].map((o) =>
      event('DeploymentRolledBack', { offset: String(o), data: { toRevision: o } }),
    );
    const report = buildComplianceReport(same, scope);
    expect(report.rollbacks.map((r) => r.offset)).toEqual(['1', '2', '10']);
  });

  it('writes canonical JSON with sorted keys and no generation time', () => {
    const body = renderReport(buildComplianceReport(events, scope), 'json').body.toString();
    const keys = Object.keys(JSON.parse(body) as object);
    expect(keys).toEqual([...keys].sort());
    expect(body).toContain('"range":{"from":"2026-11-01T00:00:00.000Z","to":"2026-12-01T00:00:00.000Z"}');
    expect(body).toContain('"sentinel":"0.1.0"');
  });

  it('writes CSV per RFC 4180: CRLF lines, quoted commas, quotes and line breaks, one section per table', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(['x, y'])).toBe('"[""x, y""]"');
    const csv = renderReport(buildComplianceReport(events, scope), 'csv').body.toString();
    expect(csv.split('\r\n').filter((l) => l.includes('\n'))).toEqual([]);
    expect(csv).toContain(
      '\r\nchangesByCluster\r\ncluster,total,created,updated,scaled,rolledBack,deleted\r\n',
    );
    expect(csv).toContain('local-a,3,1,0,1,1,0\r\n');
    expect(csv).toContain('"launch, ""urgent"""');
    expect(csv).toContain('"[""frozen, until Monday""]"');
  });
});

describe('report ranges', () => {
  it('takes a month in UTC and normalises instants to UTC', () => {
    expect(monthRange('2026-11')).toEqual({
      ok: true,
      range: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
    });
    expect(monthRange('2026-12')).toMatchObject({ range: { to: '2027-01-01T00:00:00.000Z' } });
    expect(parseRange('2026-11-01T01:00:00+01:00', '2026-11-02T00:00:00Z')).toMatchObject({
      range: { from: '2026-11-01T00:00:00.000Z' },
    });
  });

  it('refuses a missing, malformed, reversed or longer-than-366-days range', () => {
    expect(monthRange('2026-13').ok).toBe(false);
    expect(parseRange(undefined, 'x')).toEqual({
      ok: false,
      errors: [
        { field: 'from', reason: 'is required' },
        { field: 'to', reason: expect.stringMatching(/ISO 8601/) },
      ],
    });
    expect(parseRange('2026-11-02T00:00:00Z', '2026-11-01T00:00:00Z')).toMatchObject({ ok: false });
    expect(parseRange('2025-01-01T00:00:00Z', '2026-01-02T00:00:01Z')).toMatchObject({ ok: false });
    expect(parseRange('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z').ok).toBe(true);
  });
});
