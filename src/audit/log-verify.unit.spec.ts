import { toHeaders } from '../eventing/cloudevents';
import { chainHash, GENESIS_HASH } from '../eventing/hash-chain';
import type { IncomingRecord } from '../messaging/ports';
import { LogVerifier } from './log-verify';

const BODY = (n: number) => Buffer.from([0, 0, 0, 0, 1, n]);

/** A chain of `n` events of one aggregate as the processor writes them, at offsets 0, 2, 4…. */
function chain(subject: string, n: number, partition = 0): IncomingRecord[] {
  const records: IncomingRecord[] = [];
  let previous = GENESIS_HASH;
  for (let v = 1; v <= n; v++) {
    const envelope = {
      id: `${subject}-${v}`,
      type: 'sentinel.deployments.DeploymentScaled',
      subject,
      version: v,
      time: `2026-03-01T0${v}:00:00.000Z`,
      actor: 'alice',
      correlationId: 'c',
      causationId: 'c',
    };
    const hash = chainHash(previous, envelope, BODY(v).subarray(5));
    const headers = toHeaders({ ...envelope, source: 'test', hash, previousHash: previous });
    records.push({
      topic: 't',
      partition,
      offset: String(v * 2),
      key: Buffer.from(subject),
      value: BODY(v),
      headers,
      timestamp: '0',
    });
    previous = hash;
  }
  return records;
}

const verify = (records: IncomingRecord[], window = {}) => {
  const verifier = new LogVerifier(window);
  verifier.addPartition('t', 0, records);
  return verifier.result();
};

describe('LogVerifier', () => {
  it('finds nothing wrong in clean chains whose offsets are not contiguous', () => {
    const result = verify([...chain('a', 3), ...chain('b', 2)]);
    expect(result).toEqual({
      ok: true,
      checked: { topics: 1, partitions: 1, records: 5, aggregates: 2 },
      problems: [],
    });
  });

  it('locates a dropped event by topic, partition, offset, aggregate and version', () => {
    const [one, , three] = chain('a', 3);
    expect(verify([one!, three!]).problems).toEqual([
      expect.objectContaining({
        kind: 'version gap',
        topic: 't',
        partition: 0,
        offset: '6',
        aggregateId: 'a',
        version: 3,
      }),
      expect.objectContaining({ kind: 'broken link', offset: '6', aggregateId: 'a', version: 3 }),
    ]);
  });

  it('reports an aggregate found in a second partition as misplaced', () => {
    const verifier = new LogVerifier();
    verifier.addPartition('t', 0, chain('a', 1, 0));
    verifier.addPartition('t', 1, chain('a', 1, 1));
    // Each partition's records form a chain of their own; only the placement gives the copy away.
    expect(verifier.result().problems.map((p) => [p.kind, p.partition, p.offset])).toEqual([
      ['misplaced', 1, '2'],
    ]);
  });

  it('verifies from genesis but counts and reports only records in the event-time window', () => {
    const [one, , three] = chain('a', 3);
    const before = verify([one!, three!], { to: Date.parse('2026-03-01T02:00:00Z') });
    expect(before).toMatchObject({ ok: true, checked: { records: 1, aggregates: 1 } });
    expect(verify([one!, three!], { from: Date.parse('2026-03-01T03:00:00Z') }).problems).toHaveLength(2);
  });
});
