import { ConfigError, loadConfig, redact } from '../config/config';
import { parseTtl } from './local-tokens';

const base = {
  SENTINEL_KAFKA_BROKERS: '127.0.0.1:9092',
  SENTINEL_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  SENTINEL_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sentinel',
};
const KEY = 'a-local-signing-key-of-at-least-32-bytes';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.variable}: ${p.reason}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('auth configuration', () => {
  it('defaults issuer and audience for local tokens, and redacts the key', () => {
    const config = loadConfig({ ...base, SENTINEL_AUTH_SIGNING_KEY: KEY });
    expect(config.auth).toEqual({
      mode: 'local',
      signingKey: KEY,
      issuer: 'sentinel-local',
      audience: 'sentinel',
    });
    expect(redact(config).auth).toMatchObject({ signingKey: '***' });
    expect(JSON.stringify(redact(config))).not.toContain(KEY);
  });

  it('refuses to start with neither a signing key nor a JWKS URL, naming both', () => {
    expect(problemsOf({})).toEqual([
      'SENTINEL_AUTH_SIGNING_KEY: is missing, and so is SENTINEL_AUTH_JWKS_URL; set one',
      'SENTINEL_AUTH_JWKS_URL: is missing, and so is SENTINEL_AUTH_SIGNING_KEY; set one',
    ]);
  });

  it('refuses both at once', () => {
    expect(
      problemsOf({ SENTINEL_AUTH_SIGNING_KEY: KEY, SENTINEL_AUTH_JWKS_URL: 'https://idp.example/jwks' }),
    ).toEqual(['SENTINEL_AUTH_SIGNING_KEY: is set together with SENTINEL_AUTH_JWKS_URL; set only one']);
  });

  it('refuses a key shorter than 32 bytes without repeating it', () => {
    const problems = problemsOf({ SENTINEL_AUTH_SIGNING_KEY: 'short-secret' });
    expect(problems).toEqual(['SENTINEL_AUTH_SIGNING_KEY: the value is 12 bytes; HS256 needs at least 32']);
    const message = (() => {
      try {
        return loadConfig({ ...base, SENTINEL_AUTH_SIGNING_KEY: 'short-secret' }) && '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toMatch(/SENTINEL_AUTH_SIGNING_KEY: the value is 12 bytes/);
    expect(message).not.toContain('short-secret');
  });

  it('takes an OIDC issuer with pinned asymmetric algorithms', () => {
    const config = loadConfig({
      ...base,
      SENTINEL_AUTH_JWKS_URL: 'https://idp.example/realms/ml/protocol/openid-connect/certs',
      SENTINEL_AUTH_ISSUER: 'https://idp.example/realms/ml',
    });
    expect(config.auth).toEqual({
      mode: 'oidc',
      jwksUrl: 'https://idp.example/realms/ml/protocol/openid-connect/certs',
      issuer: 'https://idp.example/realms/ml',
      audience: 'sentinel',
      algorithms: ['RS256', 'ES256'],
    });
  });

  it('says what an OIDC configuration lacks or gets wrong', () => {
    const jwks = { SENTINEL_AUTH_JWKS_URL: 'https://idp.example/jwks' };
    expect(problemsOf(jwks)).toEqual([
      'SENTINEL_AUTH_ISSUER: is missing; it is required with SENTINEL_AUTH_JWKS_URL',
    ]);
    expect(problemsOf({ SENTINEL_AUTH_JWKS_URL: 'http://idp.example/jwks' })).toEqual([
      'SENTINEL_AUTH_JWKS_URL: "http://idp.example/jwks" must start with https:// (http:// only for localhost)',
    ]);
    expect(
      problemsOf({ ...jwks, SENTINEL_AUTH_ISSUER: 'x', SENTINEL_AUTH_ALGORITHMS: 'RS256,HS256' }),
    ).toEqual([expect.stringMatching(/^SENTINEL_AUTH_ALGORITHMS: "RS256,HS256" /)]);
    expect(problemsOf({ SENTINEL_AUTH_SIGNING_KEY: KEY, SENTINEL_AUTH_ALGORITHMS: 'RS256' })).toEqual([
      'SENTINEL_AUTH_ALGORITHMS: applies only with SENTINEL_AUTH_JWKS_URL; local tokens are HS256',
    ]);
  });
});

describe('token lifetimes', () => {
  it.each([
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604_800],
    ['30d', 2_592_000],
  ])('reads %s as %i seconds', (text, seconds) => expect(parseTtl(text)).toBe(seconds));

  it.each(['', '1', 'h', '1.5h', '-1h', '0s', '31d', '1w', '1h30m'])('refuses %j', (text) =>
    expect(parseTtl(text)).toBeUndefined(),
  );
});
