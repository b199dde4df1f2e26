import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { AuthConfig } from '../config/config';
import { IdentityProviderUnavailable, TokenRejected } from './errors';
import { signLocalToken } from './local-tokens';
import { createTokenVerifier, type VerifierOptions } from './token-verifier';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const local = {
  mode: 'local' as const,
  signingKey: 'a-local-signing-key-of-at-least-32-bytes',
  issuer: 'sentinel-local',
  audience: 'sentinel',
};
const verifier = createTokenVerifier(local, { now: () => NOW });
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Signs arbitrary claims the way a careless or hostile issuer might. */
function forge(claims: JWTPayload, options: { key?: string; alg?: string } = {}) {
  return new SignJWT({
    sub: 'alice',
    sentinel_role: 'viewer',
    iss: 'sentinel-local',
    aud: 'sentinel',
    exp: seconds(NOW) + 600,
    ...claims,
  })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .sign(new TextEncoder().encode(options.key ?? local.signingKey));
}

/** The rejection a token earns; fails the test if it is accepted. */
async function rejection(token: string, v = verifier): Promise<TokenRejected> {
  const error = await v.verify(token).then(
    (actor) => new Error(`accepted as ${JSON.stringify(actor)}`),
    (e: unknown) => e,
  );
  if (!(error instanceof TokenRejected)) throw error;
  // Whatever went wrong, the caller is never shown the token back.
  expect(error.detail).not.toContain(token);
  for (const part of token.split('.').filter((p) => p.length > 8)) expect(error.detail).not.toContain(part);
  return error;
}

