import { randomUUID } from 'crypto';
import { createDeployment } from '../../test/support/deployments';
import { effectsStack, outcomeKeys, SMALL } from '../../test/support/effects';

type Stack = Awaited<ReturnType<typeof effectsStack>>;
interface DeploymentObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: { manager?: string; operation?: string }[];
  };
  spec?: { replicas?: number; template: { spec: { containers: { image: string }[] } } };
}

const CLUSTER = 'local-a';

describe('effects: a Deployment through its life on a real cluster', () => {
  let h: Stack;
  let namespace: string;
  beforeAll(async () => {
    h = await effectsStack();
    namespace = await h.namespace(CLUSTER);
    await h.startEffects();
  });
  afterAll(() => h.close());

  const id = `dep-${randomUUID()}`;
  const ref = () => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'llm' });
  const image = (o: DeploymentObject | undefined) => o?.spec?.template.spec.containers[0]?.image;
  const k8sRevision = (o: DeploymentObject | undefined) =>
    o?.metadata.annotations?.['deployment.kubernetes.io/revision'];

  it('creates the object with Sentinel labels and annotations, then records it applied and Available', async () => {
    await h.send(
      'CreateDeployment',
      id,
      createDeployment(id, {
        name: 'llm',
        namespace,
        replicas: 2,
        resources: SMALL,
        env: { MODEL: 'llama' },
      }),
    );
    const applied = await h.waitForEvent(id, 'DeploymentApplied');
    expect(applied.data).toEqual({
      deploymentId: id,
      intentVersion: 1,
      action: 'apply',
      revision: 1,
      replicas: 2,
      objectName: 'llm',
      cluster: CLUSTER,
    });
    const object = (await h.resources.get(CLUSTER, ref())) as DeploymentObject | undefined;
    expect(object?.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'sentinel',
      'sentinel.io/deployment-id': id,
    });
    expect(object?.metadata.annotations).toMatchObject({
      'sentinel.io/revision': '1',
      'sentinel.io/version': '1',
    });
    expect(object?.metadata.managedFields).toContainEqual(
      expect.objectContaining({ manager: 'sentinel', operation: 'Apply' }),
    );
    await h.waitForEvent(
      id,
      'DeploymentStatusObserved',
      (d) => d.phase === 'Available' && d.readyReplicas === 2,
    );
  }, 120_000);

  it('scales the object', async () => {
    await h.send('ScaleDeployment', id, { replicas: 3 });
    await h.waitForObject<DeploymentObject>(CLUSTER, ref(), (o) => o?.spec?.replicas === 3);
    await h.waitForEvent(id, 'DeploymentApplied', (d) => d.replicas === 3);
    await h.waitForEvent(
      id,
      'DeploymentStatusObserved',
      (d) => d.phase === 'Available' && d.readyReplicas === 3,
    );
  }, 120_000);

  it('rolls out a new image as a new ReplicaSet and revision, and rolls back to the first', async () => {
    await h.send('UpdateDeployment', id, { image: 'registry.example/llm:2.0', env: null, resources: null });
    const updated = await h.waitForObject<DeploymentObject>(CLUSTER, ref(), (o) => k8sRevision(o) === '2');
    expect(image(updated)).toBe('registry.example/llm:2.0');
    expect(updated?.metadata.annotations?.['sentinel.io/revision']).toBe('2');
    const sets = await h.resources.list(CLUSTER, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      namespace,
      labelSelector: `sentinel.io/deployment-id=${id}`,
    });
    expect(sets.items).toHaveLength(2);
    await h.waitForEvent(id, 'DeploymentStatusObserved', (d) => d.revision === 2 && d.phase === 'Available');

    await h.send('RollbackDeployment', id, { toRevision: 1 });
    const rolledBack = await h.waitForObject<DeploymentObject>(CLUSTER, ref(), (o) => k8sRevision(o) === '3');
    expect(image(rolledBack)).toBe('registry.example/llm:1.0');
    expect(rolledBack?.metadata.annotations?.['sentinel.io/revision']).toBe('3');
    await h.waitForEvent(id, 'DeploymentStatusObserved', (d) => d.revision === 3 && d.phase === 'Available');
  }, 120_000);

  it('deletes the object, records the removal and the object Missing', async () => {
    await h.send('DeleteDeployment', id, {});
    await h.waitForEvent(id, 'DeploymentApplied', (d) => d.action === 'delete');
    await h.waitForObject(CLUSTER, ref(), (o) => o === undefined);
    await h.waitForEvent(id, 'DeploymentStatusObserved', (d) => d.phase === 'Missing');
    const events = await h.events(id);
    expect(events.filter((e) => e.type === 'DeploymentDriftDetected')).toEqual([]);
    expect(events.filter((e) => e.type === 'DeploymentRejected')).toEqual([]);
    const keys = outcomeKeys(events);
    expect(keys).toEqual([...new Set(keys)]);
  }, 60_000);
});
