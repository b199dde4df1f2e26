/** Why a request was denied; bounded, so it can label a metric. */
export type DenialReason =
  | 'missing_token'
  | 'malformed_header'
  | 'malformed_token'
  | 'expired'
  | 'not_yet_valid'
  | 'bad_signature'
  | 'disallowed_algorithm'
  | 'unknown_key'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'missing_claim'
  | 'invalid_claim'
  | 'unknown_role'
  | 'role_not_allowed';

/**
 * The token (or its absence) does not identify a caller: answered 401. `detail` says what was
 * wrong and never contains the token. `subject` is set only when the signature verified.
 */
export class TokenRejected extends Error {
  readonly code = 'TOKEN_REJECTED';
  constructor(
    readonly reason: Exclude<DenialReason, 'role_not_allowed'>,
    readonly detail: string,
    readonly subject?: string,
  ) {
    super(detail);
    this.name = 'TokenRejected';
  }
}

/** The issuer's keys could not be fetched, so no token can be judged: answered 503, not 401. */
export class IdentityProviderUnavailable extends Error {
  readonly code = 'IDENTITY_PROVIDER_UNAVAILABLE';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'IdentityProviderUnavailable';
  }
}

export const isTokenRejected = (e: unknown): e is TokenRejected =>
  (e as { code?: unknown } | null)?.code === 'TOKEN_REJECTED';
export const isIdentityProviderUnavailable = (e: unknown): e is IdentityProviderUnavailable =>
  (e as { code?: unknown } | null)?.code === 'IDENTITY_PROVIDER_UNAVAILABLE';
