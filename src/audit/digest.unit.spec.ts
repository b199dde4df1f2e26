import { generateKeyPairSync } from 'crypto';
import { canonicalJson } from './canonical';
import {
  decodeDigest,
  digestHash,
  encodeDigest,
  GENESIS_DIGEST,
  nextDigestBody,
  type PartitionRange,
  RangeHasher,
  type SignedDigest,
  signatureValid,
  signDigest,
} from './digest';
import { checkDigestChain } from './digest-chain';
import { AuditKeyError, keyIdOf, parsePrivateKey, parsePublicKey, generateAuditKeyPair } from './digest-keys';

const keys = () => generateKeyPairSync('ed25519');
const range = (
  from: string,
  records: [string, string][],
  topic = 't.events',
  partition = 0,
): PartitionRange => {
  const hasher = new RangeHasher(topic, partition, from);
  for (const [offset, hash] of records) hasher.add(offset, hash);
  return hasher.finish();
};

describe('canonical JSON', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 'x', y: null }], c: true } })).toBe(
      '{"a":{"c":true,"d":[2,{"y":null,"z":"x"}]},"b":1}',
    );
  });

  it('refuses numbers with more than one spelling', () => {
    expect(() => canonicalJson({ a: 1.5 })).toThrow(/integers only/);
  });
});

describe('digest ranges', () => {
  it('end one past the last record, and stay put when nothing was written', () => {
    expect(
      range('5', [
        ['7', 'h7'],
        ['9', 'h9'],
      ]),
    ).toMatchObject({ from: '5', to: '10', count: 2 });
    expect(range('10', [])).toMatchObject({ from: '10', to: '10', count: 0 });
  });

  it('hash offsets with chain hashes, so a moved record changes the hash', () => {
    expect(
      range('0', [
        ['0', 'a'],
        ['1', 'b'],
      ]).hash,
    ).not.toBe(
      range('0', [
        ['0', 'a'],
        ['2', 'b'],
      ]).hash,
    );
    expect(
      range('0', [
        ['0', 'a'],
        ['1', 'b'],
      ]).hash,
    ).not.toBe(
      range('0', [
        ['0', 'b'],
        ['1', 'a'],
      ]).hash,
    );
  });
});

describe('signed digest chain', () => {
  const { privateKey, publicKey } = keys();
  const first = signDigest(
    nextDigestBody(undefined, [range('0', [['0', 'a']])], '2026-11-27T10:00:00.000Z', privateKey),
    privateKey,
  );
  const second = signDigest(
    nextDigestBody(first, [range('1', [['3', 'b']])], '2026-11-27T11:00:00.000Z', privateKey),
    privateKey,
  );
  const records = (...ds: SignedDigest[]) =>
    ds.map((d, i) => ({ offset: String(i * 2), value: encodeDigest(d) }));

  it('links each digest to the hash of the one before, from genesis', () => {
    expect(first.body).toMatchObject({ sequence: 1, previous: GENESIS_DIGEST, keyId: keyIdOf(publicKey) });
    expect(second.body).toMatchObject({ sequence: 2, previous: digestHash(first.body) });
    expect(decodeDigest(encodeDigest(second))).toEqual(second);
  });

  it('verifies with the right public key', () => {
    expect(signatureValid(first, publicKey)).toBe(true);
    expect(checkDigestChain(records(first, second), publicKey).problems).toEqual([]);
  });

  it('rejects every digest under the wrong public key, naming both keys', () => {
    const other = keys().publicKey;
    expect(signatureValid(first, other)).toBe(false);
    const { problems } = checkDigestChain(records(first, second), other);
    expect(problems.map((p) => [p.kind, p.sequence])).toEqual([
      ['bad signature', 1],
      ['bad signature', 2],
    ]);
    expect(problems[0]!.detail).toContain(keyIdOf(other));
  });

  it('rejects a digest signed by another key that claims the right key id', () => {
    const forger = keys().privateKey;
    const forged = { ...signDigest(first.body, forger) };
    expect(checkDigestChain(records(forged), publicKey).problems).toMatchObject([
      { kind: 'bad signature', detail: expect.stringMatching(/does not match/) },
    ]);
  });

  it('rejects an altered body at itself and at the link after it', () => {
    const altered: SignedDigest = {
      ...first,
      body: { ...first.body, ranges: [{ ...first.body.ranges[0]!, count: 5 }] },
    };
    const { problems } = checkDigestChain(records(altered, second), publicKey);
    expect(problems.map((p) => [p.kind, p.sequence, p.digestOffset])).toEqual([
      ['bad signature', 1, '0'],
      ['broken link', 2, '2'],
    ]);
  });

  it('reports a dropped digest as a broken link, a sequence gap and a range gap', () => {
    const third = signDigest(
      nextDigestBody(second, [range('4', [])], '2026-11-27T12:00:00.000Z', privateKey),
      privateKey,
    );
    const kinds = checkDigestChain(records(first, third), publicKey).problems.map((p) => p.kind);
    expect(kinds).toEqual(['broken link', 'sequence gap', 'range gap']);
  });

  it('reports an unreadable digest record and carries on', () => {
    const { problems, digests } = checkDigestChain(
      [{ offset: '0', value: Buffer.from('{"oops":1}') }, ...records(first)],
      publicKey,
    );
    expect(problems.map((p) => p.kind)).toEqual(['unreadable digest']);
    expect(digests).toHaveLength(1);
  });
});

describe('audit keys', () => {
  it('reads PEM and base64 DER, and names a private key given as the public one', () => {
    const pair = generateAuditKeyPair();
    const der = parsePrivateKey(pair.privatePem).export({ format: 'der', type: 'pkcs8' }).toString('base64');
    expect(keyIdOf(parsePrivateKey(der))).toBe(pair.keyId);
    expect(keyIdOf(parsePublicKey(pair.publicPem))).toBe(pair.keyId);
    expect(() => parsePublicKey(pair.privatePem)).toThrow(AuditKeyError);
  });

  it('refuses keys that are not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    expect(() => parsePrivateKey(rsa.toString())).toThrow(/rsa key, not Ed25519/);
  });
});
