import fixture from '../../schemas/avro/deployments/events/fixtures/PolicyEvaluated.v1.json';
import type { PolicyEvaluated } from '../domain/deployments/contracts.generated';
import { canonicalJson } from '../domain/policies/definition';
import { withFreshDatabase } from '../../test/support/database';
import { DecisionQueries } from './decision-queries';
import { decisionsProjection } from './decisions.projection';
import { evolve, type Row } from './projection';
import { renderEvent, type Queryable } from './sql';

const TOPIC = 'sentinel.deployments.events';
const BASE = Date.parse('2026-11-01T00:00:00.000Z');

/** The row the projection writes for the golden PolicyEvaluated fixture, under another id and time. */
function row(i: number, at: string, actor = 'alice'): Row {
  const recorded = fixture as PolicyEvaluated;
  const request = canonicalJson({ ...(JSON.parse(recorded.request) as object), actor });
  const data = { ...recorded, request, decisionId: `d-${String(i).padStart(6, '0')}`, now: at };
  const [change] = evolve(decisionsProjection, {
    type: 'PolicyEvaluated',
    data,
    id: `e-${i}`,
    aggregateId: data.deploymentId,
    version: i + 1,
    time: at,
    actor,
    correlationId: 'c',
    causationId: 'c',
    topic: TOPIC,
    partition: 0,
    offset: String(i),
  })!;
  return change!.op === 'insert' ? change!.row : {};
}

/** Writes rows as the runner does (one rendered insert each), many per statement batch. */
async function insert(db: Queryable, rows: readonly Row[]): Promise<void> {
  await db.query('SET search_path TO read_decisions, public');
  for (let i = 0; i < rows.length; i += 500) {
    const statements = rows
      .slice(i, i + 500)
      .map((r) => renderEvent([{ op: 'insert', table: 'decisions', row: r }])!);
    await db.query('BEGIN');
    for (const s of statements) await db.query(s.text, [...s.values]);
    await db.query('COMMIT');
  }
}

describe('decision queries over Postgres', () => {
  it('loads 10,000 recorded decisions with their inputs in well under 500 ms', () =>
    withFreshDatabase(async (db) => {
      const client = await db.pool.connect();
      try {
        const rows = Array.from({ length: 10_000 }, (_, i) =>
          row(i, new Date(BASE + i * 1000).toISOString()),
        );
        await insert(client, rows);
        await client.query('ANALYZE read_decisions.decisions');
      } finally {
        client.release();
      }
      const queries = new DecisionQueries(db.pool, [TOPIC]);
      const to = new Date(BASE + 10_000 * 1000).toISOString();
      await queries.recordedBetween('2026-11-01T00:00:00Z', to); // warm the pool and the cache

      const started = performance.now();
      const decisions = await queries.recordedBetween('2026-11-01T00:00:00Z', to);
      const ms = performance.now() - started;
      expect(decisions).toHaveLength(10_000);
      expect(ms).toBeLessThan(500);
      const first = decisions[0]!;
      expect(first).toMatchObject({ decisionId: 'd-000000', actor: 'alice', outcome: 'denied' });
      if ('unreadable' in first.inputs) throw new Error(first.inputs.unreadable);
      expect(first.inputs.policies).toEqual((fixture as PolicyEvaluated).policies);
      expect(first.inputs.facts.readyReplicas).toBe(3);
      expect(first.inputs.now).toBe('2026-11-01T00:00:00.000Z');
      // Half-open: the decision exactly at `to` is the next range's.
      expect(await queries.countBetween(decisions[5]!.at, decisions[9]!.at)).toBe(4);
    }));

  it('pages newest first without skipping or repeating decisions at one instant, to the microsecond', () =>
    withFreshDatabase(async (db) => {
      const client = await db.pool.connect();
      try {
        const ats = ['2026-11-01T00:00:00.000001Z', '2026-11-01T00:00:00.000002Z', '2026-11-01T00:00:00Z'];
        await insert(
          client,
          Array.from({ length: 9 }, (_, i) => row(i, ats[i % 3]!, i % 2 ? 'bob' : 'alice')),
        );
      } finally {
        client.release();
      }
      const queries = new DecisionQueries(db.pool, [TOPIC]);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await queries.list({}, { limit: 2, cursor });
        seen.push(...page.items.map((d) => d.decisionId));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([
        'd-000007',
        'd-000004',
        'd-000001',
        'd-000006',
        'd-000003',
        'd-000000',
        'd-000008',
        'd-000005',
        'd-000002',
      ]);
      const bob = await queries.list(
        { actor: 'bob', outcome: 'denied', policy: 'pol-gpu-quota' },
        { limit: 50 },
      );
      expect(bob.items.map((d) => d.decisionId)).toEqual(['d-000007', 'd-000001', 'd-000003', 'd-000005']);
      expect(bob.items[0]).toMatchObject({
        policies: [{ id: 'pol-gpu-quota', version: 2, name: 'gpu-quota', result: 'denied' }],
        deploymentName: 'trainer',
      });
    }));
});
