import { signLocalToken } from '../../src/infrastructure/auth/local-tokens';
import type { Role } from '../../src/infrastructure/auth/roles';
import { LOCAL_ISSUER } from '../../src/infrastructure/config/config';
import { localSentinelEnv } from './env';

/**
 * Headers with a bearer token for a test request, signed as the Sentinel under test verifies
 * (by default the local stack's environment; pass the env a test started Sentinel with).
 */
export async function bearer(
  role: Role,
  subject = `test-${role}`,
  env: Record<string, string> = localSentinelEnv(),
): Promise<{ authorization: string }> {
  const signing = {
    signingKey: env.SENTINEL_AUTH_SIGNING_KEY!,
    issuer: env.SENTINEL_AUTH_ISSUER ?? LOCAL_ISSUER,
    audience: env.SENTINEL_AUTH_AUDIENCE ?? 'sentinel',
  };
  return { authorization: `Bearer ${await signLocalToken({ subject, role }, signing, 600)}` };
}
