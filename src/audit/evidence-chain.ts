import { GENESIS_HASH } from '../eventing/hash-chain';
import type { AuditEventRow } from './audit-events';
import type { ChainRow } from './audit-queries';

export interface EvidenceLink {
  readonly version: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly hash: string;
  readonly previousHash: string;
  /** The hash of the aggregate's previous version (the genesis link for version 1). */
  readonly expectedPreviousHash: string | null;
  readonly verified: boolean;
  readonly reason: string;
}

export interface ChainCheck {
  readonly verified: boolean;
  /** Versions 1..to of the aggregate were checked, link by link, back to the genesis link. */
  readonly checked: { readonly from: number; readonly to: number; readonly links: number };
  readonly head: { readonly version: number; readonly hash: string } | null;
  readonly links: readonly EvidenceLink[];
  readonly problems: readonly { readonly version: number; readonly reason: string }[];
}

/**
 * Checks an aggregate's recorded chain from its first event to the last one in the pack: each
 * version once, 1, 2, 3…, and each previousHash equal to the hash of the version before (the
 * genesis link for version 1). This checks the read model's copy of the links; the hashes
 * themselves are recomputed from the Kafka records by `sentinel replay --verify`.
 */
export function checkChain(chain: readonly ChainRow[], included: readonly AuditEventRow[]): ChainCheck {
  const problems: { version: number; reason: string }[] = [];
  const byVersion = new Map<number, ChainRow>();
  for (const row of chain) {
    if (byVersion.has(row.version)) problems.push({ version: row.version, reason: 'version recorded twice' });
    else byVersion.set(row.version, row);
  }
  const last = Math.max(0, ...chain.map((r) => r.version));
  for (let version = 1; version <= last; version++) {
    const row = byVersion.get(version);
    if (!row) {
      problems.push({ version, reason: 'version missing from the audit read model' });
      continue;
    }
    const expected = expectedPrevious(byVersion, version);
    if (expected !== undefined && row.previous_hash !== expected)
      problems.push({ version, reason: `previousHash ${row.previous_hash} is not ${expected}` });
  }
  const links = included.map((e) => link(e, byVersion));
  const headRow = byVersion.get(last);
  return {
    verified: problems.length === 0 && links.every((l) => l.verified),
    checked: { from: chain.length ? 1 : 0, to: last, links: chain.length },
    head: headRow ? { version: last, hash: headRow.hash } : null,
    links,
    problems,
  };
}

/** undefined when the previous version is itself missing (reported on its own). */
function expectedPrevious(byVersion: ReadonlyMap<number, ChainRow>, version: number): string | undefined {
  return version === 1 ? GENESIS_HASH : byVersion.get(version - 1)?.hash;
}

function link(e: AuditEventRow, byVersion: ReadonlyMap<number, ChainRow>): EvidenceLink {
  const expected = expectedPrevious(byVersion, e.version) ?? null;
  const recorded = byVersion.get(e.version);
  const reason =
    recorded?.hash !== e.hash
      ? 'the event is not the one the chain records at its version'
      : expected === null
        ? `version ${e.version - 1} is missing, so the link cannot be checked`
        : e.previous_hash === expected
          ? e.version === 1
            ? 'links to the genesis hash'
            : `links to the hash of version ${e.version - 1}`
          : `previousHash does not match the hash of ${e.version === 1 ? 'the genesis link' : `version ${e.version - 1}`}`;
  return {
    version: e.version,
    topic: e.topic,
    partition: e.partition,
    offset: e.offset,
    hash: e.hash,
    previousHash: e.previous_hash,
    expectedPreviousHash: expected,
    verified: recorded?.hash === e.hash && expected !== null && e.previous_hash === expected,
    reason,
  };
}
