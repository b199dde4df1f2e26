import { localSentinelEnv, REPO_ROOT, waitFor } from './support/env';
import { spawnSentinel, startSentinel, SentinelProcess } from './support/sentinel-process';
import { Database } from '../src/infrastructure/postgres/database';
import { migrate } from '../src/infrastructure/postgres/migrations';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

describe('Sentinel process: operations endpoints, errors and shutdown', () => {
  let app: SentinelProcess;

  beforeAll(async () => {
    const db = new Database(localSentinelEnv().SENTINEL_DATABASE_URL!, 1);
    await migrate(db, join(REPO_ROOT, 'migrations')).finally(() => db.close());
    app = await startSentinel();
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('reports liveness, and readiness with a real check of Kafka, the registry and Postgres', async () => {
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: 'ok' });
    // The write side starts in the background (topics, schema registration), then readiness flips.
    const res = await waitFor('readiness', async () => {
      const r = await fetch(`${app.url}/readyz`);
      return r.status === 200 ? r : undefined;
    });
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, { status: string }>;
      writeSide: unknown;
      roles: unknown;
    };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks).sort()).toEqual(['kafka', 'postgres', 'schemaRegistry']);
    expect(Object.values(body.checks).every((c) => c.status === 'up')).toBe(true);
    expect(body.writeSide).toEqual({ state: 'up', roles: ['api', 'processor', 'effects', 'projections'] });
    // The background roles are part of readiness: ready means they are running too.
    expect(body.roles).toEqual({ effects: { state: 'up' }, projections: { state: 'up' } });
  });

  it('reports every configured cluster with reachability and version', async () => {
    const body = (await (await fetch(`${app.url}/readyz`)).json()) as {
      clusters: { name: string; reachable: boolean; version: string }[];
    };
    expect(body.clusters.map((c) => c.name).sort()).toEqual(['local-a', 'local-b']);
    for (const c of body.clusters)
      expect(c).toMatchObject({ reachable: true, version: expect.stringMatching(/^v1\.35\./) });
  });

  it('exposes process and HTTP metrics in the Prometheus text format', async () => {
    await fetch(`${app.url}/healthz`);
    const res = await fetch(`${app.url}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(text).toMatch(/^process_resident_memory_bytes\{service="sentinel"\} \d+/m);
    expect(text).toMatch(
      /^sentinel_http_request_duration_seconds_count\{service="sentinel",method="GET",route="\/healthz",status="200"\} [1-9]/m,
    );
  });

  it('serves its OpenAPI document', async () => {
    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
  });

  it('answers errors as problem+json: unknown route, malformed JSON, oversized body', async () => {
    const notFound = await fetch(`${app.url}/v1/nothing-here`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await notFound.json()).toMatchObject({
      status: 404,
      title: 'Not found',
      instance: '/v1/nothing-here',
    });

    const post = (body: string) =>
      fetch(`${app.url}/v1/anything`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const malformed = await post('{"name": ');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      type: expect.stringMatching(/malformed-json$/),
      errors: [{ field: 'body' }],
    });

    const huge = await post(JSON.stringify({ blob: 'x'.repeat(512 * 1024) }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({
      type: expect.stringMatching(/payload-too-large$/),
      detail: expect.stringMatching(/262144 bytes/),
    });
  });

  it('echoes a caller correlation id and logs requests as JSON carrying it', async () => {
    const res = await fetch(`${app.url}/v1/correlated`, { headers: { 'x-correlation-id': 'trace-42' } });
    expect(res.headers.get('x-correlation-id')).toBe('trace-42');
    // The access log line is written when the response finishes, which may be after we read it.
    const line = await waitFor(
      'the access log line',
      () =>
        app
          .output()
          .split('\n')
          .filter((l) => l.includes('"trace-42"'))
          .map((l) => JSON.parse(l) as { correlationId?: string; res?: { statusCode: number } })[0],
    );
    expect(line).toMatchObject({ correlationId: 'trace-42', res: { statusCode: 404 } });
  });

  it('drains and exits on SIGTERM, logging each step', async () => {
    const other = await startSentinel();
    const { signal, code } = await other.stop('SIGTERM');
    // Nest re-raises the signal after its shutdown hooks, the conventional exit for a supervisor.
    expect(signal === 'SIGTERM' || code === 0).toBe(true);
    expect(other.output()).toMatch(/"msg":"draining consumers and closing connections"/);
    expect(other.output()).toMatch(/"msg":"shutdown complete"/);
  });
});

describe('Sentinel process: configuration and degraded dependencies', () => {
  it('refuses to start on bad configuration, naming each variable and what it should be', async () => {
    const env = localSentinelEnv({ SENTINEL_HTTP_PORT: 'eighty', SENTINEL_KAFKA_BROKERS: '' });
    const { exited, output } = spawnSentinel(env);
    expect((await exited).code).toBe(78);
    expect(output()).toMatch(/SENTINEL_HTTP_PORT: "eighty"/);
    expect(output()).toMatch(
      /SENTINEL_KAFKA_BROKERS: is missing \(expected comma-separated Kafka bootstrap brokers/,
    );
  });

  it('stays ready but degraded when a cluster is unreachable, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-kubeconfig-'));
    const kubeconfig = join(dir, 'config');
    const original = readFileSync(localSentinelEnv().SENTINEL_KUBECONFIG!, 'utf8');
    // A third context whose API server does not exist.
    writeFileSync(
      kubeconfig,
      original
        .replace(
          /^clusters:\n/m,
          'clusters:\n  - name: gone\n    cluster:\n      server: https://127.0.0.1:1\n',
        )
        .replace(
          /^contexts:\n/m,
          'contexts:\n  - name: gone\n    context:\n      cluster: gone\n      user: local-a-admin\n',
        ),
    );
    const app = await startSentinel({ SENTINEL_KUBECONFIG: kubeconfig, SENTINEL_READY_TIMEOUT_MS: '1500' });
    try {
      const res = await waitFor('readiness', async () => {
        const r = await fetch(`${app.url}/readyz`);
        return r.status === 200 ? r : undefined;
      });
      const body = (await res.json()) as {
        status: string;
        clusters: { name: string; reachable: boolean; error?: string }[];
      };
      expect(res.status).toBe(200);
      expect(body.status).toBe('degraded');
      expect(body.clusters.find((c) => c.name === 'gone')).toMatchObject({
        reachable: false,
        error: expect.stringMatching(/ECONNREFUSED/),
      });
      expect(
        body.clusters
          .filter((c) => c.reachable)
          .map((c) => c.name)
          .sort(),
      ).toEqual(['local-a', 'local-b']);
    } finally {
      await app.stop();
    }
  });

  it('reports 503 naming the dependency that is down, while staying live', async () => {
    const app = await startSentinel({
      SENTINEL_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/sentinel',
      SENTINEL_READY_TIMEOUT_MS: '1500',
    });
    try {
      const res = await fetch(`${app.url}/readyz`);
      const body = (await res.json()) as { checks: Record<string, { status: string; error?: string }> };
      expect(res.status).toBe(503);
      expect(body.checks.postgres).toMatchObject({
        status: 'down',
        error: expect.stringMatching(/ECONNREFUSED|connect/),
      });
      expect(body.checks.kafka!.status).toBe('up');
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});
