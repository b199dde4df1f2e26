import { randomName } from './support/env';
import { type Accepted, afterOf, type ApiSession, startApiSession } from './support/api-session';

interface Page {
  items: { type: string; subject: string; version: number; cluster: string | null; offset: string }[];
  nextCursor: string | null;
}

/** The audit endpoints over HTTP (issue 7): search, state as of a point, and their bad input. */
describe('audit API', () => {
  const prefix = randomName('aud').replace(/-/g, '_');
  let api: ApiSession;
  let id = '';
  const changes: Accepted[] = [];

  beforeAll(async () => {
    api = await startApiSession(prefix);
    const body = {
      name: randomName('audited').slice(0, 40),
      cluster: 'local-a',
      namespace: 'inference',
      image: 'registry.example/llm:1.0',
      replicas: 1,
      resources: { cpu: '500m', memory: '1Gi' },
      team: `team-${prefix}`.slice(0, 60),
      costPerReplicaHour: 1,
    };
    const created = await api.call('POST', '/v1/deployments', { role: 'operator', body });
    expect(created.status).toBe(201);
    changes.push((await created.json()) as Accepted);
    id = changes[0]!.id;
    const scaled = await api.call('POST', `/v1/deployments/${id}/scale`, {
      role: 'operator',
      body: { replicas: 3 },
      headers: { 'if-match': `"${changes[0]!.version}"` },
    });
    expect(scaled.status).toBe(200);
    changes.push((await scaled.json()) as Accepted);
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
  });

  it('finds the events of a deployment, with its placement, once the projection has them', async () => {
    const res = await api.call(
      'GET',
      `/v1/audit/events?subject=${id}&limit=500&after=${afterOf(changes[1]!)}`,
      {
        role: 'viewer',
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('sentinel-stale')).toBeNull();
    const page = (await res.json()) as Page;
    expect(page.items.map((i) => i.type)).toContain('DeploymentScaled');
    expect(page.items.every((i) => i.subject === id)).toBe(true);
    // The placement is known from DeploymentCreated on (a policy decision may come before it).
    const created = page.items.find((i) => i.type === 'DeploymentCreated')!;
    const placed = page.items.filter((i) => i.version >= created.version);
    expect(placed.map((i) => i.cluster)).toEqual(placed.map(() => 'local-a'));
  });

  it('rebuilds the state from Kafka as of now and as of the first event', async () => {
    const now = await api.call(
      'GET',
      `/v1/audit/streams/${id}?asOf=${new Date(Date.now() + 1000).toISOString()}`,
      {
        role: 'viewer',
      },
    );
    expect(now.status).toBe(200);
    const latest = (await now.json()) as { version: number; source: string; verification: { ok: boolean } };
    expect(latest).toMatchObject({
      version: changes[1]!.version,
      source: 'kafka',
      verification: { ok: true },
    });
    const first = changes[0]!.events[0]!;
    const early = await api.call(
      'GET',
      `/v1/audit/streams/${id}?asOf=${first.topic}:${first.partition}:${first.offset}`,
      {
        role: 'viewer',
      },
    );
    expect(((await early.json()) as { version: number }).version).toBe(1);
  });

  it('answers 400 for a bad asOf or a missing one, and 404 for an unknown aggregate', async () => {
    for (const query of ['?asOf=yesterday', '', '?asOf=2026-11-27T10:00:00']) {
      const res = await api.call('GET', `/v1/audit/streams/${id}${query}`, { role: 'viewer' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('asOf');
    }
    const unknown = await api.call('GET', `/v1/audit/streams/nobody-${prefix}?asOf=1`, { role: 'viewer' });
    expect(unknown.status).toBe(404);
    const badLimit = await api.call('GET', '/v1/audit/events?limit=501', { role: 'viewer' });
    expect(badLimit.status).toBe(400);
  });
});
