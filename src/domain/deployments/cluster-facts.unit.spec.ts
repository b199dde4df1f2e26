import type { DecisionContext } from '../shared/decider';
import type { RecordApplyOutcome, RecordObservedStatus } from './contracts.generated';
import { deploymentDecider as decider } from './decider';
import type { DeploymentCommand, DeploymentEvent } from './messages';

const context: DecisionContext = {
  now: '2026-11-27T10:00:00Z',
  actor: 'sentinel-effects',
  commandId: 'cmd-1',
};
const id = 'dep-1';
const created: DeploymentEvent = {
  type: 'DeploymentCreated',
  data: {
    deploymentId: id,
    name: 'llm-server',
    cluster: 'local-a',
    namespace: 'inference',
    kind: 'Deployment',
    image: 'registry.example/llm:1.0',
    replicas: 2,
    resources: { cpu: '2', memory: '8Gi', gpu: 1 },
    env: {},
    labels: {},
    team: 'ml-platform',
    costPerReplicaHour: 3.5,
    revision: 1,
    priorityClass: '',
  },
};
const deleted: DeploymentEvent = { type: 'DeploymentDeleted', data: { deploymentId: id } };

function given(...events: DeploymentEvent[]) {
  const state = events.reduce(decider.evolve, decider.initialState());
  return {
    state,
    when: (command: DeploymentCommand) => decider.decide(command, state, context),
  };
}

const outcome = (o: Partial<RecordApplyOutcome> = {}): DeploymentCommand => ({
  type: 'RecordApplyOutcome',
  data: {
    deploymentId: id,
    intentVersion: 1,
    action: 'apply',
    revision: 1,
    replicas: 2,
    outcome: 'applied',
    reason: '',
    retriable: false,
    objectName: 'llm-server',
    cluster: 'local-a',
    ...o,
  },
});

const status = (s: Partial<RecordObservedStatus> = {}): DeploymentCommand => ({
  type: 'RecordObservedStatus',
  data: {
    deploymentId: id,
    revision: 1,
    readyReplicas: 2,
    replicas: 2,
    phase: 'Available',
    conditions: [
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: '' },
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: '' },
    ],
    ...s,
  },
});

const only = <T>(events: readonly T[]): T => {
  expect(events).toHaveLength(1);
  return events[0]!;
};

describe('apply outcomes', () => {
  it('records an applied intent, and keeps it as the last outcome', () => {
    const [applied] = given(created).when(outcome());
    expect(applied).toEqual({
      type: 'DeploymentApplied',
      data: {
        deploymentId: id,
        intentVersion: 1,
        action: 'apply',
        revision: 1,
        replicas: 2,
        objectName: 'llm-server',
        cluster: 'local-a',
      },
    });
    expect(given(created, applied!).state).toMatchObject({
      lastOutcome: { intentVersion: 1, outcome: 'applied' },
    });
  });

  it('records a failure with its reason and whether it is retriable', () => {
    const failed = only(given(created).when(outcome({ outcome: 'failed', reason: 'busy', retriable: true })));
    expect(failed).toMatchObject({
      type: 'DeploymentApplyFailed',
      data: { reason: 'busy', retriable: true },
    });
    expect(given(created).when(outcome({ outcome: 'failed', reason: '' }))[0]).toMatchObject({
      type: 'DeploymentRejected',
      data: { reasons: ['a failed outcome needs a reason'] },
    });
  });

  it('records nothing when the same outcome is reported again', () => {
    const [applied] = given(created).when(outcome());
    expect(given(created, applied!).when(outcome())).toEqual([]);
  });

  it('never lets a late outcome for an older intent replace a newer one', () => {
    const newer = only(given(created).when(outcome({ intentVersion: 3, replicas: 4 })));
    const older = only(given(created).when(outcome({ intentVersion: 2, outcome: 'failed', reason: 'x' })));
    expect(given(created, newer, older).state).toMatchObject({
      lastOutcome: { intentVersion: 3, replicas: 4 },
    });
  });

  it('refuses an outcome for another cluster or object, or a deletion of an active deployment', () => {
    expect(only(given(created).when(outcome({ cluster: 'local-b', objectName: 'x' })))).toMatchObject({
      type: 'DeploymentRejected',
      data: {
        reasons: [
          'outcome names cluster local-b, the deployment runs on local-a',
          "outcome names object x, the deployment's is llm-server",
        ],
      },
    });
    expect(only(given(created).when(outcome({ action: 'delete' })))).toMatchObject({
      type: 'DeploymentRejected',
      data: { reasons: ['deployment dep-1 is active; a deletion outcome needs a DeleteDeployment first'] },
    });
  });

  it('after a deletion, records the removal and ignores a late apply', () => {
    expect(only(given(created, deleted).when(outcome({ intentVersion: 2, action: 'delete' })))).toMatchObject(
      {
        type: 'DeploymentApplied',
        data: { action: 'delete', intentVersion: 2 },
      },
    );
    expect(given(created, deleted).when(outcome({ intentVersion: 1 }))).toEqual([]);
  });

  it('refuses outcomes for a deployment that never existed', () => {
    expect(only(given().when(outcome()))).toMatchObject({
      type: 'DeploymentRejected',
      data: { reasons: ['deployment dep-1 does not exist'] },
    });
  });
});

describe('observed status', () => {
  it('records a change, and nothing for the same status in another order', () => {
    const observed = only(given(created).when(status({ phase: 'Progressing', readyReplicas: 0 })));
    expect(observed.type).toBe('DeploymentStatusObserved');
    const available = only(given(created, observed).when(status()));
    expect(given(created, observed, available).when(status())).toEqual([]);
    const reordered = status({
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: '' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: '' },
      ],
    });
    expect(given(created, observed, available).when(reordered)).toEqual([]);
  });

  it('records the object going Missing after a deletion, and keeps facts through it', () => {
    const available = only(given(created).when(status()));
    const missing = only(
      given(created, available, deleted).when(
        status({ phase: 'Missing', readyReplicas: 0, replicas: 0, conditions: [] }),
      ),
    );
    expect(missing).toMatchObject({ type: 'DeploymentStatusObserved', data: { phase: 'Missing' } });
    expect(given(created, available, deleted, missing).state).toMatchObject({
      status: 'Deleted',
      lastObserved: { phase: 'Missing' },
    });
  });

  it('refuses negative counts', () => {
    expect(only(given(created).when(status({ readyReplicas: -1 }))).type).toBe('DeploymentRejected');
  });
});

describe('drift', () => {
  const drift = (kind: 'modified' | 'deleted'): DeploymentCommand => ({
    type: 'RecordDrift',
    data: { deploymentId: id, kind, detail: 'image a -> b' },
  });

  it('records drift of an active deployment without changing its desired state', () => {
    const detected = only(given(created).when(drift('modified')));
    expect(detected).toEqual({
      type: 'DeploymentDriftDetected',
      data: { deploymentId: id, kind: 'modified', detail: 'image a -> b' },
    });
    expect(given(created, detected).state).toEqual(given(created).state);
  });

  it('ignores an object that disappears or changes after the deployment was deleted', () => {
    expect(given(created, deleted).when(drift('deleted'))).toEqual([]);
  });

  it('still refuses desired-state commands after a deletion', () => {
    expect(
      only(
        given(created, deleted).when({
          type: 'ScaleDeployment',
          data: { deploymentId: id, replicas: 1, policy: null },
        }),
      ),
    ).toMatchObject({ type: 'DeploymentRejected', data: { reasons: ['deployment dep-1 was deleted'] } });
  });
});
