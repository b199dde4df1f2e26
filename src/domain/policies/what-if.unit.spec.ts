import { canonicalJson, readDefinition } from './definition';
import { evaluate } from './evaluate';
import { baseFacts, baseRequest, NOW, policy } from './fixtures.spec';
import { decideRead, decideRecorded, readRecordedPolicy, type RecordedPolicy } from './recorded';
import type { Policy, PolicyFacts, PolicyRequest } from './types';
import { blocking, type PolicyChange, type RecordedDecision, whatIf } from './what-if';

const recordedOf = ({ id, version, ...body }: Policy): RecordedPolicy => ({
  policyId: id,
  version,
  definition: canonicalJson(body),
});

let seq = 0;
/** A decision as the write side records it: decided by decideRecorded on these inputs. */
function decided(
  policies: readonly Policy[],
  request: Partial<PolicyRequest> = {},
  facts: Partial<PolicyFacts> = {},
  at = NOW,
): RecordedDecision {
  const inputs = {
    policies: policies.map(recordedOf),
    request: { ...baseRequest, ...request },
    facts: { ...baseFacts, ...facts },
    now: at,
  };
  const decision = decideRecorded(inputs);
  seq += 1;
  return {
    decisionId: `d-${String(seq).padStart(5, '0')}`,
    deploymentId: inputs.request.deploymentId,
    actor: inputs.request.actor,
    at,
    outcome: decision.outcome,
    reasons: decision.reasons,
    inputs,
  };
}

const gpuQuota = (gpu: number, fields: Partial<Policy> = {}) =>
  policy({ type: 'quota', per: 'team', limits: { gpu } }, { id: 'gpu', name: 'gpu-quota', ...fields });
const weekendFreeze = policy(
  {
    type: 'change_freeze',
    timezone: 'UTC',
    recurring: [{ days: ['SAT', 'SUN'], from: '00:00', to: '24:00' }],
  },
  { id: 'freeze', name: 'weekend-freeze' },
);
const SATURDAY = '2026-11-28T10:00:00Z';

