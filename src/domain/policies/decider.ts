import { type Decider, unreachable } from '../shared/decider';
import { describeProblem, readDefinition } from './definition';
import { initialPolicyState, type PolicyCommand, type PolicyEvent, type PolicyState } from './messages';

type Active = Extract<PolicyState, { status: 'Active' }>;

/** A refusal is an event too (DESIGN.md §3.4): the audit trail keeps what was tried. */
const reject = (command: PolicyCommand, reasons: string[]): PolicyEvent[] => [
  { type: 'PolicyRejected', data: { policyId: command.data.policyId, command: command.type, reasons } },
];

function decide(command: PolicyCommand, state: PolicyState): readonly PolicyEvent[] {
  const id = command.data.policyId;
  if (command.type === 'CreatePolicy') {
    if (state.status !== 'Absent') return reject(command, [`policy ${id} already exists`]);
    const read = readDefinition(command.data.definition, id, 1);
    if (!read.ok) return reject(command, read.problems.map(describeProblem));
    const { name, priority, mode } = read.policy;
    const data = {
      policyId: id,
      name,
      priority,
      mode,
      version: 1,
      enabled: true,
      definition: read.definition,
    };
    return [{ type: 'PolicyCreated', data }];
  }
  if (state.status === 'Absent') return reject(command, [`policy ${id} does not exist`]);
  if (state.status === 'Deleted') return reject(command, [`policy ${id} was deleted`]);
  return decideOnActive(command, state);
}

function decideOnActive(
  command: Exclude<PolicyCommand, { type: 'CreatePolicy' }>,
  state: Active,
): readonly PolicyEvent[] {
  const policyId = command.data.policyId;
  switch (command.type) {
    case 'PublishPolicyVersion':
      return publish(command, state);
    // Enabling an enabled policy (or disabling a disabled one) is accepted and changes nothing.
    case 'EnablePolicy':
      return state.enabled ? [] : [{ type: 'PolicyEnabled', data: { policyId } }];
    case 'DisablePolicy':
      return state.enabled ? [{ type: 'PolicyDisabled', data: { policyId } }] : [];
    case 'DeletePolicy':
      return [{ type: 'PolicyDeleted', data: { policyId } }];
    default:
      return unreachable(command);
  }
}

function publish(
  command: Extract<PolicyCommand, { type: 'PublishPolicyVersion' }>,
  state: Active,
): readonly PolicyEvent[] {
  const { policyId } = command.data;
  const version = state.version + 1;
  const read = readDefinition(command.data.definition, policyId, version);
  if (!read.ok) return reject(command, read.problems.map(describeProblem));
  // The id is derived from the name, so a renamed policy would no longer be found by its name.
  if (read.policy.name !== state.name)
    return reject(command, [`name: cannot change from ${JSON.stringify(state.name)}; create a new policy`]);
  // Publishing the current definition again is accepted without a new version.
  if (read.definition === state.definition) return [];
  const { name, priority, mode } = read.policy;
  return [
    {
      type: 'PolicyVersionPublished',
      data: { policyId, name, priority, mode, version, definition: read.definition },
    },
  ];
}

function evolve(state: PolicyState, event: PolicyEvent): PolicyState {
  switch (event.type) {
    case 'PolicyCreated': {
      const { name, version, enabled, definition } = event.data;
      return { status: 'Active', name, version, enabled, definition };
    }
    case 'PolicyVersionPublished':
      return state.status === 'Active'
        ? { ...state, version: event.data.version, definition: event.data.definition }
        : state;
    case 'PolicyEnabled':
      return state.status === 'Active' ? { ...state, enabled: true } : state;
    case 'PolicyDisabled':
      return state.status === 'Active' ? { ...state, enabled: false } : state;
    case 'PolicyDeleted':
      return state.status === 'Active' ? { status: 'Deleted' } : state;
    case 'PolicyRejected':
      return state;
    default:
      return unreachable(event);
  }
}

export const policyDecider: Decider<PolicyCommand, PolicyEvent, PolicyState> = {
  initialState: initialPolicyState,
  decide: (command, state) => decide(command, state),
  evolve,
};
