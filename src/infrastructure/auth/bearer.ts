import { TokenRejected } from './errors';

/** RFC 6750 §2.1 b64token, so a header with anything else is refused before any parsing. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The token of an `Authorization: Bearer <token>` header, or TokenRejected saying what is wrong. */
export function bearerToken(header: string | string[] | undefined): string {
  if (header === undefined || header === '')
    throw new TokenRejected(
      'missing_token',
      'the request has no Authorization header; send Authorization: Bearer <token>',
    );
  if (Array.isArray(header)) throw new TokenRejected('malformed_header', 'send one Authorization header');
  const match = BEARER.exec(header);
  if (match) return match[1]!;
  const scheme = /^[A-Za-z][\w-]{0,19}(?= |$)/.exec(header)?.[0];
  throw new TokenRejected(
    'malformed_header',
    scheme && scheme.toLowerCase() !== 'bearer'
      ? `the Authorization scheme must be Bearer, not ${scheme}`
      : 'the Authorization header must be "Bearer <token>" with a single token',
  );
}

/** RFC 6750 §3: the challenge; no error code when no credentials were sent at all. */
export function challenge(error?: { code: string; description: string }): string {
  if (!error) return 'Bearer realm="sentinel"';
  // A quoted-string may not carry " or \ (RFC 6750 §3), nor anything outside printable ASCII.
  const description = error.description.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
  return `Bearer realm="sentinel", error="${error.code}", error_description="${description}"`;
}
