import type { Resources } from '../domain/deployments/contracts.generated';

/** Rows of the deployments read model as the driver returns them (migrations/0003). */
export interface DeploymentRow {
  id: string;
  name: string;
  cluster: string;
  namespace: string;
  kind: string;
  team: string;
  labels: Record<string, string>;
  image: string;
  env: Record<string, string>;
  resources: Resources;
  priority_class: string;
  replicas: number;
  revision: number;
  status: 'Active' | 'Deleted';
  cost_per_replica_hour: number;
  version: number;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
  observed_ready_replicas: number | null;
  observed_revision: number | null;
  observed_phase: string | null;
  observed_conditions: unknown;
  observed_at: Date | null;
  last_apply_error: string | null;
}

export interface HistoryRow {
  deployment_id: string;
  version: number;
  type: string;
  data: unknown;
  actor: string;
  occurred_at: Date;
  correlation_id: string;
  causation_id: string;
  event_id: string;
  topic: string;
  partition: number;
  event_offset: string;
}

/** What the API shows of a deployment: what was asked for, and what the cluster reported. */
export interface DeploymentView {
  id: string;
  name: string;
  cluster: string;
  namespace: string;
  kind: string;
  team: string;
  labels: Record<string, string>;
  status: 'Active' | 'Deleted';
  /** The aggregate version: send it as If-Match to change the deployment. */
  version: number;
  desired: {
    image: string;
    env: Record<string, string>;
    resources: Resources;
    replicas: number;
    revision: number;
    priorityClass: string;
    costPerReplicaHour: number;
  };
  /** Null until the cluster has reported on it. */
  observed: {
    readyReplicas: number | null;
    revision: number | null;
    phase: string | null;
    conditions: unknown;
    at: string | null;
    lastApplyError: string | null;
  } | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export interface DeploymentDetail extends DeploymentView {
  /** How the current revision came to be. */
  currentRevision: {
    revision: number;
    cause: 'created' | 'updated' | 'rolled_back';
    restoredFromRevision: number | null;
    createdAt: string;
    createdBy: string;
  } | null;
}

export interface HistoryEntry {
  version: number;
  type: string;
  time: string;
  actor: string;
  correlationId: string;
  causationId: string;
  eventId: string;
  data: unknown;
  position: { topic: string; partition: number; offset: string };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function observed(r: DeploymentRow): DeploymentView['observed'] {
  const any =
    r.observed_at !== null ||
    r.observed_phase !== null ||
    r.observed_ready_replicas !== null ||
    r.last_apply_error !== null;
  if (!any) return null;
  return {
    readyReplicas: r.observed_ready_replicas,
    revision: r.observed_revision,
    phase: r.observed_phase,
    conditions: r.observed_conditions ?? null,
    at: iso(r.observed_at),
    lastApplyError: r.last_apply_error,
  };
}

export function toView(r: DeploymentRow): DeploymentView {
  return {
    id: r.id,
    name: r.name,
    cluster: r.cluster,
    namespace: r.namespace,
    kind: r.kind,
    team: r.team,
    labels: r.labels,
    status: r.status,
    version: r.version,
    desired: {
      image: r.image,
      env: r.env,
      resources: r.resources,
      replicas: r.replicas,
      revision: r.revision,
      priorityClass: r.priority_class,
      costPerReplicaHour: r.cost_per_replica_hour,
    },
    observed: observed(r),
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    updatedAt: r.updated_at.toISOString(),
    updatedBy: r.updated_by,
  };
}

/** A deployment row joined with its current revision's columns. */
export type WithRevision = DeploymentRow & {
  rev_cause?: unknown;
  rev_restored_from?: unknown;
  rev_created_at?: unknown;
  rev_created_by?: unknown;
};

export function toDetail(r: WithRevision): DeploymentDetail {
  const currentRevision =
    r.rev_cause === null || r.rev_cause === undefined
      ? null
      : {
          revision: r.revision,
          cause: r.rev_cause as 'created' | 'updated' | 'rolled_back',
          restoredFromRevision: (r.rev_restored_from as number | null) ?? null,
          createdAt: (r.rev_created_at as Date).toISOString(),
          createdBy: r.rev_created_by as string,
        };
  // The joined columns are the revision's, not the deployment's.
  const { rev_cause: _c, rev_restored_from: _f, rev_created_at: _a, rev_created_by: _b, ...row } = r;
  return { ...toView(row), currentRevision };
}

export function toHistoryEntry(r: HistoryRow): HistoryEntry {
  return {
    version: r.version,
    type: r.type,
    time: r.occurred_at.toISOString(),
    actor: r.actor,
    correlationId: r.correlation_id,
    causationId: r.causation_id,
    eventId: r.event_id,
    data: r.data,
    position: { topic: r.topic, partition: r.partition, offset: String(r.event_offset) },
  };
}
