import type { KubernetesObject, V1Deployment, V1Job, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import tls from 'tls';
import { randomName, stackEnv, testConfig, testLogger, waitFor } from '../../../test/support/env';
import { KubernetesClusters } from './clusters';
import { isKubernetesError } from './errors';
import { KubernetesResources, type Manifest } from './resources';
import { ResourceWatcher, type WatchEvent, type WatchTarget } from './watcher';

const config = testConfig();
const clusters = new KubernetesClusters(config.kubernetes.kubeconfig!);
const resources = new KubernetesResources(clusters);
const labels = { 'app.kubernetes.io/managed-by': 'sentinel', 'sentinel.io/test': 'kubernetes-int' };

const podSpec = (gpu: boolean) => ({
  containers: [
    {
      name: 'main',
      image: 'registry.example/model-server:1.0',
      resources: {
        requests: { cpu: '500m', memory: '1Gi', ...(gpu ? { 'nvidia.com/gpu': '1' } : {}) },
        limits: gpu ? { 'nvidia.com/gpu': '1' } : {},
      },
    },
  ],
});

const deployment = (namespace: string, name: string, replicas: number): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, labels },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name, ...labels } }, spec: podSpec(true) },
  },
});

/** Watches one type until `done` holds for the named object; returns every event seen. */
async function watchUntil<T extends KubernetesObject>(
  target: WatchTarget,
  name: string,
  done: (o: T) => boolean,
  timeoutMs = 60_000,
) {
  const events: WatchEvent<T>[] = [];
  let reached: T | undefined;
  const watcher = new ResourceWatcher<T>(clusters, resources, target, (e) => {
    events.push(e);
    if (e.object.metadata?.name === name && e.type !== 'DELETED' && done(e.object)) reached = e.object;
  });
  await watcher.start();
  try {
    await waitFor(`${target.kind} ${name} on ${target.cluster}`, () => reached, timeoutMs).catch(
      async (e: Error) => {
        // Say what the watch saw and what the server holds, so a failure can be told apart.
        const now = await resources
          .get(target.cluster, {
            apiVersion: target.apiVersion,
            kind: target.kind,
            namespace: target.namespace,
            name,
          })
          .catch(() => undefined);
        throw new Error(
          `${e.message}; watcher ${JSON.stringify(watcher.stats)}, ${events.length} events; server: ${JSON.stringify((now as { status?: unknown })?.status)}`,
        );
      },
    );
  } finally {
    await watcher.stop();
  }
  return { object: reached!, events };
}

it('lists every context of the kubeconfig as a reachable cluster with its version', async () => {
  const health = await clusters.health(3000);
  expect(health.map((c) => c.name).sort()).toEqual(['local-a', 'local-b']);
  for (const c of health)
    expect(c).toMatchObject({ reachable: true, version: expect.stringMatching(/^v1\.\d+\.\d+/) });
  await expect(
    resources.get('nowhere', { apiVersion: 'v1', kind: 'Namespace', name: 'default' }),
  ).rejects.toMatchObject({
    code: 'UNKNOWN_CLUSTER',
  });
});

it('reuses one connection per cluster instead of a TLS handshake per call', async () => {
  const fresh = new KubernetesResources(new KubernetesClusters(config.kubernetes.kubeconfig!));
  const handshakes = jest.spyOn(tls, 'connect');
  try {
    for (let i = 0; i < 20; i++)
      await fresh.get('local-a', { apiVersion: 'v1', kind: 'Namespace', name: 'default' });
    expect(handshakes).toHaveBeenCalledTimes(1);
  } finally {
    handshakes.mockRestore();
  }
});

