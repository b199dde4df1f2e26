import type { CreateDeployment, Resources } from './contracts.generated';

// Kubernetes object names (DNS-1123 label) and resource quantities, checked before anything is
// accepted so a command that the cluster would refuse is rejected with a reason up front.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CPU = /^(\d+(\.\d+)?|\d+m)$/;
const MEMORY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;
const IMAGE = /^[a-z0-9]+([._/:@-][A-Za-z0-9_.-]+)*$/;
export const MAX_REPLICAS = 1000;

export function replicaProblems(replicas: number): string[] {
  return Number.isInteger(replicas) && replicas >= 0 && replicas <= MAX_REPLICAS
    ? []
    : [`replicas must be an integer from 0 to ${MAX_REPLICAS}, got ${replicas}`];
}

export function imageProblems(image: string): string[] {
  return IMAGE.test(image) && image.length <= 512 ? [] : [`image "${image}" is not a valid image reference`];
}

export function resourceProblems(r: Resources): string[] {
  const problems: string[] = [];
  if (!CPU.test(r.cpu)) problems.push(`resources.cpu "${r.cpu}" is not a CPU quantity such as 500m or 2`);
  if (!MEMORY.test(r.memory))
    problems.push(`resources.memory "${r.memory}" is not a memory quantity such as 512Mi or 4Gi`);
  if (!Number.isInteger(r.gpu) || r.gpu < 0 || r.gpu > 64)
    problems.push(`resources.gpu must be an integer from 0 to 64, got ${r.gpu}`);
  return problems;
}

export function envProblems(env: Readonly<Record<string, string>>): string[] {
  return Object.keys(env)
    .filter((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map((k) => `env name "${k}" must be a C identifier`);
}

export function createProblems(c: CreateDeployment): string[] {
  return [
    ...(DNS_LABEL.test(c.name)
      ? []
      : [`name "${c.name}" must be a DNS-1123 label (lower case, digits, '-', at most 63)`]),
    ...(DNS_LABEL.test(c.namespace) ? [] : [`namespace "${c.namespace}" must be a DNS-1123 label`]),
    ...(c.cluster.length > 0 ? [] : ['cluster is required']),
    ...(c.team.length > 0 ? [] : ['team is required']),
    ...(Number.isFinite(c.costPerReplicaHour) && c.costPerReplicaHour >= 0
      ? []
      : ['costPerReplicaHour must be a number >= 0']),
    ...replicaProblems(c.replicas),
    ...imageProblems(c.image),
    ...resourceProblems(c.resources),
    ...envProblems(c.env),
  ];
}
