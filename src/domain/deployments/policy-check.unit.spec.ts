import { canonicalJson } from '../policies/definition';
import { decideRecorded, readFacts } from '../policies/recorded';
import type { PolicyRequest } from '../policies/types';
import type { DecisionContext } from '../shared/decider';
import type { CreateDeployment, PolicyInputs, PolicyVersion } from './contracts.generated';
import { deploymentDecider as decider } from './decider';
import type { DeploymentCommand, DeploymentEvent } from './messages';

const id = 'dep-1';
// Saturday 2026-11-28 11:00 in Berlin, inside a weekend freeze.
const saturday: DecisionContext = { now: '2026-11-28T10:00:00.000Z', actor: 'alice', commandId: 'cmd-7' };
const monday: DecisionContext = { ...saturday, now: '2026-11-30T10:00:00.000Z' };

const freeze = (mode: 'enforce' | 'dry_run', exceptions: unknown[] = []): PolicyVersion => ({
  policyId: 'pol-weekend',
  version: 3,
  definition: canonicalJson({
    name: 'weekend',
    priority: 10,
    mode,
    selector: { teams: ['ml-platform'] },
    rule: {
      type: 'change_freeze',
      timezone: 'Europe/Berlin',
      recurring: [{ days: ['SAT', 'SUN'], from: '00:00', to: '24:00' }],
      ...(exceptions.length > 0 && { exceptions }),
    },
  }),
});

const inputs = (...policies: PolicyVersion[]): PolicyInputs => ({
  policies,
  facts: canonicalJson({ deployments: [], burnRates: {}, recentActions: {} }),
  tzdata: '2025b',
});

const create = (policy: PolicyInputs | null): CreateDeployment => ({
  deploymentId: id,
  name: 'llm',
  cluster: 'local-a',
  namespace: 'inference',
  kind: 'Deployment',
  image: 'registry.example/llm:1.0',
  replicas: 2,
  resources: { cpu: '2', memory: '8Gi', gpu: 1 },
  env: {},
  labels: { tier: '1' },
  team: 'ml-platform',
  costPerReplicaHour: 3.5,
  priorityClass: '',
  policy,
});

const createdEvent = (): DeploymentEvent => {
  const { policy: _p, ...spec } = create(null);
  return { type: 'DeploymentCreated', data: { ...spec, revision: 1 } };
};

function given(...events: DeploymentEvent[]) {
  const state = events.reduce(decider.evolve, decider.initialState());
  return {
    when: (command: DeploymentCommand, context = saturday) => decider.decide(command, state, context),
  };
}

const types = (events: readonly DeploymentEvent[]) => events.map((e) => e.type);
const evaluatedOf = (events: readonly DeploymentEvent[]) =>
  events.find((e) => e.type === 'PolicyEvaluated') as Extract<DeploymentEvent, { type: 'PolicyEvaluated' }>;

