import type { CommandResult } from '../eventing/command-result';
import { runCli } from '../../test/support/cli';
import { withFreshDatabase } from '../../test/support/database';
import { createDeployment } from '../../test/support/deployments';
import { localSentinelEnv, randomName } from '../../test/support/env';
import { commands, positionsOf, projectionHarness } from '../../test/support/projections';
import { writeSide } from '../../test/support/write-side';

/** `sentinel projections rebuild` as an operator runs it, beside a live projection. */
describe('sentinel projections rebuild', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  let processor: ReturnType<Awaited<ReturnType<typeof writeSide>>['processor']>;
  const outcomes: CommandResult[] = [];
  const ids = Array.from({ length: 6 }, (_, i) => `${randomName('dep')}-${i}`);

  beforeAll(async () => {
    ws = await writeSide(3);
    processor = ws.processor();
    await processor.start();
    const send = commands(ws, await ws.results());
    for (const id of ids) outcomes.push(await send('CreateDeployment', id, createDeployment(id)));
    for (const id of ids) outcomes.push(await send('ScaleDeployment', id, { replicas: 7 }));
  });
  afterAll(async () => {
    await processor.stop();
    await ws.close();
  });

  it('prints progress, switches, and with --verify exits 1 naming a table that differs', () =>
    withFreshDatabase(async (db) => {
      const p = projectionHarness(ws, db);
      const url = (db.pool as unknown as { options: { connectionString: string } }).options.connectionString;
      const stack = localSentinelEnv();
      const env = {
        SENTINEL_KAFKA_BROKERS: stack.SENTINEL_KAFKA_BROKERS!,
        SENTINEL_SCHEMA_REGISTRY_URL: stack.SENTINEL_SCHEMA_REGISTRY_URL!,
        SENTINEL_DATABASE_URL: url,
        SENTINEL_TOPIC_PREFIX: ws.prefix,
      };
      try {
        await p.live().start();
        await p.caughtUpWith(positionsOf(outcomes));

        const ok = await runCli(['projections', 'rebuild', 'deployments', '--verify'], env);
        expect(ok).toMatchObject({ code: 0, stderr: '' });
        expect(ok.stdout).toMatch(/^deployments: replaying .*events applied/m);
        expect(ok.stdout).toMatch(/^deployments: switched to the rebuilt tables at .*; 12 event\(s\) in /m);

        await db.pool.query(
          "UPDATE read_deployments.deployment_history SET actor = 'mallory' WHERE version = 2",
        );
        const differs = await runCli(['projections', 'rebuild', '--all', '--verify'], env);
        expect(differs.code).toBe(1);
        expect(differs.stdout).toMatch(/^deployments: table deployment_history differs: live 12 row\(s\)/m);
        expect(differs.stdout).toMatch(/NOT switched.*kept in read_deployments_next/);

        const usage = await runCli(['projections', 'rebuild', 'nonsense'], env);
        expect(usage.code).not.toBe(0);
        expect(usage.stderr).toMatch(
          /no projection named nonsense \(known: deployments, policies, decisions, audit\)/,
        );
      } finally {
        await p.close();
      }
    }));
});
