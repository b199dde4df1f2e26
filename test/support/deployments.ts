import type { CreateDeployment } from '../../src/domain/deployments/contracts.generated';

/** A valid CreateDeployment payload for tests; override what a test is about. */
export function createDeployment(
  deploymentId: string,
  overrides: Partial<CreateDeployment> = {},
): CreateDeployment {
  return {
    deploymentId,
    name: `model-${deploymentId
      .slice(-6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')}`,
    cluster: 'local-a',
    namespace: 'inference',
    kind: 'Deployment',
    image: 'registry.example/llm:1.0',
    replicas: 2,
    resources: { cpu: '2', memory: '8Gi', gpu: 1 },
    env: {},
    labels: {},
    team: 'ml-platform',
    costPerReplicaHour: 3.5,
    priorityClass: '',
    policy: null,
    ...overrides,
  };
}
