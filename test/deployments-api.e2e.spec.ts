import { Kafka, logLevel } from 'kafkajs';
import { join } from 'path';
import { Database } from '../src/infrastructure/postgres/database';
import { migrate } from '../src/infrastructure/postgres/migrations';
import { runCli } from './support/cli';
import { KafkaMessaging } from '../src/infrastructure/kafka/kafka-messaging';
import { localSentinelEnv, randomName, REPO_ROOT, testConfig, testLogger, waitFor } from './support/env';
import { recordsOf } from './support/event-log';
import { startSentinel, type SentinelProcess } from './support/sentinel-process';

/** The deployment change endpoints over HTTP: codes, headers, bad input and RBAC. */
describe('Deployments API: commands over HTTP', () => {
  const prefix = randomName('api').replace(/-/g, '_');
  const env = localSentinelEnv();
  let app: SentinelProcess;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const db = new Database(env.SENTINEL_DATABASE_URL!, 1);
    await migrate(db, join(REPO_ROOT, 'migrations')).finally(() => db.close());
    app = await startSentinel({ SENTINEL_TOPIC_PREFIX: prefix, SENTINEL_ROLES: 'api,processor' });
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
    opts: { role?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(opts.role ? { authorization: `Bearer ${tokens[opts.role]}` } : {}),
        ...opts.headers,
      },
      ...(opts.raw !== undefined
        ? { body: opts.raw }
        : opts.body !== undefined
          ? { body: JSON.stringify(opts.body) }
          : {}),
    });

  const create = (name: string) => ({
    name,
    cluster: 'local-a',
    namespace: 'team-a',
    kind: 'Deployment',
    image: 'registry.example/model:1',
    replicas: 2,
    resources: { cpu: '500m', memory: '1Gi', 'nvidia.com/gpu': 1 },
    env: { MODEL: 'llama' },
    labels: { tier: '1' },
    team: 'core',
    costPerReplicaHour: 2.5,
  });

  /** Sum of the end offsets of the commands topic: proves a refused request wrote nothing. */
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

  it('creates with 201, ETag and Location; replays an Idempotency-Key; refuses a second create with 409', async () => {
    const first = await call('POST', '/v1/deployments', {
      role: 'operator',
      body: create('llm-a'),
      headers: { 'idempotency-key': 'create-llm-a' },
    });
    expect(first.status).toBe(201);
    // Every change records its policy decision first, so a create leaves version 2 (ADR 0007).
    expect(first.headers.get('etag')).toBe('"2"');
    const body = (await first.json()) as { id: string; version: number; events: { type: string }[] };
    expect(first.headers.get('location')).toBe(`/v1/deployments/${body.id}`);
    expect(body.events.map((e) => e.type)).toEqual(['PolicyEvaluated', 'DeploymentCreated']);

    const replay = await call('POST', '/v1/deployments', {
      role: 'operator',
      body: create('llm-a'),
      headers: { 'idempotency-key': 'create-llm-a' },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(body);

    // The same key with another body is a client bug, not a replay: 422, and nothing changes.
    const reused = await call('POST', '/v1/deployments', {
      role: 'operator',
      body: { ...create('llm-a'), replicas: 5 },
      headers: { 'idempotency-key': 'create-llm-a' },
    });
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { type: string }).type).toMatch(/idempotency-key-reused$/);
    // The key still answers with the first outcome: the reuse wrote nothing.
    const again201 = await call('POST', '/v1/deployments', {
      role: 'operator',
      body: create('llm-a'),
      headers: { 'idempotency-key': 'create-llm-a' },
    });
    expect({ status: again201.status, body: await again201.json() }).toEqual({ status: 201, body });

    const again = await call('POST', '/v1/deployments', { role: 'operator', body: create('llm-a') });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
  });

  it('changes with If-Match: 200 and the next ETag, 412 on a stale version, 422 with reasons', async () => {
    const created = (await (
      await call('POST', '/v1/deployments', { role: 'operator', body: create('llm-b') })
    ).json()) as { id: string };
    const path = `/v1/deployments/${created.id}`;
    const scaled = await call('POST', `${path}/scale`, {
      role: 'operator',
      body: { replicas: 4 },
      headers: { 'if-match': '"2"' },
    });
    expect(scaled.status).toBe(200);
    expect(scaled.headers.get('etag')).toBe('"4"');

    const stale = await call('POST', `${path}/scale`, {
      role: 'operator',
      body: { replicas: 5 },
      headers: { 'if-match': '"2"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('"4"');

    const updated = await call('PATCH', path, {
      role: 'operator',
      body: { image: 'registry.example/model:2' },
    });
    expect(updated.status).toBe(200);
    const rolledBack = await call('POST', `${path}/rollback`, { role: 'operator', body: { toRevision: 1 } });
    expect(rolledBack.status).toBe(200);

    const missing = await call('POST', `${path}/rollback`, { role: 'operator', body: { toRevision: 99 } });
    expect(missing.status).toBe(422);
    const problem = (await missing.json()) as { errors: { field: string; reason: string }[] };
    expect(problem.errors[0]!.reason).toContain('revision 99 does not exist');

    const badQuantity = await call('PATCH', path, {
      role: 'operator',
      body: { resources: { cpu: 'lots', memory: '1Gi' } },
    });
    expect(badQuantity.status).toBe(422);
    expect(((await badQuantity.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe(
      'resources.cpu',
    );

    expect((await call('DELETE', path, { role: 'operator' })).status).toBe(200);
    const afterDelete = await call('POST', `${path}/scale`, { role: 'operator', body: { replicas: 1 } });
    expect(afterDelete.status).toBe(422);
  });

  it('refuses bad input with 400/413/422 and field errors, writing nothing to Kafka', async () => {
    const before = await commandsWritten();
    const malformed = await call('POST', '/v1/deployments', { role: 'operator', raw: '{"name": ' });
    expect(malformed.status).toBe(400);
    const wrongType = await call('POST', '/v1/deployments', {
      role: 'operator',
      body: { ...create('x'), replicas: 'three' },
    });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'replicas',
    ]);
    const unknown = await call('POST', '/v1/deployments', {
      role: 'operator',
      body: { ...create('x'), colour: 'red' },
    });
    expect(((await unknown.json()) as { errors: { field: string; reason: string }[] }).errors).toEqual([
      { field: 'colour', reason: 'is not a known field' },
    ]);
    const cluster = await call('POST', '/v1/deployments', {
      role: 'operator',
      body: { ...create('x'), cluster: 'nowhere' },
    });
    expect(cluster.status).toBe(422);
    const huge = await call('POST', '/v1/deployments', {
      role: 'operator',
      body: { ...create('x'), env: { BIG: 'x'.repeat(300_000) } },
    });
    expect(huge.status).toBe(413);
    const badKey = await call('POST', '/v1/deployments', {
      role: 'operator',
      body: create('x'),
      headers: { 'idempotency-key': 'no spaces allowed' },
    });
    expect(badKey.status).toBe(400);
    const badIfMatch = await call('POST', '/v1/deployments/00000000-0000-8000-8000-000000000000/scale', {
      role: 'operator',
      body: { replicas: 1 },
      headers: { 'if-match': 'W/"3"' },
    });
    expect(badIfMatch.status).toBe(400);
    const notAnId = await call('DELETE', '/v1/deployments/not-an-id', { role: 'operator' });
    expect(notAnId.status).toBe(404);
    expect(await commandsWritten()).toBe(before);
  });

  it('authorizes by role: no token 401, viewer 403 on changes, viewer reads outcomes and clusters', async () => {
    expect((await call('POST', '/v1/deployments', { body: create('llm-c') })).status).toBe(401);
    const denied = await call('POST', '/v1/deployments', { role: 'viewer', body: create('llm-c') });
    expect(denied.status).toBe(403);
    // Both refusals are audit events in the subject's access stream (anonymous without a token).
    const messaging = new KafkaMessaging({ ...testConfig().kafka, logger: testLogger(), logLevel: 'error' });
    try {
      for (const subject of ['anonymous', 'viewer-user']) {
        const [denied] = await recordsOf(messaging, `${prefix}.access.events`, subject);
        expect(denied!.headers.ce_type).toBe('sentinel.access.AccessDenied');
        expect(denied!.headers.ce_actor).toBe(subject);
      }
    } finally {
      await messaging.close();
    }
    const created = await call('POST', '/v1/deployments', { role: 'admin', body: create('llm-c') });
    expect(created.status).toBe(201);
    const { commandId } = (await created.json()) as { commandId: string };
    const outcome = await waitFor('the recorded outcome', async () => {
      const r = await call('GET', `/v1/commands/${commandId}`, { role: 'viewer' });
      return r.status === 200 ? ((await r.json()) as { status: string }) : undefined;
    });
    expect(outcome.status).toBe('accepted');
    const clusters = (await (await call('GET', '/v1/clusters', { role: 'viewer' })).json()) as {
      items: { name: string; reachable: boolean }[];
    };
    expect(clusters.items.map((c) => [c.name, c.reachable])).toEqual([
      ['local-a', true],
      ['local-b', true],
    ]);
  });
  it('documents every change endpoint in the OpenAPI document, with the validated body schema', async () => {
    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<string, { schema: { required?: string[]; additionalProperties?: boolean } }>;
            };
          }
        >
      >;
    };
    expect(Object.keys(doc.paths['/v1/deployments']!)).toEqual(expect.arrayContaining(['post']));
    const create = doc.paths['/v1/deployments']!.post!.requestBody!.content['application/json']!.schema;
    expect(create.required).toEqual(
      expect.arrayContaining(['name', 'cluster', 'namespace', 'image', 'replicas']),
    );
    expect(create.additionalProperties).toBe(false);
    expect(Object.keys(doc.paths['/v1/deployments/{id}']!)).toEqual(
      expect.arrayContaining(['patch', 'delete']),
    );
    for (const path of [
      '/v1/deployments/{id}/scale',
      '/v1/deployments/{id}/rollback',
      '/v1/clusters',
      '/v1/commands/{commandId}',
    ])
      expect(doc.paths[path]).toBeDefined();
  });
});
