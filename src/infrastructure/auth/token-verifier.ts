import {
  createRemoteJWKSet,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import type { AuthConfig } from '../config/config';
import { TokenRejected } from './errors';
import { explain, type Expected } from './rejections';
import { type Actor, isRole, ROLES } from './roles';

export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');

/** Resolves a bearer token to its actor, or throws TokenRejected saying what was wrong. */
export interface TokenVerifier {
  verify(token: string): Promise<Actor>;
}

/** Clocks of issuers and Sentinel drift; a token is honoured this long past exp (and before nbf). */
export const CLOCK_SKEW_SECONDS = 30;

export interface VerifierOptions {
  /** The clock; jose reads the real one when absent. */
  now?: () => Date;
  /** Keys for the OIDC mode instead of fetching the JWKS URL (tests, key files). */
  keys?: JWTVerifyGetKey;
}

export function createTokenVerifier(auth: AuthConfig, options: VerifierOptions = {}): TokenVerifier {
  const local = auth.mode === 'local';
  const expected: Expected = {
    issuer: auth.issuer,
    audience: auth.audience,
    // Pinned: the header's alg is never trusted to choose how a token is checked.
    algorithms: local ? ['HS256'] : auth.algorithms,
    keySource: local ? 'the configured signing key' : `the issuer's keys (${auth.jwksUrl})`,
    remote: !local,
  };
  const verifyOptions = (): JWTVerifyOptions => ({
    issuer: expected.issuer,
    audience: expected.audience,
    algorithms: [...expected.algorithms],
    requiredClaims: ['exp', 'sub'],
    clockTolerance: CLOCK_SKEW_SECONDS,
    currentDate: options.now?.(),
  });
  const secret = auth.mode === 'local' ? new TextEncoder().encode(auth.signingKey) : undefined;
  const keys = auth.mode === 'oidc' ? (options.keys ?? createRemoteJWKSet(new URL(auth.jwksUrl))) : undefined;
  const check = (token: string) =>
    secret ? jwtVerify(token, secret, verifyOptions()) : jwtVerify(token, keys!, verifyOptions());
  return {
    async verify(token: string): Promise<Actor> {
      let payload: JWTPayload;
      try {
        ({ payload } = await check(token));
      } catch (error) {
        throw explain(error, token, expected);
      }
      return actorFrom(payload);
    },
  };
}

/**
 * The actor of a verified token. The role is `sentinel_role`, or else the first entry of an
 * OIDC provider's `roles` array that is a Sentinel role.
 */
export function actorFrom(payload: JWTPayload): Actor {
  const subject = payload.sub;
  if (typeof subject !== 'string' || subject.trim() === '')
    throw new TokenRejected('invalid_claim', 'the sub claim must be a non-empty string');
  const named = `one of ${ROLES.join(', ')}`;
  if (payload.sentinel_role !== undefined) {
    if (isRole(payload.sentinel_role)) return { subject, role: payload.sentinel_role };
    throw new TokenRejected('unknown_role', `the sentinel_role claim must be ${named}`, subject);
  }
  if (Array.isArray(payload.roles)) {
    const role = payload.roles.find(isRole);
    if (role) return { subject, role };
    throw new TokenRejected('unknown_role', `the roles claim names none of ${ROLES.join(', ')}`, subject);
  }
  throw new TokenRejected(
    'missing_claim',
    `token has no sentinel_role claim (or roles claim) naming ${named}`,
    subject,
  );
}
