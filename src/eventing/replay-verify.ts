import type { IncomingRecord } from '../messaging/ports';
import { fromHeaders } from './cloudevents';
import { avroBody } from './codec';
import { chainHash, GENESIS_HASH } from './hash-chain';

export type ChainProblemKind = 'hash mismatch' | 'broken link' | 'version gap' | 'duplicate version';

/** One broken link of an aggregate's chain, located by the offset of the record that shows it. */
export interface ChainProblem {
  readonly offset: string;
  /** The version the record claims; null when its envelope cannot be read at all. */
  readonly version: number | null;
  readonly problem: ChainProblemKind;
  /** What was expected and what was found, for the auditor. */
  readonly detail: string;
}

export interface ChainVerification {
  readonly ok: boolean;
  readonly checked: number;
  /** Recorded hash of the last event checked: the head an auditor can pin. */
  readonly head: string;
  readonly problems: readonly ChainProblem[];
}

const short = (hash: string | undefined) => (hash ? `${hash.slice(0, 12)}…` : '(none)');

/**
 * Checks one aggregate's records, in log order, against the hash chain the processor wrote
 * (src/eventing/hash-chain.ts). Each record is checked on its own and against its predecessor,
 * so every kind of tampering is reported where it happened, and only there:
 *  - hash mismatch: the hash recomputed from the record's own envelope, body and declared
 *    predecessor differs from the one it carries (its content was changed);
 *  - broken link: its declared predecessor is not the hash of the record before it (a record was
 *    dropped, inserted or moved);
 *  - version gap / duplicate version: versions are not 1, 2, 3… in log order.
 * Pure: reads only the records given, so it runs the same offline on a copied topic.
 */
export function verifyChain(records: readonly IncomingRecord[]): ChainVerification {
  const problems: ChainProblem[] = [];
  const seen = new Set<number>();
  let previous: Link | undefined;
  for (const record of records) {
    const found = checkRecord(record, previous, seen);
    problems.push(...found.problems);
    // An unreadable record has no link to offer: the next one is checked against the last good one.
    if (found.link) {
      previous = found.link;
      seen.add(found.link.version);
    }
  }
  return {
    ok: problems.length === 0,
    checked: records.length,
    head: previous?.hash ?? GENESIS_HASH,
    problems,
  };
}

type Link = { hash: string; version: number };
type Attributes = ReturnType<typeof fromHeaders>;
type Finding = [ChainProblemKind, string];

function checkRecord(
  record: IncomingRecord,
  previous: Link | undefined,
  seen: ReadonlySet<number>,
): { problems: ChainProblem[]; link?: Link } {
  const { offset } = record;
  let attrs: Attributes;
  try {
    attrs = fromHeaders(record.headers);
  } catch (error) {
    // Without an envelope there is nothing to hash: the record cannot be part of the chain.
    const detail = `envelope unreadable: ${(error as Error).message}`;
    return { problems: [{ offset, version: null, problem: 'hash mismatch', detail }] };
  }
  const expectedVersion = (previous?.version ?? 0) + 1;
  const findings = [
    versionFinding(attrs.version, expectedVersion, seen),
    linkFinding(attrs, previous),
    hashFinding(attrs, record.value),
  ].filter((f): f is Finding => f !== undefined);
  const version = attrs.version ?? null;
  return {
    problems: findings.map(([problem, detail]) => ({ offset, version, problem, detail })),
    link: { hash: attrs.hash ?? '', version: version ?? expectedVersion },
  };
}

function versionFinding(
  version: number | undefined,
  expected: number,
  seen: ReadonlySet<number>,
): Finding | undefined {
  if (version === undefined) return ['version gap', `no aggregate version header; expected ${expected}`];
  if (seen.has(version)) return ['duplicate version', `version ${version} appeared earlier`];
  if (version !== expected) return ['version gap', `expected version ${expected}, found ${version}`];
  return undefined;
}

function linkFinding(attrs: Attributes, previous: Link | undefined): Finding | undefined {
  const expected = previous?.hash ?? GENESIS_HASH;
  if (attrs.previousHash === expected) return undefined;
  const before = previous ? `version ${previous.version}` : 'genesis';
  return [
    'broken link',
    `links to ${short(attrs.previousHash)} but the event before it (${before}) is ${short(expected)}`,
  ];
}

function hashFinding(attrs: Attributes, value: Buffer | null): Finding | undefined {
  const recomputed = chainHash(
    attrs.previousHash ?? '',
    { ...attrs, version: attrs.version ?? 0 },
    avroBody(value ?? Buffer.alloc(0)),
  );
  if (recomputed === attrs.hash) return undefined;
  return ['hash mismatch', `recomputed ${short(recomputed)}, recorded ${short(attrs.hash)}`];
}
