import { runCli } from '../support/cli';
import { localSentinelEnv, waitFor } from '../support/env';
import { type SentinelProcess, spawnSentinel, startSentinel } from '../support/sentinel-process';
import { bearer } from '../support/tokens';

/** Identity over HTTP (DESIGN.md §6): the built server and the built `sentinel token`. */
describe('Sentinel process: bearer tokens and roles', () => {
  let app: SentinelProcess;
  const key = localSentinelEnv().SENTINEL_AUTH_SIGNING_KEY!;
  const whoami = (headers: Record<string, string> = {}) => fetch(`${app.url}/v1/whoami`, { headers });

  beforeAll(async () => {
    app = await startSentinel();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('serves health, readiness, metrics and the API document without a token', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect([200, 503]).toContain((await fetch(`${app.url}/readyz`)).status);
    expect((await fetch(`${app.url}/metrics`)).status).toBe(200);
    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { security?: unknown } }>;
    };
    expect(doc.paths['/v1/whoami']?.get?.security).toEqual([{ bearer: [] }]);
  });

  it('answers a protected endpoint without a token with 401 problem+json and a Bearer challenge', async () => {
    const res = await whoami({ 'x-correlation-id': 'auth-e2e-missing' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="sentinel"');
    expect(await res.json()).toMatchObject({
      status: 401,
      title: 'Authentication required',
      detail: 'the request has no Authorization header; send Authorization: Bearer <token>',
      instance: '/v1/whoami',
    });
  });

  it('refuses a token signed with another key, saying why without echoing it', async () => {
    const forged = (await bearer('admin', 'mallory', { SENTINEL_AUTH_SIGNING_KEY: 'x'.repeat(40) }))
      .authorization;
    const res = await whoami({ authorization: forged });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="sentinel", error="invalid_token", ' +
        'error_description="signature does not verify with the configured signing key"',
    );
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ type: expect.stringMatching(/invalid-token$/) });
    expect(body).not.toContain(forged.slice('Bearer '.length));

    const garbage = await whoami({ authorization: 'Bearer not.a.jwt' });
    expect(garbage.status).toBe(401);
    expect(garbage.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('tells a viewer who it is', async () => {
    const res = await whoami(await bearer('viewer', 'vera'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ subject: 'vera', role: 'viewer' });
  });

  it('accepts a token minted by `sentinel token`', async () => {
    const minted = await runCli(['token', '--sub', 'alice', '--role', 'operator', '--ttl', '5m'], {
      SENTINEL_AUTH_SIGNING_KEY: key,
    });
    expect(minted).toMatchObject({ code: 0, stderr: '' });
    const res = await whoami({ authorization: `Bearer ${minted.stdout.trim()}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ subject: 'alice', role: 'operator' });
  });

  it('records each denial as an audit log line and in sentinel_http_access_denied_total', async () => {
    const line = await waitFor(
      'the audit line of the denial',
      () =>
        app
          .output()
          .split('\n')
          .filter((l) => l.includes('"audit":"access_denied"') && l.includes('"auth-e2e-missing"'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)[0],
    );
    expect(line).toMatchObject({
      level: 'warn',
      status: 401,
      reason: 'missing_token',
      method: 'GET',
      path: '/v1/whoami',
      correlationId: 'auth-e2e-missing',
    });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    const denied = (reason: string) =>
      metrics
        .split('\n')
        .filter((l) => l.startsWith('sentinel_http_access_denied_total{'))
        .filter((l) => l.includes('status="401"') && l.includes(`reason="${reason}"`))
        .map((l) => Number(l.split(' ').pop()));
    expect(denied('missing_token')).toEqual([expect.any(Number)]);
    expect(denied('missing_token')[0]).toBeGreaterThanOrEqual(1);
    expect(denied('bad_signature')).toEqual([1]);
  });
});

describe('Identity configuration', () => {
  it('refuses to start with neither a signing key nor a JWKS URL, naming both', async () => {
    const env = localSentinelEnv();
    delete env.SENTINEL_AUTH_SIGNING_KEY;
    delete env.SENTINEL_AUTH_JWKS_URL;
    const { exited, output } = spawnSentinel(env);
    expect((await exited).code).toBe(78);
    expect(output()).toMatch(/SENTINEL_AUTH_SIGNING_KEY: is missing, and so is SENTINEL_AUTH_JWKS_URL/);
    expect(output()).toMatch(/SENTINEL_AUTH_JWKS_URL: is missing, and so is SENTINEL_AUTH_SIGNING_KEY/);
  });

  it('`sentinel token` refuses without a signing key (78) and with an unknown role (64)', async () => {
    const noKey = await runCli(['token', '--sub', 'alice', '--role', 'viewer'], {});
    expect(noKey.code).toBe(78);
    expect(noKey.stderr).toMatch(/SENTINEL_AUTH_SIGNING_KEY: is missing/);
    expect(noKey.stdout).toBe('');

    const badRole = await runCli(['token', '--sub', 'alice', '--role', 'root'], {
      SENTINEL_AUTH_SIGNING_KEY: 'k'.repeat(32),
    });
    expect(badRole.code).toBe(64);
    expect(badRole.stderr).toMatch(/--role "root" is not a role; use one of viewer, operator, admin, system/);
  });
});
