import type { DeploymentEvent } from '../domain/deployments/messages';
import { deploymentDecider } from '../domain/deployments/decider';
import { type ActiveState, desiredObject, ManifestError } from './manifest';

const id = '0b9f4c8e-1d2a-8c3b-9e4f-5a6b7c8d9e0f';
const created: DeploymentEvent = {
  type: 'DeploymentCreated',
  data: {
    deploymentId: id,
    name: 'llm-server',
    cluster: 'local-a',
    namespace: 'inference',
    kind: 'Deployment',
    image: 'registry.example/llm:1.0',
    replicas: 2,
    resources: { cpu: '2', memory: '8Gi', gpu: 1 },
    env: { MODEL: 'llama', BATCH: '8' },
    labels: { tier: 'gold', 'app.kubernetes.io/managed-by': 'someone-else' },
    team: 'ml-platform',
    costPerReplicaHour: 3.5,
    revision: 1,
    priorityClass: 'gpu-high',
  },
};

const stateOf = (...events: DeploymentEvent[]) =>
  events.reduce(deploymentDecider.evolve, deploymentDecider.initialState()) as ActiveState;

describe('the Kubernetes object of a deployment', () => {
  it('is a Deployment named after the deployment, labelled and annotated for Sentinel', () => {
    expect(desiredObject(id, stateOf(created), 1)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'inference',
      name: 'llm-server',
      metadata: {
        name: 'llm-server',
        namespace: 'inference',
        labels: {
          tier: 'gold',
          'sentinel.io/team': 'ml-platform',
          'app.kubernetes.io/name': 'llm-server',
          'app.kubernetes.io/managed-by': 'sentinel',
          'sentinel.io/deployment-id': id,
        },
        annotations: { 'sentinel.io/revision': '1', 'sentinel.io/version': '1' },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { 'sentinel.io/deployment-id': id } },
        template: {
          metadata: { labels: expect.objectContaining({ 'sentinel.io/deployment-id': id }) },
          spec: {
            priorityClassName: 'gpu-high',
            containers: [
              {
                name: 'main',
                image: 'registry.example/llm:1.0',
                env: [
                  { name: 'BATCH', value: '8' },
                  { name: 'MODEL', value: 'llama' },
                ],
                resources: {
                  requests: { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '1' },
                  limits: { 'nvidia.com/gpu': '1' },
                },
              },
            ],
          },
        },
      },
    });
  });

  it('is the same object for the same state (deterministic), and follows the current revision', () => {
    const updated: DeploymentEvent = {
      type: 'DeploymentUpdated',
      data: {
        deploymentId: id,
        revision: 2,
        image: 'registry.example/llm:2.0',
        env: {},
        resources: { cpu: '500m', memory: '1Gi', gpu: 0 },
      },
    };
    const object = desiredObject(id, stateOf(created, updated), 2);
    expect(object).toEqual(desiredObject(id, stateOf(created, updated), 2));
    expect(object.metadata.annotations).toEqual({ 'sentinel.io/revision': '2', 'sentinel.io/version': '2' });
    const container = (object.spec as { template: { spec: { containers: object[] } } }).template.spec
      .containers[0];
    // No GPU: neither request nor limit, so server-side apply drops the ones it owned.
    expect(container).toMatchObject({
      image: 'registry.example/llm:2.0',
      env: [],
      resources: { requests: { cpu: '500m', memory: '1Gi' } },
    });
    expect(container).not.toHaveProperty('resources.limits');
  });

  it('makes a StatefulSet with a service name, and a Job that runs every replica to completion once', () => {
    const set = desiredObject(
      id,
      stateOf({ ...created, data: { ...created.data, kind: 'StatefulSet' } } as DeploymentEvent),
      1,
    );
    expect(set).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      spec: { replicas: 2, serviceName: 'llm-server' },
    });
    const job = desiredObject(
      id,
      stateOf({ ...created, data: { ...created.data, kind: 'Job' } } as DeploymentEvent),
      1,
    );
    expect(job).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      spec: {
        completions: 2,
        parallelism: 2,
        backoffLimit: 0,
        template: { spec: { restartPolicy: 'Never' } },
      },
    });
    expect(job.spec).not.toHaveProperty('selector');
  });

  it('refuses names Kubernetes would refuse', () => {
    const bad = stateOf({ ...created, data: { ...created.data, name: 'LLM_Server' } } as DeploymentEvent);
    expect(() => desiredObject(id, bad, 1)).toThrow(ManifestError);
    expect(() => desiredObject('not a label value!', stateOf(created), 1)).toThrow(/cannot be a label value/);
  });
});
