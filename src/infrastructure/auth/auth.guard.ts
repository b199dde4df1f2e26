import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ProblemException } from '../../http/problem.filter';
import type { Logger } from '../logging/logger';
import { LOGGER } from '../tokens';
import { type AccessDenial, ACCESS_DENIALS, type AccessDenials } from './access-denials';
import { bearerToken, challenge } from './bearer';
import { setActor } from './decorators';
import { isIdentityProviderUnavailable, isTokenRejected, type TokenRejected } from './errors';
import { policyOf } from './policy';
import type { Actor, Role } from './roles';
import { TOKEN_VERIFIER, type TokenVerifier } from './token-verifier';

/**
 * Every endpoint needs a verified bearer token and one of its allowed roles, unless it is
 * Public(). Each refusal is recorded as an access denial before it is answered.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger: Logger;

  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(ACCESS_DENIALS) private readonly denials: AccessDenials,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'auth' });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = policyOf(this.reflector, context.getHandler(), context.getClass());
    if (policy.public) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const actor = await this.authenticate(req, res);
    if (!policy.roles.includes(actor.role)) throw this.forbid(req, res, actor, policy.roles, policy.declared);
    setActor(req, actor);
    return true;
  }

  private async authenticate(req: Request, res: Response): Promise<Actor> {
    try {
      return await this.verifier.verify(bearerToken(req.headers.authorization));
    } catch (error) {
      if (isTokenRejected(error)) throw this.unauthorized(req, res, error);
      if (isIdentityProviderUnavailable(error)) {
        this.logger.error({ err: error }, 'token verification impossible: identity provider unavailable');
        throw new ProblemException({
          type: 'identity-provider-unavailable',
          title: 'Tokens cannot be verified right now',
          status: 503,
          detail: error.message,
        });
      }
      throw error;
    }
  }

  private unauthorized(req: Request, res: Response, rejected: TokenRejected): ProblemException {
    const missing = rejected.reason === 'missing_token';
    const code = rejected.reason === 'malformed_header' ? 'invalid_request' : 'invalid_token';
    res.setHeader(
      'WWW-Authenticate',
      challenge(missing ? undefined : { code, description: rejected.detail }),
    );
    this.record(req, {
      status: 401,
      reason: rejected.reason,
      detail: rejected.detail,
      actor: rejected.subject,
    });
    return new ProblemException({
      type: missing ? 'authentication-required' : 'invalid-token',
      title: missing ? 'Authentication required' : 'The bearer token was refused',
      status: 401,
      detail: rejected.detail,
    });
  }

  private forbid(
    req: Request,
    res: Response,
    actor: Actor,
    allowed: readonly Role[],
    declared: boolean,
  ): ProblemException {
    const detail =
      `role ${actor.role} may not ${req.method} ${pathOf(req)}; allowed: ${allowed.join(', ')}` +
      (declared ? '' : ' (the endpoint declares no roles, so only admin may call it)');
    res.setHeader('WWW-Authenticate', challenge({ code: 'insufficient_scope', description: detail }));
    this.record(req, {
      status: 403,
      reason: 'role_not_allowed',
      detail,
      actor: actor.subject,
      role: actor.role,
      allowedRoles: allowed,
    });
    return new ProblemException({
      type: 'forbidden-role',
      title: 'The role may not do this',
      status: 403,
      detail,
    });
  }

  private record(req: Request, denial: Omit<AccessDenial, 'method' | 'path' | 'correlationId'>): void {
    const id = (req as { id?: unknown }).id;
    this.denials.record({
      ...denial,
      method: req.method,
      path: pathOf(req),
      ...(id === undefined ? {} : { correlationId: String(id) }),
    });
  }
}

const pathOf = (req: Request) => req.originalUrl.split('?')[0]!;
