import { Kafka, logLevel } from 'kafkajs';
import { join } from 'path';
import { Database } from '../src/infrastructure/postgres/database';
import { migrate } from '../src/infrastructure/postgres/migrations';
import { runCli } from './support/cli';
import { localSentinelEnv, randomName, REPO_ROOT } from './support/env';
import { startSentinel, type SentinelProcess } from './support/sentinel-process';

interface Accepted {
  id: string;
  version: number;
  events: { type: string; topic: string; partition: number; offset: string }[];
}
interface Problem {
  errors: { field: string; reason: string }[];
}

/** The policy endpoints over HTTP: admin-only changes, validation at the edge, the read model. */
describe('Policies API over HTTP', () => {
  const prefix = randomName('pol').replace(/-/g, '_');
  const env = localSentinelEnv();
  let app: SentinelProcess;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const db = new Database(env.SENTINEL_DATABASE_URL!, 1);
    await migrate(db, join(REPO_ROOT, 'migrations')).finally(() => db.close());
    app = await startSentinel({ SENTINEL_TOPIC_PREFIX: prefix, SENTINEL_ROLES: 'api,processor,projections' });
    // Cold, the write side registers every schema under this run's topics one at a time.
    await app.ready();
    for (const role of ['viewer', 'operator', 'admin']) {
      const run = await runCli(['token', '--sub', `${role}-user`, '--role', role], env);
      expect(run.code).toBe(0);
      tokens[role] = run.stdout.trim();
    }
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
  });

  const call = (
    method: string,
    path: string,
    opts: { role?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(opts.role ? { authorization: `Bearer ${tokens[opts.role]}` } : {}),
        ...opts.headers,
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });

  /** The read model is shared between runs and ids follow names, so every run names its own. */
  const freeze = (name: string) => ({
    name,
    priority: 100,
    mode: 'enforce',
    // Policies are enforced on every deployment change and the read model outlives this run:
    // a team of its own keeps this freeze from ever holding another test's deployments.
    selector: { clusters: ['local-a'], teams: [`team-${prefix}`], actions: ['create', 'update', 'scale'] },
    rule: {
      type: 'change_freeze',
      timezone: 'Europe/Paris',
      windows: [{ start: '2026-12-24T00:00:00', end: '2027-01-02T00:00:00' }],
    },
  });

  const after = (a: Accepted) => a.events.map((e) => `${e.topic}:${e.partition}:${e.offset}`).join(',');

  async function commandsWritten(): Promise<number> {
    const admin = new Kafka({
      brokers: env.SENTINEL_KAFKA_BROKERS!.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(`${prefix}.commands`);
      return offsets.reduce((n, o) => n + Number(o.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('lets an admin create a freeze policy (201, ETag, Location) that the list then shows', async () => {
    const name = randomName('year-end-freeze');
    const res = await call('POST', '/v1/policies', { role: 'admin', body: freeze(name) });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    const created = (await res.json()) as Accepted;
    expect(res.headers.get('location')).toBe(`/v1/policies/${created.id}`);
    expect(created.events.map((e) => e.type)).toEqual(['PolicyCreated']);

    const list = await call(
      'GET',
      `/v1/policies?mode=enforce&enabled=true&limit=200&after=${after(created)}`,
      {
        role: 'viewer',
      },
    );
    expect(list.status).toBe(200);
    expect(list.headers.get('sentinel-stale')).toBeNull();
    const page = (await list.json()) as { items: { id: string; name: string; policyVersion: number }[] };
    expect(page.items.find((p) => p.id === created.id)).toMatchObject({ name, policyVersion: 1 });

    const again = await call('POST', '/v1/policies', { role: 'admin', body: freeze(name) });
    expect(again.status).toBe(409);
    // Policies outlive the run in the shared read model; leave none enabled behind.
    expect((await call('DELETE', `/v1/policies/${created.id}`, { role: 'admin' })).status).toBe(200);
  });

  it('refuses other roles and invalid policies, writing nothing to Kafka', async () => {
    expect((await call('POST', '/v1/policies', { role: 'operator', body: freeze('x') })).status).toBe(403);
    const before = await commandsWritten();
    const zone = await call('POST', '/v1/policies', {
      role: 'admin',
      body: { ...freeze('x'), rule: { ...freeze('x').rule, timezone: 'Mars/Olympus' } },
    });
    expect(zone.status).toBe(400);
    expect(zone.headers.get('content-type')).toContain('application/problem+json');
    expect(((await zone.json()) as Problem).errors.map((e) => e.field)).toEqual(['rule.timezone']);
    const kind = await call('POST', '/v1/policies', {
      role: 'admin',
      body: { ...freeze('x'), rule: { type: 'magic' } },
    });
    expect(kind.status).toBe(400);
    expect(((await kind.json()) as Problem).errors.map((e) => e.field)).toEqual(['rule.type']);
    // Balanced but not PromQL Prometheus accepts: the edge asks Prometheus and passes on its words.
    const slo = (query: string) => ({
      ...freeze('x'),
      rule: { type: 'slo', query, maxBurnRate: 2 },
    });
    const unclosed = await call('POST', '/v1/policies', { role: 'admin', body: slo('sum(rate(x[5m])') });
    expect(((await unclosed.json()) as Problem).errors).toEqual([
      { field: 'rule.query', reason: "'(' is not closed" },
    ]);
    const wrongType = await call('POST', '/v1/policies', {
      role: 'admin',
      body: slo('rate(http_requests_total)'),
    });
    expect(wrongType.status).toBe(400);
    const problem = (await wrongType.json()) as Problem;
    expect(problem.errors.map((e) => e.field)).toEqual(['rule.query']);
    expect(problem.errors[0]!.reason).toMatch(/bad_data: .*range vector/);
    expect(await commandsWritten()).toBe(before);
  });

  it('publishes versions with If-Match, disables, enables and deletes', async () => {
    const name = randomName('freeze');
    const created = (await (
      await call('POST', '/v1/policies', { role: 'admin', body: freeze(name) })
    ).json()) as Accepted;
    const path = `/v1/policies/${created.id}`;

    const published = await call('PUT', path, {
      role: 'admin',
      body: { ...freeze(name), mode: 'dry_run' },
      headers: { 'if-match': '"1"' },
    });
    expect(published.status).toBe(200);
    expect(published.headers.get('etag')).toBe('"2"');
    const stale = await call('PUT', path, {
      role: 'admin',
      body: { ...freeze(name), priority: 7 },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);

    const disabled = (await (await call('POST', `${path}/disable`, { role: 'admin' })).json()) as Accepted;
    expect(disabled.events.map((e) => e.type)).toEqual(['PolicyDisabled']);
    const read = await call('GET', `${path}?after=${after(disabled)}`, { role: 'viewer' });
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"3"');
    expect(await read.json()).toMatchObject({
      enabled: false,
      mode: 'dry_run',
      policyVersion: 2,
      version: 3,
    });

    const enabled = await call('POST', `${path}/enable`, { role: 'admin' });
    expect(enabled.status).toBe(200);
    expect(((await enabled.json()) as Accepted).events.map((e) => e.type)).toEqual(['PolicyEnabled']);

    const deleted = await call('DELETE', path, { role: 'admin' });
    expect(deleted.status).toBe(200);
    const gone = (await deleted.json()) as Accepted;
    const afterDelete = await call('GET', `${path}?after=${after(gone)}`, { role: 'viewer' });
    expect(await afterDelete.json()).toMatchObject({ status: 'Deleted' });
    expect((await call('POST', `${path}/enable`, { role: 'admin' })).status).toBe(422);
    expect(
      (await call('GET', '/v1/policies/00000000-0000-8000-8000-000000000000', { role: 'viewer' })).status,
    ).toBe(404);
  });
});