describe.each(['local-a', 'local-b'])('workloads on cluster %s', (cluster) => {
  const namespace = randomName('it-k8s');

  beforeAll(() =>
    resources.apply(cluster, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } }),
  );
  afterAll(() => resources.remove(cluster, { apiVersion: 'v1', kind: 'Namespace', name: namespace }));

  it('server-side applies a Deployment that becomes Available; re-applying it changes nothing', async () => {
    const applied = await resources.apply<V1Deployment>(cluster, deployment(namespace, 'llm-server', 2));
    expect(
      applied.metadata?.managedFields?.some((f) => f.manager === 'sentinel' && f.operation === 'Apply'),
    ).toBe(true);
    const { object } = await watchUntil<V1Deployment>(
      { cluster, apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespace },
      'llm-server',
      (d) =>
        d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') === true &&
        d.status?.readyReplicas === 2,
    );
    expect(object.spec?.template.spec?.containers[0]?.resources?.requests?.['nvidia.com/gpu']).toBe('1');

    const again = await resources.apply<V1Deployment>(cluster, deployment(namespace, 'llm-server', 2));
    expect(again.metadata?.generation).toBe(applied.metadata?.generation);
  });

  it('brings StatefulSet pods up in order until the set is Ready', async () => {
    await resources.apply(cluster, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'vector-db', namespace, labels },
      spec: {
        replicas: 2,
        serviceName: 'vector-db',
        selector: { matchLabels: { app: 'vector-db' } },
        template: { metadata: { labels: { app: 'vector-db', ...labels } }, spec: podSpec(false) },
      },
    });
    await watchUntil<V1StatefulSet>(
      { cluster, apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespace },
      'vector-db',
      (s) => s.status?.readyReplicas === 2,
    );
    const pods = (
      await resources.list<V1Pod>(cluster, {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace,
        labelSelector: 'app=vector-db',
      })
    ).items;
    const byName = Object.fromEntries(pods.map((p) => [p.metadata!.name!, p]));
    const ready = (p: V1Pod) =>
      new Date(p.status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime!).getTime();
    // OrderedReady: pod 1 is created only once pod 0 is Ready.
    expect(new Date(byName['vector-db-1']!.metadata!.creationTimestamp!).getTime()).toBeGreaterThanOrEqual(
      ready(byName['vector-db-0']!) - 1000,
    );
  });

  it('runs a Job to completion', async () => {
    await resources.apply(cluster, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'fine-tune', namespace, labels },
      spec: {
        completions: 2,
        backoffLimit: 0,
        template: { metadata: { labels }, spec: { ...podSpec(true), restartPolicy: 'Never' } },
      },
    });
    const { object } = await watchUntil<V1Job>(
      { cluster, apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespace },
      'fine-tune',
      (j) => j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') === true,
    );
    expect(object.status?.succeeded).toBe(2);
  });

  it('refuses a write with a stale resourceVersion as a retriable CONFLICT, then deletes', async () => {
    const created = await resources.apply<V1Deployment>(cluster, deployment(namespace, 'conflict', 1));
    await resources.apply(cluster, deployment(namespace, 'conflict', 2));
    const stale = { ...created, spec: { ...created.spec!, replicas: 5 } } as Manifest;
    const error = await resources.replace(cluster, stale).catch((e: unknown) => e);
    expect(isKubernetesError(error, 'CONFLICT')).toBe(true);
    expect(error).toMatchObject({ status: 409, retriable: true });

    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'conflict' };
    expect(await resources.remove(cluster, ref)).toBe(true);
    await waitFor('the deployment to be gone', async () =>
      (await resources.get(cluster, ref)) ? undefined : true,
    );
    expect(await resources.remove(cluster, ref)).toBe(false);
  });
});

