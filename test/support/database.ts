import { join } from 'path';
import { Client } from 'pg';
import { Database } from '../../src/infrastructure/postgres/database';
import { migrate } from '../../src/infrastructure/postgres/migrations';
import { randomName, REPO_ROOT, testConfig } from './env';

export const MIGRATIONS = join(REPO_ROOT, 'migrations');

/** A database of its own for one test (migrated unless told otherwise), dropped afterwards. */
export async function withFreshDatabase(
  work: (db: Database) => Promise<void>,
  options: { migrated?: boolean } = {},
) {
  const config = testConfig();
  const name = randomName('it_db').replace(/-/g, '_');
  const admin = new Client({ connectionString: config.database.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(config.database.url);
  url.pathname = `/${name}`;
  const db = new Database(url.toString(), 4);
  try {
    if (options.migrated ?? true) await migrate(db, MIGRATIONS);
    await work(db);
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  }
}