describe('whatIf: what a policy change would have let through or stopped', () => {
  it('reports a denial an upserted policy lifts, with the reasons it was denied for', () => {
    const denied = decided([gpuQuota(2)]);
    const { evaluated, changed } = whatIf(
      [denied],
      [{ op: 'upsert', policy: gpuQuota(100, { version: 2 }) }],
    );
    expect(evaluated).toBe(1);
    expect(changed).toEqual([
      {
        decisionId: denied.decisionId,
        subject: 'dep-1',
        actor: 'alice',
        at: NOW,
        before: 'denied',
        after: 'allowed',
        outcomeBefore: 'denied',
        outcomeAfter: 'allowed',
        reasons: denied.reasons,
      },
    ]);
    expect(denied.reasons[0]).toMatch(/4 GPUs after this change, limit 2/);
  });

  it('reports a change a new policy stops, with the new reasons, oldest first', () => {
    const later = decided([], {}, {}, '2026-11-29T10:00:00Z');
    const earlier = decided([], {}, {}, SATURDAY);
    const weekday = decided([], {}, {}, '2026-11-27T10:00:00Z');
    const { evaluated, changed } = whatIf(
      [later, earlier, weekday],
      [{ op: 'upsert', policy: weekendFreeze }],
    );
    expect(evaluated).toBe(3);
    expect(changed.map((c) => [c.decisionId, c.before, c.after])).toEqual([
      [earlier.decisionId, 'allowed', 'denied'],
      [later.decisionId, 'allowed', 'denied'],
    ]);
    expect(changed[0]!.reasons).toEqual([expect.stringMatching(/weekend-freeze/)]);
  });

  it('reports a denial that removing the policy lifts', () => {
    const denied = decided([gpuQuota(2), weekendFreeze]);
    expect(whatIf([denied], [{ op: 'remove', policyId: 'gpu' }]).changed).toEqual([
      expect.objectContaining({ before: 'denied', after: 'allowed' }),
    ]);
  });

  it('counts would_deny as allowed: a dry run blocks nothing', () => {
    const denied = decided([gpuQuota(2)]);
    const dryRun: PolicyChange = { op: 'upsert', policy: gpuQuota(2, { mode: 'dry_run', version: 2 }) };
    expect(whatIf([denied], [dryRun]).changed).toEqual([
      expect.objectContaining({ before: 'denied', after: 'allowed', outcomeAfter: 'would_deny' }),
    ]);
    const wouldDeny = decided([gpuQuota(2, { mode: 'dry_run' })]);
    expect(wouldDeny.outcome).toBe('would_deny');
    expect(whatIf([wouldDeny], [{ op: 'remove', policyId: 'gpu' }]).changed).toEqual([]);
  });

  it('changes nothing without changes, and reports nothing that keeps its outcome', () => {
    const all = [
      decided([gpuQuota(2)]),
      decided([gpuQuota(100)]),
      decided([weekendFreeze], {}, {}, SATURDAY),
    ];
    expect(whatIf(all, [])).toEqual({ evaluated: 3, changed: [] });
    const elsewhere = gpuQuota(1, { id: 'gpu-search', selector: { teams: ['search'] } });
    expect(whatIf(all, [{ op: 'upsert', policy: elsewhere }]).changed).toEqual([]);
    expect(whatIf(all, [{ op: 'remove', policyId: 'unknown' }]).changed).toEqual([]);
  });

  it('never reports a decision whose inputs could not be read: it is denied whatever the policies', () => {
    const unreadable: RecordedDecision = {
      ...decided([]),
      outcome: 'denied',
      inputs: { unreadable: 'no facts' },
    };
    expect(whatIf([unreadable], [{ op: 'remove', policyId: 'gpu' }])).toEqual({ evaluated: 1, changed: [] });
  });

  it('keeps an unreadable recorded policy denying, unless the change replaces or removes it', () => {
    const broken = { policyId: 'gpu', version: 1, definition: '{"name":"gpu"}' };
    const base = decided([]);
    if ('unreadable' in base.inputs) throw new Error('unexpected');
    const inputs = { ...base.inputs, policies: [broken] };
    const d: RecordedDecision = { ...base, inputs, ...outcomeOf(decideRecorded(inputs)) };
    expect(d.outcome).toBe('denied');
    expect(whatIf([d], [{ op: 'remove', policyId: 'other' }]).changed).toEqual([]);
    expect(whatIf([d], [{ op: 'remove', policyId: 'gpu' }]).changed).toHaveLength(1);
    expect(whatIf([d], [{ op: 'upsert', policy: gpuQuota(100, { version: 2 }) }]).changed).toHaveLength(1);
  });
});

const outcomeOf = (d: { outcome: RecordedDecision['outcome']; reasons: readonly string[] }) => ({
  outcome: d.outcome,
  reasons: d.reasons,
});

