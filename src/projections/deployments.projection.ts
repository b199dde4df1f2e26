import type {
  DeploymentApplyFailed,
  DeploymentCreated,
  DeploymentStatusObserved,
  DeploymentRolledBack,
  DeploymentScaled,
  DeploymentUpdated,
} from '../domain/deployments/contracts.generated';
import type { Handler, ProjectedEvent, ProjectionDefinition, RowChange } from './projection';

/**
 * The deployments read model: desired state per deployment, its revisions and its full history
 * (migrations/0003). Every event, rejections included, becomes one history row; the others say
 * what it changed. Cluster facts (applied, failed, observed, drift) fill the observed_* columns.
 */

/** The audit row every handled event writes, whatever else it changes. */
function history(e: ProjectedEvent): RowChange {
  return {
    op: 'insert',
    table: 'deployment_history',
    row: {
      deployment_id: e.aggregateId,
      version: e.version,
      type: e.type,
      data: e.data,
      actor: e.actor,
      occurred_at: e.time,
      correlation_id: e.correlationId,
      causation_id: e.causationId,
      event_id: e.id,
      topic: e.topic,
      partition: e.partition,
      event_offset: e.offset,
    },
  };
}

/** Columns every change to a deployment moves forward. */
const touched = (e: ProjectedEvent) => ({ version: e.version, updated_at: e.time, updated_by: e.actor });

const updateDeployment = (e: ProjectedEvent, set: Record<string, unknown>): RowChange => ({
  op: 'update',
  table: 'deployments',
  where: { id: e.aggregateId },
  set: { ...set, ...touched(e) },
  version: e.version,
});

type Template = Pick<DeploymentUpdated, 'image' | 'env' | 'resources' | 'revision'>;

function revision(
  e: ProjectedEvent,
  t: Template,
  cause: 'created' | 'updated' | 'rolled_back',
  restoredFrom: number | null = null,
): RowChange {
  return {
    op: 'insert',
    table: 'deployment_revisions',
    row: {
      deployment_id: e.aggregateId,
      revision: t.revision,
      image: t.image,
      env: t.env,
      resources: t.resources,
      cause,
      restored_from_revision: restoredFrom,
      version: e.version,
      created_at: e.time,
      created_by: e.actor,
    },
  };
}

const created: Handler = (e) => {
  const d = e.data as DeploymentCreated;
  return [
    {
      op: 'insert',
      table: 'deployments',
      row: {
        id: e.aggregateId,
        name: d.name,
        cluster: d.cluster,
        namespace: d.namespace,
        kind: d.kind,
        team: d.team,
        labels: d.labels,
        image: d.image,
        env: d.env,
        resources: d.resources,
        priority_class: d.priorityClass,
        replicas: d.replicas,
        revision: d.revision,
        status: 'Active',
        cost_per_replica_hour: d.costPerReplicaHour,
        version: e.version,
        created_at: e.time,
        created_by: e.actor,
        updated_at: e.time,
        updated_by: e.actor,
      },
    },
    revision(e, d, 'created'),
    history(e),
  ];
};

const updated: Handler = (e) => {
  const d = e.data as DeploymentUpdated;
  const template = { image: d.image, env: d.env, resources: d.resources, revision: d.revision };
  return [updateDeployment(e, template), revision(e, d, 'updated'), history(e)];
};

const rolledBack: Handler = (e) => {
  const d = e.data as DeploymentRolledBack;
  const template = { image: d.image, env: d.env, resources: d.resources, revision: d.revision };
  return [updateDeployment(e, template), revision(e, d, 'rolled_back', d.toRevision), history(e)];
};

const scaled: Handler = (e) => [
  updateDeployment(e, { replicas: (e.data as DeploymentScaled).replicas }),
  history(e),
];

const deleted: Handler = (e) => [updateDeployment(e, { status: 'Deleted' }), history(e)];

/**
 * A refusal changes no desired state, but it is an event of the aggregate: its version moves
 * (If-Match must name it), and the history shows what was tried. A refusal for a deployment
 * that never existed has only its history row.
 */
const rejected: Handler = (e) => [
  {
    op: 'update',
    table: 'deployments',
    where: { id: e.aggregateId },
    set: { version: e.version },
    version: e.version,
  },
  history(e),
];

/**
 * What the cluster reported: only the observed columns and the version move (If-Match must
 * name it), not who last changed the desired state.
 */
const fact = (e: ProjectedEvent, set: Record<string, unknown>): RowChange[] => [
  {
    op: 'update',
    table: 'deployments',
    where: { id: e.aggregateId },
    set: { ...set, version: e.version },
    version: e.version,
  },
  history(e),
];

const applied: Handler = (e) => fact(e, { last_apply_error: null });

const applyFailed: Handler = (e) => fact(e, { last_apply_error: (e.data as DeploymentApplyFailed).reason });

const statusObserved: Handler = (e) => {
  const d = e.data as DeploymentStatusObserved;
  return fact(e, {
    observed_ready_replicas: d.readyReplicas,
    observed_revision: d.revision,
    observed_phase: d.phase,
    observed_conditions: d.conditions,
    observed_at: e.time,
  });
};

const driftDetected: Handler = (e) => fact(e, {});

export const deploymentsProjection: ProjectionDefinition = {
  name: 'deployments',
  context: 'deployments',
  namespace: 'sentinel.deployments',
  tables: {
    deployments: ['id'],
    deployment_revisions: ['deployment_id', 'revision'],
    deployment_history: ['deployment_id', 'version'],
  },
  handlers: {
    DeploymentCreated: created,
    DeploymentUpdated: updated,
    DeploymentRolledBack: rolledBack,
    DeploymentScaled: scaled,
    DeploymentDeleted: deleted,
    DeploymentRejected: rejected,
    // The decision itself is read from the decisions projection; here it is part of the history.
    PolicyEvaluated: rejected,
    PolicyDenied: rejected,
    DeploymentApplied: applied,
    DeploymentApplyFailed: applyFailed,
    DeploymentStatusObserved: statusObserved,
    DeploymentDriftDetected: driftDetected,
  },
};
