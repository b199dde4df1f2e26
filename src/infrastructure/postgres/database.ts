import * as pg from 'pg';
import { escapeLiteral, Pool, PoolClient } from 'pg';

/** What one statement of a multi-statement text returned. */
export interface QueryRows {
  readonly rows: Record<string, unknown>[];
}

/** The driver's own parameter serialisation (untyped in @types/pg, present in pg 8). */
const { prepareValue } = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils;

/** Postgres access: a pool plus the transaction helper every projection write goes through. */
export class Database {
  readonly pool: Pool;

  constructor(
    /** Where it connects; a second pool to the same database (a bulkhead) is opened with it. */
    readonly url: string,
    poolMax = 10,
  ) {
    // Idle connections are kept for minutes, not pg's default 10 s: a burst after a quiet spell
    // should not first pay a connection setup per client.
    this.pool = new Pool({
      connectionString: url,
      max: poolMax,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 300_000,
    });
    // An idle client losing its connection (e.g. Postgres restarting) must not crash the process;
    // the pool drops it and the next checkout reconnects.
    this.pool.on('error', () => undefined);
  }

  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.rolledBackOnFailure(async (client) => {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    });
  }

  /** Runs `work` on a checked-out client; if it fails, whatever transaction it opened rolls back. */
  private async rolledBackOnFailure<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await work(client);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * A transaction in two round trips, for writers that pay per round trip under load: `open`
   * (statements separated by `;`, run after BEGIN) reads what the write depends on; `write`
   * gets each statement's rows and returns the statements that finish it (COMMIT follows them
   * in the same round trip) or none (the transaction rolls back). Text only: values must be
   * inlined with `literal`, since several statements in one round trip cannot take parameters.
   */
  async readThenWrite<T>(
    open: string,
    write: (results: QueryRows[]) => Promise<{ sql?: string; value: T }>,
  ): Promise<T> {
    return this.rolledBackOnFailure(async (client) => {
      const opened = (await client.query(`BEGIN;\n${open}`)) as unknown as QueryRows[];
      const { sql, value } = await write(opened.slice(1));
      await client.query(sql ? `${sql};\nCOMMIT` : 'ROLLBACK');
      return value;
    });
  }

  /**
   * A value as a quoted SQL literal: the text the driver would send for it as a parameter
   * (dates, booleans, numbers), escaped. For statements batched into one simple query.
   */
  literal(value: unknown): string {
    if (value === null || value === undefined) return 'NULL';
    if (Buffer.isBuffer(value)) throw new Error('binary values cannot be inlined as literals');
    return escapeLiteral(String(prepareValue(value)));
  }

  /** Opens up to `count` connections now, so the first burst of work does not wait for them. */
  async warm(count: number): Promise<void> {
    const clients = await Promise.all(Array.from({ length: count }, () => this.pool.connect()));
    clients.forEach((c) => c.release());
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
