import { randomUUID } from 'crypto';
import type { PolicyInputs } from '../domain/deployments/contracts.generated';
import { canonicalJson } from '../domain/policies/definition';
import { whatIf } from '../domain/policies/what-if';
import type { CommandResult } from '../eventing/command-result';
import { Database } from '../infrastructure/postgres/database';
import { withFreshDatabase } from '../../test/support/database';
import { createDeployment } from '../../test/support/deployments';
import { randomName, testLogger } from '../../test/support/env';
import { commands, positionsOf } from '../../test/support/projections';
import { writeSide } from '../../test/support/write-side';
import { DecisionQueries } from './decision-queries';
import { decisionsProjection } from './decisions.projection';
import { CheckpointWatch } from './freshness';
import { ProjectionRunner } from './projection-runner';
import { rebuildProjection } from './rebuild';

const recorded = (policyId: string, body: object) => ({
  policyId,
  version: 1,
  definition: canonicalJson(body),
});
const GPU = recorded('pol-gpu', {
  name: 'gpu-quota',
  priority: 50,
  mode: 'enforce',
  selector: { teams: ['ml-platform'] },
  rule: { type: 'quota', per: 'team', limits: { gpu: 4 } },
});
const COST = recorded('pol-cost', {
  name: 'cost-watch',
  priority: 10,
  mode: 'dry_run',
  selector: { clusters: ['local-b'] },
  rule: { type: 'cost_ceiling', per: 'team', maxPerHour: 5 },
});
const inputs: PolicyInputs = {
  policies: [GPU, COST],
  facts: canonicalJson({ burnRates: {}, deployments: [], recentActions: {} }),
  tzdata: '2025b',
};

