import { type Decider, unreachable } from '../shared/decider';
import type { DeploymentCommand, DeploymentEvent } from './messages';
import { type DeploymentState, initialState, type Template } from './state';
import { createProblems, envProblems, imageProblems, replicaProblems, resourceProblems } from './validation';

type Active = Extract<DeploymentState, { status: 'Active' }>;

const reject = (command: DeploymentCommand, reasons: string[]): DeploymentEvent[] => [
  {
    type: 'DeploymentRejected',
    data: { deploymentId: command.data.deploymentId, command: command.type, reasons },
  },
];

function decide(command: DeploymentCommand, state: DeploymentState): readonly DeploymentEvent[] {
  if (command.type === 'CreateDeployment') {
    if (state.status !== 'Absent')
      return reject(command, [`deployment ${command.data.deploymentId} already exists`]);
    const problems = createProblems(command.data);
    return problems.length > 0
      ? reject(command, problems)
      : [{ type: 'DeploymentCreated', data: { ...command.data, revision: 1 } }];
  }
  if (state.status === 'Absent')
    return reject(command, [`deployment ${command.data.deploymentId} does not exist`]);
  if (state.status === 'Deleted')
    return reject(command, [`deployment ${command.data.deploymentId} was deleted`]);
  return decideOnActive(command, state);
}

function decideOnActive(
  command: Exclude<DeploymentCommand, { type: 'CreateDeployment' }>,
  state: Active,
): readonly DeploymentEvent[] {
  switch (command.type) {
    case 'UpdateDeployment':
      return update(command, state);
    case 'ScaleDeployment':
      return scale(command, state);
    case 'RollbackDeployment':
      return rollback(command, state);
    case 'DeleteDeployment':
      return [{ type: 'DeploymentDeleted', data: { deploymentId: command.data.deploymentId } }];
    default:
      return unreachable(command);
  }
}

function update(
  command: Extract<DeploymentCommand, { type: 'UpdateDeployment' }>,
  state: Active,
): DeploymentEvent[] {
  const current = state.revisions[state.revision]!;
  const next: Template = {
    image: command.data.image ?? current.image,
    env: command.data.env ?? current.env,
    resources: command.data.resources ?? current.resources,
  };
  const problems = [
    ...imageProblems(next.image),
    ...resourceProblems(next.resources),
    ...envProblems(next.env),
  ];
  if (problems.length > 0) return reject(command, problems);
  // An update that changes nothing is accepted without a new revision.
  if (sameTemplate(current, next)) return [];
  return [
    {
      type: 'DeploymentUpdated',
      data: { deploymentId: command.data.deploymentId, revision: state.revision + 1, ...next },
    },
  ];
}

function scale(
  command: Extract<DeploymentCommand, { type: 'ScaleDeployment' }>,
  state: Active,
): DeploymentEvent[] {
  const { deploymentId, replicas } = command.data;
  const problems = replicaProblems(replicas);
  if (problems.length > 0) return reject(command, problems);
  if (replicas === state.replicas) return [];
  return [{ type: 'DeploymentScaled', data: { deploymentId, replicas, previousReplicas: state.replicas } }];
}

function rollback(
  command: Extract<DeploymentCommand, { type: 'RollbackDeployment' }>,
  state: Active,
): DeploymentEvent[] {
  const { deploymentId, toRevision } = command.data;
  const target = state.revisions[toRevision];
  if (!target)
    return reject(command, [`revision ${toRevision} does not exist (latest is ${state.revision})`]);
  if (toRevision === state.revision) return reject(command, [`revision ${toRevision} is already current`]);
  return [
    {
      type: 'DeploymentRolledBack',
      data: { deploymentId, toRevision, revision: state.revision + 1, ...target },
    },
  ];
}

function evolve(state: DeploymentState, event: DeploymentEvent): DeploymentState {
  switch (event.type) {
    case 'DeploymentCreated': {
      const { image, env, resources, replicas, revision, deploymentId: _id, ...placement } = event.data;
      return {
        status: 'Active',
        placement,
        replicas,
        revision,
        revisions: { [revision]: { image, env, resources } },
      };
    }
    case 'DeploymentUpdated':
    case 'DeploymentRolledBack': {
      if (state.status !== 'Active') return state;
      const { image, env, resources, revision } = event.data;
      return { ...state, revision, revisions: { ...state.revisions, [revision]: { image, env, resources } } };
    }
    case 'DeploymentScaled':
      return state.status === 'Active' ? { ...state, replicas: event.data.replicas } : state;
    case 'DeploymentDeleted':
      return state.status === 'Active' ? { status: 'Deleted', placement: state.placement } : state;
    case 'DeploymentRejected':
      return state;
    default:
      return unreachable(event);
  }
}

function sameTemplate(a: Template, b: Template): boolean {
  return (
    a.image === b.image &&
    JSON.stringify(sorted(a.env)) === JSON.stringify(sorted(b.env)) &&
    JSON.stringify(a.resources) === JSON.stringify(b.resources)
  );
}

function sorted(record: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

export const deploymentDecider: Decider<DeploymentCommand, DeploymentEvent, DeploymentState> = {
  initialState,
  decide: (command, state) => decide(command, state),
  evolve,
};