describe('watch resumption', () => {
  // Cluster b has no watch cache: watches read etcd, whose compacted history answers 410 Gone.
  const cluster = 'local-b';
  const namespace = randomName('it-watch');
  // Only our objects: the controller manager adds kube-root-ca.crt to every namespace.
  const target: WatchTarget = {
    cluster,
    apiVersion: 'v1',
    kind: 'ConfigMap',
    plural: 'configmaps',
    namespace,
    labelSelector: 'sentinel.io/test=kubernetes-int',
  };
  const configMap = (name: string, value: string): Manifest =>
    ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace, labels },
      data: { value },
    }) as Manifest;

  beforeAll(() =>
    resources.apply(cluster, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } }),
  );
  afterAll(() => resources.remove(cluster, { apiVersion: 'v1', kind: 'Namespace', name: namespace }));

  // The bound is this test's timeout: a stop that waited for the server would take 300 s.
  it('stops at once, even while its watch is still being opened', async () => {
    for (let i = 0; i < 5; i++) {
      const watcher = new ResourceWatcher(clusters, resources, target, () => undefined);
      await watcher.start();
      await watcher.stop();
      expect(watcher.stats.lists).toBe(1);
    }
  }, 30_000);

  it('resumes from its last resourceVersion after each disconnect, missing and repeating nothing', async () => {
    const events: string[] = [];
    // The server closes each watch after 1 s, so the changes below span several reconnections.
    const watcher = new ResourceWatcher<KubernetesObject & { data?: { value: string } }>(
      clusters,
      resources,
      target,
      (e) => void events.push(`${e.type} ${e.object.metadata?.name}=${e.object.data?.value ?? ''}`),
      { watchTimeoutSeconds: 1, logger: testLogger() },
    );
    await watcher.start();
    try {
      for (let i = 1; i <= 4; i++) {
        await resources.apply(cluster, configMap('settings', `v${i}`));
        await new Promise((r) => setTimeout(r, 700));
      }
      await resources.remove(cluster, { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'settings' });
      await waitFor('the deletion', () => (events.some((e) => e.startsWith('DELETED')) ? true : undefined));
    } finally {
      await watcher.stop();
    }
    expect(events).toEqual([
      'ADDED settings=v1',
      'MODIFIED settings=v2',
      'MODIFIED settings=v3',
      'MODIFIED settings=v4',
      'DELETED settings=v4',
    ]);
    expect(watcher.stats.lists).toBe(1);
    expect(watcher.stats.resumes).toBeGreaterThanOrEqual(3);
    expect(watcher.stats.expired).toBe(0);
  });

  it('relists after 410 Gone, reporting only what changed since the objects it had seen', async () => {
    await resources.apply(cluster, configMap('kept', 'k1'));
    await resources.apply(cluster, configMap('added-later', 'a1'));
    const events: string[] = [];
    // Resource version 1 is history that etcd has compacted away (as the API server does every
    // few minutes; forced here so a fresh cluster behaves the same), so the first watch gets 410.
    await compactEtcd();
    const watcher = new ResourceWatcher<KubernetesObject>(
      clusters,
      resources,
      target,
      (e) => void events.push(`${e.type} ${e.object.metadata?.name}`),
      {
        fromResourceVersion: '1',
        logger: testLogger(),
      },
    );
    await watcher.start();
    try {
      await waitFor('the relist', () =>
        watcher.stats.expired >= 1 && events.length >= 2 ? true : undefined,
      );
      await resources.apply(cluster, configMap('kept', 'k2'));
      await waitFor('the update after the relist', () => (events.length >= 3 ? true : undefined));
    } finally {
      await watcher.stop();
    }
    expect(watcher.stats.expired).toBe(1);
    expect(watcher.stats.lists).toBe(1);
    expect(events.sort()).toEqual(['ADDED added-later', 'ADDED kept', 'MODIFIED kept']);
  });
});

/** Compacts the stack's etcd up to its current revision, through etcd's JSON gateway. */
async function compactEtcd(): Promise<void> {
  const etcd = `http://127.0.0.1:${stackEnv().ETCD_PORT}/v3/kv`;
  const post = async (path: string, body: object) => {
    const res = await fetch(`${etcd}/${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`etcd ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { header: { revision: string } };
  };
  const { header } = await post('range', { key: Buffer.from('/').toString('base64') });
  await post('compaction', { revision: header.revision, physical: true });
}
