import { join } from 'path';
import { Database } from '../../src/infrastructure/postgres/database';
import { migrate } from '../../src/infrastructure/postgres/migrations';
import type { Role } from '../../src/infrastructure/auth/roles';
import { localSentinelEnv, REPO_ROOT } from './env';
import { startSentinel, type SentinelProcess } from './sentinel-process';
import { bearer } from './tokens';

export interface Accepted {
  id: string;
  commandId: string;
  version: number;
  events: { type: string; topic: string; partition: number; offset: string }[];
}

export interface ApiSession {
  readonly app: SentinelProcess;
  call(
    method: string,
    path: string,
    opts?: { role?: Role; subject?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  stop(): Promise<void>;
}

/** `after=` for a query: read-your-writes on the positions a change returned. */
export const afterOf = (a: Accepted) =>
  a.events.map((e) => `${e.topic}:${e.partition}:${e.offset}`).join(',');

/** Migrates, starts Sentinel on its own topic prefix and waits until the write side is ready. */
export async function startApiSession(
  prefix: string,
  roles = 'api,processor,projections',
): Promise<ApiSession> {
  const env = localSentinelEnv();
  const db = new Database(env.SENTINEL_DATABASE_URL!, 1);
  await migrate(db, join(REPO_ROOT, 'migrations')).finally(() => db.close());
  const app = await startSentinel({ SENTINEL_TOPIC_PREFIX: prefix, SENTINEL_ROLES: roles });
  // Cold, the write side registers every schema under this run's topics one at a time.
  await app.ready();
  return {
    app,
    call: async (method, path, opts = {}) =>
      fetch(`${app.url}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(opts.role ? await bearer(opts.role, opts.subject ?? `${opts.role}-user`) : {}),
          ...opts.headers,
        },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      }),
    stop: async () => {
      await app.stop();
    },
  };
}
