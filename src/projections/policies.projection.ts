import type { PolicyCreated, PolicyVersionPublished } from '../domain/policies/contracts.generated';
import type { Handler, ProjectedEvent, ProjectionDefinition, RowChange } from './projection';

/**
 * The policies read model (migrations/0004): the current version of each policy and every
 * version it has had. `version` is the policy version; the aggregate's event version lives in
 * `aggregate_version`, which also guards updates so a redelivered event changes nothing.
 */

const update = (e: ProjectedEvent, set: Record<string, unknown>): RowChange => ({
  op: 'update',
  table: 'policies',
  where: { id: e.aggregateId },
  set: { ...set, aggregate_version: e.version, updated_at: e.time, updated_by: e.actor },
  version: e.version,
  versionColumn: 'aggregate_version',
});

type Published = Pick<PolicyVersionPublished, 'version' | 'priority' | 'mode' | 'definition'>;

function versionRow(e: ProjectedEvent, d: Published): RowChange {
  return {
    op: 'insert',
    table: 'policy_versions',
    row: {
      policy_id: e.aggregateId,
      version: d.version,
      priority: d.priority,
      mode: d.mode,
      // Stored as jsonb so queries can look inside; the text was validated by the decider.
      definition: JSON.parse(d.definition) as unknown,
      aggregate_version: e.version,
      created_at: e.time,
      created_by: e.actor,
    },
  };
}

const created: Handler = (e) => {
  const d = e.data as PolicyCreated;
  return [
    {
      op: 'insert',
      table: 'policies',
      row: {
        id: e.aggregateId,
        name: d.name,
        priority: d.priority,
        mode: d.mode,
        enabled: d.enabled,
        status: 'Active',
        version: d.version,
        aggregate_version: e.version,
        definition: JSON.parse(d.definition) as unknown,
        created_at: e.time,
        created_by: e.actor,
        updated_at: e.time,
        updated_by: e.actor,
      },
    },
    versionRow(e, d),
  ];
};

const published: Handler = (e) => {
  const d = e.data as PolicyVersionPublished;
  const definition = JSON.parse(d.definition) as unknown;
  return [
    update(e, { name: d.name, priority: d.priority, mode: d.mode, version: d.version, definition }),
    versionRow(e, d),
  ];
};

/**
 * A refusal changes no policy, but the aggregate version moves (If-Match must name it). Only
 * that column moves: who last changed the policy stays who really did.
 */
const rejected: Handler = (e) => [
  {
    op: 'update',
    table: 'policies',
    where: { id: e.aggregateId },
    set: { aggregate_version: e.version },
    version: e.version,
    versionColumn: 'aggregate_version',
  },
];

export const policiesProjection: ProjectionDefinition = {
  name: 'policies',
  context: 'policies',
  namespace: 'sentinel.policies',
  tables: {
    policies: ['id'],
    policy_versions: ['policy_id', 'version'],
  },
  handlers: {
    PolicyCreated: created,
    PolicyVersionPublished: published,
    PolicyEnabled: (e) => [update(e, { enabled: true })],
    PolicyDisabled: (e) => [update(e, { enabled: false })],
    PolicyDeleted: (e) => [update(e, { status: 'Deleted' })],
    PolicyRejected: rejected,
  },
};
