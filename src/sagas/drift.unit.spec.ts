import { deploymentDecider } from '../domain/deployments/decider';
import type { DeploymentEvent } from '../domain/deployments/messages';
import { driftBetween, quantity, type WorkloadObject } from './drift';
import { detectDrift } from './drift-check';
import { desiredObject } from './manifest';
import { pendingWork, track, type Tracked } from './tracked';

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
    resources: { cpu: '0.5', memory: '1Gi', gpu: 0 },
    env: { MODEL: 'llama' },
    labels: {},
    team: 'ml-platform',
    costPerReplicaHour: 1,
    revision: 1,
    priorityClass: '',
  },
};

/** Folds events at versions 1, 2, ... as the worker would from the log. */
const tracked = (...events: DeploymentEvent[]): Tracked =>
  events.reduce<Tracked | undefined>(
    (t, e, i) => track(id, t, e, { version: i + 1, id: `event-${i + 1}`, correlationId: 'corr' }),
    undefined,
  )!;

interface Editable {
  metadata: { uid?: string; generation?: number };
  spec: {
    replicas: number;
    template: {
      spec: {
        containers: {
          name: string;
          image: string;
          env: { name: string; value: string }[];
          resources: { requests: Record<string, string> };
        }[];
      };
    };
  };
}

/** The object as the API server would hand it back: with a uid, generation and the applied fields. */
function live(t: Tracked, edit: (o: Editable) => void = () => undefined): WorkloadObject {
  if (t.state.status !== 'Active') throw new Error('not active');
  const object: Editable = JSON.parse(JSON.stringify(desiredObject(id, t.state, t.desiredVersion)));
  object.metadata.uid = 'uid-1';
  object.metadata.generation = 3;
  edit(object);
  return object as WorkloadObject;
}
const container = (o: Editable) => o.spec.template.spec.containers[0]!;

describe('drift', () => {
  it('is nothing when the object is as applied, quantities written differently included', () => {
    const t = tracked(created);
    expect(
      detectDrift(
        t,
        live(t, (o) => (container(o).resources.requests.cpu = '500m')),
      ),
    ).toBeUndefined();
    expect(quantity('1Gi')).toBe(1024 ** 3);
    expect(quantity('lots')).toBeNaN();
  });

  it('names each owned field edited by hand, once per object generation', () => {
    const t = tracked(created);
    const edited = live(t, (o) => {
      container(o).image = 'registry.example/llm:evil';
      o.spec.replicas = 5;
      container(o).env = [{ name: 'EXTRA', value: 'x' }];
    });
    expect(detectDrift(t, edited)).toEqual({
      kind: 'modified',
      detail:
        'Deployment inference/llm-server: image registry.example/llm:1.0 -> registry.example/llm:evil; ' +
        'replicas 2 -> 5; env MODEL llama -> (unset)',
      commandId: expect.any(String),
    });
    expect(detectDrift(t, edited)!.commandId).toBe(
      detectDrift(
        t,
        live(t, (o) => (o.spec.replicas = 7)),
      )!.commandId,
    );
  });

  it('ignores env variables added by someone else, which apply cannot remove', () => {
    const t = tracked(created);
    const added = live(t, (o) => container(o).env.push({ name: 'DEBUG', value: '1' }));
    expect(driftBetween(live(t), added)).toEqual([]);
  });

  it('is not drift when the object is from an older desired version (the apply is pending)', () => {
    const scaled: DeploymentEvent = {
      type: 'DeploymentScaled',
      data: { deploymentId: id, replicas: 4, previousReplicas: 2 },
    };
    const before = tracked(created);
    expect(detectDrift(tracked(created, scaled), live(before))).toBeUndefined();
  });

  it('reports a missing object of an active deployment, and nothing once it is deleted', () => {
    expect(detectDrift(tracked(created), undefined)).toMatchObject({ kind: 'deleted' });
    expect(
      detectDrift(tracked(created, { type: 'DeploymentDeleted', data: { deploymentId: id } }), undefined),
    ).toBeUndefined();
  });
});

describe('what the worker still has to do', () => {
  const applied = (intentVersion: number, action: 'apply' | 'delete' = 'apply'): DeploymentEvent => ({
    type: 'DeploymentApplied',
    data: {
      deploymentId: id,
      intentVersion,
      action,
      revision: 1,
      replicas: 2,
      objectName: 'llm-server',
      cluster: 'local-a',
    },
  });
  const failed = (retriable: boolean): DeploymentEvent => ({
    type: 'DeploymentApplyFailed',
    data: {
      deploymentId: id,
      intentVersion: 1,
      action: 'apply',
      revision: 1,
      replicas: 2,
      objectName: 'llm-server',
      cluster: 'local-a',
      reason: 'x',
      retriable,
    },
  });
  const drift: DeploymentEvent = {
    type: 'DeploymentDriftDetected',
    data: { deploymentId: id, kind: 'deleted', detail: 'gone' },
  };
  const deleted: DeploymentEvent = { type: 'DeploymentDeleted', data: { deploymentId: id } };

  it('applies until the latest intent is recorded as applied or as a permanent failure', () => {
    expect(pendingWork(tracked(created))).toBe('apply');
    expect(pendingWork(tracked(created, applied(1)))).toBe('none');
    expect(pendingWork(tracked(created, failed(true)))).toBe('apply');
    expect(pendingWork(tracked(created, failed(false)))).toBe('none');
  });

  it('applies again after a drift, stamping the object with the unchanged desired version', () => {
    const t = tracked(created, applied(1), drift);
    expect(t).toMatchObject({ desiredVersion: 1, intentVersion: 3, intentEventId: 'event-3' });
    expect(pendingWork(t)).toBe('apply');
  });

  it('removes the object after a deletion, until the removal is recorded', () => {
    expect(pendingWork(tracked(created, applied(1), deleted))).toBe('delete');
    expect(pendingWork(tracked(created, applied(1), deleted, applied(3, 'delete')))).toBe('none');
  });

  it('folds each version once, so a redelivered event changes nothing', () => {
    const t = tracked(created, applied(1));
    expect(track(id, t, created, { version: 1, id: 'event-1', correlationId: 'corr' })).toBe(t);
  });
});

it('the desired state folds with the domain evolve', () => {
  expect(tracked(created).state).toEqual(deploymentDecider.evolve(deploymentDecider.initialState(), created));
});
