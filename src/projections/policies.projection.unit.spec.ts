import { canonicalJson } from '../domain/policies/definition';
import { policiesProjection } from './policies.projection';
import { evolve, type ProjectedEvent } from './projection';
import { renderEvent } from './sql';

const body = {
  name: 'year-end-freeze',
  priority: 100,
  mode: 'enforce',
  selector: {},
  rule: { type: 'sla', minReadyReplicas: 1 },
};

const event = (type: string, version: number, data: unknown): ProjectedEvent => ({
  type,
  data,
  version,
  id: `e${version}`,
  aggregateId: 'pol-1',
  time: '2026-11-27T10:00:00.000Z',
  actor: 'admin',
  correlationId: 'c',
  causationId: 'c',
  topic: 'sentinel.policies.events',
  partition: 0,
  offset: String(version),
});

describe('policies projection', () => {
  it('inserts the policy and its first version from PolicyCreated, definition as JSON', () => {
    const changes = evolve(
      policiesProjection,
      event('PolicyCreated', 1, {
        policyId: 'pol-1',
        ...body,
        version: 1,
        enabled: true,
        definition: canonicalJson(body),
      }),
    );
    expect(changes).toEqual([
      expect.objectContaining({
        op: 'insert',
        table: 'policies',
        row: expect.objectContaining({ version: 1, aggregate_version: 1, enabled: true, definition: body }),
      }),
      expect.objectContaining({
        op: 'insert',
        table: 'policy_versions',
        row: expect.objectContaining({ policy_id: 'pol-1', version: 1, definition: body }),
      }),
    ]);
  });

  it('guards updates by the aggregate version, not the policy version', () => {
    const changes = evolve(policiesProjection, event('PolicyDisabled', 4, { policyId: 'pol-1' }))!;
    expect(changes).toEqual([
      expect.objectContaining({ set: expect.objectContaining({ enabled: false, aggregate_version: 4 }) }),
    ]);
    expect(renderEvent(changes)!.text).toMatch(/WHERE id = \$\d+ AND aggregate_version < \$\d+$/);
  });

  it('moves only the aggregate version on a rejection', () => {
    const changes = evolve(
      policiesProjection,
      event('PolicyRejected', 2, { policyId: 'pol-1', command: 'EnablePolicy', reasons: ['x'] }),
    );
    expect(changes).toEqual([expect.objectContaining({ set: { aggregate_version: 2 } })]);
  });
});
