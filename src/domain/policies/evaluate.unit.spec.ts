import { evaluate } from './evaluate';
import { baseFacts, baseRequest, deployment, given, NOW, only, policy } from './fixtures.spec';
import type { Policy, PolicyFacts } from './types';

const slo = (fields: Partial<Policy>) => policy({ type: 'slo', query: 'burn_rate', maxBurnRate: 1 }, fields);
const noBurn = (...ids: string[]) => Object.fromEntries(ids.map((id) => [id, 0.5]));

describe('evaluate: selectors', () => {
  it('allows when no policy exists', () => {
    expect(given().when()).toEqual({ outcome: 'allowed', now: NOW, policies: [], results: [], reasons: [] });
  });

  it.each([
    [{ actions: ['delete' as const] }, 'action scale is not in [delete]'],
    [{ clusters: ['prod-eu'] }, 'cluster local-a is not in [prod-eu]'],
    [{ namespaces: ['a', 'b'] }, 'namespace payments is not in [a, b]'],
    [{ teams: ['search'] }, 'team ml-platform is not in [search]'],
    [{ labels: { tier: '1', gpu: 'a100' } }, 'label gpu=a100 is not on the deployment'],
    [{ labels: { tier: '2' } }, 'label tier=2 is not on the deployment'],
  ])('marks a policy whose selector %j does not match as not applicable', (selector, why) => {
    const decision = given(slo({ selector, name: 'guard' })).when();
    expect(decision.outcome).toBe('allowed');
    expect(only(decision)).toMatchObject({
      result: 'not_applicable',
      reason: `policy 'guard' does not apply: ${why}`,
    });
  });

  it('applies a policy when every selector field matches', () => {
    const selector = {
      actions: ['scale' as const],
      clusters: ['local-a'],
      namespaces: ['payments'],
      teams: ['ml-platform'],
      labels: { tier: '1' },
    };
    expect(only(given(slo({ selector })).when()).result).toBe('denied'); // burn rate unknown
  });

  it('does not treat inherited object keys as labels', () => {
    const decision = given(slo({ selector: { labels: { constructor: 'x' } } })).when();
    expect(only(decision).result).toBe('not_applicable');
  });
});

describe('evaluate: priority, deny overrides, dry run', () => {
  const high = slo({ id: 'high', priority: 100, name: 'high' });
  const low = slo({ id: 'low', priority: 1, name: 'low' });
  const mid = slo({ id: 'mid', priority: 50, name: 'mid', mode: 'dry_run' });

  it('lists every policy by priority descending, with the versions used', () => {
    const decision = given(low, { ...high, version: 7 }, mid)
      .facts({ burnRates: noBurn('high', 'low', 'mid') })
      .when();
    expect(decision.results.map((r) => [r.policyId, r.policyVersion, r.result])).toEqual([
      ['high', 7, 'allowed'],
      ['mid', 1, 'allowed'],
      ['low', 1, 'allowed'],
    ]);
    expect(decision.policies).toEqual([
      { id: 'high', version: 7 },
      { id: 'mid', version: 1 },
      { id: 'low', version: 1 },
    ]);
    expect(decision.outcome).toBe('allowed');
  });

  it('denies when a lower-priority policy denies, even if a higher one allows', () => {
    const decision = given(high, low)
      .facts({ burnRates: noBurn('high') })
      .when();
    expect(decision.outcome).toBe('denied');
    expect(decision.results.map((r) => r.result)).toEqual(['allowed', 'denied']);
    expect(decision.reasons).toEqual([
      "slo 'low': the error budget burn rate is unknown (no measurement), so changes are held",
    ]);
  });

  it('reports a dry-run denial as would_deny without blocking', () => {
    const decision = given(high, mid)
      .facts({ burnRates: noBurn('high') })
      .when();
    expect(decision.outcome).toBe('would_deny');
    expect(decision.results[1]).toMatchObject({
      result: 'would_deny',
      mode: 'dry_run',
      reason:
        "dry run: slo 'mid': the error budget burn rate is unknown (no measurement), so changes are held",
    });
  });

  it('denies when an enforced policy denies, and still lists the dry-run finding', () => {
    const decision = given(high, mid, low)
      .facts({ burnRates: noBurn('high') })
      .when();
    expect(decision.outcome).toBe('denied');
    expect(decision.results.map((r) => r.result)).toEqual(['allowed', 'would_deny', 'denied']);
    expect(decision.reasons).toHaveLength(2);
  });

  it('breaks priority ties by policy id, then version', () => {
    const decision = given(
      slo({ id: 'b' }),
      slo({ id: 'a', version: 2 }),
      slo({ id: 'a', version: 1 }),
    ).when();
    expect(decision.policies).toEqual([
      { id: 'a', version: 1 },
      { id: 'a', version: 2 },
      { id: 'b', version: 1 },
    ]);
  });

  it('denies every applicable policy when `now` is not an ISO instant (fail closed)', () => {
    const decision = given(high, slo({ id: 'x', selector: { teams: ['other'] } })).when(
      {},
      '2026-11-25 10:00',
    );
    expect(decision.outcome).toBe('denied');
    expect(decision.results.map((r) => r.result)).toEqual(['denied', 'not_applicable']);
    expect(decision.reasons[0]).toBe(
      "the decision time '2026-11-25 10:00' is not an ISO instant, so no rule can be checked",
    );
  });
});

