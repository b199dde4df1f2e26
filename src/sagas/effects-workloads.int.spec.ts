import { randomUUID } from 'crypto';
import { randomName } from '../../test/support/env';
import { createDeployment } from '../../test/support/deployments';
import { effectsStack, SMALL } from '../../test/support/effects';

type Stack = Awaited<ReturnType<typeof effectsStack>>;
interface Workload {
  metadata: { annotations?: Record<string, string> };
  spec?: {
    replicas?: number;
    serviceName?: string;
    template: { spec: { containers: { resources: { limits?: Record<string, string> } }[] } };
  };
}

describe('effects: every workload kind, on both clusters', () => {
  let h: Stack;
  const namespaces: Record<string, string> = {};
  beforeAll(async () => {
    h = await effectsStack();
    namespaces['local-a'] = await h.namespace('local-a');
    namespaces['local-b'] = await h.namespace('local-b');
    await h.startEffects();
  });
  afterAll(() => h.close());

  it('runs a Job to completion and records it Complete', async () => {
    const id = `dep-${randomUUID()}`;
    const namespace = namespaces['local-a']!;
    await h.send(
      'CreateDeployment',
      id,
      createDeployment(id, { name: 'fine-tune', namespace, kind: 'Job', replicas: 2, resources: SMALL }),
    );
    await h.waitForEvent(id, 'DeploymentApplied');
    const done = await h.waitForEvent(id, 'DeploymentStatusObserved', (d) => d.phase === 'Complete');
    expect(done.data).toMatchObject({ readyReplicas: 2, replicas: 2, revision: 1 });
    const job = await h.resources.get('local-a', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      namespace,
      name: 'fine-tune',
    });
    expect(job?.metadata?.labels?.['sentinel.io/deployment-id']).toBe(id);
  }, 120_000);

  it('brings a StatefulSet up and scales it', async () => {
    const id = `dep-${randomUUID()}`;
    const namespace = namespaces['local-a']!;
    const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace, name: 'vector-db' };
    await h.send(
      'CreateDeployment',
      id,
      createDeployment(id, {
        name: 'vector-db',
        namespace,
        kind: 'StatefulSet',
        replicas: 2,
        resources: SMALL,
      }),
    );
    await h.waitForEvent(
      id,
      'DeploymentStatusObserved',
      (d) => d.phase === 'Available' && d.readyReplicas === 2,
    );
    const set = await h.waitForObject<Workload>('local-a', ref, (o) => o !== undefined);
    expect(set?.spec?.serviceName).toBe('vector-db');

    await h.send('ScaleDeployment', id, { replicas: 1 });
    await h.waitForObject<Workload>('local-a', ref, (o) => o?.spec?.replicas === 1);
    await h.waitForEvent(
      id,
      'DeploymentStatusObserved',
      (d) => d.phase === 'Available' && d.readyReplicas === 1,
    );
  }, 120_000);

  it('acts on the cluster the deployment names: a GPU Deployment on local-b', async () => {
    const id = `dep-${randomUUID()}`;
    const namespace = namespaces['local-b']!;
    await h.send(
      'CreateDeployment',
      id,
      createDeployment(id, {
        name: 'llm',
        namespace,
        cluster: 'local-b',
        replicas: 1,
        resources: { ...SMALL, gpu: 1 },
      }),
    );
    const applied = await h.waitForEvent(id, 'DeploymentApplied');
    expect(applied.data).toMatchObject({ cluster: 'local-b' });
    await h.waitForEvent(
      id,
      'DeploymentStatusObserved',
      (d) => d.phase === 'Available' && d.readyReplicas === 1,
    );
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'llm' };
    const object = await h.waitForObject<Workload>('local-b', ref, (o) => o !== undefined);
    expect(object?.spec?.template.spec.containers[0]?.resources.limits).toEqual({ 'nvidia.com/gpu': '1' });
    expect(await h.resources.get('local-a', ref)).toBeUndefined();
  }, 120_000);

  it('records a permanent failure with its reason, once, without retrying in a loop', async () => {
    const id = `dep-${randomUUID()}`;
    // No such cluster in the kubeconfig: no retry can fix that.
    await h.send('CreateDeployment', id, createDeployment(id, { cluster: 'local-z', resources: SMALL }));
    const failed = await h.waitForEvent(id, 'DeploymentApplyFailed');
    expect(failed.data).toMatchObject({
      retriable: false,
      intentVersion: 1,
      reason: expect.stringMatching(/local-z/),
    });
    // Two resyncs later there is still one failure and nothing else.
    await new Promise((r) => setTimeout(r, 11_000));
    expect((await h.events(id)).map((e) => e.type)).toEqual(['DeploymentCreated', 'DeploymentApplyFailed']);
  }, 60_000);

  it('retries a missing namespace on each resync, recording the failure once, and applies once it exists', async () => {
    const id = `dep-${randomUUID()}`;
    const namespace = randomName('it-fx-late');
    await h.send('CreateDeployment', id, createDeployment(id, { name: 'late', namespace, resources: SMALL }));
    const failed = await h.waitForEvent(id, 'DeploymentApplyFailed');
    expect(failed.data).toMatchObject({
      retriable: true,
      reason: expect.stringMatching(/create the namespace/),
    });
    await new Promise((r) => setTimeout(r, 6_000));
    expect((await h.events(id)).map((e) => e.type)).toEqual(['DeploymentCreated', 'DeploymentApplyFailed']);
    const ref = { apiVersion: 'v1', kind: 'Namespace', name: namespace };
    await h.resources.apply('local-a', {
      ...ref,
      metadata: { name: namespace, labels: { 'sentinel.io/test': 'effects-int' } },
    });
    try {
      await h.waitForEvent(id, 'DeploymentApplied', () => true, 30_000);
    } finally {
      await h.resources.remove('local-a', ref).catch(() => false);
    }
  }, 60_000);
});
