import { decideRecorded, readFacts } from '../src/domain/policies/recorded';
import { canonicalJson } from '../src/domain/policies/definition';
import { randomName } from './support/env';
import { type Accepted, afterOf, type ApiSession, startApiSession } from './support/api-session';
import { runCli } from './support/cli';
import type { Replay } from '../src/eventing/replay';
import type { PolicyEvaluated } from '../src/domain/deployments/contracts.generated';

interface Denial {
  type: string;
  decisionId: string;
  errors: { field: string; reason: string }[];
}

/** Local wall-clock text of an instant in UTC, as freeze windows are written. */
const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);

/**
 * Policies decide every deployment change (issue: policy engine): a freeze blocks a create, an
 * exception lets changes through until it expires, a dry run only reports, and each decision
 * replays from its PolicyEvaluated event alone.
 */
describe('policy decisions on deployment changes', () => {
  const prefix = randomName('dec').replace(/-/g, '_');
  // The read model outlives this run and policies apply fleet-wide: everything here is scoped
  // to a team of its own, and the policies are deleted at the end.
  const team = `team-${prefix}`.slice(0, 60);
  let api: ApiSession;
  const policyIds: string[] = [];
  let policyName = '';
  let policyId = '';
  let deploymentId = '';

  beforeAll(async () => {
    api = await startApiSession(prefix);
  }, 120_000);

  afterAll(async () => {
    for (const id of policyIds) await api?.call('DELETE', `/v1/policies/${id}`, { role: 'admin' });
    await api?.stop();
  });

  const freeze = (name: string, mode = 'enforce', exceptions?: unknown[]) => ({
    name,
    priority: 100,
    mode,
    selector: { teams: [team] },
    rule: {
      type: 'change_freeze',
      timezone: 'UTC',
      windows: [{ start: local(Date.now() - 3_600_000), end: local(Date.now() + 3_600_000) }],
      ...(exceptions && { exceptions }),
    },
  });

  const deployment = (name: string) => ({
    name,
    cluster: 'local-a',
    namespace: 'inference',
    image: 'registry.example/llm:1.0',
    replicas: 2,
    resources: { cpu: '500m', memory: '1Gi' },
    team,
    costPerReplicaHour: 1,
  });

  /** Creates (or publishes) a policy and waits until the read model the edge reads has it. */
  async function publish(body: unknown, id?: string, version?: number): Promise<string> {
    const res = id
      ? await api.call('PUT', `/v1/policies/${id}`, {
          role: 'admin',
          body,
          headers: { 'if-match': `"${version}"` },
        })
      : await api.call('POST', '/v1/policies', { role: 'admin', body });
    expect([200, 201]).toContain(res.status);
    const accepted = (await res.json()) as Accepted;
    if (!id) policyIds.push(accepted.id);
    const read = await api.call('GET', `/v1/policies/${accepted.id}?after=${afterOf(accepted)}`, {
      role: 'viewer',
    });
    expect(read.headers.get('sentinel-stale')).toBeNull();
    return accepted.id;
  }

  it('denies a create inside a freeze window with 422 and the reasons, creating nothing', async () => {
    policyName = randomName('freeze');
    policyId = await publish(freeze(policyName));
    const name = randomName('frozen').slice(0, 40);
    const res = await api.call('POST', '/v1/deployments', { role: 'operator', body: deployment(name) });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Denial;
    expect(problem.type).toMatch(/policy-denied$/);
    expect(problem.errors[0]!.reason).toMatch(/freeze/);
    expect(problem.decisionId).toEqual(expect.any(String));
    const list = await api.call('GET', `/v1/deployments?team=${team}`, { role: 'viewer' });
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('answers POST /v1/policies/evaluate without acting: denied now, allowed after the window', async () => {
    const body = { action: 'create', deployment: deployment('what-would-happen') };
    const now = await api.call('POST', '/v1/policies/evaluate', { role: 'viewer', body });
    expect({ status: now.status, body: now.status === 200 ? 'ok' : await now.text() }).toEqual({
      status: 200,
      body: 'ok',
    });
    const decision = (await now.json()) as {
      outcome: string;
      results: { policyId: string; result: string }[];
    };
    expect(decision.outcome).toBe('denied');
    expect(decision.results).toContainEqual(expect.objectContaining({ policyId, result: 'denied' }));
    const later = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const after = await api.call('POST', '/v1/policies/evaluate', {
      role: 'viewer',
      body: { ...body, at: later },
    });
    expect(((await after.json()) as { outcome: string }).outcome).toBe('allowed');
    const bad = await api.call('POST', '/v1/policies/evaluate', {
      role: 'viewer',
      body: { action: 'launch' },
    });
    expect(bad.status).toBe(400);
  });

  it('lets changes through under an exception until it expires, then holds them again', async () => {
    const expires = new Date(Date.now() + 6_000).toISOString();
    const exception = { approver: 'carol', reason: 'launch of the new model', expires };
    await publish(freeze(policyName, 'enforce', [exception]), policyId, 1);
    const created = await api.call('POST', '/v1/deployments', {
      role: 'operator',
      body: deployment(randomName('launch').slice(0, 40)),
    });
    expect(created.status).toBe(201);
    const accepted = (await created.json()) as Accepted;
    deploymentId = accepted.id;
    expect(accepted.events.map((e) => e.type)).toEqual(['PolicyEvaluated', 'DeploymentCreated']);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expires) - Date.now() + 100)));
    const scaled = await api.call('POST', `/v1/deployments/${deploymentId}/scale`, {
      role: 'operator',
      body: { replicas: 3 },
    });
    expect(scaled.status).toBe(422);
    expect(((await scaled.json()) as Denial).errors[0]!.reason).toMatch(/freeze/);
  });

  it('a dry-run policy records that it would have denied, without blocking', async () => {
    await publish(freeze(policyName, 'dry_run'), policyId, 2);
    const scaled = await api.call('POST', `/v1/deployments/${deploymentId}/scale`, {
      role: 'operator',
      body: { replicas: 3 },
    });
    expect(scaled.status).toBe(200);
    expect(((await scaled.json()) as Accepted).events.map((e) => e.type)).toEqual([
      'PolicyEvaluated',
      'DeploymentScaled',
    ]);
  });

  it('every decision replays identically from its PolicyEvaluated event alone', async () => {
    const run = await runCli(['replay', deploymentId, '--topic-prefix', prefix, '--verify', '--json']);
    expect(run.code).toBe(0);
    const history = JSON.parse(run.stdout) as Replay;
    const decisions = history.events
      .filter((e) => e.type === 'PolicyEvaluated')
      .map((e) => e.data as PolicyEvaluated);
    expect(decisions.map((d) => d.outcome)).toEqual(['allowed', 'denied', 'would_deny']);
    for (const d of decisions) {
      const facts = readFacts(d.facts);
      if (typeof facts === 'string') throw new Error(facts);
      const again = decideRecorded({
        policies: d.policies,
        request: JSON.parse(d.request),
        facts,
        now: d.now,
      });
      expect({
        outcome: again.outcome,
        results: canonicalJson(again.results),
        reasons: again.reasons,
      }).toEqual({
        outcome: d.outcome,
        results: d.results,
        reasons: d.reasons,
      });
    }
  });

  it('lists the decisions, and what-if over them agrees with re-evaluating each one', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const list = await api.call('GET', `/v1/decisions?policy=${policyId}&from=${from}&to=${to}&limit=200`, {
      role: 'viewer',
    });
    expect(list.status).toBe(200);
    const items = ((await list.json()) as { items: { decisionId: string; outcome: string }[] }).items;
    const mine = items.filter((i) => i.decisionId);
    expect(mine.map((i) => i.outcome).sort()).toEqual(['allowed', 'denied', 'denied', 'would_deny']);

    // Removing the freeze: every decision it denied would have been let through.
    const res = await api.call('POST', '/v1/policies/what-if', {
      role: 'viewer',
      body: { from, to, changes: [{ op: 'remove', policyId }] },
    });
    expect(res.status).toBe(200);
    const report = (await res.json()) as {
      evaluated: number;
      changed: { decisionId: string; after: string }[];
    };
    expect(report.evaluated).toBeGreaterThanOrEqual(mine.length);
    const denied = mine.filter((i) => i.outcome === 'denied').map((i) => i.decisionId);
    expect(report.changed.filter((c) => denied.includes(c.decisionId)).map((c) => c.after)).toEqual([
      'allowed',
      'allowed',
    ]);
    // Brute force, from the log: each decision of the deployment re-evaluated without the policy.
    const run = await runCli(['replay', deploymentId, '--topic-prefix', prefix, '--json']);
    const history = JSON.parse(run.stdout) as Replay;
    const recorded = history.events
      .filter((e) => e.type === 'PolicyEvaluated')
      .map((e) => e.data as PolicyEvaluated);
    expect(recorded).toHaveLength(3);
    const blocks = (outcome: string) => (outcome === 'denied' ? 'denied' : 'allowed');
    for (const d of recorded) {
      const facts = readFacts(d.facts);
      if (typeof facts === 'string') throw new Error(facts);
      const without = d.policies.filter((p) => p.policyId !== policyId);
      const again = decideRecorded({ policies: without, request: JSON.parse(d.request), facts, now: d.now });
      const reported = report.changed.find((c) => c.decisionId === d.decisionId);
      const expected = blocks(again.outcome) === blocks(d.outcome) ? undefined : blocks(again.outcome);
      expect({ decision: d.decisionId, after: reported?.after }).toEqual({
        decision: d.decisionId,
        after: expected,
      });
    }
  });
});
