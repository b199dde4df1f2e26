import { createPrivateKey } from 'crypto';
import { z } from 'zod';

/** The value checks Sentinel's configuration variables share (config.ts). */
export const hostPort = z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'must be host:port');
export const url = (protocols: string[]) =>
  z
    .string()
    .url('must be a URL')
    .refine(
      (v) => protocols.some((p) => v.startsWith(`${p}://`)),
      `must start with ${protocols.join(':// or ')}://`,
    );
export const intIn = (min: number, max: number) =>
  z.coerce.number().int('must be an integer').min(min).max(max);
/** An Ed25519 private key as PEM or base64 PKCS#8 DER (docs/adr/0008). */
export function isEd25519PrivateKey(value: string): boolean {
  const text = value.trim();
  const der = () => ({ key: Buffer.from(text, 'base64'), format: 'der' as const, type: 'pkcs8' as const });
  try {
    return createPrivateKey(text.includes('-----BEGIN') ? text : der()).asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}
/** Only public-key algorithms from a JWKS: an HMAC "key" there would be public (key confusion). */
export const ASYMMETRIC_ALGORITHMS = [
  ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  ...['ES256', 'ES384', 'ES512', 'EdDSA'],
] as const;
