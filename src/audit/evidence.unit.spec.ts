import { unzipSync } from 'fflate';
import { GENESIS_HASH } from '../eventing/hash-chain';
import type { AuditEventRow } from './audit-events';
import { buildEvidence } from './evidence';
import { checkChain } from './evidence-chain';
import { zipEvidence } from './evidence-zip';

const row = (version: number, type: string, over: Partial<AuditEventRow> = {}): AuditEventRow => ({
  topic: 'p.deployments.events',
  partition: 1,
  offset: String(10 + version),
  context: 'deployments',
  event_type: type,
  event_id: `e${version}`,
  aggregate_id: 'dep-1',
  version,
  at: new Date(Date.UTC(2026, 10, 27, 10, 0, version)),
  actor: 'alice',
  correlation_id: 'corr',
  causation_id: 'cmd-1',
  hash: `h${version}`,
  previous_hash: version === 1 ? GENESIS_HASH : `h${version - 1}`,
  cluster: 'local-a',
  team: 'ml',
  namespace: 'inference',
  data: {},
  ...over,
});

const results = JSON.stringify([
  {
    policyId: 'freeze',
    policyVersion: 3,
    policyName: 'xmas',
    ruleType: 'change_freeze',
    result: 'allowed',
    exception: { approver: 'carol', reason: 'launch', expires: '2026-11-28T00:00:00Z' },
  },
]);
const evaluated = row(1, 'PolicyEvaluated', {
  data: {
    decisionId: 'cmd-1',
    action: 'create',
    outcome: 'allowed',
    request: '{"action":"create"}',
    facts: '{"deployments":[]}',
    results,
    policies: [{ policyId: 'freeze', version: 3, definition: '{"name":"xmas"}' }],
    reasons: [],
    tzdata: '2025b',
    now: '2026-11-27T10:00:01Z',
  },
});
const change = [evaluated, row(2, 'DeploymentCreated')];
const outcome = row(3, 'DeploymentApplied', { causation_id: 'cmd-2', actor: 'system:sentinel-effects' });
const status = row(4, 'DeploymentStatusObserved', { causation_id: 'cmd-3' });
const chainOf = (rows: AuditEventRow[]) =>
  rows.map((r) => ({ version: r.version, hash: r.hash, previous_hash: r.previous_hash, offset: r.offset }));

describe('evidence pack', () => {
  it('gathers the decision, approvals, outcome, observed status and verified links', () => {
    const all = [...change, outcome, status];
    const pack = buildEvidence({
      changeId: 'cmd-1',
      events: change,
      outcome,
      status,
      chain: checkChain(chainOf(all), all),
    });
    expect(pack).toMatchObject({
      changeId: 'cmd-1',
      actor: 'alice',
      result: 'accepted',
      request: { action: 'create' },
      decision: { outcome: 'allowed', tzdata: '2025b', policies: [{ definition: { name: 'xmas' } }] },
      approvals: [{ policyId: 'freeze', approver: 'carol', expires: '2026-11-28T00:00:00Z' }],
      kubernetes: { status: 'applied', event: { version: 3 } },
      observed: { status: 'observed', event: { version: 4 } },
      integrity: { verified: true, head: { version: 4, hash: 'h4' }, problems: [] },
    });
    expect(pack.integrity.verify.command).toBe(
      'sentinel replay dep-1 --context deployments --topic-prefix p --verify --as-of-offset 14',
    );
  });

  it('says where the chain is broken: a link that does not match, a missing version', () => {
    const tampered = { ...row(2, 'DeploymentCreated'), previous_hash: 'forged' };
    const broken = checkChain(chainOf([evaluated, tampered]), [evaluated, tampered]);
    expect(broken.verified).toBe(false);
    expect(broken.problems).toEqual([{ version: 2, reason: 'previousHash forged is not h1' }]);
    expect(broken.links.map((l) => l.verified)).toEqual([true, false]);
    const gap = checkChain(chainOf([evaluated, status]), [status]);
    expect(gap.problems).toEqual([
      { version: 2, reason: 'version missing from the audit read model' },
      expect.anything(),
    ]);
    expect(gap.links[0]).toMatchObject({ verified: false, expectedPreviousHash: null });
  });

  it('reports a refused change as such, with nothing asked of the cluster', () => {
    const refused = [evaluated, row(2, 'PolicyDenied')];
    const pack = buildEvidence({
      changeId: 'cmd-1',
      events: refused,
      chain: checkChain(chainOf(refused), refused),
    });
    expect(pack).toMatchObject({
      result: 'denied-by-policy',
      kubernetes: { status: 'not-applicable', event: null },
      observed: { status: 'not-applicable', event: null },
    });
  });

  it('zips to the same bytes every time, with the change time as every entry time', () => {
    const record = (e: AuditEventRow) => ({
      event: e,
      record: {
        topic: e.topic,
        partition: e.partition,
        offset: e.offset,
        key: Buffer.from('dep-1'),
        value: Buffer.from([0, 0, 0, 0, 7, 1, 2]),
        headers: { ce_eventhash: e.hash },
        timestamp: '1795000000000',
      },
    });
    const a = zipEvidence({ changeId: 'cmd-1' }, change.map(record).reverse(), '2026-11-27T10:00:01.000Z');
    const b = zipEvidence({ changeId: 'cmd-1' }, change.map(record), '2026-11-27T10:00:01.000Z');
    expect(b.equals(a)).toBe(true);
    const files = unzipSync(a);
    expect(Object.keys(files)).toEqual([
      'evidence.json',
      'events/000001-PolicyEvaluated-p.deployments.events-1-11.json',
      'events/000002-DeploymentCreated-p.deployments.events-1-12.json',
    ]);
    const raw = JSON.parse(Buffer.from(files[Object.keys(files)[1]!]!).toString()) as { value: string };
    expect(Buffer.from(raw.value, 'base64')).toEqual(Buffer.from([0, 0, 0, 0, 7, 1, 2]));
  });
});
