import { join } from 'path';
import { Database } from '../src/infrastructure/postgres/database';
import { migrate } from '../src/infrastructure/postgres/migrations';
import type { Role } from '../src/infrastructure/auth/roles';
import { localSentinelEnv, randomName, REPO_ROOT } from './support/env';
import { startSentinel, type SentinelProcess } from './support/sentinel-process';
import { bearer } from './support/tokens';

const READ: Role[] = ['viewer', 'operator', 'admin', 'system'];
const WRITE: Role[] = ['operator', 'admin', 'system'];
const ADMIN: Role[] = ['admin'];

/**
 * Who may call what. Every operation in the OpenAPI document must be listed here, so a new
 * endpoint cannot ship without a decision about its roles.
 */
const MATRIX: Record<string, Role[]> = {
  'get /v1/whoami': READ,
  'get /v1/clusters': READ,
  'get /v1/commands/{commandId}': READ,
  'get /v1/deployments': READ,
  'get /v1/deployments/{id}': READ,
  'get /v1/deployments/{id}/history': READ,
  'post /v1/deployments': WRITE,
  'patch /v1/deployments/{id}': WRITE,
  'delete /v1/deployments/{id}': WRITE,
  'post /v1/deployments/{id}/scale': WRITE,
  'post /v1/deployments/{id}/rollback': WRITE,
  'get /v1/policies': READ,
  'get /v1/policies/{id}': READ,
  'post /v1/policies': ADMIN,
  'put /v1/policies/{id}': ADMIN,
  'delete /v1/policies/{id}': ADMIN,
  'post /v1/policies/{id}/enable': ADMIN,
  'post /v1/policies/{id}/disable': ADMIN,
  'post /v1/policies/what-if': READ,
  'post /v1/policies/evaluate': READ,
  'get /v1/decisions': READ,
  'get /v1/decisions/{id}': READ,
  'get /v1/audit/events': READ,
  'get /v1/audit/streams/{aggregateId}': READ,
  'get /v1/audit/verify': READ,
  'post /v1/audit/digests': ADMIN,
  'get /v1/audit/changes/{id}/evidence': READ,
  'get /v1/reports/compliance': READ,
};

const ID = '00000000-0000-8000-8000-000000000000';

describe('RBAC: every endpoint × every role', () => {
  const env = localSentinelEnv({ SENTINEL_TOPIC_PREFIX: randomName('rbac').replace(/-/g, '_') });
  let app: SentinelProcess;
  let operations: string[] = [];

  beforeAll(async () => {
    const db = new Database(env.SENTINEL_DATABASE_URL!, 1);
    await migrate(db, join(REPO_ROOT, 'migrations')).finally(() => db.close());
    app = await startSentinel({ SENTINEL_TOPIC_PREFIX: env.SENTINEL_TOPIC_PREFIX!, SENTINEL_ROLES: 'api' });
    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as { paths: Record<string, object> };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m} ${path}`),
    );
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('lists every documented /v1 operation in the matrix, and nothing undocumented', () => {
    const documented = operations.filter((o) => o.includes(' /v1/')).sort();
    expect(documented).toEqual(Object.keys(MATRIX).sort());
  });

  it('answers 401 without a token, 403 to a role not allowed, and lets allowed roles through', async () => {
    const outcomes: string[] = [];
    for (const [operation, allowed] of Object.entries(MATRIX)) {
      const [method, template] = operation.split(' ') as [string, string];
      const url = `${app.url}${template.replace(/\{[^}]+\}/g, ID)}`;
      // An empty body: an allowed caller gets past the guard and is stopped by validation,
      // so nothing is changed while the guard's answer is still observable.
      const send = (headers: Record<string, string>) =>
        fetch(url, {
          method: method.toUpperCase(),
          headers: { 'content-type': 'application/json', ...headers },
          ...(method === 'get' ? {} : { body: '{}' }),
        }).then((r) => r.status);
      const anonymous = await send({});
      if (anonymous !== 401) outcomes.push(`${operation} without a token: ${anonymous}`);
      for (const role of ['viewer', 'operator', 'admin', 'system'] as Role[]) {
        const status = await send(await bearer(role, `matrix-${role}`, env));
        const expected = allowed.includes(role) ? 'allowed' : 'forbidden';
        const got = status === 403 ? 'forbidden' : status === 401 ? 'unauthenticated' : 'allowed';
        if (got !== expected) outcomes.push(`${operation} as ${role}: ${status}, expected ${expected}`);
      }
    }
    expect(outcomes).toEqual([]);
  });
});
