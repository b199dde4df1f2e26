import { identifier, type Literal, type Queryable } from './sql';

/**
 * Where a projection's rows live and how a rebuild is switched in (migrations/0003): the live
 * tables are in `read_<name>`, a rebuild writes `read_<name>_next`, and the switch renames both
 * schemas in one transaction.
 */
export interface SchemaNames {
  readonly live: string;
  readonly next: string;
  readonly old: string;
}

export function schemaNames(projection: string): SchemaNames {
  const live = identifier(`read_${projection}`);
  return { live, next: `${live}_next`, old: `${live}_old` };
}

/** Advisory lock class of the switch lock (the key within it is the projection's name). */
const SWITCH_LOCK = 0x5e472;
/** Advisory lock class held for a whole rebuild, so two rebuilds of one projection never race. */
const REBUILD_LOCK = 0x5e473;

/**
 * Live writers hold the switch lock shared for each batch's transaction; the switch holds it
 * exclusively, so it waits for the batches in flight and no live batch writes during it. Live
 * writers only try it: while a switch holds or awaits it they give their connection back and
 * retry, so a paused projection never sits on connections the queries need.
 */
export function trySharedSwitchLockSql(literal: Literal, projection: string): string {
  return `SELECT pg_try_advisory_xact_lock_shared(${SWITCH_LOCK}, hashtext(${literal(projection)})) AS ok`;
}

export async function takeExclusiveSwitchLock(tx: Queryable, projection: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SWITCH_LOCK, projection]);
}

/** Session lock for the duration of a rebuild; false when another rebuild holds it. */
export async function tryRebuildLock(session: Queryable, projection: string): Promise<boolean> {
  const { rows } = await session.query<{ ok: boolean }>(
    'SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok',
    [REBUILD_LOCK, projection],
  );
  return rows[0]!.ok;
}

export async function releaseRebuildLock(session: Queryable, projection: string): Promise<void> {
  await session.query('SELECT pg_advisory_unlock($1, hashtext($2))', [REBUILD_LOCK, projection]);
}

export async function tablesOf(db: Queryable, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    'SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY tablename',
    [schema],
  );
  return rows.map((r) => r.name);
}

/**
 * Creates `to` with the tables of `from`, empty: columns, defaults and checks by LIKE, then the
 * keys and indexes under their own names (LIKE would invent new ones), so the swapped-in schema
 * looks exactly like the one the migrations built and later migrations can name its indexes.
 */
export async function cloneSchema(tx: Queryable, from: string, to: string): Promise<string[]> {
  await tx.query(`CREATE SCHEMA ${identifier(to)}`);
  const tables = await tablesOf(tx, from);
  for (const table of tables) {
    const source = `${identifier(from)}.${identifier(table)}`;
    const target = `${to}.${table}`;
    await tx.query(`CREATE TABLE ${target} (LIKE ${source} INCLUDING ALL EXCLUDING INDEXES)`);
    const constraints = await tx.query<{ name: string; def: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname`,
      [source],
    );
    for (const c of constraints.rows)
      await tx.query(`ALTER TABLE ${target} ADD CONSTRAINT ${identifier(c.name)} ${c.def}`);
    const indexes = await tx.query<{ def: string }>(
      `SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
       WHERE i.indrelid = $1::regclass
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
      [source],
    );
    for (const { def } of indexes.rows) await tx.query(def.replace(/ ON \S+ USING /, ` ON ${target} USING `));
  }
  return tables;
}

export async function dropSchema(db: Queryable, schema: string): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${identifier(schema)} CASCADE`);
}

/** The switch proper: `next` becomes the live schema and the live one becomes `old`. */
export async function swapSchemas(tx: Queryable, names: SchemaNames): Promise<void> {
  await tx.query(`ALTER SCHEMA ${names.live} RENAME TO ${names.old}`);
  await tx.query(`ALTER SCHEMA ${names.next} RENAME TO ${names.live}`);
}

export interface TableChecksum {
  readonly rows: number;
  readonly hash: string;
}

/**
 * Row count and an order-independent digest of every row's text form, per table. Read models
 * hold no wall-clock columns (times are the events'), so equal logs give equal digests.
 */
export async function checksums(db: Queryable, schema: string): Promise<Map<string, TableChecksum>> {
  const result = new Map<string, TableChecksum>();
  for (const table of await tablesOf(db, schema)) {
    const { rows } = await db.query<{ rows: string; hash: string | null }>(
      `SELECT count(*) AS rows, md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) AS hash
       FROM ${identifier(schema)}.${identifier(table)} t`,
    );
    result.set(table, { rows: Number(rows[0]!.rows), hash: rows[0]!.hash ?? 'empty' });
  }
  return result;
}
