import type { KeyObject } from 'crypto';
import {
  coveredEnds,
  decodeDigest,
  digestHash,
  GENESIS_DIGEST,
  type PartitionRange,
  type SignedDigest,
  signatureValid,
} from './digest';
import { keyIdOf } from './digest-keys';

export type DigestProblemKind =
  | 'unreadable digest'
  | 'bad signature'
  | 'broken link'
  | 'sequence gap'
  | 'range gap'
  | 'range mismatch'
  | 'record altered';

/** One thing wrong with the digests, located by the digest record and, where it applies, a record. */
export interface DigestProblem {
  readonly kind: DigestProblemKind;
  /** Offset of the digest record in the digests topic. */
  readonly digestOffset: string;
  readonly sequence: number | null;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly detail: string;
}

export interface DigestEntry {
  readonly offset: string;
  readonly digest: SignedDigest;
}

/**
 * Checks what needs only the digests and the public key: each is signed by that key, links to
 * the one before it by hash with the next sequence number, and each partition's range starts
 * where its previous range ended (offset 0 the first time), so no stretch of the log is left
 * uncovered. A digest that fails is still used as the base of the next check, so one forged or
 * altered digest is reported at itself and at the link after it, not everywhere after.
 */
export function checkDigestChain(
  records: readonly { offset: string; value: Buffer | null }[],
  publicKey: KeyObject,
): { digests: DigestEntry[]; problems: DigestProblem[] } {
  const keyId = keyIdOf(publicKey);
  const digests: DigestEntry[] = [];
  const problems: DigestProblem[] = [];
  let previous: SignedDigest | undefined;
  for (const { offset, value } of records) {
    let digest: SignedDigest;
    try {
      digest = decodeDigest(value);
    } catch (error) {
      problems.push({
        kind: 'unreadable digest',
        digestOffset: offset,
        sequence: null,
        detail: (error as Error).message,
      });
      continue;
    }
    const at = { digestOffset: offset, sequence: digest.body.sequence };
    for (const [kind, detail] of linkFindings(digest, previous, keyId, publicKey))
      problems.push({ ...at, kind, detail });
    for (const [range, detail] of rangeGaps(digest, previous))
      problems.push({ ...at, kind: 'range gap', topic: range.topic, partition: range.partition, detail });
    digests.push({ offset, digest });
    previous = digest;
  }
  return { digests, problems };
}

type Finding = [DigestProblemKind, string];

function linkFindings(
  digest: SignedDigest,
  previous: SignedDigest | undefined,
  keyId: string,
  publicKey: KeyObject,
): Finding[] {
  const findings: Finding[] = [];
  const { body } = digest;
  if (body.keyId !== keyId)
    findings.push(['bad signature', `signed by key ${body.keyId}, not by the given public key ${keyId}`]);
  else if (!signatureValid(digest, publicKey))
    findings.push(['bad signature', `the signature does not match the body under key ${keyId}`]);
  const expected = previous ? digestHash(previous.body) : GENESIS_DIGEST;
  if (body.previous !== expected)
    findings.push([
      'broken link',
      `links to ${body.previous.slice(0, 12)}…, the digest before it is ${expected.slice(0, 12)}…`,
    ]);
  const sequence = (previous?.body.sequence ?? 0) + 1;
  if (body.sequence !== sequence)
    findings.push(['sequence gap', `expected sequence ${sequence}, found ${body.sequence}`]);
  return findings;
}

function rangeGaps(digest: SignedDigest, previous: SignedDigest | undefined): [PartitionRange, string][] {
  const ends = coveredEnds(previous);
  const gaps: [PartitionRange, string][] = [];
  for (const range of digest.body.ranges) {
    const key = `${range.topic}/${range.partition}`;
    const start = ends.get(key) ?? '0';
    ends.delete(key);
    if (range.from !== start)
      gaps.push([range, `range starts at ${range.from}, the previous one ended at ${start}`]);
    else if (BigInt(range.to) < BigInt(range.from))
      gaps.push([range, `range ends (${range.to}) before it starts`]);
  }
  for (const [key, to] of ends) {
    const [topic, partition] = [
      key.slice(0, key.lastIndexOf('/')),
      Number(key.slice(key.lastIndexOf('/') + 1)),
    ];
    gaps.push([
      { topic, partition, from: to, to, count: 0, hash: '' },
      `partition was covered up to ${to} and is missing here`,
    ]);
  }
  return gaps;
}
