import { createHash } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import type { PoolClient } from 'pg';
import type { Database } from './database';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// Serialises concurrent `sentinel migrate` runs against one database.
const LOCK_KEY = 0x5e471;

/** Reads `NNNN_name.sql` files in version order; anything else in the folder is an error. */
export function readMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const m = FILE.exec(file);
      if (!m) throw new Error(`migration file ${file} must be named NNNN_lower_snake_name.sql`);
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(m[1]),
        name: m[2]!,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(
        `migration versions must be contiguous from 0001; found ${m.version} at position ${i + 1}`,
      );
  });
  return migrations;
}

/**
 * Applies pending migrations, each in its own transaction together with its bookkeeping row.
 * An applied migration whose file changed since is refused: migrations are append-only.
 */
export async function migrate(
  db: Database,
  dir: string,
  onApplied: (m: Migration) => void = () => undefined,
) {
  const migrations = readMigrations(dir);
  const client = await db.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS sentinel_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number; checksum: string }>(
      'SELECT version, checksum FROM sentinel_migrations',
    );
    const applied = new Map(rows.map((r) => [r.version, r.checksum]));
    const done: Migration[] = [];
    for (const m of migrations) {
      const checksum = applied.get(m.version);
      if (checksum === m.checksum) continue;
      if (checksum !== undefined) {
        throw new Error(
          `migration ${m.version} (${m.name}) changed after it was applied; add a new migration instead`,
        );
      }
      await applyOne(client, m);
      done.push(m);
      onApplied(m);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

async function applyOne(client: PoolClient, m: Migration): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(m.sql);
    await client.query('INSERT INTO sentinel_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
      m.version,
      m.name,
      m.checksum,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new Error(`migration ${m.version} (${m.name}) failed: ${(error as Error).message}`);
  }
}