describe('local token verification (HS256, configured key)', () => {
  it('accepts a token minted for the configured issuer and audience, giving its actor', async () => {
    const token = await signLocalToken({ subject: 'alice', role: 'operator' }, local, 3600, NOW);
    await expect(verifier.verify(token)).resolves.toEqual({ subject: 'alice', role: 'operator' });
  });

  it('refuses an expired token, saying when it expired', async () => {
    const token = await signLocalToken(
      { subject: 'alice', role: 'viewer' },
      local,
      60,
      new Date(NOW.getTime() - 120_000),
    );
    expect(await rejection(token)).toMatchObject({
      reason: 'expired',
      detail: 'token expired at 2026-03-01T11:59:00.000Z',
      subject: 'alice',
    });
  });

  it('allows 30 s of clock skew past exp, and no more', async () => {
    const expiredAgo = (s: number) => forge({ exp: seconds(NOW) - s });
    await expect(verifier.verify(await expiredAgo(20))).resolves.toMatchObject({ subject: 'alice' });
    expect((await rejection(await expiredAgo(31))).reason).toBe('expired');
  });

  it('remembers a verified token, but refuses it once it expires, as if seen for the first time', async () => {
    let now = NOW;
    const clocked = createTokenVerifier(local, { now: () => now });
    const token = await forge({ exp: seconds(NOW) + 60 });
    await expect(clocked.verify(token)).resolves.toMatchObject({ subject: 'alice' });
    // A token differing only in its signature is never taken for the remembered one.
    const [header, payload] = token.split('.');
    expect((await rejection(`${header}.${payload}.${'A'.repeat(43)}`, clocked)).reason).toBe('bad_signature');
    now = new Date(NOW.getTime() + 60_000 + 29_000);
    await expect(clocked.verify(token)).resolves.toMatchObject({ subject: 'alice' });
    now = new Date(NOW.getTime() + 60_000 + 31_000);
    expect((await rejection(token, clocked)).reason).toBe('expired');
  });

  it('refuses a token signed with another key', async () => {
    const token = await forge({}, { key: 'another-signing-key-that-is-32-bytes-long' });
    expect(await rejection(token)).toMatchObject({
      reason: 'bad_signature',
      detail: 'signature does not verify with the configured signing key',
      subject: undefined,
    });
  });

  it('refuses a wrong issuer and a wrong audience, naming what is expected', async () => {
    expect(await rejection(await forge({ iss: 'someone-else' }))).toMatchObject({
      reason: 'wrong_issuer',
      detail: 'issuer must be sentinel-local',
    });
    expect(await rejection(await forge({ aud: 'billing' }))).toMatchObject({
      reason: 'wrong_audience',
      detail: 'audience must be sentinel',
    });
  });

  it('refuses alg none and any algorithm but HS256', async () => {
    const payload = (await forge({})).split('.')[1];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    expect(await rejection(none)).toMatchObject({
      reason: 'disallowed_algorithm',
      detail: 'algorithm none is not accepted; expected HS256',
    });
    expect(await rejection(await forge({}, { alg: 'HS512' }))).toMatchObject({
      reason: 'disallowed_algorithm',
      detail: 'algorithm HS512 is not accepted; expected HS256',
    });
  });

  it('requires sub and exp', async () => {
    expect(await rejection(await forge({ sub: undefined }))).toMatchObject({
      reason: 'missing_claim',
      detail: 'token has no sub claim',
    });
    const noExp = await new SignJWT({ sub: 'alice', sentinel_role: 'viewer' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('sentinel-local')
      .setAudience('sentinel')
      .sign(new TextEncoder().encode(local.signingKey));
    expect(await rejection(noExp)).toMatchObject({
      reason: 'missing_claim',
      detail: 'token has no exp claim',
    });
  });

  it('refuses an unknown role, and a token without any role', async () => {
    expect(await rejection(await forge({ sentinel_role: 'root' }))).toMatchObject({
      reason: 'unknown_role',
      detail: 'the sentinel_role claim must be one of viewer, operator, admin, system',
      subject: 'alice',
    });
    expect(await rejection(await forge({ sentinel_role: undefined }))).toMatchObject({
      reason: 'missing_claim',
      detail: expect.stringMatching(/^token has no sentinel_role claim/),
    });
  });

  it('takes the first Sentinel role of a roles array claim', async () => {
    const token = await forge({
      sentinel_role: undefined,
      roles: ['offline_access', 7, 'operator', 'admin'],
    });
    await expect(verifier.verify(token)).resolves.toEqual({ subject: 'alice', role: 'operator' });
    expect(
      await rejection(await forge({ sentinel_role: undefined, roles: ['uma_authorization'] })),
    ).toMatchObject({
      reason: 'unknown_role',
      detail: 'the roles claim names none of viewer, operator, admin, system',
    });
  });

  it('refuses what is not a JWT at all', async () => {
    expect(await rejection('not-a-jwt')).toMatchObject({ reason: 'malformed_token' });
  });
});

describe('OIDC token verification (an issuer JWKS, pinned algorithms)', () => {
  const oidc: AuthConfig = {
    mode: 'oidc',
    jwksUrl: 'https://idp.example/jwks',
    issuer: 'https://idp.example',
    audience: 'sentinel',
    algorithms: ['ES256'],
  };
  let sign: (claims: JWTPayload, kid?: string) => Promise<string>;
  let verifierOf: (keys?: VerifierOptions['keys']) => ReturnType<typeof createTokenVerifier>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] });
    sign = (claims, kid = 'k1') =>
      new SignJWT({ iss: oidc.issuer, aud: 'sentinel', sub: 'svc-ci', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setExpirationTime(seconds(NOW) + 600)
        .sign(privateKey);
    verifierOf = (keys = jwks) => createTokenVerifier(oidc, { now: () => NOW, keys });
  });

  it("accepts the issuer's token and reads the role from its roles array", async () => {
    const token = await sign({ roles: ['default-roles', 'system'] });
    await expect(verifierOf().verify(token)).resolves.toEqual({ subject: 'svc-ci', role: 'system' });
  });

  it('refuses an HS256 token (no key confusion with public JWKS material)', async () => {
    const token = await forge({ iss: oidc.issuer }, { key: 'a-local-signing-key-of-at-least-32-bytes' });
    expect(await rejection(token, verifierOf())).toMatchObject({
      reason: 'disallowed_algorithm',
      detail: 'algorithm HS256 is not accepted; expected ES256',
    });
  });

  it('names the kid no key matches', async () => {
    expect(
      await rejection(await sign({ sentinel_role: 'viewer' }, 'rotated-away'), verifierOf()),
    ).toMatchObject({
      reason: 'unknown_key',
      detail: "no single key of the issuer's keys (https://idp.example/jwks) matches kid rotated-away",
    });
  });

  it('reports an unreachable issuer as unavailable, not as a bad token', async () => {
    const unreachable = () => Promise.reject(new TypeError('fetch failed'));
    const error = await verifierOf(unreachable)
      .verify(await sign({ sentinel_role: 'viewer' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityProviderUnavailable);
    expect((error as Error).message).toMatch(
      /https:\/\/idp\.example\/jwks\) is unavailable \(fetch failed\)/,
    );
  });
});
