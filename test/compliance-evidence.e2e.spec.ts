import { createHash } from 'crypto';
import { mkdtempSync, readFileSync } from 'fs';
import { unzipSync } from 'fflate';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Role } from '../src/infrastructure/auth/roles';
import { KubernetesClusters } from '../src/infrastructure/kubernetes/clusters';
import { KubernetesResources } from '../src/infrastructure/kubernetes/resources';
import type { Accepted } from './support/api-session';
import { runCli } from './support/cli';
import { withFreshDatabase } from './support/database';
import { localSentinelEnv, randomName, waitFor } from './support/env';
import { startSentinel, type SentinelProcess } from './support/sentinel-process';
import { bearer } from './support/tokens';

interface Pack {
  changeId: string;
  actor: string;
  result: string;
  events: { type: string; hash: string; previousHash: string }[];
  decision: {
    outcome: string;
    policies: unknown[];
    facts: unknown;
    results: unknown[];
    tzdata: string;
  } | null;
  request: { action: string } | null;
  approvals: unknown[];
  kubernetes: { status: string; event: { type: string } | null };
  observed: { status: string; event: { type: string; data: { phase: string } } | null };
  integrity: {
    verified: boolean;
    links: { verified: boolean }[];
    problems: unknown[];
    verify: { command: string };
  };
}

interface Report {
  totals: Record<string, number>;
  changesByTeam: { team: string; total: number }[];
  changesByActor: { actor: string; total: number }[];
  deniedAttempts: { eventType: string; reasons: string[] }[];
  freezeChanges: { result: string; policyName: string }[];
  agentActions: { actor: string; eventType: string; count: number }[];
  rollbacks: unknown[];
  accessDenials: { subject: string; status: number }[];
}

/** Local wall-clock text of an instant in UTC, as freeze windows are written. */
const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);

/**
 * Issue 7: an evidence pack for one change and a compliance report over a range, both
 * deterministic: downloaded twice, and regenerated after a projection rebuild, they are the same
 * bytes with the same hash.
 */
