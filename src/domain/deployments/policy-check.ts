import type { DecisionContext } from '../shared/decider';
import { decideRecorded, readFacts, recordJson } from '../policies/recorded';
import type { Action, PolicyFacts, PolicyRequest } from '../policies/types';
import type { PolicyInputs } from './contracts.generated';
import type { DeploymentCommand, DeploymentEvent } from './messages';
import type { DeploymentState } from './state';

type Checked = Extract<
  DeploymentCommand,
  {
    type:
      | 'CreateDeployment'
      | 'UpdateDeployment'
      | 'ScaleDeployment'
      | 'RollbackDeployment'
      | 'DeleteDeployment';
  }
>;

const ACTION_OF: Record<Checked['type'], Action> = {
  CreateDeployment: 'create',
  UpdateDeployment: 'update',
  ScaleDeployment: 'scale',
  RollbackDeployment: 'rollback',
  DeleteDeployment: 'delete',
};

const isChecked = (c: DeploymentCommand): c is Checked => Object.hasOwn(ACTION_OF, c.type);

/**
 * The change as policies see it: the deployment in its state AFTER the change. A delete keeps the
 * placement and template it had, with 0 replicas.
 */
function requestOf(action: Action, before: DeploymentState, after: DeploymentState, actor: string) {
  const live = after.status === 'Active' ? after : before.status === 'Active' ? before : undefined;
  if (!live) return undefined;
  const { placement } = live;
  const resources = live.revisions[live.revision]!.resources;
  const request: PolicyRequest = {
    action,
    deploymentId: '',
    deploymentName: placement.name,
    actor,
    cluster: placement.cluster,
    namespace: placement.namespace,
    team: placement.team,
    labels: placement.labels,
    replicas: after.status === 'Active' ? after.replicas : 0,
    perReplica: { cpu: resources.cpu, memory: resources.memory, gpu: resources.gpu },
    costPerReplicaHour: placement.costPerReplicaHour,
  };
  return request;
}

/**
 * Ready replicas come from the aggregate's own record of the cluster (ADR 0005), which is
 * newer than anything the edge could read; the edge's value is used only when there is none.
 */
function withOwnObservations(facts: PolicyFacts, before: DeploymentState): PolicyFacts {
  const observed = before.status === 'Absent' ? undefined : before.lastObserved;
  return observed ? { ...facts, readyReplicas: observed.readyReplicas } : facts;
}

/** Evaluates the recorded inputs; unreadable facts deny, as any rule that cannot be checked. */
function decideOn(inputs: PolicyInputs, request: PolicyRequest, before: DeploymentState, now: string) {
  const read = readFacts(inputs.facts);
  if (typeof read === 'string')
    return {
      outcome: 'denied' as const,
      results: [],
      reasons: [`${read}, so no policy can be checked`],
      facts: inputs.facts,
    };
  const facts = withOwnObservations(read, before);
  const decision = decideRecorded({ policies: inputs.policies, request, facts, now });
  return { ...decision, facts: recordJson(facts) };
}

/**
 * Runs the policy check on a change the domain accepted (DESIGN.md §3, issue: policy engine).
 * The decision and all its inputs become `PolicyEvaluated`, written before the change's own
 * events in the same transaction; an enforced denial replaces the change with `PolicyDenied`.
 * Commands that carry no inputs (written before policies were checked) and refusals or no-ops
 * of the domain are returned unchanged: there is no change to decide.
 */
export function checkPolicies(
  command: DeploymentCommand,
  before: DeploymentState,
  decided: readonly DeploymentEvent[],
  fold: (state: DeploymentState, events: readonly DeploymentEvent[]) => DeploymentState,
  context: DecisionContext,
): readonly DeploymentEvent[] {
  if (!isChecked(command)) return decided;
  const inputs: PolicyInputs | null | undefined = command.data.policy;
  if (!inputs || decided.length === 0 || decided.some((e) => e.type === 'DeploymentRejected')) return decided;
  const action = ACTION_OF[command.type];
  const { deploymentId } = command.data;
  const partial = requestOf(action, before, fold(before, decided), context.actor);
  if (!partial) return decided;
  const request = { ...partial, deploymentId };
  const decision = decideOn(inputs, request, before, context.now);
  const { outcome, reasons } = decision;
  const evaluated: DeploymentEvent = {
    type: 'PolicyEvaluated',
    data: {
      deploymentId,
      decisionId: context.commandId,
      action,
      now: context.now,
      request: recordJson(request),
      policies: inputs.policies,
      facts: decision.facts,
      tzdata: inputs.tzdata,
      outcome,
      results: recordJson(decision.results),
      reasons: [...reasons],
    },
  };
  if (outcome !== 'denied') return [evaluated, ...decided];
  const denied: DeploymentEvent = {
    type: 'PolicyDenied',
    data: { deploymentId, decisionId: context.commandId, command: command.type, reasons: [...reasons] },
  };
  return [evaluated, denied];
}
