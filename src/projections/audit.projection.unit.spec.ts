import created from '../../schemas/avro/deployments/events/fixtures/DeploymentCreated.v2.json';
import scaled from '../../schemas/avro/deployments/events/fixtures/DeploymentScaled.v1.json';
import { loadCatalog } from '../infrastructure/schema-registry/catalog';
import { AUDITED_TYPES, auditProjection } from './audit.projection';
import { evolve, Lookup, type ProjectedEvent } from './projection';
import { renderEvent } from './sql';

const event = (type: string, data: unknown, context = 'deployments'): ProjectedEvent => ({
  type,
  data,
  id: `event-${type}`,
  aggregateId: 'dep-1',
  version: 3,
  time: '2026-11-27T10:15:00.120Z',
  actor: 'alice',
  correlationId: 'corr-1',
  causationId: 'cmd-1',
  topic: `sentinel.${context}.events`,
  partition: 2,
  offset: '41',
  context,
  hash: 'h3',
  previousHash: 'h2',
});

const coordinatesAndAttributes = {
  topic: 'sentinel.deployments.events',
  partition: 2,
  offset: '41',
  context: 'deployments',
  event_id: 'event-DeploymentScaled',
  aggregate_id: 'dep-1',
  version: 3,
  at: '2026-11-27T10:15:00.120Z',
  actor: 'alice',
  correlation_id: 'corr-1',
  causation_id: 'cmd-1',
  hash: 'h3',
  previous_hash: 'h2',
};

describe('audit projection', () => {
  it('handles every event type of every context, as the Avro catalog lists them', () => {
    const catalog = loadCatalog()
      .entries.filter((e) => e.kind === 'event')
      .map((e) => `${e.context}.${e.name}`)
      .sort();
    const audited = Object.entries(AUDITED_TYPES)
      .flatMap(([context, types]) => types.map((t) => `${context}.${t}`))
      .sort();
    expect(audited).toEqual(catalog);
    expect(Object.keys(auditProjection.handlers).sort()).toEqual(Object.values(AUDITED_TYPES).flat().sort());
  });

  it('records a DeploymentCreated with its placement, and remembers the placement', () => {
    const changes = evolve(auditProjection, event('DeploymentCreated', created))!;
    const d = created as { cluster: string; namespace: string; team: string; name: string };
    expect(changes).toEqual([
      {
        op: 'insert',
        table: 'placements',
        row: {
          aggregate_id: 'dep-1',
          cluster: d.cluster,
          team: d.team,
          namespace: d.namespace,
          name: d.name,
        },
      },
      {
        op: 'insert',
        table: 'events',
        row: expect.objectContaining({
          event_type: 'DeploymentCreated',
          cluster: d.cluster,
          team: d.team,
          namespace: d.namespace,
          data: created,
        }),
      },
    ]);
  });

  it('records a later deployment event with its coordinates, and the placement looked up', () => {
    const [change, ...rest] = evolve(auditProjection, event('DeploymentScaled', scaled))!;
    expect(rest).toEqual([]);
    const placement = (column: string) => new Lookup('placements', column, { aggregate_id: 'dep-1' });
    expect(change).toEqual({
      op: 'insert',
      table: 'events',
      row: {
        ...coordinatesAndAttributes,
        event_type: 'DeploymentScaled',
        cluster: placement('cluster'),
        team: placement('team'),
        namespace: placement('namespace'),
        data: scaled,
      },
    });
    const statement = renderEvent([change!])!;
    // `offset` is reserved in SQL; the placement is a keyed subquery, NULL when none is known.
    expect(statement.text).toContain('"offset"');
    expect(statement.text).toContain('(SELECT cluster FROM placements WHERE aggregate_id = $');
    expect(statement.text).toMatch(/ON CONFLICT DO NOTHING$/);
  });

  it('leaves the placement empty for events of other contexts', () => {
    const [change] = evolve(auditProjection, event('PolicyEnabled', { policyId: 'p1' }, 'policies'))!;
    expect(change).toMatchObject({
      table: 'events',
      row: { context: 'policies', event_type: 'PolicyEnabled', cluster: null, team: null, namespace: null },
    });
  });

  it('reads the event topics of all three contexts', () => {
    expect(auditProjection.contexts?.map((c) => c.context)).toEqual(['deployments', 'policies', 'access']);
  });
});
