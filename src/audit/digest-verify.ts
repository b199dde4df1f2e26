import type { KeyObject } from 'crypto';
import type { IncomingRecord } from '../messaging/ports';
import { type PartitionRange, RangeHasher } from './digest';
import { checkDigestChain, type DigestEntry, type DigestProblem } from './digest-chain';
import type { AuditReader } from './log-scan';
import type { TimeWindow } from './log-verify';
import { chainHashOf, recordHashMismatch } from './record-hash';

export interface DigestVerifyOptions {
  readonly digestsTopic: string;
  readonly publicKey: KeyObject;
  /** Recompute the ranges of digests created in this window (signatures and links: all). */
  readonly window?: TimeWindow;
  /** Read a covered topic from another one, e.g. a copy taken for the audit. */
  readonly topicMap?: ReadonlyMap<string, string>;
  readonly onProgress?: (p: { topic: string; partition: number; records: number }) => void;
}

export interface DigestVerification {
  readonly ok: boolean;
  readonly digests: number;
  /** Digests whose ranges were recomputed from the log. */
  readonly recomputed: number;
  readonly records: number;
  readonly head: { sequence: number; offset: string } | null;
  readonly problems: readonly DigestProblem[];
}

type Covered = { entry: DigestEntry; range: PartitionRange; hasher: RangeHasher };

/**
 * What an auditor with the public key and read access to Kafka checks (docs/adr/0008): the
 * digest chain (digest-chain.ts), then every covered range recomputed from the log — the same
 * records, count and hash — and every covered record's content against its chain hash.
 */
export async function verifyDigests(
  messaging: AuditReader,
  options: DigestVerifyOptions,
): Promise<DigestVerification> {
  const raw: { offset: string; value: Buffer | null }[] = [];
  await messaging.readPartition(options.digestsTopic, 0, (r) => void raw.push(r));
  const { digests, problems } = checkDigestChain(raw, options.publicKey);
  const selected = digests.filter((d) => inWindow(d.digest.body.createdAt, options.window));
  const byPartition = new Map<string, Covered[]>();
  for (const entry of selected)
    for (const range of entry.digest.body.ranges) {
      const key = `${range.topic}\u0000${range.partition}`;
      const list = byPartition.get(key) ?? [];
      list.push({ entry, range, hasher: new RangeHasher(range.topic, range.partition, range.from) });
      byPartition.set(key, list);
    }
  let records = 0;
  for (const covered of byPartition.values()) {
    records += await recompute(messaging, covered, options, problems);
  }
  const last = digests.at(-1);
  return {
    ok: problems.length === 0,
    digests: digests.length,
    recomputed: selected.length,
    records,
    head: last ? { sequence: last.digest.body.sequence, offset: last.offset } : null,
    problems,
  };
}

async function recompute(
  messaging: AuditReader,
  covered: Covered[],
  options: DigestVerifyOptions,
  problems: DigestProblem[],
): Promise<number> {
  const { topic, partition } = covered[0]!.range;
  const source = options.topicMap?.get(topic) ?? topic;
  const sorted = [...covered].sort((a, b) => (BigInt(a.range.from) < BigInt(b.range.from) ? -1 : 1));
  let count = 0;
  await messaging.readPartition(source, partition, (record: IncomingRecord) => {
    const offset = BigInt(record.offset);
    const owner = sorted.find((c) => BigInt(c.range.from) <= offset && offset < BigInt(c.range.to));
    if (!owner) return;
    count += 1;
    owner.hasher.add(record.offset, chainHashOf(record));
    const altered = recordHashMismatch(record);
    if (altered)
      problems.push({ ...where(owner), kind: 'record altered', offset: record.offset, detail: altered });
  });
  options.onProgress?.({ topic: source, partition, records: count });
  for (const c of sorted) {
    const found = c.hasher.finish(c.range.to);
    if (found.count !== c.range.count || found.hash !== c.range.hash)
      problems.push({
        ...where(c),
        kind: 'range mismatch',
        detail:
          `offsets ${c.range.from}-${c.range.to} of ${source}: the digest covers ${c.range.count} record(s) ` +
          `hashing to ${c.range.hash.slice(0, 12)}…, the log has ${found.count} hashing to ${found.hash.slice(0, 12)}…`,
      });
  }
  return count;
}

const where = (c: Covered) => ({
  digestOffset: c.entry.offset,
  sequence: c.entry.digest.body.sequence,
  topic: c.range.topic,
  partition: c.range.partition,
});

function inWindow(createdAt: string, window: TimeWindow | undefined): boolean {
  const time = Date.parse(createdAt);
  if (!window || Number.isNaN(time)) return true;
  return (window.from === undefined || time >= window.from) && (window.to === undefined || time < window.to);
}
