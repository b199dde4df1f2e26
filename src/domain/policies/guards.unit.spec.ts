import { given, only, policy } from './fixtures.spec';
import type { PolicyRequest } from './types';

describe('sla: minimum ready replicas', () => {
  const sla = policy({ type: 'sla', minReadyReplicas: 2 }, { name: 'tier-1' });
  const when = (ready: number | undefined, change: Partial<PolicyRequest>, maxUnavailable?: number) =>
    only(given(sla).facts({ readyReplicas: ready, maxUnavailable }).when(change));

  it('allows a scale down that keeps the minimum', () => {
    expect(when(3, { replicas: 2 })).toMatchObject({
      result: 'allowed',
      reason: "sla 'tier-1' for deployment dep-1: scale leaves 2 ready (3 now), minimum 2",
    });
  });

  it('denies a scale down below the minimum', () => {
    expect(when(3, { replicas: 1 })).toMatchObject({
      result: 'denied',
      reason: "sla 'tier-1' for deployment dep-1: scale leaves 1 ready (3 now), minimum 2",
    });
  });

  it('denies a delete', () => {
    expect(when(3, { action: 'delete', replicas: 0 }).reason).toBe(
      "sla 'tier-1' for deployment dep-1: delete leaves 0 ready (3 now), minimum 2",
    );
  });

  it('allows an update while one pod down still leaves the minimum, denies it otherwise', () => {
    expect(when(3, { action: 'update', replicas: 3 }).result).toBe('allowed');
    expect(when(2, { action: 'rollback', replicas: 3 })).toMatchObject({
      result: 'denied',
      reason: "sla 'tier-1' for deployment dep-1: rollback leaves 1 ready (2 now), minimum 2",
    });
  });

  it('allows an update with maxUnavailable 0 (surge first) at the minimum', () => {
    expect(when(2, { action: 'update', replicas: 2 }, 0).result).toBe('allowed');
  });

  it('lets a deployment already below the minimum scale up, since nothing drops', () => {
    expect(when(1, { replicas: 5 }).result).toBe('allowed');
  });

  it('allows a create, which takes nothing away', () => {
    expect(when(undefined, { action: 'create' }).result).toBe('allowed');
  });

  it('denies when ready replicas are unknown (fail closed)', () => {
    expect(when(undefined, { replicas: 5 })).toMatchObject({
      result: 'denied',
      reason:
        "sla 'tier-1' for deployment dep-1: the number of ready replicas is unknown, so the minimum cannot be checked",
    });
  });

  it('lets a drop through under an unexpired exception for this deployment, naming the approver', () => {
    const waived = policy({
      type: 'sla',
      minReadyReplicas: 2,
      exceptions: [
        { approver: 'bob', expires: '2026-11-26T00:00:00Z', reason: 'migration', subjects: ['dep-1'] },
      ],
    });
    const result = only(given(waived).facts({ readyReplicas: 3 }).when({ action: 'delete' }));
    expect(result.result).toBe('allowed');
    expect(result.exception).toEqual({
      approver: 'bob',
      reason: 'migration',
      expires: '2026-11-26T00:00:00Z',
    });
    expect(result.reason).toMatch(/; let through by an exception approved by bob \(migration\)/);
  });
});

describe('slo: error budget burn rate', () => {
  const slo = policy(
    { type: 'slo', query: 'sum(rate(errors[5m])) / sum(rate(requests[5m]))', maxBurnRate: 2 },
    { id: 'slo-1', name: 'checkout-availability' },
  );
  const when = (burnRates: Record<string, number>) => only(given(slo).facts({ burnRates }).when());

  it('allows up to and including the maximum burn rate', () => {
    expect(when({ 'slo-1': 1.5 }).result).toBe('allowed');
    expect(when({ 'slo-1': 2 })).toMatchObject({
      result: 'allowed',
      reason: "slo 'checkout-availability': error budget burn rate 2, at most 2",
    });
  });

  it('denies above the maximum', () => {
    expect(when({ 'slo-1': 2.5 })).toMatchObject({
      result: 'denied',
      reason: "slo 'checkout-availability': error budget burn rate 2.5, at most 2",
    });
  });

  it("denies when this policy's burn rate is unknown (fail closed), even if another's is known", () => {
    expect(when({ 'other-slo': 0.1 })).toMatchObject({
      result: 'denied',
      reason:
        "slo 'checkout-availability': the error budget burn rate is unknown (no measurement), so changes are held",
    });
    expect(when({ 'slo-1': Number.NaN }).result).toBe('denied');
  });
});

describe('rate limit: sliding window', () => {
  const limit = policy(
    { type: 'rate_limit', per: 'actor', max: 3, window: '1h' },
    { id: 'rl', name: 'deploys' },
  );
  const now = '2026-11-25T12:00:00Z';
  const when = (recent: string[] | undefined) =>
    only(
      given(limit)
        .facts({ recentActions: recent ? { rl: recent } : {} })
        .when({}, now),
    );

  it('allows the Nth action, the current one included', () => {
    expect(when(['2026-11-25T11:30:00Z', '2026-11-25T11:45:00Z'])).toMatchObject({
      result: 'allowed',
      reason: "rate limit 'deploys': 3 actions by alice in the last 1h including this one, at most 3",
    });
  });

  it('denies the N+1th action', () => {
    expect(when(['2026-11-25T11:00:01Z', '2026-11-25T11:30:00Z', '2026-11-25T11:45:00Z'])).toMatchObject({
      result: 'denied',
      reason: "rate limit 'deploys': 4 actions by alice in the last 1h including this one, at most 3",
    });
  });

  it('no longer counts an action exactly one window ago', () => {
    expect(when(['2026-11-25T11:00:00Z', '2026-11-25T11:30:00Z', '2026-11-25T11:45:00Z']).result).toBe(
      'allowed',
    );
  });

  it('reads offsets in the timestamps', () => {
    // 12:30+01:00 is 11:30Z, inside the window.
    expect(when(['2026-11-25T12:30:00+01:00', '2026-11-25T11:45:00Z', '2026-11-25T11:50:00Z']).result).toBe(
      'denied',
    );
  });

  it('denies when earlier actions are unknown or unreadable (fail closed)', () => {
    expect(when(undefined).reason).toBe(
      "rate limit 'deploys': earlier actions are unknown, so the limit cannot be checked",
    );
    expect(when(['yesterday']).reason).toBe(
      "rate limit 'deploys': earlier action time 'yesterday' is not an ISO instant",
    );
    // A zoneless time would depend on the host's zone.
    expect(when(['2026-11-25T11:30:00']).result).toBe('denied');
  });

  it('names the scope it counts in', () => {
    const perCluster = policy({ type: 'rate_limit', per: 'cluster', max: 1, window: '7d' }, { id: 'rl' });
    const result = only(
      given(perCluster)
        .facts({ recentActions: { rl: [] } })
        .when(),
    );
    expect(result.reason).toBe(
      "rate limit 'rate_limit': 1 action in cluster local-a in the last 7d including this one, at most 1",
    );
  });
});