/** The decisions projection fed by the real write side: deployment commands carrying policy inputs. */
describe('decisions projection against the real stack', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  let processor: ReturnType<Awaited<ReturnType<typeof writeSide>>['processor']>;
  const outcomes: Record<'created' | 'scaled' | 'elsewhere' | 'unchecked', CommandResult> = {} as never;
  const ids = { a: `${randomName('dep')}-a`, b: `${randomName('dep')}-b`, c: `${randomName('dep')}-c` };
  let started: string;
  let ended: string;

  beforeAll(async () => {
    ws = await writeSide(3);
    processor = ws.processor();
    await processor.start();
    const send = commands(ws, await ws.results());
    started = new Date(Date.now() - 1000).toISOString();
    outcomes.created = await send('CreateDeployment', ids.a, createDeployment(ids.a, { policy: inputs }));
    outcomes.scaled = await send('ScaleDeployment', ids.a, { replicas: 6, policy: inputs }, 'bob');
    outcomes.elsewhere = await send(
      'CreateDeployment',
      ids.b,
      createDeployment(ids.b, { cluster: 'local-b', team: 'search', policy: inputs }),
    );
    outcomes.unchecked = await send('CreateDeployment', ids.c, createDeployment(ids.c));
    ended = new Date(Date.now() + 1000).toISOString();
  });
  afterAll(async () => {
    await processor.stop();
    await ws.close();
  });

  const topics = () => [ws.topics.events('deployments')];
  const deps = (database: Database) => ({
    messaging: ws.messaging,
    database,
    codec: ws.codec,
    logger: testLogger(),
  });
  const live = (database: Database) =>
    new ProjectionRunner(deps(database), {
      projection: decisionsProjection,
      mode: 'live',
      groupId: `${ws.prefix}-decisions-${randomUUID().slice(0, 8)}`,
      topics: topics(),
      deadLetterTopic: ws.topics.dlq,
    });
  const all = () => positionsOf(Object.values(outcomes));
  const decisionOf = (o: CommandResult) => o.commandId;
  const caughtUp = async (db: Database) =>
    expect(
      await new CheckpointWatch(db.pool, 'decisions', topics(), { timeoutMs: 30_000, pollMs: 50 }).caughtUp(
        all(),
      ),
    ).toBe(true);

  it('projects each PolicyEvaluated into a decision that lists, filters, pages and shows its inputs', () =>
    withFreshDatabase(async (db) => {
      const runner = live(db);
      const queries = new DecisionQueries(db.pool, topics());
      try {
        // Read-your-writes: asked before the projection runs, answered once it has caught up.
        const waiting = queries.get(decisionOf(outcomes.scaled), { after: positionsOf([outcomes.scaled]) });
        await runner.start();
        const { decision, stale } = await waiting;
        expect(stale).toBe(false);
        const evaluated = outcomes.scaled.events.find((e) => e.type === 'PolicyEvaluated')!;
        expect(decision).toMatchObject({
          decisionId: decisionOf(outcomes.scaled),
          deploymentId: ids.a,
          action: 'scale',
          actor: 'bob',
          cluster: 'local-a',
          namespace: 'inference',
          team: 'ml-platform',
          outcome: 'denied',
          policies: [{ id: 'pol-gpu', version: 1, name: 'gpu-quota', result: 'denied' }],
          reasons: [expect.stringMatching(/6 GPUs/)],
          request: expect.objectContaining({ replicas: 6, actor: 'bob' }),
          facts: expect.objectContaining({ deployments: [] }),
          results: [
            expect.objectContaining({ policyId: 'pol-gpu' }),
            expect.objectContaining({ result: 'not_applicable' }),
          ],
          tzdata: '2025b',
          position: { topic: evaluated.topic, partition: evaluated.partition, offset: evaluated.offset },
          version: evaluated.version,
        });
        await caughtUp(db);

        const list = async (filter: object) =>
          (await queries.list(filter, { limit: 50 })).items.map((d) => d.decisionId);
        const [created, scaled, elsewhere] = [outcomes.created, outcomes.scaled, outcomes.elsewhere].map(
          decisionOf,
        ) as [string, string, string];
        expect(await list({})).toEqual([elsewhere, scaled, created]);
        expect(await list({ outcome: 'would_deny' })).toEqual([elsewhere]);
        expect(await list({ actor: 'alice' })).toEqual([elsewhere, created]);
        expect(await list({ cluster: 'local-b' })).toEqual([elsewhere]);
        expect(await list({ policy: 'pol-gpu' })).toEqual([scaled, created]);
        expect(await list({ policy: 'pol-cost' })).toEqual([elsewhere]);
        const at = (await queries.get(scaled)).decision!.at;
        const later = (await queries.get(elsewhere)).decision!.at;
        expect(await list({ from: at, to: later })).toEqual([scaled]);

        const pages: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await queries.list({}, { limit: 1, cursor });
          pages.push(...page.items.map((d) => d.decisionId));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(pages).toEqual([elsewhere, scaled, created]);
        expect((await queries.get(decisionOf(outcomes.unchecked))).decision).toBeUndefined();
      } finally {
        await runner.stop();
      }
    }));

  it('gives a what-if the recorded inputs, and rebuilds to the same rows', () =>
    withFreshDatabase(async (db) => {
      const runner = live(db);
      const rebuildDb = new Database(
        (db.pool as unknown as { options: { connectionString: string } }).options.connectionString,
        12,
      );
      const queries = new DecisionQueries(db.pool, topics());
      try {
        await runner.start();
        await caughtUp(db);

        const decisions = await queries.recordedBetween(started, ended);
        expect(decisions.map((d) => [d.actor, d.outcome])).toEqual([
          ['alice', 'allowed'],
          ['bob', 'denied'],
          ['alice', 'would_deny'],
        ]);
        expect(await queries.countBetween(started, ended)).toBe(3);
        expect(whatIf(decisions, [])).toEqual({ evaluated: 3, changed: [] });
        expect(whatIf(decisions, [{ op: 'remove', policyId: 'pol-gpu' }]).changed).toEqual([
          expect.objectContaining({
            decisionId: decisionOf(outcomes.scaled),
            before: 'denied',
            after: 'allowed',
            reasons: [expect.stringMatching(/6 GPUs/)],
          }),
        ]);

        const rebuilt = await rebuildProjection(deps(rebuildDb), {
          projection: decisionsProjection,
          topics: topics(),
          groupId: `${ws.prefix}-rebuild-${randomUUID()}`,
          verify: true,
          pollMs: 100,
        });
        expect(rebuilt).toMatchObject({ switched: true, mismatches: [] });
        expect(await queries.countBetween(started, ended)).toBe(3);
      } finally {
        await runner.stop();
        await rebuildDb.close();
      }
    }));
});