/** Seeded PRNG (mulberry32) so the property test is reproducible without a dependency. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) Object.values(value).forEach(deepFreeze);
  return Object.freeze(value);
}

describe('evaluate: determinism (property)', () => {
  // Same priorities on purpose, so only the tie-break can order them.
  const policies: Policy[] = deepFreeze([
    slo({ id: 'slo-a', priority: 10 }),
    slo({ id: 'slo-b', priority: 10, mode: 'dry_run' }),
    policy({ type: 'quota', per: 'namespace', limits: { gpu: 5, cpu: '64' } }, { id: 'q', priority: 10 }),
    policy({ type: 'cost_ceiling', per: 'team', maxPerHour: 100 }, { id: 'c', priority: 5 }),
    policy({ type: 'sla', minReadyReplicas: 2 }, { id: 'sla', priority: 5, mode: 'dry_run' }),
    policy({ type: 'rate_limit', per: 'team', max: 2, window: '1h' }, { id: 'rl', priority: 5 }),
    policy(
      {
        type: 'change_freeze',
        timezone: 'Europe/Berlin',
        recurring: [{ days: ['WED'], from: '09:00', to: '12:00' }],
      },
      { id: 'f', priority: 10 },
    ),
    slo({ id: 'slo-c', priority: 10, selector: { teams: ['nobody'] } }),
  ]);
  const facts: PolicyFacts = deepFreeze({
    ...baseFacts,
    deployments: [deployment({ id: 'dep-2', replicas: 2, perReplica: { cpu: '1', memory: '1Gi', gpu: 1 } })],
    readyReplicas: 4,
    burnRates: { 'slo-a': 0.5, 'slo-b': 3 },
    recentActions: { rl: ['2026-11-25T09:30:00Z'] },
  });
  const request = deepFreeze({ ...baseRequest, replicas: 3 });

  it('gives deep-equal decisions for 200 random orders of the same policies', () => {
    const expected = evaluate(policies, request, facts, NOW);
    expect(expected.outcome).toBe('denied'); // the freeze: Wednesday 11:00 local
    expect(new Set(expected.results.map((r) => r.result))).toEqual(
      new Set(['allowed', 'denied', 'would_deny', 'not_applicable']),
    );
    const random = prng(20261125);
    for (let i = 0; i < 200; i++) {
      expect(evaluate(shuffle(policies, random), request, facts, NOW)).toEqual(expected);
    }
  });

  it('gives the same output for the same inputs twice, without changing them', () => {
    // The inputs are frozen: a write would throw.
    expect(evaluate(policies, request, facts, NOW)).toEqual(evaluate(policies, request, facts, NOW));
  });

  it('produces a decision that survives a JSON round trip unchanged (it is recorded in an event)', () => {
    const decision = evaluate(policies, request, facts, NOW);
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
  });
});
