import { decodeProtectedHeader, type JWTPayload } from 'jose';
import { IdentityProviderUnavailable, TokenRejected } from './errors';

/** What the verifier was told to expect, for messages that say what a token should have been. */
export interface Expected {
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  /** Where the keys come from, as a person would name it. */
  keySource: string;
  /** Keys fetched over the network: an unexpected failure means the issuer is unreachable. */
  remote: boolean;
}

type JoseError = Error & { code?: string; claim?: string; reason?: string; payload?: JWTPayload };

const at = (seconds: unknown) =>
  typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : 'an unreadable time';

/** Header values are attacker-chosen: shown only when short and plain. */
function headerValue(token: string, name: 'alg' | 'kid'): string {
  try {
    const value = decodeProtectedHeader(token)[name];
    return typeof value === 'string' && /^[\w.:-]{1,64}$/.test(value) ? value : '(unreadable)';
  } catch {
    return '(unreadable)';
  }
}

// jose checks claims only after the signature verified, so the subject is the signer's word.
const subjectOf = (e: JoseError) => (typeof e.payload?.sub === 'string' ? e.payload.sub : undefined);

function claimFailure(e: JoseError, expected: Expected): TokenRejected {
  const subject = subjectOf(e);
  const reject = (reason: TokenRejected['reason'], detail: string) =>
    new TokenRejected(reason, detail, subject);
  if (e.reason === 'missing') return reject('missing_claim', `token has no ${e.claim} claim`);
  switch (e.claim) {
    case 'iss':
      return reject('wrong_issuer', `issuer must be ${expected.issuer}`);
    case 'aud':
      return reject('wrong_audience', `audience must be ${expected.audience}`);
    case 'nbf':
      return reject('not_yet_valid', `token is not valid before ${at(e.payload?.nbf)}`);
    default:
      return reject('invalid_claim', `the ${e.claim ?? 'unnamed'} claim is invalid: ${e.message}`);
  }
}

type Explainer = (e: JoseError, token: string, expected: Expected) => TokenRejected;
const algorithm: Explainer = (_e, token, expected) =>
  new TokenRejected(
    'disallowed_algorithm',
    `algorithm ${headerValue(token, 'alg')} is not accepted; expected ${expected.algorithms.join(', ')}`,
  );
const unknownKey: Explainer = (_e, token, expected) =>
  new TokenRejected(
    'unknown_key',
    `no single key of ${expected.keySource} matches kid ${headerValue(token, 'kid')}`,
  );
const malformed: Explainer = (e) =>
  new TokenRejected('malformed_token', `token is not a valid signed JWT: ${e.message}`);

/** By jose error code (jose's errors.ts); a Map, so no inherited key can match a code. */
const EXPLAINERS = new Map<string, Explainer>([
  [
    'ERR_JWT_EXPIRED',
    (e) => new TokenRejected('expired', `token expired at ${at(e.payload?.exp)}`, subjectOf(e)),
  ],
  ['ERR_JWT_CLAIM_VALIDATION_FAILED', (e, _token, expected) => claimFailure(e, expected)],
  [
    'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    (_e, _token, expected) =>
      new TokenRejected('bad_signature', `signature does not verify with ${expected.keySource}`),
  ],
  ['ERR_JOSE_ALG_NOT_ALLOWED', algorithm],
  ['ERR_JOSE_NOT_SUPPORTED', algorithm],
  ['ERR_JWKS_NO_MATCHING_KEY', unknownKey],
  ['ERR_JWKS_MULTIPLE_MATCHING_KEYS', unknownKey],
  ['ERR_JWS_INVALID', malformed],
  ['ERR_JWT_INVALID', malformed],
  ['ERR_JWK_INVALID', malformed],
]);

/**
 * Turns a jose verification failure into the reason a caller is told. Failures to reach the
 * issuer's keys are not the caller's fault and become IdentityProviderUnavailable.
 */
export function explain(error: unknown, token: string, expected: Expected): Error {
  const e = error as JoseError;
  const explainer = typeof e?.code === 'string' ? EXPLAINERS.get(e.code) : undefined;
  if (explainer) return explainer(e, token, expected);
  if (!expected.remote) return error instanceof Error ? error : new Error(String(error));
  return new IdentityProviderUnavailable(
    `cannot verify tokens: ${expected.keySource} is unavailable (${e?.message ?? String(error)})`,
    { cause: error },
  );
}
