import type { CommandResult } from '../eventing/command-result';
import type { Database } from '../infrastructure/postgres/database';
import { withFreshDatabase } from '../../test/support/database';
import { createDeployment } from '../../test/support/deployments';
import { randomName } from '../../test/support/env';
import { commands, positionsOf, projectionHarness } from '../../test/support/projections';
import { writeSide } from '../../test/support/write-side';
import type { RebuildProgress } from './rebuild';

/** Rebuild from offset 0 into fresh tables and switch, while the live projection serves. */
describe('projection rebuild against the real stack', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  let processor: ReturnType<Awaited<ReturnType<typeof writeSide>>['processor']>;
  let send: ReturnType<typeof commands>;
  const outcomes: CommandResult[] = [];
  const ids = Array.from({ length: 12 }, (_, i) => `${randomName('dep')}-${i}`);

  beforeAll(async () => {
    ws = await writeSide(3);
    processor = ws.processor();
    await processor.start();
    const sendCommand = commands(ws, await ws.results());
    send = async (...args) => {
      const outcome = await sendCommand(...args);
      outcomes.push(outcome);
      return outcome;
    };
    await Promise.all(
      ids.map((id, i) => send('CreateDeployment', id, createDeployment(id, { team: `t${i % 3}` }))),
    );
    for (const [i, id] of ids.entries()) await send('ScaleDeployment', id, { replicas: 3 + i });
  });
  afterAll(async () => {
    await processor.stop();
    await ws.close();
  });

  const schemas = async (db: Database) =>
    (
      await db.pool.query<{ nspname: string }>(
        // Only the deployments projection's schemas: other projections' live schemas are not rebuilt here.
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'read\\_deployments%' ORDER BY 1",
      )
    ).rows.map((r) => r.nspname);

  it('rebuilds exactly the live tables while commands keep arriving and queries keep answering', () =>
    withFreshDatabase(async (db) => {
      const p = projectionHarness(ws, db);
      try {
        await p.live().start();
        await p.caughtUpWith(positionsOf(outcomes));

        // Writers and readers during the whole rebuild, the switch included.
        let running = true;
        let written = 0;
        const writer = (async () => {
          for (let n = 0; running; n++, written++)
            await send('ScaleDeployment', ids[n % 3]!, { replicas: 1 + (n % 5) });
        })();
        const answers: number[] = [];
        const reader = (async () => {
          while (running) {
            answers.push((await p.queries.list({}, { limit: 200 })).items.length);
            await new Promise((r) => setTimeout(r, 10));
          }
        })();
        const phases: RebuildProgress['phase'][] = [];
        const result = await p.rebuild({
          verify: true,
          decodeDelayMs: 50,
          onProgress: (x) => phases.push(x.phase),
        });
        running = false;
        await Promise.all([writer, reader]);

        expect(result).toMatchObject({ switched: true, mismatches: [] });
        expect(result.events).toBeGreaterThanOrEqual(ids.length * 2);
        expect(phases).toEqual(expect.arrayContaining(['replaying', 'switching', 'switched']));
        expect(written).toBeGreaterThan(3);
        expect(answers.length).toBeGreaterThan(5);
        expect(answers.every((n) => n === ids.length)).toBe(true);
        expect(await schemas(db)).toEqual(['read_deployments']);
        // Indexes keep the names the migration gave them, so later migrations can name them.
        const indexes = await db.pool.query<{ indexname: string }>(
          "SELECT indexname FROM pg_indexes WHERE schemaname = 'read_deployments' ORDER BY 1",
        );
        expect(indexes.rows.map((r) => r.indexname)).toEqual(
          expect.arrayContaining([
            'deployments_by_name',
            'deployments_pkey',
            'deployment_history_event_id_key',
          ]),
        );

        // The live projection carries on in the switched-in tables.
        const last = await send('ScaleDeployment', ids[5]!, { replicas: 42 });
        const read = await p.queries.get(ids[5]!, { after: positionsOf([last]) });
        expect(read).toMatchObject({
          stale: false,
          deployment: { desired: { replicas: 42 }, version: last.version },
        });
        await p.caughtUpWith(positionsOf(outcomes));
        expect(await p.count('deployment_history')).toBe(outcomes.reduce((n, o) => n + o.events.length, 0));
      } finally {
        await p.close();
      }
    }));

  it('with --verify, names a live table that differs and keeps it; without, replaces it', () =>
    withFreshDatabase(async (db) => {
      const p = projectionHarness(ws, db);
      try {
        await p.live().start();
        await p.caughtUpWith(positionsOf(outcomes));
        await db.pool.query('UPDATE read_deployments.deployments SET replicas = 999 WHERE id = $1', [ids[0]]);

        const verified = await p.rebuild({ verify: true });
        expect(verified.switched).toBe(false);
        expect(verified.mismatches.map((m) => m.table)).toEqual(['deployments']);
        expect((await p.queries.get(ids[0]!)).deployment?.desired.replicas).toBe(999);
        expect(await schemas(db)).toEqual(['read_deployments', 'read_deployments_next']);

        const replaced = await p.rebuild({ verify: false });
        expect(replaced.switched).toBe(true);
        expect((await p.queries.get(ids[0]!)).deployment?.desired.replicas).not.toBe(999);
        expect(await schemas(db)).toEqual(['read_deployments']);
        expect(await p.rebuild({ verify: true })).toMatchObject({ switched: true, mismatches: [] });
      } finally {
        await p.close();
      }
    }));

  it('refuses a second rebuild of the same projection while one runs', () =>
    withFreshDatabase(async (db) => {
      const p = projectionHarness(ws, db);
      try {
        await p.live().start();
        await p.caughtUpWith(positionsOf(outcomes));
        const both = await Promise.allSettled([p.rebuild(), p.rebuild()]);
        expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(both.find((r) => r.status === 'rejected')).toMatchObject({
          reason: { code: 'REBUILD_RUNNING' },
        });
      } finally {
        await p.close();
      }
    }));
});
