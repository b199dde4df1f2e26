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
  const read = readFacts(inputs.facts);
  const facts = typeof read === 'string' ? undefined : withOwnObservations(read, before);
  const decision = facts
    ? decideRecorded({ policies: inputs.policies, request, facts, now: context.now })
    : undefined;
  const outcome = decision?.outcome ?? 'denied';
  const reasons = decision ? [...decision.reasons] : [`${String(read)}, so no policy can be checked`];
  const evaluated: DeploymentEvent = {
    type: 'PolicyEvaluated',
    data: {
      deploymentId,
      decisionId: context.commandId,
      action,
      now: context.now,
      request: recordJson(request),
      policies: inputs.policies,
      facts: facts ? recordJson(facts) : inputs.facts,
      tzdata: inputs.tzdata,
      outcome,
      results: recordJson(decision?.results ?? []),
      reasons,
    },
  };
  if (outcome !== 'denied') return [evaluated, ...decided];
  return [
    evaluated,
    {
      type: 'PolicyDenied',
      data: { deploymentId, decisionId: context.commandId, command: command.type, reasons },
    },
  ];
}
