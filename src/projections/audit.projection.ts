import type { DeploymentCreated } from '../domain/deployments/contracts.generated';
import { type Handler, Lookup, type ProjectedEvent, type ProjectionDefinition, type Row } from './projection';

/**
 * The audit read model (migrations/0006, issue 7): one row per event of every context, with its
 * Kafka coordinates and CloudEvents attributes, so audit search runs in Postgres and the
 * state-as-of endpoint can fetch exactly one aggregate's records from Kafka.
 */

/** Every event type of each context (a unit test checks this against schemas/avro). */
export const AUDITED_TYPES = {
  deployments: [
    'DeploymentApplied',
    'DeploymentApplyFailed',
    'DeploymentCreated',
    'DeploymentDeleted',
    'DeploymentDriftDetected',
    'DeploymentRejected',
    'DeploymentRolledBack',
    'DeploymentScaled',
    'DeploymentStatusObserved',
    'DeploymentUpdated',
    'PolicyDenied',
    'PolicyEvaluated',
  ],
  policies: [
    'PolicyCreated',
    'PolicyDeleted',
    'PolicyDisabled',
    'PolicyEnabled',
    'PolicyRejected',
    'PolicyVersionPublished',
  ],
  access: ['AccessDenied'],
} as const satisfies Record<string, readonly string[]>;

const placementOf = (aggregateId: string) => {
  const at = (column: string) => new Lookup('placements', column, { aggregate_id: aggregateId });
  return { cluster: at('cluster'), team: at('team'), namespace: at('namespace') };
};

function eventRow(e: ProjectedEvent, placement: Row): Row {
  return {
    topic: e.topic,
    partition: e.partition,
    offset: e.offset,
    // Set by the runner for a projection of several contexts; the fallback is never used.
    context: e.context ?? 'deployments',
    event_type: e.type,
    event_id: e.id,
    aggregate_id: e.aggregateId,
    version: e.version,
    at: e.time,
    actor: e.actor,
    correlation_id: e.correlationId,
    causation_id: e.causationId,
    hash: e.hash ?? '',
    previous_hash: e.previousHash ?? '',
    ...placement,
    data: e.data ?? {},
  };
}

const NO_PLACEMENT = { cluster: null, team: null, namespace: null };

/** A deployment's later events carry the placement its DeploymentCreated recorded. */
const recorded: Handler = (e) => [
  {
    op: 'insert',
    table: 'events',
    row: eventRow(e, e.context === 'deployments' ? placementOf(e.aggregateId) : NO_PLACEMENT),
  },
];

const created: Handler = (e) => {
  const d = e.data as DeploymentCreated;
  const placement = { cluster: d.cluster, team: d.team, namespace: d.namespace };
  return [
    { op: 'insert', table: 'placements', row: { aggregate_id: e.aggregateId, ...placement, name: d.name } },
    { op: 'insert', table: 'events', row: eventRow(e, placement) },
  ];
};

const handlers: Record<string, Handler> = {};
for (const types of Object.values(AUDITED_TYPES)) for (const type of types) handlers[type] = recorded;
handlers.DeploymentCreated = created;

export const auditProjection: ProjectionDefinition = {
  name: 'audit',
  context: 'deployments',
  namespace: 'sentinel.deployments',
  contexts: Object.keys(AUDITED_TYPES).map((context) => ({ context, namespace: `sentinel.${context}` })),
  tables: { events: ['topic', 'partition', 'offset'], placements: ['aggregate_id'] },
  handlers,
};
