import type { WorkloadKind } from '../domain/deployments/contracts.generated';
import type { DeploymentState, Template } from '../domain/deployments/state';
import type { Manifest, ObjectRef } from '../infrastructure/kubernetes/resources';

export type ActiveState = Extract<DeploymentState, { status: 'Active' }>;
type Placement = ActiveState['placement'];

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_SENTINEL = `${MANAGED_BY}=sentinel`;
export const DEPLOYMENT_ID = 'sentinel.io/deployment-id';
export const REVISION = 'sentinel.io/revision';
/** The aggregate version of the desired state the object was applied from. */
export const VERSION = 'sentinel.io/version';
export const CONTAINER = 'main';

export const KINDS: Readonly<Record<WorkloadKind, { apiVersion: string; plural: string }>> = {
  Deployment: { apiVersion: 'apps/v1', plural: 'deployments' },
  StatefulSet: { apiVersion: 'apps/v1', plural: 'statefulsets' },
  Job: { apiVersion: 'batch/v1', plural: 'jobs' },
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

export class ManifestError extends Error {
  readonly code = 'MANIFEST_INVALID';
}

/** The object a deployment owns: its name is the deployment's name, so applying is idempotent. */
export function objectRef(placement: Placement): ObjectRef {
  const { apiVersion } = KINDS[placement.kind];
  return { apiVersion, kind: placement.kind, namespace: placement.namespace, name: placement.name };
}

/**
 * The Kubernetes object for a deployment's desired state: a pure function of the state, so the
 * same state always yields the same object and server-side apply of it is a no-op. The revision
 * and version go on the object's metadata only: putting them in the pod template would roll the
 * pods on every scale.
 */
export function desiredObject(deploymentId: string, state: ActiveState, desiredVersion: number): Manifest {
  const { placement, replicas } = state;
  const template = state.revisions[state.revision];
  if (!template) throw new ManifestError(`revision ${state.revision} of ${deploymentId} has no pod template`);
  checkNames(deploymentId, placement);
  const selector = { [DEPLOYMENT_ID]: deploymentId };
  const labels = {
    ...userLabels(placement),
    'app.kubernetes.io/name': placement.name,
    [MANAGED_BY]: 'sentinel',
    ...selector,
  };
  const pods = { metadata: { labels }, spec: podSpec(template, placement) };
  return {
    ...objectRef(placement),
    metadata: {
      name: placement.name,
      namespace: placement.namespace,
      labels,
      annotations: { [REVISION]: String(state.revision), [VERSION]: String(desiredVersion) },
    },
    spec: workloadSpec(placement, replicas, selector, pods),
  } as Manifest;
}

function workloadSpec(
  placement: Placement,
  replicas: number,
  selector: Record<string, string>,
  template: { metadata: object; spec: Record<string, unknown> },
): Record<string, unknown> {
  switch (placement.kind) {
    case 'Deployment':
      return { replicas, selector: { matchLabels: selector }, template };
    case 'StatefulSet':
      // The governing Service is the operator's concern; pods get stable names without one.
      return { replicas, serviceName: placement.name, selector: { matchLabels: selector }, template };
    case 'Job':
      // A Job runs `replicas` pods to completion, all at once; failures are not retried in place
      // (backoffLimit 0) because a retry is a new intent, recorded as such.
      return {
        completions: replicas,
        parallelism: replicas,
        backoffLimit: 0,
        template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } },
      };
  }
}

function podSpec(template: Template, placement: Placement): Record<string, unknown> {
  const { cpu, memory, gpu } = template.resources;
  // Extended resources such as GPUs must have limits equal to requests.
  const gpus = gpu > 0 ? { 'nvidia.com/gpu': String(gpu) } : {};
  const container = {
    name: CONTAINER,
    image: template.image,
    env: Object.keys(template.env)
      .sort()
      .map((name) => ({ name, value: template.env[name]! })),
    resources: { requests: { cpu, memory, ...gpus }, ...(gpu > 0 ? { limits: gpus } : {}) },
  };
  return {
    containers: [container],
    ...(placement.priorityClass ? { priorityClassName: placement.priorityClass } : {}),
  };
}

/** The caller's labels, minus Sentinel's own keys, which it alone sets. */
function userLabels(placement: Placement): Record<string, string> {
  const own = (key: string) => key === MANAGED_BY || key.startsWith('sentinel.io/');
  const labels = Object.entries(placement.labels).filter(([k]) => !own(k));
  if (LABEL_VALUE.test(placement.team) && placement.team.length <= 63)
    labels.push(['sentinel.io/team', placement.team]);
  return Object.fromEntries(labels);
}

function checkNames(deploymentId: string, placement: Placement): void {
  if (!DNS_LABEL.test(placement.name))
    throw new ManifestError(`object name "${placement.name}" is not a DNS-1123 label`);
  if (!DNS_LABEL.test(placement.namespace))
    throw new ManifestError(`namespace "${placement.namespace}" is not a DNS-1123 label`);
  if (!LABEL_VALUE.test(deploymentId) || deploymentId.length > 63)
    throw new ManifestError(`deployment id "${deploymentId}" cannot be a label value (${DEPLOYMENT_ID})`);
}
