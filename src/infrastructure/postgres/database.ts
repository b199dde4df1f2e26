import { Pool, PoolClient } from 'pg';

/** Postgres access: a pool plus the transaction helper every projection write goes through. */
export class Database {
  readonly pool: Pool;

  constructor(url: string, poolMax = 10) {
    this.pool = new Pool({ connectionString: url, max: poolMax, connectionTimeoutMillis: 5000 });
    // An idle client losing its connection (e.g. Postgres restarting) must not crash the process;
    // the pool drops it and the next checkout reconnects.
    this.pool.on('error', () => undefined);
  }

  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Reachability check for /readyz. */
  async ping(timeoutMs: number): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query({ text: `SET statement_timeout = ${Math.trunc(timeoutMs)}` });
      await client.query('SELECT 1');
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
