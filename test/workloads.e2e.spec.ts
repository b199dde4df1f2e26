import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { join } from 'path';
import { KubernetesClusters } from '../src/infrastructure/kubernetes/clusters';
import { KubernetesResources } from '../src/infrastructure/kubernetes/resources';
import { Database } from '../src/infrastructure/postgres/database';
import { migrate } from '../src/infrastructure/postgres/migrations';
import { localSentinelEnv, randomName, REPO_ROOT, waitFor } from './support/env';
import { startSentinel, type SentinelProcess } from './support/sentinel-process';
import { bearer } from './support/tokens';

interface View {
  id: string;
  status: string;
  version: number;
  desired: { replicas: number; revision: number; image: string };
  observed: { phase: string | null; readyReplicas: number | null; revision: number | null } | null;
}

interface HistoryItem {
  type: string;
  version: number;
  data: Record<string, unknown>;
}

/**
 * HTTP → Kafka → cluster → read model, with every role in one Sentinel process as `make up`
 * runs it, against the local clusters (DESIGN.md §8).
 */
describe('Workloads end to end: API, effects on Kubernetes and read models', () => {
  const prefix = randomName('wl').replace(/-/g, '_');
  const namespace = randomName('wl');
  const env = localSentinelEnv({ SENTINEL_TOPIC_PREFIX: prefix });
  const clusters = new KubernetesClusters(env.SENTINEL_KUBECONFIG!);
  const resources = new KubernetesResources(clusters);
  let app: SentinelProcess;
  let operator: Record<string, string>;

  beforeAll(async () => {
    const db = new Database(env.SENTINEL_DATABASE_URL!, 1);
    await migrate(db, join(REPO_ROOT, 'migrations')).finally(() => db.close());
    for (const cluster of ['local-a', 'local-b'])
      await resources.apply(cluster, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    app = await start();
    operator = { ...(await bearer('operator', 'wl-operator', env)), 'content-type': 'application/json' };
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    for (const cluster of ['local-a', 'local-b'])
      await resources
        .remove(cluster, { apiVersion: 'v1', kind: 'Namespace', name: namespace })
        .catch(() => false);
  });

  /** Every role, on topics of this test's own; resolves once the write side is up. */
  async function start(): Promise<SentinelProcess> {
    const started = await startSentinel({
      SENTINEL_TOPIC_PREFIX: prefix,
      SENTINEL_ROLES: 'api,processor,effects,projections',
    });
    await started.ready();
    return started;
  }

  const api = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const r = await fetch(`${app.url}${path}`, {
      method,
      headers: operator,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json()) as T };
  };

  const spec = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    cluster: 'local-a',
    namespace,
    kind: 'Deployment',
    image: 'registry.example/model:1',
    replicas: 2,
    resources: { cpu: '100m', memory: '64Mi', 'nvidia.com/gpu': 0 },
    team: 'ml',
    costPerReplicaHour: 1,
    ...extra,
  });

  const view = (id: string) =>
    api<View>('GET', `/v1/deployments/${id}`).then((r) => (r.status === 200 ? r.body : undefined));

  /** Waits until the read model shows what the cluster reported. */
  const observed = (id: string, ok: (v: View) => boolean, what: string, timeoutMs = 90_000) =>
    waitFor(
      `${what} (${id})`,
      async () => {
        const v = await view(id);
        return v && ok(v) ? v : undefined;
      },
      timeoutMs,
    );

  async function create(body: unknown): Promise<string> {
    const r = await api<{ id: string }>('POST', '/v1/deployments', body);
    expect(r.status).toBe(201);
    return r.body.id;
  }

  it('creates, scales, updates, rolls back and deletes a Deployment, seen in the cluster and the read model', async () => {
    const id = await create(spec('llm-serve'));
    await observed(
      id,
      (v) => v.observed?.phase === 'Available' && v.observed.readyReplicas === 2,
      'Available',
    );
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'llm-serve' };
    const object = await resources.get<V1Deployment>('local-a', ref);
    expect(object!.metadata!.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'sentinel',
      'sentinel.io/deployment-id': id,
    });

    expect((await api('POST', `/v1/deployments/${id}/scale`, { replicas: 3 })).status).toBe(200);
    await observed(id, (v) => v.observed?.readyReplicas === 3, 'three ready replicas');

    expect((await api('PATCH', `/v1/deployments/${id}`, { image: 'registry.example/model:2' })).status).toBe(
      200,
    );
    await waitFor('the new image in the cluster', async () => {
      const d = await resources.get<V1Deployment>('local-a', ref);
      return d?.spec?.template.spec?.containers[0]?.image === 'registry.example/model:2' ? d : undefined;
    });
    await observed(
      id,
      (v) => v.observed?.revision === 2 && v.observed.phase === 'Available',
      'revision 2 available',
    );

    expect((await api('POST', `/v1/deployments/${id}/rollback`, { toRevision: 1 })).status).toBe(200);
    await waitFor('the first image back in the cluster', async () => {
      const d = await resources.get<V1Deployment>('local-a', ref);
      return d?.spec?.template.spec?.containers[0]?.image === 'registry.example/model:1' ? d : undefined;
    });

    expect((await api('DELETE', `/v1/deployments/${id}`)).status).toBe(200);
    await waitFor('the object gone', async () => ((await resources.get('local-a', ref)) ? undefined : true));
    await observed(id, (v) => v.status === 'Deleted', 'Deleted in the read model');
    const history = await api<{ items: HistoryItem[] }>('GET', `/v1/deployments/${id}/history`);
    const types = history.body.items.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'DeploymentCreated',
        'DeploymentApplied',
        'DeploymentStatusObserved',
        'DeploymentScaled',
        'DeploymentUpdated',
        'DeploymentRolledBack',
        'DeploymentDeleted',
      ]),
    );
  }, 240_000);

  it('runs a Job to completion and a StatefulSet on the second cluster', async () => {
    const job = await create(spec('train-once', { kind: 'Job', replicas: 1 }));
    const sts = await create(spec('vector-db', { kind: 'StatefulSet', cluster: 'local-b', replicas: 2 }));
    await observed(job, (v) => v.observed?.phase === 'Complete', 'the Job complete');
    await observed(
      sts,
      (v) => v.observed?.phase === 'Available' && v.observed.readyReplicas === 2,
      'the StatefulSet ready',
    );
    const set = await resources.get<V1StatefulSet>('local-b', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      namespace,
      name: 'vector-db',
    });
    expect(set!.status!.readyReplicas).toBe(2);
  }, 180_000);

  it('converges 20 deployments after Sentinel is killed mid-rollout, recording each apply once', async () => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) => create(spec(`fleet-${i}`, { replicas: 1 }))),
    );
    await waitFor('a first apply', async () => {
      const views = await Promise.all(ids.map(view));
      return views.some((v) => v?.observed) ? true : undefined;
    });
    const killed = await app.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    app = await start();
    for (const id of ids)
      await observed(id, (v) => v.observed?.phase === 'Available', 'Available after the restart', 120_000);
    for (const id of ids) {
      const history = await api<{ items: HistoryItem[] }>('GET', `/v1/deployments/${id}/history?limit=200`);
      const applies = history.body.items
        .filter((e) => e.type === 'DeploymentApplied')
        .map((e) => e.data.intentVersion);
      expect(applies.length).toBeGreaterThan(0);
      expect(new Set(applies).size).toBe(applies.length);
    }
  }, 300_000);
});