/** A small deterministic PRNG (mulberry32), so a failing case can be reproduced. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

const POOL: Policy[] = [
  gpuQuota(4),
  gpuQuota(12, { version: 2 }),
  policy({ type: 'cost_ceiling', per: 'team', maxPerHour: 20 }, { id: 'cost', priority: 5 }),
  policy({ type: 'sla', minReadyReplicas: 2 }, { id: 'sla', selector: { clusters: ['prod'] } }),
  policy({ type: 'rate_limit', per: 'actor', max: 2, window: '1h' }, { id: 'rate', mode: 'dry_run' }),
  policy({ type: 'slo', query: 'burn_rate', maxBurnRate: 1 }, { id: 'slo', selector: { teams: ['search'] } }),
  weekendFreeze,
];

function randomDecisions(count: number, seed: number): RecordedDecision[] {
  const r = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const policies = POOL.filter(() => r.next() < 0.5).filter(
      (p, j, ps) => ps.findIndex((q) => q.id === p.id) === j,
    );
    const at = new Date(Date.UTC(2026, 10, 23) + i * 61_000 + r.int(60_000)).toISOString();
    const request = {
      replicas: r.int(8),
      cluster: r.pick(['prod', 'dev']),
      team: r.pick(['ml-platform', 'search']),
      actor: r.pick(['alice', 'bob']),
      action: r.pick(['create', 'scale', 'update', 'delete'] as const),
    };
    const facts = {
      readyReplicas: r.int(4),
      burnRates: { slo: r.next() * 2 },
      recentActions: { rate: Array.from({ length: r.int(4) }, () => at) },
    };
    return decided(policies, request, facts, at);
  });
}

/** The brute-force answer: each decision re-read and re-evaluated on its own, with evaluate(). */
function bruteForce(decisions: readonly RecordedDecision[], changes: readonly PolicyChange[]) {
  return decisions.flatMap((d) => {
    if ('unreadable' in d.inputs) return [];
    const touched = (id: string) =>
      changes.some((c) => (c.op === 'upsert' ? c.policy.id : c.policyId) === id);
    const policies = d.inputs.policies
      .filter((p) => !touched(p.policyId))
      .map((p) => {
        const read = readDefinition(p.definition, p.policyId, p.version);
        if (!read.ok) throw new Error('generated definitions are all valid');
        return read.policy;
      });
    const upserted = changes.flatMap((c) => (c.op === 'upsert' ? [c.policy] : []));
    const after = evaluate(
      [...policies, ...upserted],
      d.inputs.request,
      d.inputs.facts,
      d.inputs.now,
    ).outcome;
    return blocking(after) === blocking(d.outcome) ? [] : [{ decisionId: d.decisionId, outcomeAfter: after }];
  });
}

describe('whatIf against brute force', () => {
  const decisions = randomDecisions(2000, 42);
  const CHANGES: PolicyChange[][] = [
    [],
    [{ op: 'upsert', policy: gpuQuota(6, { version: 3 }) }],
    [
      { op: 'remove', policyId: 'gpu' },
      { op: 'upsert', policy: { ...weekendFreeze, mode: 'dry_run', version: 2 } },
    ],
    [{ op: 'upsert', policy: policy({ type: 'sla', minReadyReplicas: 3 }, { id: 'sla-new' }) }],
    [
      {
        op: 'upsert',
        policy: policy({ type: 'rate_limit', per: 'actor', max: 2, window: '1h' }, { id: 'rate' }),
      },
    ],
  ];

  it('records decisions that re-derive unchanged (decideRead is decideRecorded)', () => {
    for (const d of decisions.slice(0, 200)) {
      if ('unreadable' in d.inputs) continue;
      const { policies, request, facts, now } = d.inputs;
      expect(decideRead(policies.map(readRecordedPolicy), request, facts, now)).toEqual(
        decideRecorded(d.inputs),
      );
    }
  });

  it.each(CHANGES.map((c, i) => [i, c] as const))(
    'agrees on every decision for change set %i',
    (_, changes) => {
      const expected = bruteForce(decisions, changes);
      const { evaluated, changed } = whatIf(decisions, changes);
      expect(evaluated).toBe(decisions.length);
      expect(changed.map((c) => ({ decisionId: c.decisionId, outcomeAfter: c.outcomeAfter }))).toEqual(
        expected,
      );
      if (changes.length > 0) expect(expected.length).toBeGreaterThan(0);
    },
  );

  // Speed is measured by bench/policy-decisions.ts (make bench), not asserted here.

  /** As read from the read model: each decision with its recorded per-policy results. */
  const withResults = decisions.map((d) =>
    'unreadable' in d.inputs ? d : { ...d, results: decideRecorded(d.inputs).results },
  );

  it.each(CHANGES.map((c, i) => [i, c] as const))(
    'recombining recorded results agrees with full re-evaluation, reasons included, for change set %i',
    (_, changes) => {
      expect(whatIf(withResults, changes)).toEqual(whatIf(decisions, changes));
      expect(whatIf(withResults, changes).changed.map((c) => c.decisionId)).toEqual(
        bruteForce(decisions, changes).map((c) => c.decisionId),
      );
    },
  );
});
