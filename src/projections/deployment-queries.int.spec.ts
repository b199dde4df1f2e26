import { COMPONENTS, Components } from '../health/components';
import { Global, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CommandResult } from '../eventing/command-result';
import { ProblemFilter } from '../http/problem.filter';
import type { Database } from '../infrastructure/postgres/database';
import { CONFIG, DATABASE, LOGGER, MESSAGING } from '../infrastructure/tokens';
import { withFreshDatabase } from '../../test/support/database';
import { createDeployment } from '../../test/support/deployments';
import { randomName, testConfig, testLogger } from '../../test/support/env';
import { commands, positionsOf, projectionHarness } from '../../test/support/projections';
import { writeSide } from '../../test/support/write-side';
import { InvalidCursor } from './cursor';
import type { DeploymentView } from './deployment-views';
import { ProjectionsModule } from './projections.module';

/** Queries over the read model, read-your-writes, and the HTTP endpoints in front of them. */
describe('deployment queries against the real stack', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  let processor: ReturnType<Awaited<ReturnType<typeof writeSide>>['processor']>;
  let send: ReturnType<typeof commands>;
  const outcomes: CommandResult[] = [];
  const run = randomName('q');
  const NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf'];
  const idOf = (name: string) => `${run}-${name}`;

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
    for (const [i, name] of NAMES.entries())
      await send(
        'CreateDeployment',
        idOf(name),
        createDeployment(idOf(name), {
          name,
          cluster: i % 2 ? 'local-b' : 'local-a',
          team: i < 3 ? 'vision' : 'nlp',
        }),
      );
    await send('DeleteDeployment', idOf('golf'), {});
    for (const replicas of [3, 4, 5, 6]) await send('ScaleDeployment', idOf('alpha'), { replicas });
  });
  afterAll(async () => {
    await processor.stop();
    await ws.close();
  });

  /** A database with the projection caught up with everything sent so far. */
  async function projected(work: (p: ReturnType<typeof projectionHarness>, db: Database) => Promise<void>) {
    await withFreshDatabase(async (db) => {
      const p = projectionHarness(ws, db);
      try {
        await p.live().start();
        await p.caughtUpWith(positionsOf(outcomes));
        await work(p, db);
      } finally {
        await p.close();
      }
    });
  }

  it('lists by name with filters and an opaque cursor', () =>
    projected(async (p) => {
      const names = (items: DeploymentView[]) => items.map((d) => d.name);
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await p.queries.list({}, { limit: 3, ...(cursor ? { cursor } : {}) });
        pages.push(names(page.items));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(pages).toEqual([NAMES.slice(0, 3), NAMES.slice(3, 6), NAMES.slice(6)]);

      expect(names((await p.queries.list({ cluster: 'local-b' }, { limit: 50 })).items)).toEqual([
        'bravo',
        'delta',
        'foxtrot',
      ]);
      expect(
        names((await p.queries.list({ team: 'vision', cluster: 'local-a' }, { limit: 50 })).items),
      ).toEqual(['alpha', 'charlie']);
      expect(names((await p.queries.list({ status: 'Deleted' }, { limit: 50 })).items)).toEqual(['golf']);
      expect((await p.queries.list({ namespace: 'nowhere' }, { limit: 50 })).items).toEqual([]);
      await expect(p.queries.list({}, { limit: 5, cursor: 'bm90LWpzb24' })).rejects.toBeInstanceOf(
        InvalidCursor,
      );
    }));

  it('pages history by version', () =>
    projected(async (p) => {
      const first = await p.queries.history(idOf('alpha'), { limit: 2 });
      const second = await p.queries.history(idOf('alpha'), { limit: 2, cursor: first.nextCursor! });
      const third = await p.queries.history(idOf('alpha'), { limit: 2, cursor: second.nextCursor! });
      expect([first, second, third].map((page) => page.items.map((h) => h.version))).toEqual([
        [1, 2],
        [3, 4],
        [5],
      ]);
      expect(third).toMatchObject({ nextCursor: null, found: true });
      expect(await p.queries.history('no-such-deployment', { limit: 2 })).toMatchObject({
        items: [],
        found: false,
      });
    }));

  it('waits for the positions a command returned, and says when they were not reached', () =>
    withFreshDatabase(async (db) => {
      const p = projectionHarness(ws, db);
      try {
        const runner = p.live();
        await runner.start();
        await p.caughtUpWith(positionsOf(outcomes));
        await runner.stop();

        // The projection is stopped: the change cannot show up, and the answer says so.
        const scaled = await send('ScaleDeployment', idOf('bravo'), { replicas: 9 });
        const stale = await p.queriesWithWait(300).get(idOf('bravo'), { after: positionsOf([scaled]) });
        expect(stale).toMatchObject({ stale: true, deployment: { desired: { replicas: 2 } } });

        await runner.start();
        const fresh = await p.queries.get(idOf('bravo'), { after: positionsOf([scaled]) });
        expect(fresh).toMatchObject({
          stale: false,
          deployment: { version: scaled.version, desired: { replicas: 9 } },
        });

        // Right after the command, with its positions: the new deployment is there.
        const created = await send(
          'CreateDeployment',
          idOf('hotel'),
          createDeployment(idOf('hotel'), { name: 'hotel' }),
        );
        const read = await p.queries.list(
          { team: 'ml-platform' },
          { limit: 50 },
          { after: positionsOf([created]) },
        );
        expect(read.stale).toBe(false);
        expect(read.items.map((d) => d.id)).toContain(idOf('hotel'));
      } finally {
        await p.close();
      }
    }));

  describe('over HTTP', () => {
    let app: INestApplication;
    let url: string;
    let db: Database;
    let release: () => void;
    let dropped: Promise<void>;

    beforeAll(async () => {
      // The app's own projection consumer (role `projections`) keeps this database current.
      let ready!: () => void;
      const opened = new Promise<void>((r) => (ready = r));
      dropped = withFreshDatabase(async (fresh) => {
        db = fresh;
        ready();
        await new Promise<void>((r) => (release = r));
      });
      await opened;
      const config = testConfig({ SENTINEL_TOPIC_PREFIX: ws.prefix, SENTINEL_ROLES: 'api,projections' });
      @Global()
      @Module({
        providers: [
          { provide: CONFIG, useValue: config },
          { provide: DATABASE, useValue: db },
          { provide: LOGGER, useValue: testLogger() },
          { provide: MESSAGING, useValue: ws.messaging },
          { provide: COMPONENTS, useValue: new Components() },
        ],
        exports: [CONFIG, DATABASE, LOGGER, MESSAGING, COMPONENTS],
      })
      class TestInfrastructure {}
      @Module({ imports: [TestInfrastructure, ProjectionsModule] })
      class TestApp {}
      app = await NestFactory.create(TestApp, { logger: false });
      app.useGlobalFilters(new ProblemFilter(testLogger()));
      await app.listen(0, '127.0.0.1');
      url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    });
    afterAll(async () => {
      await app?.close();
      release?.();
      await dropped;
    });

    const get = (path: string) => fetch(`${url}${path}`);
    const after = (o: CommandResult) =>
      o.events.map((e) => `${e.topic}:${e.partition}:${e.offset}`).join(',');

    it('answers one deployment with its version as ETag, once the projection has its positions', async () => {
      const last = outcomes.at(-1)!;
      const res = await get(`/v1/deployments/${last.aggregateId}?after=${after(last)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe(`"${last.version}"`);
      expect(res.headers.get('sentinel-stale')).toBeNull();
      expect(await res.json()).toMatchObject({ id: last.aggregateId, version: last.version });
    });

    it('lists and pages with a cursor, and shows a history', async () => {
      await get(`/v1/deployments?after=${outcomes.map(after).filter(Boolean).join(',')}`);
      const page = (await (await get('/v1/deployments?limit=2&cluster=local-a')).json()) as {
        items: { name: string }[];
        nextCursor: string;
        stale: boolean;
      };
      expect(page.items.map((d) => d.name)).toEqual(['alpha', 'charlie']);
      const next = (await (
        await get(`/v1/deployments?limit=2&cluster=local-a&cursor=${page.nextCursor}`)
      ).json()) as {
        items: { name: string }[];
      };
      expect(next.items.map((d) => d.name)).toEqual(['echo', 'golf']);
      const history = (await (await get(`/v1/deployments/${idOf('alpha')}/history?limit=10`)).json()) as {
        items: { version: number; type: string; actor: string; causationId: string }[];
      };
      expect(history.items.map((h) => h.version)).toEqual([1, 2, 3, 4, 5]);
      expect(history.items[0]).toMatchObject({ type: 'DeploymentCreated', actor: 'alice' });
    });

    it('answers bad parameters with 400 problem details naming each, and unknown ids with 404', async () => {
      const problem = async (path: string, status: number) => {
        const res = await get(path);
        expect(res.status).toBe(status);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        return (await res.json()) as { errors?: { field: string; reason: string }[] };
      };
      expect(
        (await problem('/v1/deployments?limit=0&status=Gone', 400)).errors?.map((e) => e.field).sort(),
      ).toEqual(['limit', 'status']);
      expect((await problem('/v1/deployments?colour=red', 400)).errors).toEqual([
        { field: 'colour', reason: 'is not a known query parameter' },
      ]);
      expect((await problem('/v1/deployments?cursor=bm90LWpzb24', 400)).errors).toEqual([
        expect.objectContaining({ field: 'cursor' }),
      ]);
      expect((await problem('/v1/deployments/x?after=topic-without-offset', 400)).errors).toEqual([
        expect.objectContaining({ field: 'after' }),
      ]);
      await problem('/v1/deployments/no-such-deployment', 404);
      await problem('/v1/deployments/no-such-deployment/history', 404);
    });
  });
});
