import { cpSync, mkdtempSync, appendFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MIGRATIONS, withFreshDatabase as withDatabase } from '../../../test/support/database';
import type { Database } from './database';
import { migrate } from './migrations';

/** These tests apply the migrations themselves. */
const withFreshDatabase = (work: (db: Database) => Promise<void>) => withDatabase(work, { migrated: false });

describe('Postgres migrations and round trip against the real server', () => {
  it('applies the migrations once, then round-trips a checkpoint in a transaction', () =>
    withFreshDatabase(async (db) => {
      const applied = await migrate(db, MIGRATIONS);
      expect(applied.map((m) => m.version)).toEqual(expect.arrayContaining([1]));
      expect(await migrate(db, MIGRATIONS)).toEqual([]);

      await db.transaction((c) =>
        c.query(
          'INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) VALUES ($1, $2, $3, $4)',
          ['deployments', 'sentinel.deployments.events', 2, '9007199254740993'],
        ),
      );
      const { rows } = await db.pool.query(
        'SELECT next_offset FROM projection_checkpoints WHERE projection = $1',
        ['deployments'],
      );
      expect(rows).toEqual([{ next_offset: '9007199254740993' }]);
    }));

  it('inlines values as literals that store exactly what the same values as parameters store', () =>
    withFreshDatabase(async (db) => {
      await db.pool.query(
        'CREATE TABLE lit (k int PRIMARY KEY, s text, j jsonb, b boolean, n numeric, t timestamptz, i int)',
      );
      const hostile = `it's a \\ back'slash; DROP TABLE lit; -- $1 \u00e9\u{1F600}`;
      const row = [
        hostile,
        JSON.stringify({ q: "o'k", b: '\\' }),
        true,
        12.5,
        new Date('2026-11-27T10:00:00Z'),
        null,
      ];
      await db.pool.query('INSERT INTO lit VALUES (1, $1, $2, $3, $4, $5, $6)', row);
      await db.pool.query(`INSERT INTO lit VALUES (2, ${row.map((v) => db.literal(v)).join(', ')})`);
      const { rows } = await db.pool.query('SELECT s, j, b, n, t, i FROM lit ORDER BY k');
      expect(rows).toHaveLength(2);
      expect(rows[1]).toEqual(rows[0]);
      expect(rows[1].s).toBe(hostile);
      expect(() => db.literal(Buffer.from('x'))).toThrow(/binary/);
    }));

  it('rolls back the whole transaction when a statement in it fails', () =>
    withFreshDatabase(async (db) => {
      await migrate(db, MIGRATIONS);
      const insert =
        "INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) VALUES ('p', 't', 0, 1)";
      await expect(
        db.transaction(async (c) => {
          await c.query(insert);
          await c.query(insert); // duplicate key
        }),
      ).rejects.toMatchObject({ code: '23505' });
      expect((await db.pool.query('SELECT count(*)::int AS n FROM projection_checkpoints')).rows[0].n).toBe(
        0,
      );
    }));

  it('refuses an applied migration whose file was edited, and a failing one leaves no trace', () =>
    withFreshDatabase(async (db) => {
      const dir = mkdtempSync(join(tmpdir(), 'sentinel-migrations-'));
      cpSync(MIGRATIONS, dir, { recursive: true });
      await migrate(db, dir);
      const files = (await db.pool.query('SELECT count(*)::int AS n FROM sentinel_migrations')).rows[0]
        .n as number;

      writeFileSync(
        join(dir, `${String(files + 1).padStart(4, '0')}_broken.sql`),
        'CREATE TABLE ok (id int); SELECT * FROM missing_table;',
      );
      await expect(migrate(db, dir)).rejects.toThrow(
        /_?broken\) failed: relation "missing_table" does not exist/,
      );
      expect((await db.pool.query("SELECT to_regclass('ok') AS t")).rows[0].t).toBeNull();

      appendFileSync(join(dir, '0001_projection_checkpoints.sql'), '\n-- edited\n');
      await expect(migrate(db, dir)).rejects.toThrow(
        /migration 1 \(projection_checkpoints\) changed after it was applied/,
      );
    }));

  it('answers the readiness ping', () => withFreshDatabase((db) => db.ping(2000)));
});
