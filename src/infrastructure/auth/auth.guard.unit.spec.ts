import { Controller, type ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Writable } from 'stream';
import { Registry } from 'prom-client';
import { ProblemException } from '../../http/problem.filter';
import { createLogger } from '../logging/logger';
import { type AccessDenial, LoggingAccessDenials } from './access-denials';
import { AuthGuard } from './auth.guard';
import { actorOf, Public, Roles } from './decorators';
import { signLocalToken } from './local-tokens';
import { ADMIN_ROLES, type Role, WRITE_ROLES } from './roles';
import { createTokenVerifier } from './token-verifier';

const auth = {
  mode: 'local',
  signingKey: 'a-local-signing-key-of-at-least-32-bytes',
  issuer: 'sentinel-local',
  audience: 'sentinel',
} as const;

@Controller('undeclared')
class Undeclared {
  @Get() forgotten() {}
}

@Roles(...WRITE_ROLES)
@Controller('deployments')
class Deployments {
  @Get() write() {}
  @Roles(...ADMIN_ROLES) @Get('purge') purge() {}
  @Public() @Get('catalog') catalog() {}
}

@Public()
@Controller('status')
class Status {
  @Get() open() {}
  @Roles('admin') @Get('secrets') secrets() {}
}

/** An HTTP request as the guard sees it, with the response headers it sets. */
function http(controller: new () => object, method: string, authorization?: string) {
  const headers: Record<string, string> = {};
  const req = {
    method: 'GET',
    originalUrl: `/v1/${method}?token=should-not-be-logged`,
    headers: authorization ? { authorization } : {},
    id: 'corr-1',
  };
  const res = { setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value) };
  const context = {
    getHandler: () => (controller.prototype as Record<string, unknown>)[method],
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { context, req, headers };
}

describe('AuthGuard', () => {
  const denials: AccessDenial[] = [];
  const guard = new AuthGuard(
    new Reflector(),
    createTokenVerifier(auth),
    { record: (d) => denials.push(d) },
    createLogger('silent'),
  );
  const bearer = async (role: Role) =>
    `Bearer ${await signLocalToken({ subject: `${role}-user`, role }, auth, 600)}`;
  /** The problem the guard answers with; fails the test if it lets the request through. */
  const refusal = async (call: ReturnType<typeof http>) => {
    const error = await guard.canActivate(call.context).then(
      () => new Error('the request was let through'),
      (e: unknown) => e,
    );
    if (!(error instanceof ProblemException)) throw error;
    return error.problem;
  };
  beforeEach(() => denials.splice(0));

  it('fails closed: an endpoint that declares no roles is denied to all but admin', async () => {
    for (const role of ['viewer', 'operator', 'system'] as const) {
      const problem = await refusal(http(Undeclared, 'forgotten', await bearer(role)));
      expect(problem).toMatchObject({
        status: 403,
        detail: `role ${role} may not GET /v1/forgotten; allowed: admin (the endpoint declares no roles, so only admin may call it)`,
      });
    }
    const admin = http(Undeclared, 'forgotten', await bearer('admin'));
    await expect(guard.canActivate(admin.context)).resolves.toBe(true);
    expect(actorOf(admin.req)).toEqual({ subject: 'admin-user', role: 'admin' });
  });

  it('applies the closest declaration: handler over controller', async () => {
    await expect(
      guard.canActivate(http(Deployments, 'write', await bearer('operator')).context),
    ).resolves.toBe(true);
    expect((await refusal(http(Deployments, 'purge', await bearer('operator')))).status).toBe(403);
    await expect(guard.canActivate(http(Deployments, 'catalog').context)).resolves.toBe(true);
    await expect(guard.canActivate(http(Status, 'open').context)).resolves.toBe(true);
    expect((await refusal(http(Status, 'secrets'))).status).toBe(401);
  });

  it('answers a request without a token with 401 and a bare Bearer challenge, and records it', async () => {
    const call = http(Deployments, 'write');
    expect(await refusal(call)).toMatchObject({ status: 401, type: 'authentication-required' });
    expect(call.headers['www-authenticate']).toBe('Bearer realm="sentinel"');
    expect(denials).toEqual([
      {
        status: 401,
        reason: 'missing_token',
        detail: 'the request has no Authorization header; send Authorization: Bearer <token>',
        method: 'GET',
        path: '/v1/write',
        correlationId: 'corr-1',
        actor: undefined,
      },
    ]);
  });

  it('answers a refused token with invalid_token and the reason, and a wrong scheme with invalid_request', async () => {
    const expired = `Bearer ${await signLocalToken({ subject: 'bob', role: 'admin' }, auth, 1, new Date(Date.now() - 120_000))}`;
    const call = http(Deployments, 'write', expired);
    expect(await refusal(call)).toMatchObject({
      status: 401,
      detail: expect.stringMatching(/^token expired at 20/),
    });
    expect(call.headers['www-authenticate']).toMatch(
      /^Bearer realm="sentinel", error="invalid_token", error_description="token expired at 20[^"]+"$/,
    );
    expect(denials[0]).toMatchObject({ reason: 'expired', actor: 'bob' });

    const basic = http(Deployments, 'write', 'Basic YWxpY2U6c2VjcmV0');
    expect(await refusal(basic)).toMatchObject({
      detail: 'the Authorization scheme must be Bearer, not Basic',
    });
    expect(basic.headers['www-authenticate']).toMatch(/error="invalid_request"/);
  });

  it('records a 403 with the actor, its role and the roles allowed', async () => {
    const call = http(Deployments, 'write', await bearer('viewer'));
    expect(await refusal(call)).toMatchObject({
      status: 403,
      type: 'forbidden-role',
      detail: 'role viewer may not GET /v1/write; allowed: operator, admin, system',
    });
    expect(call.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(denials).toEqual([
      expect.objectContaining({
        status: 403,
        reason: 'role_not_allowed',
        actor: 'viewer-user',
        role: 'viewer',
        allowedRoles: ['operator', 'admin', 'system'],
      }),
    ]);
  });

  it('refuses Roles() without roles where it is written', () => {
    expect(() => Roles()).toThrow('Roles() needs at least one role');
  });
});

describe('LoggingAccessDenials', () => {
  it('writes a warn-level audit line and counts the denial by status and reason', async () => {
    let output = '';
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => ((output += chunk.toString()), done()) });
    const registry = new Registry();
    const denials = new LoggingAccessDenials(createLogger('info', sink), () => registry);
    denials.onModuleInit();
    expect(await registry.metrics()).toMatch(/# TYPE sentinel_http_access_denied_total counter/);

    denials.record({
      status: 401,
      reason: 'expired',
      detail: 'token expired at x',
      method: 'GET',
      path: '/v1/a',
    });
    denials.record({
      status: 401,
      reason: 'expired',
      detail: 'token expired at y',
      method: 'GET',
      path: '/v1/b',
    });
    expect(await registry.metrics()).toMatch(
      /^sentinel_http_access_denied_total\{status="401",reason="expired"\} 2$/m,
    );
    expect(JSON.parse(output.split('\n')[0]!)).toMatchObject({
      level: 'warn',
      audit: 'access_denied',
      status: 401,
      reason: 'expired',
      method: 'GET',
      path: '/v1/a',
      msg: 'access denied: token expired at x',
    });
  });
});