describe('policy check in the deployment decider', () => {
  it('given a weekend freeze, when a create arrives on Saturday, then it is evaluated and denied', () => {
    const events = given().when({ type: 'CreateDeployment', data: create(inputs(freeze('enforce'))) });
    expect(types(events)).toEqual(['PolicyEvaluated', 'PolicyDenied']);
    const evaluated = evaluatedOf(events).data;
    expect(evaluated).toMatchObject({
      outcome: 'denied',
      decisionId: 'cmd-7',
      action: 'create',
      tzdata: '2025b',
    });
    expect(evaluated.reasons[0]).toMatch(/weekend/);
    expect(events[1]).toMatchObject({ data: { command: 'CreateDeployment', reasons: evaluated.reasons } });
  });

  it('given the same freeze, when the create arrives on Monday, then the decision and the change are recorded', () => {
    const events = given().when(
      { type: 'CreateDeployment', data: create(inputs(freeze('enforce'))) },
      monday,
    );
    expect(types(events)).toEqual(['PolicyEvaluated', 'DeploymentCreated']);
    expect(evaluatedOf(events).data.outcome).toBe('allowed');
  });

  it('given a dry-run freeze, when a scale arrives on Saturday, then it would deny but goes through', () => {
    const scale = { deploymentId: id, replicas: 4, policy: inputs(freeze('dry_run')) };
    const events = given(createdEvent()).when({ type: 'ScaleDeployment', data: scale });
    expect(types(events)).toEqual(['PolicyEvaluated', 'DeploymentScaled']);
    expect(evaluatedOf(events).data.outcome).toBe('would_deny');
  });

  it('given an exception until Sunday, then the change passes until the instant it expires', () => {
    const exception = { approver: 'carol', reason: 'hotfix', expires: '2026-11-28T12:00:00.000Z' };
    const data = { deploymentId: id, replicas: 4, policy: inputs(freeze('enforce', [exception])) };
    const before = given(createdEvent()).when({ type: 'ScaleDeployment', data });
    expect(types(before)).toEqual(['PolicyEvaluated', 'DeploymentScaled']);
    const at = given(createdEvent()).when(
      { type: 'ScaleDeployment', data },
      { ...saturday, now: exception.expires },
    );
    expect(types(at)).toEqual(['PolicyEvaluated', 'PolicyDenied']);
  });

  it('records the deployment after the change: a delete leaves 0 replicas, a scale the new count', () => {
    const del = given(createdEvent()).when({
      type: 'DeleteDeployment',
      data: { deploymentId: id, policy: inputs() },
    });
    const request = JSON.parse(evaluatedOf(del).data.request) as PolicyRequest;
    expect(request).toMatchObject({
      action: 'delete',
      replicas: 0,
      team: 'ml-platform',
      deploymentName: 'llm',
    });
    expect(types(del)).toEqual(['PolicyEvaluated', 'DeploymentDeleted']);
  });

  it('uses its own record of ready replicas, and records it among the facts', () => {
    const observed: DeploymentEvent = {
      type: 'DeploymentStatusObserved',
      data: {
        deploymentId: id,
        revision: 1,
        readyReplicas: 2,
        replicas: 2,
        phase: 'Available',
        conditions: [],
      },
    };
    const sla: PolicyVersion = {
      policyId: 'pol-sla',
      version: 1,
      definition: canonicalJson({
        name: 'sla',
        priority: 1,
        mode: 'enforce',
        selector: {},
        rule: { type: 'sla', minReadyReplicas: 2 },
      }),
    };
    const events = given(createdEvent(), observed).when({
      type: 'ScaleDeployment',
      data: { deploymentId: id, replicas: 1, policy: inputs(sla) },
    });
    expect(types(events)).toEqual(['PolicyEvaluated', 'PolicyDenied']);
    expect(readFacts(evaluatedOf(events).data.facts)).toMatchObject({ readyReplicas: 2 });
  });

  it('does not evaluate refusals, no-ops or commands without inputs', () => {
    const state = given(createdEvent());
    expect(
      types(
        state.when({
          type: 'ScaleDeployment',
          data: { deploymentId: id, replicas: 2, policy: inputs(freeze('enforce')) },
        }),
      ),
    ).toEqual([]);
    expect(types(state.when({ type: 'CreateDeployment', data: create(inputs(freeze('enforce'))) }))).toEqual([
      'DeploymentRejected',
    ]);
    expect(
      types(state.when({ type: 'ScaleDeployment', data: { deploymentId: id, replicas: 3, policy: null } })),
    ).toEqual(['DeploymentScaled']);
  });

  it('denies when the recorded facts cannot be read, and when a recorded definition is invalid', () => {
    const broken = { ...inputs(), facts: '{not json' };
    const events = given().when({ type: 'CreateDeployment', data: create(broken) }, monday);
    expect(types(events)).toEqual(['PolicyEvaluated', 'PolicyDenied']);
    const invalid = inputs({ policyId: 'pol-x', version: 1, definition: '{"name":"x"}' });
    expect(types(given().when({ type: 'CreateDeployment', data: create(invalid) }, monday))).toEqual([
      'PolicyEvaluated',
      'PolicyDenied',
    ]);
  });

  it('re-derives the same decision from the recorded event alone', () => {
    const events = given().when({ type: 'CreateDeployment', data: create(inputs(freeze('enforce'))) });
    const e = evaluatedOf(events).data;
    const facts = readFacts(e.facts);
    if (typeof facts === 'string') throw new Error(facts);
    const again = decideRecorded({ policies: e.policies, request: JSON.parse(e.request), facts, now: e.now });
    expect(again.outcome).toBe(e.outcome);
    expect(canonicalJson(again.results)).toBe(e.results);
    expect(again.reasons).toEqual(e.reasons);
  });
});
