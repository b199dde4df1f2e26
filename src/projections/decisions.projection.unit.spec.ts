import fixture from '../../schemas/avro/deployments/events/fixtures/PolicyEvaluated.v1.json';
import type { PolicyEvaluated } from '../domain/deployments/contracts.generated';
import { decisionsProjection, textArray } from './decisions.projection';
import { evolve, type ProjectedEvent } from './projection';
import { renderEvent } from './sql';

const event = (data: PolicyEvaluated, type = 'PolicyEvaluated'): ProjectedEvent => ({
  type,
  data,
  id: 'event-7',
  aggregateId: data.deploymentId,
  version: 7,
  time: '2026-11-27T10:15:00.120Z',
  actor: 'alice',
  correlationId: data.decisionId,
  causationId: data.decisionId,
  topic: 'sentinel.deployments.events',
  partition: 2,
  offset: '41',
});

const recorded = fixture as PolicyEvaluated;

describe('decisions projection', () => {
  it('inserts one row per decision, with every input as recorded and the event coordinates', () => {
    const [change, ...rest] = evolve(decisionsProjection, event(recorded))!;
    expect(rest).toEqual([]);
    expect(change).toEqual({
      op: 'insert',
      table: 'decisions',
      row: {
        decision_id: recorded.decisionId,
        deployment_id: 'dep-01J9ZQ4K7M2X',
        deployment_name: 'trainer',
        action: 'scale',
        actor: 'alice',
        cluster: 'prod-eu',
        namespace: 'training',
        team: 'ml-platform',
        outcome: 'denied',
        at: '2026-11-27T10:15:00.000Z',
        policy_ids: '{"pol-gpu-quota"}',
        // The definition stays the recorded text, so re-evaluation reads identical input.
        policies: recorded.policies,
        request: recorded.request,
        facts: recorded.facts,
        results: recorded.results,
        reasons: recorded.reasons,
        tzdata: '2025b',
        event_topic: 'sentinel.deployments.events',
        event_partition: 2,
        event_offset: '41',
        aggregate_version: 7,
      },
    });
    const row = (change as Extract<typeof change, { op: 'insert' }>).row;
    expect(typeof (row.policies as { definition: unknown }[])[0]!.definition).toBe('string');
  });

  it('lists only the policies that applied in policy_ids', () => {
    const results = JSON.stringify([
      { policyId: 'a', result: 'allowed' },
      { policyId: 'b', result: 'not_applicable' },
      { policyId: 'c', result: 'would_deny' },
    ]);
    const [change] = evolve(decisionsProjection, event({ ...recorded, results }))!;
    expect(change).toMatchObject({ row: { policy_ids: '{"a","c"}' } });
  });

  it('never throws on recorded text that is not JSON: the projection must not stall on it', () => {
    const [change] = evolve(
      decisionsProjection,
      event({ ...recorded, request: 'not json', results: '{oops', facts: 'garbage', outcome: 'maybe' }),
    )!;
    expect(change).toMatchObject({
      row: {
        actor: 'alice',
        cluster: null,
        request: '"not json"',
        results: '[]',
        facts: 'garbage',
        outcome: 'denied',
        policy_ids: '{}',
      },
    });
  });

  it('skips every other event type of the deployments topic', () => {
    expect(evolve(decisionsProjection, event(recorded, 'PolicyDenied'))).toBeUndefined();
    expect(evolve(decisionsProjection, event(recorded, 'DeploymentCreated'))).toBeUndefined();
  });

  it('quotes policy ids for the text[] column', () => {
    expect(textArray(['plain', 'with "quote"', 'back\\slash', 'a,b'])).toBe(
      '{"plain","with \\"quote\\"","back\\\\slash","a,b"}',
    );
  });

  it('renders as one idempotent insert', () => {
    const statement = renderEvent(evolve(decisionsProjection, event(recorded))!)!;
    expect(statement.text).toMatch(/^INSERT INTO decisions \(.*\) VALUES \(.*\) ON CONFLICT DO NOTHING$/);
    // Arrays and objects go as JSON text, the jsonb columns parse it.
    expect(statement.values).toContain(JSON.stringify(recorded.reasons));
  });
});
