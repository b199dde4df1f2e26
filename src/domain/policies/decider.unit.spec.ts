import type { DecisionContext } from '../shared/decider';
import { canonicalJson } from './definition';
import { policyDecider as decider } from './decider';
import type { PolicyCommand, PolicyEvent } from './messages';

const context: DecisionContext = { now: '2026-11-27T10:00:00Z', actor: 'admin', commandId: 'cmd-1' };
const policyId = 'pol-1';
const body = {
  name: 'year-end-freeze',
  priority: 100,
  mode: 'enforce',
  selector: { clusters: ['local-a'], actions: ['create', 'update'] },
  rule: {
    type: 'change_freeze',
    timezone: 'Europe/Paris',
    windows: [{ start: '2026-12-24T00:00:00', end: '2027-01-02T00:00:00' }],
  },
};
const definition = canonicalJson(body);

/** given events, when a command, then these events. */
function given(...events: PolicyEvent[]) {
  const state = events.reduce(decider.evolve, decider.initialState());
  return { when: (command: PolicyCommand) => decider.decide(command, state, context) };
}

const created: PolicyEvent = {
  type: 'PolicyCreated',
  data: { policyId, name: body.name, priority: 100, mode: 'enforce', version: 1, enabled: true, definition },
};
const rejected = (command: PolicyCommand['type'], reasons: unknown[]) => [
  { type: 'PolicyRejected', data: { policyId, command, reasons } },
];

describe('policy decider', () => {
  it('creates an enabled policy at version 1 from a valid definition', () => {
    expect(given().when({ type: 'CreatePolicy', data: { policyId, definition } })).toEqual([created]);
  });

  it('stores the definition canonically, whatever the key order sent', () => {
    const { rule, selector, ...rest } = body;
    const shuffled = JSON.stringify({ rule, selector, ...rest });
    const [event] = given().when({ type: 'CreatePolicy', data: { policyId, definition: shuffled } });
    expect(event).toEqual(created);
  });

  it('rejects a second create, and commands on a missing policy', () => {
    expect(given(created).when({ type: 'CreatePolicy', data: { policyId, definition } })).toEqual(
      rejected('CreatePolicy', ['policy pol-1 already exists']),
    );
    expect(given().when({ type: 'EnablePolicy', data: { policyId } })).toEqual(
      rejected('EnablePolicy', ['policy pol-1 does not exist']),
    );
  });

  it('rejects an invalid definition with each problem and its field', () => {
    const bad = canonicalJson({ ...body, rule: { ...body.rule, timezone: 'Mars/Olympus' } });
    const [event] = given().when({ type: 'CreatePolicy', data: { policyId, definition: bad } });
    expect(event?.type === 'PolicyRejected' && event.data.reasons).toEqual([
      expect.stringMatching(/^rule\.timezone: /),
    ]);
    const unknown = canonicalJson({ ...body, rule: { type: 'magic' } });
    const [other] = given().when({ type: 'CreatePolicy', data: { policyId, definition: unknown } });
    expect(other?.type === 'PolicyRejected' && other.data.reasons).toEqual([
      expect.stringMatching(/^rule\.type: unknown rule type "magic"/),
    ]);
    expect(given().when({ type: 'CreatePolicy', data: { policyId, definition: '{' } })).toEqual(
      rejected('CreatePolicy', ['definition: is not valid JSON']),
    );
  });

  it('publishes a changed definition as the next version', () => {
    const next = canonicalJson({ ...body, mode: 'dry_run', priority: 5 });
    expect(
      given(created).when({ type: 'PublishPolicyVersion', data: { policyId, definition: next } }),
    ).toEqual([
      {
        type: 'PolicyVersionPublished',
        data: { policyId, name: body.name, priority: 5, mode: 'dry_run', version: 2, definition: next },
      },
    ]);
  });

  it('accepts an identical definition without a new version, and refuses a rename', () => {
    expect(given(created).when({ type: 'PublishPolicyVersion', data: { policyId, definition } })).toEqual([]);
    const renamed = canonicalJson({ ...body, name: 'other' });
    expect(
      given(created).when({ type: 'PublishPolicyVersion', data: { policyId, definition: renamed } }),
    ).toEqual(rejected('PublishPolicyVersion', [expect.stringMatching(/^name: cannot change/)]));
  });

  it('enables and disables, a repeat changing nothing', () => {
    const disabled: PolicyEvent = { type: 'PolicyDisabled', data: { policyId } };
    expect(given(created).when({ type: 'DisablePolicy', data: { policyId } })).toEqual([disabled]);
    expect(given(created, disabled).when({ type: 'DisablePolicy', data: { policyId } })).toEqual([]);
    expect(given(created, disabled).when({ type: 'EnablePolicy', data: { policyId } })).toEqual([
      { type: 'PolicyEnabled', data: { policyId } },
    ]);
    expect(given(created).when({ type: 'EnablePolicy', data: { policyId } })).toEqual([]);
  });

  it('deletes, after which every command is refused', () => {
    const deleted: PolicyEvent = { type: 'PolicyDeleted', data: { policyId } };
    expect(given(created).when({ type: 'DeletePolicy', data: { policyId } })).toEqual([deleted]);
    expect(
      given(created, deleted).when({ type: 'PublishPolicyVersion', data: { policyId, definition } }),
    ).toEqual(rejected('PublishPolicyVersion', ['policy pol-1 was deleted']));
    expect(given(created, deleted).when({ type: 'DeletePolicy', data: { policyId } })).toEqual(
      rejected('DeletePolicy', ['policy pol-1 was deleted']),
    );
  });
});
