import type { Decider, Message } from '../domain/shared/decider';
import { accessDecider } from '../domain/access/decider';
import { deploymentDecider } from '../domain/deployments/decider';
import { policyDecider } from '../domain/policies/decider';

/** A bounded context as the write side sees it: its decider and its message types. */
export interface BoundedContext<C extends Message = Message, E extends Message = Message, S = unknown> {
  readonly name: string;
  /** Avro namespace of its commands and events; full names are `${namespace}.${type}`. */
  readonly namespace: string;
  readonly decider: Decider<C, E, S>;
  readonly commandTypes: readonly C['type'][];
  /** Event types that record a refusal; a command producing one is answered as rejected. */
  readonly rejectionTypes: readonly E['type'][];
}

export const deployments: BoundedContext = {
  name: 'deployments',
  namespace: 'sentinel.deployments',
  decider: deploymentDecider as unknown as Decider<Message, Message, unknown>,
  commandTypes: [
    'CreateDeployment',
    'UpdateDeployment',
    'ScaleDeployment',
    'RollbackDeployment',
    'DeleteDeployment',
    'RecordApplyOutcome',
    'RecordObservedStatus',
    'RecordDrift',
  ],
  rejectionTypes: ['DeploymentRejected', 'PolicyDenied'],
};

/** Refused HTTP requests, per subject: the audit trail of who tried what (issue: RBAC). */
export const access: BoundedContext = {
  name: 'access',
  namespace: 'sentinel.access',
  decider: accessDecider as unknown as Decider<Message, Message, unknown>,
  commandTypes: ['RecordAccessDenial'],
  rejectionTypes: [],
};

/** Policies as versioned aggregates (issue: policies are an aggregate). */
export const policies: BoundedContext = {
  name: 'policies',
  namespace: 'sentinel.policies',
  decider: policyDecider as unknown as Decider<Message, Message, unknown>,
  commandTypes: ['CreatePolicy', 'PublishPolicyVersion', 'EnablePolicy', 'DisablePolicy', 'DeletePolicy'],
  rejectionTypes: ['PolicyRejected'],
};

export const CONTEXTS: readonly BoundedContext[] = [deployments, access, policies];

/** Finds the context that owns a command by its Avro full name. */
export function contextOfCommand(contexts: readonly BoundedContext[], fullName: string) {
  for (const context of contexts) {
    const prefix = `${context.namespace}.`;
    if (fullName.startsWith(prefix) && context.commandTypes.includes(fullName.slice(prefix.length))) {
      return { context, type: fullName.slice(prefix.length) };
    }
  }
  return undefined;
}
