import { type Decider, unreachable } from '../shared/decider';
import { decideFact, evolveFact, isFactEvent, isOutcomeCommand } from './cluster-facts';
import type { DeploymentCommand, DeploymentEvent, OutcomeCommand } from './messages';
import { checkPolicies } from './policy-check';
import { reject } from './rejection';
import { type DeploymentState, initialState, type Template } from './state';
import { createProblems, envProblems, imageProblems, replicaProblems, resourceProblems } from './validation';

type Active = Extract<DeploymentState, { status: 'Active' }>;

function decide(command: DeploymentCommand, state: DeploymentState): readonly DeploymentEvent[] {
  if (command.type === 'CreateDeployment') {
    if (state.status !== 'Absent')
      return reject(command, [`deployment ${command.data.deploymentId} already exists`]);
    const problems = createProblems(command.data);
    // The policy inputs are recorded by PolicyEvaluated, not copied onto the deployment.
    const { policy: _inputs, ...spec } = command.data;
    return problems.length > 0
      ? reject(command, problems)
      : [{ type: 'DeploymentCreated', data: { ...spec, revision: 1 } }];
  }
  if (state.status === 'Absent')
    return reject(command, [`deployment ${command.data.deploymentId} does not exist`]);
  if (isOutcomeCommand(command)) return decideFact(command, state);
  if (state.status === 'Deleted')
    return reject(command, [`deployment ${command.data.deploymentId} was deleted`]);
  return decideOnActive(command, state);
}

function decideOnActive(
  command: Exclude<DeploymentCommand, { type: 'CreateDeployment' } | OutcomeCommand>,
  state: Active,
): readonly DeploymentEvent[] {
  if (state.placement.kind === 'Job' && command.type !== 'DeleteDeployment')
    return reject(command, [
      `kind: a Job's pod template and completions cannot change once it exists (Kubernetes makes them immutable); delete it and create a new deployment to run it again`,
    ]);
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
  if (isFactEvent(event)) return evolveFact(state, event);
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
      return toDeleted(state);
    // Decisions and refusals record what was asked; the deployment stays as it was.
    case 'DeploymentRejected':
    case 'PolicyEvaluated':
    case 'PolicyDenied':
      return state;
    default:
      return unreachable(event);
  }
}

/** The cluster facts stay: the removal is applied and observed after the deletion. */
function toDeleted(state: DeploymentState): DeploymentState {
  if (state.status !== 'Active') return state;
  const { placement, lastOutcome, lastObserved } = state;
  return {
    status: 'Deleted',
    placement,
    ...(lastOutcome && { lastOutcome }),
    ...(lastObserved && { lastObserved }),
  };
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

const fold = (state: DeploymentState, events: readonly DeploymentEvent[]) => events.reduce(evolve, state);

export const deploymentDecider: Decider<DeploymentCommand, DeploymentEvent, DeploymentState> = {
  initialState,
  decide: (command, state, context) => checkPolicies(command, state, decide(command, state), fold, context),
  evolve,
};
