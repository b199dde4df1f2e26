import { deployment, given, only, policy } from './fixtures.spec';
import { formatMemory, parseCpuMillis, parseMemoryBytes } from './quantity';
import type { QuotaLimits } from './types';

describe('kubernetes quantities', () => {
  it.each([
    ['500m', 500n],
    ['2', 2000n],
    ['2.5', 2500n],
    ['0.1', 100n],
    ['0.0001', 1n], // below a millicore rounds up, as the API server does
  ])('reads cpu %s as %d millicores', (text, millis) => {
    expect(parseCpuMillis(text)).toBe(millis);
  });

  it.each([
    ['123', 123n],
    ['1k', 1000n],
    ['1Ki', 1024n],
    ['1M', 1_000_000n],
    ['1.5Gi', 1_610_612_736n],
    ['64Gi', 68_719_476_736n],
    ['2T', 2_000_000_000_000n],
    ['1Ti', 1_099_511_627_776n],
  ])('reads memory %s as %d bytes', (text, bytes) => {
    expect(parseMemoryBytes(text)).toBe(bytes);
  });

  it.each(['', 'lots', '1e3', '-1', '2 cores', '1.', '.5'])('refuses cpu %j', (text) => {
    expect(parseCpuMillis(text)).toBeUndefined();
  });

  it.each(['8gb', '1GB', '-1Gi', '1e9'])('refuses memory %j', (text) => {
    expect(parseMemoryBytes(text)).toBeUndefined();
  });

  it('formats memory without rounding anything away', () => {
    expect(formatMemory(33n << 30n)).toBe('33Gi');
    expect(formatMemory(1536n << 20n)).toBe('1536Mi');
    expect(formatMemory(1000n)).toBe('1000 bytes');
  });
});

describe('cost ceiling', () => {
  // dep-1 runs 2 × 3.5 = 7/h now; the change scales it to 4 (14/h). dep-2 adds 2 × 10 = 20/h.
  const team = [
    deployment({ id: 'dep-1', replicas: 2, costPerReplicaHour: 3.5 }),
    deployment({ id: 'dep-2', replicas: 2, costPerReplicaHour: 10, namespace: 'other', cluster: 'b' }),
    deployment({ id: 'dep-3', replicas: 9, costPerReplicaHour: 50, team: 'someone-else' }),
  ];
  const ceiling = (maxPerHour?: number, maxPerMonth?: number) =>
    policy({ type: 'cost_ceiling', per: 'team', maxPerHour, maxPerMonth }, { name: 'team-budget' });

  it('allows a change that reaches the ceiling exactly (34/h after the change)', () => {
    const result = only(given(ceiling(34)).facts({ deployments: team }).when());
    expect(result.result).toBe('allowed');
    expect(result.reason).toBe(
      "cost ceiling 'team-budget' for team ml-platform: 34.00 per hour after this change, ceiling 34.00",
    );
  });

  it('denies a change whose projected cost, not the current one, is above the ceiling', () => {
    // Now the team costs 27/h, below 30; after the scale it costs 34/h.
    const decision = given(ceiling(30)).facts({ deployments: team }).when();
    expect(decision.outcome).toBe('denied');
    expect(only(decision).reason).toBe(
      "cost ceiling 'team-budget' for team ml-platform: 34.00 per hour after this change, ceiling 30.00",
    );
  });

  it('counts a new deployment in the scope', () => {
    const decision = given(ceiling(30))
      .facts({ deployments: team.slice(1) })
      .when({ action: 'create', deploymentId: 'dep-new', replicas: 3, costPerReplicaHour: 4 });
    expect(only(decision).reason).toMatch(/32.00 per hour after this change, ceiling 30.00$/);
  });

  it('checks a monthly ceiling over 730 hours, exactly at the limit allowed', () => {
    const atLimit = given(ceiling(undefined, 34 * 730))
      .facts({ deployments: team })
      .when();
    expect(only(atLimit).result).toBe('allowed');
    const denied = only(given(ceiling(undefined, 24_819.99)).facts({ deployments: team }).when());
    expect(denied.result).toBe('denied');
    expect(denied.reason).toMatch(/24820.00 per month after this change, ceiling 24819.99$/);
  });

  it('adds money exactly: 0.1 + 0.2 per hour fits a ceiling of 0.3', () => {
    const decision = given(ceiling(0.3))
      .facts({ deployments: [deployment({ id: 'dep-2', costPerReplicaHour: 0.1 })] })
      .when({ replicas: 1, costPerReplicaHour: 0.2 });
    expect(only(decision).result).toBe('allowed');
  });

  it('scopes a namespace ceiling to the namespace in the same cluster', () => {
    const sameNameElsewhere = deployment({
      id: 'dep-9',
      cluster: 'b',
      replicas: 100,
      costPerReplicaHour: 100,
    });
    const decision = given(policy({ type: 'cost_ceiling', per: 'namespace', maxPerHour: 14 }))
      .facts({ deployments: [sameNameElsewhere] })
      .when();
    expect(only(decision).reason).toBe(
      "cost ceiling 'cost_ceiling' for namespace payments: 14.00 per hour after this change, ceiling 14.00",
    );
  });
});

