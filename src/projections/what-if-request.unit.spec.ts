import { policyIdOf } from '../commands/policy-requests';
import { canonicalJson } from '../domain/policies/definition';
import { baseFacts, baseRequest } from '../domain/policies/fixtures.spec';
import type { RecordedDecision } from '../domain/policies/what-if';
import { ProblemException } from '../http/problem.filter';
import { parseWhatIf, withVersions } from './what-if-request';

const FROM = '2026-11-01T00:00:00Z';
const TO = '2026-11-08T00:00:00Z';
const body = {
  name: 'gpu-quota',
  priority: 50,
  mode: 'enforce',
  selector: { teams: ['ml-platform'] },
  rule: { type: 'quota', per: 'team', limits: { gpu: 8 } },
};

/** The problem a body is refused with: status and field errors. */
function refusal(request: unknown) {
  try {
    parseWhatIf(request);
  } catch (error) {
    if (!(error instanceof ProblemException)) throw error;
    return { status: error.problem.status, errors: error.problem.errors };
  }
  throw new Error('accepted');
}

describe('what-if request', () => {
  it('names an upserted policy without id by its name, as POST /v1/policies does', () => {
    const { changes } = parseWhatIf({ from: FROM, to: TO, changes: [{ op: 'upsert', policy: body }] });
    expect(changes).toEqual([
      { op: 'upsert', policy: expect.objectContaining({ id: policyIdOf('gpu-quota'), name: 'gpu-quota' }) },
    ]);
  });

  it('takes an explicit id and removals as given', () => {
    const { changes } = parseWhatIf({
      from: FROM,
      to: TO,
      changes: [
        { op: 'upsert', policy: { ...body, id: 'pol-gpu-quota' } },
        { op: 'remove', policyId: 'pol-freeze' },
      ],
    });
    expect(changes.map((c) => (c.op === 'upsert' ? c.policy.id : c.policyId))).toEqual([
      'pol-gpu-quota',
      'pol-freeze',
    ]);
  });

  it('names each invalid policy field by its path in the body', () => {
    const freeze = {
      ...body,
      rule: { type: 'change_freeze', timezone: 'Mars/Olympus', holidays: ['2026-12-25'] },
    };
    expect(
      refusal({
        from: FROM,
        to: TO,
        changes: [
          { op: 'remove', policyId: 'x' },
          { op: 'upsert', policy: freeze },
        ],
      }),
    ).toEqual({
      status: 400,
      errors: [expect.objectContaining({ field: 'changes[1].policy.rule.timezone' })],
    });
  });

  it('refuses a policy version in the body: Sentinel assigns it', () => {
    expect(
      refusal({ from: FROM, to: TO, changes: [{ op: 'upsert', policy: { ...body, version: 3 } }] }),
    ).toEqual({ status: 400, errors: [{ field: 'changes[0].policy.version', reason: expect.any(String) }] });
  });

  it.each([
    [{ from: FROM, to: TO, changes: [{ op: 'rename' }] }, 'changes[0].op'],
    [{ from: FROM, to: TO, changes: [{ op: 'remove' }] }, 'changes[0].policyId'],
    [{ from: FROM, to: TO, changes: [{ op: 'remove', policyId: 'x', extra: 1 }] }, 'changes[0].extra'],
    [{ from: 'yesterday', to: TO, changes: [] }, 'from'],
    [{ from: FROM, to: TO }, 'changes'],
    [{ from: TO, to: FROM, changes: [] }, 'to'],
    [{ from: FROM, to: '2026-12-03T00:00:00Z', changes: [] }, 'to'],
    [
      {
        from: FROM,
        to: TO,
        changes: [
          { op: 'remove', policyId: 'x' },
          { op: 'remove', policyId: 'x' },
        ],
      },
      'changes[1]',
    ],
  ])('refuses %j naming %s', (request, field) => {
    expect(refusal(request)).toEqual({ status: 400, errors: [expect.objectContaining({ field })] });
  });

  it('says how long a range may be', () => {
    expect(refusal({ from: FROM, to: '2026-12-03T00:00:00Z', changes: [] }).errors).toEqual([
      { field: 'to', reason: 'must be at most 31 days after from' },
    ]);
  });

  it('makes an upsert the next version of what the decisions recorded, or version 1', () => {
    const recorded = (version: number): RecordedDecision => ({
      decisionId: `d${version}`,
      deploymentId: 'dep-1',
      actor: 'alice',
      at: FROM,
      outcome: 'allowed',
      reasons: [],
      inputs: {
        policies: [{ policyId: 'pol-gpu-quota', version, definition: canonicalJson(body) }],
        request: baseRequest,
        facts: baseFacts,
        now: FROM,
      },
    });
    const { changes } = parseWhatIf({
      from: FROM,
      to: TO,
      changes: [
        { op: 'upsert', policy: { ...body, id: 'pol-gpu-quota' } },
        { op: 'upsert', policy: { ...body, name: 'new-one' } },
      ],
    });
    const versioned = withVersions(changes, [recorded(2), recorded(4), recorded(3)]);
    expect(versioned.map((c) => (c.op === 'upsert' ? c.policy.version : 0))).toEqual([5, 1]);
  });
});
