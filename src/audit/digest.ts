import { createHash, type KeyObject, sign, verify } from 'crypto';
import { canonicalJson } from './canonical';
import { keyIdOf } from './digest-keys';

/**
 * Signed digests of the event log (docs/adr/0008): each covers, per partition of every event
 * topic, the offsets written since the previous digest, and links to that digest by its hash,
 * so the digests form one signed chain over the whole log.
 */
export const DIGEST_FORMAT = 'sentinel.audit.digest/1';
/** The `previous` of the first digest. */
export const GENESIS_DIGEST = '0'.repeat(64);

/** Records of one partition in [from, to): offsets are int64 decimal strings. */
export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  readonly from: string;
  readonly to: string;
  readonly count: number;
  /** SHA-256 over "<offset> <chain hash>\n" of each record in offset order. */
  readonly hash: string;
}

export interface DigestBody {
  readonly format: typeof DIGEST_FORMAT;
  readonly sequence: number;
  readonly previous: string;
  readonly createdAt: string;
  readonly keyId: string;
  readonly ranges: readonly PartitionRange[];
}

export interface SignedDigest {
  readonly body: DigestBody;
  /** Ed25519 over the canonical JSON of `body`, base64. */
  readonly signature: string;
}

/** Accumulates one partition's range as its records are read, without keeping them. */
export class RangeHasher {
  private readonly sha = createHash('sha256');
  private count = 0;
  private next: bigint;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly from: string,
  ) {
    this.next = BigInt(from);
  }

  /** Records outside [from, to) are ignored by the caller; offsets arrive in ascending order. */
  add(offset: string, chainHash: string | undefined): void {
    this.sha.update(`${offset} ${chainHash ?? '-'}\n`, 'utf8');
    this.count += 1;
    this.next = BigInt(offset) + 1n;
  }

  /**
   * `to` is one past the last record: committed offsets are not contiguous (transaction markers
   * take offsets too), and a marker after the last record may still be unwritten.
   */
  finish(to?: string): PartitionRange {
    const end = to ?? this.next.toString();
    const { topic, partition, from, count } = this;
    return { topic, partition, from, to: end, count, hash: this.sha.digest('hex') };
  }
}

export function digestHash(body: DigestBody): string {
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

export function nextDigestBody(
  previous: SignedDigest | undefined,
  ranges: readonly PartitionRange[],
  createdAt: string,
  key: KeyObject,
): DigestBody {
  const sorted = [...ranges].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
  return {
    format: DIGEST_FORMAT,
    sequence: (previous?.body.sequence ?? 0) + 1,
    previous: previous ? digestHash(previous.body) : GENESIS_DIGEST,
    createdAt,
    keyId: keyIdOf(key),
    ranges: sorted,
  };
}

export function signDigest(body: DigestBody, privateKey: KeyObject): SignedDigest {
  const signature = sign(null, Buffer.from(canonicalJson(body), 'utf8'), privateKey);
  return { body, signature: signature.toString('base64') };
}

export function signatureValid(digest: SignedDigest, publicKey: KeyObject): boolean {
  return verify(
    null,
    Buffer.from(canonicalJson(digest.body), 'utf8'),
    publicKey,
    Buffer.from(digest.signature, 'base64'),
  );
}

/** Where each partition's next range must start: the end of its last covered range. */
export function coveredEnds(digest: SignedDigest | undefined): Map<string, string> {
  return new Map((digest?.body.ranges ?? []).map((r) => [`${r.topic}/${r.partition}`, r.to]));
}

export function encodeDigest(digest: SignedDigest): Buffer {
  return Buffer.from(canonicalJson(digest), 'utf8');
}

export class DigestFormatError extends Error {
  readonly code = 'DIGEST_UNREADABLE';
}

/** Reads a digest record's value; the shape is checked, the signature is not (see digest-chain). */
export function decodeDigest(value: Buffer | null): SignedDigest {
  let doc: unknown;
  try {
    doc = JSON.parse(value?.toString('utf8') ?? '');
  } catch {
    throw new DigestFormatError('not JSON');
  }
  const d = doc as Partial<SignedDigest> | null;
  if (typeof d?.signature !== 'string' || d.body?.format !== DIGEST_FORMAT)
    throw new DigestFormatError(`not a ${DIGEST_FORMAT} document`);
  if (!isBody(d.body)) throw new DigestFormatError('a field of the digest body is missing or malformed');
  return d as SignedDigest;
}

function isBody(b: Partial<DigestBody>): boolean {
  const strings = [b.previous, b.createdAt, b.keyId].every((s) => typeof s === 'string');
  return strings && Number.isSafeInteger(b.sequence) && Array.isArray(b.ranges) && b.ranges.every(isRange);
}

function isRange(r: unknown): r is PartitionRange {
  const x = r as Partial<PartitionRange> | null;
  return (
    typeof x?.topic === 'string' &&
    Number.isSafeInteger(x.partition) &&
    /^\d+$/.test(String(x.from)) &&
    /^\d+$/.test(String(x.to)) &&
    Number.isSafeInteger(x.count) &&
    typeof x.hash === 'string'
  );
}
