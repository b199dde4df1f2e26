import { PatchStrategy } from '@kubernetes/client-node';
import { randomUUID } from 'crypto';
import { createDeployment } from '../../test/support/deployments';
import { effectsStack, outcomeKeys, SMALL } from '../../test/support/effects';

type Stack = Awaited<ReturnType<typeof effectsStack>>;
interface DeploymentObject {
  metadata: { uid?: string };
  spec?: { replicas?: number; template: { spec: { containers: { image: string }[] } } };
}

const CLUSTER = 'local-a';
const image = (o: DeploymentObject | undefined) => o?.spec?.template.spec.containers[0]?.image;

describe('effects: drift, repair and restarts', () => {
  let h: Stack;
  let namespace: string;
  beforeAll(async () => {
    h = await effectsStack();
    namespace = await h.namespace(CLUSTER);
    await h.startEffects();
  });
  afterAll(() => h.close());

  const ref = (name: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name });
  async function created(name: string, replicas = 1): Promise<string> {
    const id = `dep-${randomUUID()}`;
    await h.send(
      'CreateDeployment',
      id,
      createDeployment(id, { name, namespace, replicas, resources: SMALL }),
    );
    await h.waitForEvent(id, 'DeploymentApplied');
    return id;
  }

  it('records a hand edit of the image as drift and reverts it', async () => {
    const id = await created('edited');
    await h.waitForEvent(id, 'DeploymentStatusObserved', (d) => d.phase === 'Available');
    // As `kubectl set image` would: another field manager, a merge patch of the container.
    await h.clusters.get(CLUSTER).objects.patch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'edited', namespace },
        spec: { template: { spec: { containers: [{ name: 'main', image: 'registry.example/llm:evil' }] } } },
      },
      undefined,
      undefined,
      'kubectl-set',
      undefined,
      PatchStrategy.StrategicMergePatch,
    );
    const drift = await h.waitForEvent(id, 'DeploymentDriftDetected');
    expect(drift.data).toMatchObject({
      kind: 'modified',
      detail: expect.stringContaining('image registry.example/llm:1.0 -> registry.example/llm:evil'),
    });
    await h.waitForObject<DeploymentObject>(
      CLUSTER,
      ref('edited'),
      (o) => image(o) === 'registry.example/llm:1.0',
    );
    await h.waitForEvent(id, 'DeploymentApplied', (d) => d.intentVersion === drift.version);
  }, 120_000);

  it('records a hand delete as drift and recreates the object', async () => {
    const id = await created('deleted-by-hand');
    const before = await h.waitForObject<DeploymentObject>(CLUSTER, ref('deleted-by-hand'), (o) => !!o);
    await h.resources.remove(CLUSTER, ref('deleted-by-hand'));
    const drift = await h.waitForEvent(id, 'DeploymentDriftDetected');
    expect(drift.data).toMatchObject({ kind: 'deleted' });
    const after = await h.waitForObject<DeploymentObject>(
      CLUSTER,
      ref('deleted-by-hand'),
      (o) => !!o && o.metadata.uid !== before?.metadata.uid,
    );
    expect(after?.spec?.replicas).toBe(1);
    await h.waitForEvent(id, 'DeploymentApplied', (d) => d.intentVersion === drift.version);
  }, 120_000);

  it('converges after being stopped mid-way and restarted, recording each outcome once', async () => {
    const steady = await created('steady');
    const gone = await created('gone-while-down');
    // Stopped while the create of `fresh` may be in flight: it may or may not have been applied.
    const fresh = `dep-${randomUUID()}`;
    await h.send(
      'CreateDeployment',
      fresh,
      createDeployment(fresh, { name: 'fresh', namespace, resources: SMALL }),
    );
    await h.stopEffects();

    // While nothing acts: a new intent, a new deployment, and an object deleted by hand.
    await h.send('ScaleDeployment', steady, { replicas: 2 });
    const late = `dep-${randomUUID()}`;
    await h.send(
      'CreateDeployment',
      late,
      createDeployment(late, { name: 'late', namespace, resources: SMALL }),
    );
    await h.resources.remove(CLUSTER, ref('gone-while-down'));
    await new Promise((r) => setTimeout(r, 1000));

    // Two workers at once (a restarted one and, say, a zombie): both act, each fact is recorded once.
    await Promise.all([h.startEffects(), h.startEffects('effects-twin')]);
    await h.waitForObject<DeploymentObject>(CLUSTER, ref('steady'), (o) => o?.spec?.replicas === 2);
    await h.waitForObject(CLUSTER, ref('fresh'), (o) => !!o);
    await h.waitForObject(CLUSTER, ref('late'), (o) => !!o);
    // Nobody saw that deletion happen: the resync finds the object missing.
    await h.waitForEvent(gone, 'DeploymentDriftDetected', (d) => d.kind === 'deleted');
    await h.waitForObject(CLUSTER, ref('gone-while-down'), (o) => !!o);
    for (const id of [steady, fresh, late, gone])
      await h.waitForEvent(id, 'DeploymentStatusObserved', (d) => d.phase === 'Available');

    // Another restart and a couple of resyncs change nothing: no outcome is recorded twice.
    await h.stopEffects();
    await h.startEffects();
    await new Promise((r) => setTimeout(r, 11_000));
    for (const id of [steady, fresh, late, gone]) {
      const events = await h.events(id);
      const keys = outcomeKeys(events);
      expect({ id, keys }).toEqual({ id, keys: [...new Set(keys)] });
      expect(
        events.filter((e) => e.type === 'DeploymentApplyFailed' || e.type === 'DeploymentRejected'),
      ).toEqual([]);
    }
  }, 180_000);
});
