import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'crypto';

/**
 * Ed25519 keys of the audit digests (docs/adr/0008). The private key signs on the server; the
 * public key is all an auditor needs. Keys are PEM, or base64 DER (PKCS#8 private, SPKI public)
 * so a key fits in one environment variable.
 */
export class AuditKeyError extends Error {
  readonly code = 'AUDIT_KEY_INVALID';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditKeyError';
  }
}

function ed25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new AuditKeyError(`the ${what} is a ${key.asymmetricKeyType ?? 'symmetric'} key, not Ed25519`);
  return key;
}

const isPem = (text: string) => text.includes('-----BEGIN');

export function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  try {
    const key = isPem(trimmed)
      ? createPrivateKey(trimmed)
      : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
    return ed25519(key, 'signing key');
  } catch (error) {
    if (error instanceof AuditKeyError) throw error;
    throw new AuditKeyError('the signing key is not a PEM or base64 PKCS#8 private key', { cause: error });
  }
}

export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(trimmed))
    throw new AuditKeyError('this is a private key; verify with the public key (audit-signing.pub)');
  try {
    const key = isPem(trimmed)
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
    return ed25519(key, 'public key');
  } catch (error) {
    if (error instanceof AuditKeyError) throw error;
    throw new AuditKeyError('the public key is not a PEM or base64 SPKI public key', { cause: error });
  }
}

/** Names a key without revealing anything: the first 16 hex digits of its SPKI's SHA-256. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export function generateAuditKeyPair(): { privatePem: string; publicPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}
