import { randomUUID } from 'crypto';
import { SignJWT } from 'jose';
import type { Actor } from './roles';

export interface LocalSigning {
  signingKey: string;
  issuer: string;
  audience: string;
}

/** A token for a local run, HS256 with the configured key; what `sentinel token` prints. */
export function signLocalToken(
  actor: Actor,
  signing: LocalSigning,
  ttlSeconds: number,
  now: Date = new Date(),
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ sentinel_role: actor.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(actor.subject)
    .setIssuer(signing.issuer)
    .setAudience(signing.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(signing.signingKey));
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
/** Long-lived bearer tokens are leaked credentials waiting to happen. */
export const MAX_TTL_SECONDS = 30 * 86_400;

/** `90s`, `15m`, `1h`, `7d` as seconds; undefined when malformed or outside 1 s .. 30 d. */
export function parseTtl(text: string): number | undefined {
  const m = /^(\d{1,7})([smhd])$/.exec(text.trim());
  if (!m) return undefined;
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
  return seconds >= 1 && seconds <= MAX_TTL_SECONDS ? seconds : undefined;
}
