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
  const verified = new VerifiedTokens(() => options.now?.().getTime() ?? Date.now());
  return {
    async verify(token: string): Promise<Actor> {
      const known = verified.get(token);
      if (known) return known;
      let payload: JWTPayload;
      try {
        ({ payload } = await check(token));
      } catch (error) {
        throw explain(error, token, expected);
      }
      const actor = actorFrom(payload);
      verified.set(token, actor, payload);
      return actor;
    },
  };
}

/** Verified tokens kept at most this long: bounds how long a key the issuer drops still counts. */
const REMEMBER_MS = 5 * 60_000;
const REMEMBERED = 1000;

/**
 * Tokens already verified, by their exact text (signature included, so no other token can match):
 * a client sends the same token with every request, and under a burst of requests verifying
 * each one again was a tenth of the API's CPU. The time claims are checked again on every use.
 */
class VerifiedTokens {
  private readonly tokens = new Map<string, { actor: Actor; until: number; from: number }>();

  constructor(private readonly now: () => number) {}

  get(token: string): Actor | undefined {
    const entry = this.tokens.get(token);
    if (!entry) return undefined;
    const now = this.now();
    if (now < entry.until && now >= entry.from) return entry.actor;
    this.tokens.delete(token);
    return undefined;
  }

  set(token: string, actor: Actor, payload: JWTPayload): void {
    const skew = CLOCK_SKEW_SECONDS * 1000;
    const until = Math.min(payload.exp! * 1000 + skew, this.now() + REMEMBER_MS);
    const from = payload.nbf !== undefined ? payload.nbf * 1000 - skew : 0;
    // Oldest first out: a Map iterates in insertion order.
    if (this.tokens.size >= REMEMBERED) this.tokens.delete(this.tokens.keys().next().value!);
    this.tokens.set(token, { actor, until, from });
  }
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
