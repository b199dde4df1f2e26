import type { DecisionContext } from '../shared/decider';
import type { CreateDeployment } from './contracts.generated';
import { deploymentDecider as decider } from './decider';
import type { DeploymentCommand, DeploymentEvent } from './messages';

const context: DecisionContext = { now: '2026-11-27T10:00:00Z', actor: 'alice', commandId: 'cmd-1' };
const id = 'dep-1';
const create: CreateDeployment = {
  deploymentId: id,
  name: 'llm-server',
  cluster: 'local-a',
  namespace: 'inference',
  kind: 'Deployment',
  image: 'registry.example/llm:1.0',
  replicas: 2,
  resources: { cpu: '2', memory: '8Gi', gpu: 1 },
  env: { MODEL: 'llama' },
  labels: { tier: '1' },
  team: 'ml-platform',
  costPerReplicaHour: 3.5,
  priorityClass: '',
  policy: null,
};

/** given events, when a command, then these events (emmett-style). */
function given(...events: DeploymentEvent[]) {
  const state = events.reduce(decider.evolve, decider.initialState());
  return { when: (command: DeploymentCommand) => decider.decide(command, state, context) };
}

const { policy: _none, ...spec } = create;
const created: DeploymentEvent = { type: 'DeploymentCreated', data: { ...spec, revision: 1 } };

describe('deployment decider', () => {
  it('creates a deployment at revision 1', () => {
    expect(given().when({ type: 'CreateDeployment', data: create })).toEqual([created]);
  });

  it('rejects an invalid create, listing every reason', () => {
    const [event] = given().when({
      type: 'CreateDeployment',
      data: {
        ...create,
        name: 'LLM_Server',
        replicas: -1,
        resources: { cpu: 'lots', memory: '8Gi', gpu: 0 },
      },
    });
    expect(event?.type).toBe('DeploymentRejected');
    expect(event?.type === 'DeploymentRejected' && event.data.reasons).toEqual([
      expect.stringMatching(/^name "LLM_Server" must be a DNS-1123 label/),
      'replicas must be an integer from 0 to 1000, got -1',
      expect.stringMatching(/^resources.cpu "lots"/),
    ]);
  });

  it('rejects a second create and any command on a missing deployment', () => {
    expect(given(created).when({ type: 'CreateDeployment', data: create })).toEqual([
      {
        type: 'DeploymentRejected',
        data: { deploymentId: id, command: 'CreateDeployment', reasons: ['deployment dep-1 already exists'] },
      },
    ]);
    expect(
      given().when({ type: 'ScaleDeployment', data: { deploymentId: id, replicas: 3, policy: null } }),
    ).toEqual([
      {
        type: 'DeploymentRejected',
        data: { deploymentId: id, command: 'ScaleDeployment', reasons: ['deployment dep-1 does not exist'] },
      },
    ]);
  });

  it('makes a new revision from an update, keeping fields that are absent', () => {
    expect(
      given(created).when({
        type: 'UpdateDeployment',
        data: {
          deploymentId: id,
          image: 'registry.example/llm:2.0',
          env: null,
          resources: null,
          policy: null,
        },
      }),
    ).toEqual([
      {
        type: 'DeploymentUpdated',
        data: {
          deploymentId: id,
          revision: 2,
          image: 'registry.example/llm:2.0',
          env: { MODEL: 'llama' },
          resources: create.resources,
        },
      },
    ]);
  });

  it('accepts an update or scale that changes nothing without events', () => {
    expect(
      given(created).when({
        type: 'UpdateDeployment',
        data: {
          deploymentId: id,
          image: create.image,
          env: { MODEL: 'llama' },
          resources: null,
          policy: null,
        },
      }),
    ).toEqual([]);
    expect(
      given(created).when({ type: 'ScaleDeployment', data: { deploymentId: id, replicas: 2, policy: null } }),
    ).toEqual([]);
  });

  it('scales, recording the previous count', () => {
    expect(
      given(created).when({ type: 'ScaleDeployment', data: { deploymentId: id, replicas: 5, policy: null } }),
    ).toEqual([{ type: 'DeploymentScaled', data: { deploymentId: id, replicas: 5, previousReplicas: 2 } }]);
  });

  it('rolls back to an earlier revision as a new revision, and refuses unknown or current ones', () => {
    const updated: DeploymentEvent = {
      type: 'DeploymentUpdated',
      data: {
        deploymentId: id,
        revision: 2,
        image: 'registry.example/llm:2.0',
        env: {},
        resources: create.resources,
      },
    };
    expect(
      given(created, updated).when({
        type: 'RollbackDeployment',
        data: { deploymentId: id, toRevision: 1, policy: null },
      }),
    ).toEqual([
      {
        type: 'DeploymentRolledBack',
        data: {
          deploymentId: id,
          toRevision: 1,
          revision: 3,
          image: create.image,
          env: create.env,
          resources: create.resources,
        },
      },
    ]);
    const refuse = (toRevision: number) =>
      given(created, updated).when({
        type: 'RollbackDeployment',
        data: { deploymentId: id, toRevision, policy: null },
      });
    expect(refuse(7)[0]).toMatchObject({
      type: 'DeploymentRejected',
      data: { reasons: ['revision 7 does not exist (latest is 2)'] },
    });
    expect(refuse(2)[0]).toMatchObject({
      type: 'DeploymentRejected',
      data: { reasons: ['revision 2 is already current'] },
    });
  });

  it('deletes, and then refuses everything', () => {
    const deleted: DeploymentEvent = { type: 'DeploymentDeleted', data: { deploymentId: id } };
    expect(
      given(created).when({ type: 'DeleteDeployment', data: { deploymentId: id, policy: null } }),
    ).toEqual([deleted]);
    expect(
      given(created, deleted).when({ type: 'DeleteDeployment', data: { deploymentId: id, policy: null } }),
    ).toEqual([
      {
        type: 'DeploymentRejected',
        data: { deploymentId: id, command: 'DeleteDeployment', reasons: ['deployment dep-1 was deleted'] },
      },
    ]);
  });

  it('ignores rejections when folding state', () => {
    const rejected: DeploymentEvent = {
      type: 'DeploymentRejected',
      data: { deploymentId: id, command: 'ScaleDeployment', reasons: ['x'] },
    };
    expect([created, rejected].reduce(decider.evolve, decider.initialState())).toEqual(
      [created].reduce(decider.evolve, decider.initialState()),
    );
  });

  it('refuses to change a Job, which Kubernetes keeps immutable, but deletes it', () => {
    const job: DeploymentEvent = { type: 'DeploymentCreated', data: { ...spec, kind: 'Job', revision: 1 } };
    for (const command of [
      { type: 'ScaleDeployment', data: { deploymentId: id, replicas: 3, policy: null } },
      {
        type: 'UpdateDeployment',
        data: {
          deploymentId: id,
          image: 'registry.example/llm:2.0',
          env: null,
          resources: null,
          policy: null,
        },
      },
      { type: 'RollbackDeployment', data: { deploymentId: id, toRevision: 1, policy: null } },
    ] as DeploymentCommand[])
      expect(given(job).when(command)).toEqual([
        {
          type: 'DeploymentRejected',
          data: {
            deploymentId: id,
            command: command.type,
            reasons: [expect.stringMatching(/^kind: a Job's .*immutable/)],
          },
        },
      ]);
    expect(given(job).when({ type: 'DeleteDeployment', data: { deploymentId: id, policy: null } })).toEqual([
      { type: 'DeploymentDeleted', data: { deploymentId: id } },
    ]);
  });
});