describe('evidence packs and compliance reports', () => {
  const namespace = randomName('audit').slice(0, 40);
  const clusters = new KubernetesClusters(localSentinelEnv().SENTINEL_KUBECONFIG!);
  const resources = new KubernetesResources(clusters);

  beforeAll(async () => {
    await resources.apply('local-a', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  });
  afterAll(async () => {
    await resources
      .remove('local-a', { apiVersion: 'v1', kind: 'Namespace', name: namespace })
      .catch(() => false);
  });

  it(
    'packs a change with its proofs and reports a range byte-identically, also after a rebuild',
    () =>
      withFreshDatabase(async (db) => {
        const url = (db.pool as unknown as { options: { connectionString: string } }).options
          .connectionString;
        const prefix = randomName('rep').replace(/-/g, '_');
        const team = `team-${prefix}`.slice(0, 60);
        const stack = localSentinelEnv();
        const cliEnv = {
          SENTINEL_KAFKA_BROKERS: stack.SENTINEL_KAFKA_BROKERS!,
          SENTINEL_SCHEMA_REGISTRY_URL: stack.SENTINEL_SCHEMA_REGISTRY_URL!,
          SENTINEL_DATABASE_URL: url,
          SENTINEL_TOPIC_PREFIX: prefix,
        };
        let app = await start(prefix, url, 'api,processor,effects,projections');
        const call = caller(() => app);
        try {
          const from = new Date(Date.now() - 60_000).toISOString();
          const spec = {
            name: 'audited',
            cluster: 'local-a',
            namespace,
            image: 'registry.example/model:1',
            replicas: 1,
            resources: { cpu: '100m', memory: '64Mi' },
            team,
            costPerReplicaHour: 1,
          };
          const created = await expectStatus(call('POST', '/v1/deployments', 'operator', spec, 'alice'), 201);
          const id = created.id;
          await expectStatus(
            call('POST', `/v1/deployments/${id}/scale`, 'operator', { replicas: 2 }, 'agent:patchbot'),
            200,
          );
          await expectStatus(
            call('PATCH', `/v1/deployments/${id}`, 'operator', { image: 'registry.example/model:2' }, 'bob'),
            200,
          );
          await expectStatus(
            call('POST', `/v1/deployments/${id}/rollback`, 'operator', { toRevision: 1 }, 'bob'),
            200,
          );
          const policy = await expectStatus(
            call('POST', '/v1/policies', 'admin', {
              name: `freeze-${prefix}`.slice(0, 60),
              priority: 100,
              mode: 'enforce',
              selector: { teams: [team] },
              rule: {
                type: 'change_freeze',
                timezone: 'UTC',
                windows: [{ start: local(Date.now() - 3_600_000), end: local(Date.now() + 3_600_000) }],
              },
            }),
            201,
          );
          await waitFor('the freeze to be in force', async () => {
            const r = await call('GET', `/v1/policies/${policy.id}`, 'viewer');
            return r.status === 200 ? true : undefined;
          });
          const denied = await call(
            'POST',
            `/v1/deployments/${id}/scale`,
            'operator',
            { replicas: 3 },
            'alice',
          );
          expect(denied.status).toBe(422);
          const forbidden = await call('POST', '/v1/deployments', 'viewer', spec, 'mallory');
          expect(forbidden.status).toBe(403);

          // The change under audit reached the cluster and the cluster reported back.
          const pack = await waitFor(
            'the evidence of the create with its outcome and observed status',
            async () => {
              const r = await call('GET', `/v1/audit/changes/${created.commandId}/evidence`, 'viewer');
              if (r.status !== 200) return undefined;
              const p = (await r.json()) as Pack;
              return p.observed.status === 'observed' ? p : undefined;
            },
            90_000,
          );
          expect(pack).toMatchObject({
            changeId: created.commandId,
            actor: 'alice',
            result: 'accepted',
            request: { action: 'create' },
            decision: { outcome: 'allowed', tzdata: expect.any(String) },
            kubernetes: { status: 'applied', event: { type: 'DeploymentApplied' } },
            observed: { status: 'observed', event: { type: 'DeploymentStatusObserved' } },
            integrity: { verified: true, problems: [] },
          });
          expect(pack.events.map((e) => e.type)).toEqual(['PolicyEvaluated', 'DeploymentCreated']);
          expect(pack.integrity.links.length).toBe(4);
          expect(pack.integrity.links.every((l) => l.verified)).toBe(true);
          expect(pack.integrity.verify.command).toContain(`sentinel replay ${id} --context deployments`);
          const unknown = await call(
            'GET',
            '/v1/audit/changes/00000000-0000-8000-8000-000000000000/evidence',
            'viewer',
          );
          expect(unknown.status).toBe(404);

          // Wait until the audit read model holds everything done above.
          const to = new Date(Date.now() + 1_000).toISOString();
          await waitFor('the report to hold every action', async () => {
            const r = await call('GET', `/v1/reports/compliance?from=${from}&to=${to}`, 'viewer');
            const report = r.status === 200 ? ((await r.json()) as Report) : undefined;
            const t = report?.totals;
            return t && t.changes === 4 && t.deniedAttempts === 1 && t.accessDenials === 1 ? true : undefined;
          });
          await app.stop();

          // Nothing writes any more: the log and the read models stand still, and a rebuild stops
          // where the live projection stopped.
          const run = async (extra: string[] = []) => {
            const r = await runCli(['report', '--from', from, '--to', to, ...extra], cliEnv);
            expect(r.code).toBe(0);
            return { body: r.stdout, hash: /^sha256 ([0-9a-f]{64}) /.exec(r.stderr)?.[1] };
          };
          const first = await run();
          const second = await run();
          expect(second.body).toBe(first.body);
          expect(first.hash).toBe(createHash('sha256').update(first.body).digest('hex'));
          expect(second.hash).toBe(first.hash);

          const report = JSON.parse(first.body) as Report;
          expect(report.totals).toMatchObject({
            changes: 4,
            deniedAttempts: 1,
            rollbacks: 1,
            accessDenials: 1,
          });
          expect(report.changesByTeam).toEqual([expect.objectContaining({ team, total: 4 })]);
          expect(report.changesByActor.map((a) => [a.actor, a.total])).toEqual([
            ['agent:patchbot', 1],
            ['alice', 1],
            ['bob', 2],
          ]);
          expect(report.deniedAttempts).toEqual([
            expect.objectContaining({
              eventType: 'PolicyDenied',
              reasons: [expect.stringMatching(/freeze/)],
            }),
          ]);
          expect(report.freezeChanges).toEqual([expect.objectContaining({ result: 'denied' })]);
          expect(report.agentActions).toEqual(
            expect.arrayContaining([
              { actor: 'agent:patchbot', eventType: 'DeploymentScaled', count: 1 },
              expect.objectContaining({ actor: 'system:sentinel-effects', eventType: 'DeploymentApplied' }),
            ]),
          );
          expect(report.accessDenials).toEqual([
            expect.objectContaining({ subject: 'mallory', status: 403 }),
          ]);

          const csvFile = join(mkdtempSync(join(tmpdir(), 'report-')), 'report.csv');
          const csv = await run(['--format', 'csv', '--out', csvFile]);
          expect(csv.hash).toBe(createHash('sha256').update(readFileSync(csvFile)).digest('hex'));
          expect(readFileSync(csvFile, 'utf8')).toMatch(/^report\r\nkey,value\r\n/);

          const rebuilt = await runCli(['projections', 'rebuild', '--all'], cliEnv);
          expect(rebuilt).toMatchObject({ code: 0 });
          expect(rebuilt.stdout).toMatch(/^audit: switched to the rebuilt tables/m);
          const afterRebuild = await run();
          expect(afterRebuild.body).toBe(first.body);
          expect(afterRebuild.hash).toBe(first.hash);
          const month = await runCli(['report', '--month', 'nonsense'], cliEnv);
          expect(month.code).not.toBe(0);
          expect(month.stderr).toMatch(/--month must be YYYY-MM/);

          // The API, on the same database, answers with the same bytes, hash and headers.
          app = await start(prefix, url, 'api');
          const http = await call('GET', `/v1/reports/compliance?from=${from}&to=${to}`, 'viewer');
          expect(http.status).toBe(200);
          expect(await http.text()).toBe(first.body);
          expect(http.headers.get('sentinel-content-sha256')).toBe(first.hash);
          expect(http.headers.get('etag')).toBe(`"${first.hash}"`);
          const httpCsv = await call(
            'GET',
            `/v1/reports/compliance?from=${from}&to=${to}&format=csv`,
            'viewer',
          );
          expect(httpCsv.headers.get('sentinel-content-sha256')).toBe(csv.hash);
          const bad = await call(
            'GET',
            '/v1/reports/compliance?from=2025-01-01T00:00:00Z&to=2026-06-01T00:00:00Z',
            'viewer',
          );
          expect(bad.status).toBe(400);
          expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('to');

          const zips = [];
          for (let i = 0; i < 2; i++) {
            const r = await call(
              'GET',
              `/v1/audit/changes/${created.commandId}/evidence?format=zip`,
              'viewer',
            );
            expect(r.status).toBe(200);
            expect(r.headers.get('content-type')).toBe('application/zip');
            zips.push(Buffer.from(await r.arrayBuffer()));
          }
          expect(zips[1]!.equals(zips[0]!)).toBe(true);
          const files = unzipSync(zips[0]!);
          const names = Object.keys(files);
          expect(names[0]).toBe('evidence.json');
          expect(names.filter((n) => n.startsWith('events/'))).toHaveLength(4);
          const inZip = JSON.parse(Buffer.from(files['evidence.json']!).toString()) as Pack;
          expect(inZip.integrity.verified).toBe(true);
          const raw = JSON.parse(Buffer.from(files[names[1]!]!).toString()) as {
            headers: Record<string, string>;
            value: string;
          };
          expect(raw.headers.ce_eventhash).toBe(pack.events[0]!.hash);
          expect(Buffer.from(raw.value, 'base64')[0]).toBe(0);
        } finally {
          await app.stop();
        }
      }),
    240_000,
  );
});

async function start(prefix: string, databaseUrl: string, roles: string): Promise<SentinelProcess> {
  const app = await startSentinel({
    SENTINEL_TOPIC_PREFIX: prefix,
    SENTINEL_DATABASE_URL: databaseUrl,
    SENTINEL_ROLES: roles,
  });
  await app.ready();
  return app;
}

function caller(app: () => SentinelProcess) {
  return async (method: string, path: string, role: Role, body?: unknown, subject?: string) =>
    fetch(`${app().url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(await bearer(role, subject ?? `${role}-user`)) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
}

async function expectStatus(response: Promise<Response>, status: number): Promise<Accepted> {
  const r = await response;
  const text = await r.text();
  expect({ status: r.status, body: r.status === status ? '' : text }).toEqual({ status, body: '' });
  return JSON.parse(text) as Accepted;
}