describe('quota', () => {
  // dep-2 in payments already uses 2 replicas × (1500m, 512Mi, 2 GPUs).
  const neighbours = [
    deployment({ id: 'dep-2', replicas: 2, perReplica: { cpu: '1500m', memory: '512Mi', gpu: 2 } }),
    deployment({
      id: 'dep-3',
      namespace: 'elsewhere',
      replicas: 50,
      perReplica: { cpu: '8', memory: '1Ti', gpu: 8 },
    }),
  ];
  const quota = (limits: QuotaLimits) => policy({ type: 'quota', per: 'namespace', limits }, { name: 'gpu' });
  const when = (limits: QuotaLimits, replicas = 4) =>
    only(given(quota(limits)).facts({ deployments: neighbours }).when({ replicas }));

  it('allows GPUs exactly at the limit (4 + 4 = 8)', () => {
    expect(when({ gpu: 8 })).toMatchObject({
      result: 'allowed',
      reason: "quota 'gpu' for namespace payments: within limits (8 GPUs after this change, limit 8)",
    });
  });

  it('denies one GPU over the limit and says by how much', () => {
    expect(when({ gpu: 8 }, 5)).toMatchObject({
      result: 'denied',
      reason: "quota 'gpu' for namespace payments: 9 GPUs after this change, limit 8",
    });
    expect(when({ gpu: 8 }, 6).reason).toBe(
      "quota 'gpu' for namespace payments: 10 GPUs after this change, limit 8",
    );
  });

  it('sums cpu in exact millicores: 4 × 2 + 2 × 1.5 = 11 cores', () => {
    expect(when({ cpu: '11' }).result).toBe('allowed');
    expect(when({ cpu: '10999m' }).reason).toBe(
      "quota 'gpu' for namespace payments: 11 CPU after this change, limit 10999m",
    );
  });

  it('sums memory in exact bytes: 4 × 8Gi + 2 × 512Mi = 33Gi', () => {
    expect(when({ memory: '33Gi' }).result).toBe('allowed');
    expect(when({ memory: '33792Mi' }).result).toBe('allowed');
    expect(when({ memory: '33791Mi' }).reason).toBe(
      "quota 'gpu' for namespace payments: 33Gi memory after this change, limit 33791Mi",
    );
  });

  it('lists every limit exceeded, and replicas count too', () => {
    expect(when({ replicas: 5, gpu: 7, cpu: '64' }).reason).toBe(
      "quota 'gpu' for namespace payments: 6 replicas after this change, limit 5; 8 GPUs after this change, limit 7",
    );
  });

  it('counts a deleted deployment as gone', () => {
    const decision = given(quota({ gpu: 4 }))
      .facts({ deployments: [...neighbours, deployment({ id: 'dep-1', replicas: 4 })] })
      .when({ action: 'delete', replicas: 4 });
    expect(only(decision).reason).toBe(
      "quota 'gpu' for namespace payments: within limits (4 GPUs after this change, limit 4)",
    );
  });

  it('scopes a team quota across namespaces and clusters of the team', () => {
    const decision = given(policy({ type: 'quota', per: 'team', limits: { gpu: 408 } }))
      .facts({ deployments: neighbours })
      .when();
    expect(only(decision).result).toBe('allowed'); // 4 + 4 + 400 = 408
  });

  it('denies when a quantity in the facts cannot be read (fail closed)', () => {
    const decision = given(quota({ cpu: '100' }))
      .facts({
        deployments: [deployment({ id: 'dep-2', perReplica: { cpu: 'lots', memory: '1Gi', gpu: 0 } })],
      })
      .when();
    expect(only(decision)).toMatchObject({
      result: 'denied',
      reason:
        "quota 'gpu' for namespace payments: cpu of deployment dep-2 is not a quantity that can be read",
    });
  });
});
