import { unreachable } from '../shared/decider';
import type { ObservedCondition, RecordApplyOutcome, RecordDrift } from './contracts.generated';
import type { DeploymentEvent, OutcomeCommand } from './messages';
import { reject } from './rejection';
import type { ApplyFact, DeploymentState, ObservedStatus } from './state';

/**
 * Facts reported from the clusters (issue: sagas and effects): apply outcomes, observed status
 * and drift. They are accepted for Active and Deleted deployments alike, because the cluster
 * keeps acting after a deletion (the removal is applied, the object goes Missing).
 */
type Present = Exclude<DeploymentState, { status: 'Absent' }>;
type FactEvent = Extract<
  DeploymentEvent,
  {
    type:
      | 'DeploymentApplied'
      | 'DeploymentApplyFailed'
      | 'DeploymentStatusObserved'
      | 'DeploymentDriftDetected';
  }
>;

const FACT_EVENTS: readonly string[] = [
  'DeploymentApplied',
  'DeploymentApplyFailed',
  'DeploymentStatusObserved',
  'DeploymentDriftDetected',
];
const OUTCOME_COMMANDS: readonly string[] = ['RecordApplyOutcome', 'RecordObservedStatus', 'RecordDrift'];

export const isFactEvent = (e: DeploymentEvent): e is FactEvent => FACT_EVENTS.includes(e.type);
export const isOutcomeCommand = (c: { type: string }): c is OutcomeCommand =>
  OUTCOME_COMMANDS.includes(c.type);

export function decideFact(command: OutcomeCommand, state: Present): DeploymentEvent[] {
  switch (command.type) {
    case 'RecordApplyOutcome':
      return applyOutcome(command, state);
    case 'RecordObservedStatus':
      return observed(command, state);
    case 'RecordDrift':
      return drift(command, state);
    default:
      return unreachable(command);
  }
}

function applyOutcome(
  command: Extract<OutcomeCommand, { type: 'RecordApplyOutcome' }>,
  state: Present,
): DeploymentEvent[] {
  const d = command.data;
  const problems = outcomeProblems(d, state);
  if (problems.length > 0) return reject(command, problems);
  // The deletion supersedes every earlier intent: a late "applied" for one of them changes
  // nothing (the worker removes the object next), so it is accepted without an event.
  if (state.status === 'Deleted' && d.action === 'apply') return [];
  if (state.lastOutcome && sameOutcome(state.lastOutcome, d)) return [];
  const { deploymentId, intentVersion, action, revision, replicas, objectName, cluster } = d;
  const common = { deploymentId, intentVersion, action, revision, replicas, objectName, cluster };
  return d.outcome === 'applied'
    ? [{ type: 'DeploymentApplied', data: common }]
    : [{ type: 'DeploymentApplyFailed', data: { ...common, reason: d.reason, retriable: d.retriable } }];
}

function outcomeProblems(d: RecordApplyOutcome, state: Present): string[] {
  const { cluster, name } = state.placement;
  return [
    ...(d.cluster === cluster
      ? []
      : [`outcome names cluster ${d.cluster}, the deployment runs on ${cluster}`]),
    ...(d.objectName === name ? [] : [`outcome names object ${d.objectName}, the deployment's is ${name}`]),
    ...(state.status === 'Active' && d.action === 'delete'
      ? [`deployment ${d.deploymentId} is active; a deletion outcome needs a DeleteDeployment first`]
      : []),
    ...(d.outcome === 'failed' && d.reason.length === 0 ? ['a failed outcome needs a reason'] : []),
    ...(Number.isInteger(d.intentVersion) && d.intentVersion > 0 ? [] : ['intentVersion must be >= 1']),
  ];
}

function sameOutcome(last: ApplyFact, d: RecordApplyOutcome): boolean {
  return (
    last.intentVersion === d.intentVersion &&
    last.action === d.action &&
    last.outcome === d.outcome &&
    last.revision === d.revision &&
    last.replicas === d.replicas
  );
}

function observed(
  command: Extract<OutcomeCommand, { type: 'RecordObservedStatus' }>,
  state: Present,
): DeploymentEvent[] {
  const { deploymentId: _id, ...status } = command.data;
  if (![status.readyReplicas, status.replicas].every((n) => Number.isInteger(n) && n >= 0))
    return reject(command, ['readyReplicas and replicas must be integers >= 0']);
  // A resync or relist that sees the same status again is not news: no event for a no-op.
  if (state.lastObserved && sameStatus(state.lastObserved, status)) return [];
  return [{ type: 'DeploymentStatusObserved', data: command.data }];
}

function sameStatus(a: ObservedStatus, b: ObservedStatus): boolean {
  return (
    a.revision === b.revision &&
    a.readyReplicas === b.readyReplicas &&
    a.replicas === b.replicas &&
    a.phase === b.phase &&
    JSON.stringify(byType(a.conditions)) === JSON.stringify(byType(b.conditions))
  );
}

function byType(conditions: readonly ObservedCondition[]): string[][] {
  return conditions
    .map((c) => [c.type, c.status, c.reason, c.message])
    .sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : 0));
}

function drift(command: Extract<OutcomeCommand, { type: 'RecordDrift' }>, state: Present): DeploymentEvent[] {
  // After a deletion the object is meant to go away, and nothing will be repaired.
  if (state.status === 'Deleted') return [];
  return [{ type: 'DeploymentDriftDetected', data: command.data satisfies RecordDrift }];
}

/** Folds a fact into the state; an outcome never replaces one for a newer intent. */
export function evolveFact(state: DeploymentState, event: FactEvent): DeploymentState {
  if (state.status === 'Absent') return state;
  switch (event.type) {
    case 'DeploymentApplied':
    case 'DeploymentApplyFailed': {
      const fact = applyFact(event);
      return supersedes(fact, state.lastOutcome) ? { ...state, lastOutcome: fact } : state;
    }
    case 'DeploymentStatusObserved': {
      const { deploymentId: _id, ...status } = event.data;
      return { ...state, lastObserved: status };
    }
    case 'DeploymentDriftDetected':
      return state;
    default:
      return unreachable(event);
  }
}

function applyFact(
  event: Extract<FactEvent, { type: 'DeploymentApplied' | 'DeploymentApplyFailed' }>,
): ApplyFact {
  const { intentVersion, action, revision, replicas } = event.data;
  const failed = event.type === 'DeploymentApplyFailed' ? event.data : undefined;
  return {
    intentVersion,
    action,
    outcome: failed ? 'failed' : 'applied',
    revision,
    replicas,
    reason: failed?.reason ?? '',
    retriable: failed?.retriable ?? false,
  };
}

function supersedes(fact: ApplyFact, last: ApplyFact | undefined): boolean {
  if (!last || fact.intentVersion > last.intentVersion) return true;
  return (
    fact.intentVersion === last.intentVersion && (fact.outcome === 'applied' || last.outcome === 'failed')
  );
}
