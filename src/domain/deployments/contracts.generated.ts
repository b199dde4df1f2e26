// Generated from schemas/avro/deployments by `sentinel schemas codegen`; do not edit.
// A unit test regenerates this file and fails when it differs from the schemas.

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'Job';

/** Requests per replica: Kubernetes quantities for cpu and memory, a count of nvidia.com/gpu. */
export interface Resources {
  readonly cpu: string;
  readonly memory: string;
  readonly gpu: number;
}

/** What the edge gathered for the policy check (DESIGN.md §1.3): the enabled policies at their current versions and the external facts; the decider evaluates them against the change */
export interface PolicyInputs {
  readonly policies: readonly PolicyVersion[];
  readonly facts: string;
  readonly tzdata: string;
}

/** one policy as it was decided with */
export interface PolicyVersion {
  readonly policyId: string;
  readonly version: number;
  readonly definition: string;
}

export type ApplyAction = 'apply' | 'delete';

export type ApplyOutcome = 'applied' | 'failed';

export type DriftKind = 'modified' | 'deleted';

/** Phase computed from the object's status; Missing when the object does not exist. */
export type ObservedPhase = 'Progressing' | 'Available' | 'Complete' | 'Failed' | 'Missing';

/** One status condition of the Kubernetes object, as the cluster reported it. */
export interface ObservedCondition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

/** Create a workload on a named cluster. */
export interface CreateDeployment {
  readonly deploymentId: string;
  readonly name: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly kind: WorkloadKind;
  readonly image: string;
  readonly replicas: number;
  readonly resources: Resources;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly team: string;
  readonly costPerReplicaHour: number;
  readonly priorityClass: string;
  readonly policy: PolicyInputs | null;
}

/** Remove the workload from its cluster. */
export interface DeleteDeployment {
  readonly deploymentId: string;
  readonly policy: PolicyInputs | null;
}

/** Record what the effect worker did on the cluster for an intent: applied, or failed with a reason. */
export interface RecordApplyOutcome {
  readonly deploymentId: string;
  readonly intentVersion: number;
  readonly action: ApplyAction;
  readonly revision: number;
  readonly replicas: number;
  readonly outcome: ApplyOutcome;
  readonly reason: string;
  readonly retriable: boolean;
  readonly objectName: string;
  readonly cluster: string;
}

/** Record that the deployment's object no longer matches what Sentinel applied. */
export interface RecordDrift {
  readonly deploymentId: string;
  readonly kind: DriftKind;
  readonly detail: string;
}

/** Record the status a cluster watch observed on the deployment's object. */
export interface RecordObservedStatus {
  readonly deploymentId: string;
  readonly revision: number;
  readonly readyReplicas: number;
  readonly replicas: number;
  readonly phase: ObservedPhase;
  readonly conditions: readonly ObservedCondition[];
}

/** Return the pod template to a named earlier revision, as a new revision. */
export interface RollbackDeployment {
  readonly deploymentId: string;
  readonly toRevision: number;
  readonly policy: PolicyInputs | null;
}

/** Set the replica count. */
export interface ScaleDeployment {
  readonly deploymentId: string;
  readonly replicas: number;
  readonly policy: PolicyInputs | null;
}

/** Change the pod template; every accepted update is a new revision. Absent fields keep their value. */
export interface UpdateDeployment {
  readonly deploymentId: string;
  readonly image: string | null;
  readonly env: Readonly<Record<string, string>> | null;
  readonly resources: Resources | null;
  readonly policy: PolicyInputs | null;
}

/** The desired state reached the cluster: the object was server-side applied, or removed after a deletion. */
export interface DeploymentApplied {
  readonly deploymentId: string;
  readonly intentVersion: number;
  readonly action: ApplyAction;
  readonly revision: number;
  readonly replicas: number;
  readonly objectName: string;
  readonly cluster: string;
}

/** Applying the desired state to the cluster failed; retriable failures are tried again by the resync. */
export interface DeploymentApplyFailed {
  readonly deploymentId: string;
  readonly intentVersion: number;
  readonly action: ApplyAction;
  readonly revision: number;
  readonly replicas: number;
  readonly reason: string;
  readonly retriable: boolean;
  readonly objectName: string;
  readonly cluster: string;
}

/** A workload was accepted; revision 1 is its first pod template. */
export interface DeploymentCreated {
  readonly deploymentId: string;
  readonly name: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly kind: WorkloadKind;
  readonly image: string;
  readonly replicas: number;
  readonly resources: Resources;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly team: string;
  readonly costPerReplicaHour: number;
  readonly revision: number;
  readonly priorityClass: string;
}

/** The workload was deleted; the aggregate accepts no further commands. */
export interface DeploymentDeleted {
  readonly deploymentId: string;
}

/** The object was edited or deleted outside Sentinel; the effect worker repairs it. */
export interface DeploymentDriftDetected {
  readonly deploymentId: string;
  readonly kind: DriftKind;
  readonly detail: string;
}

/** A command was refused by the domain; the audit trail keeps what was tried. */
export interface DeploymentRejected {
  readonly deploymentId: string;
  readonly command: string;
  readonly reasons: readonly string[];
}

/** The pod template of an earlier revision became a new revision. */
export interface DeploymentRolledBack {
  readonly deploymentId: string;
  readonly toRevision: number;
  readonly revision: number;
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  readonly resources: Resources;
}

/** The replica count changed. */
export interface DeploymentScaled {
  readonly deploymentId: string;
  readonly replicas: number;
  readonly previousReplicas: number;
}

/** The object's observed status changed (an unchanged status is never recorded). */
export interface DeploymentStatusObserved {
  readonly deploymentId: string;
  readonly revision: number;
  readonly readyReplicas: number;
  readonly replicas: number;
  readonly phase: ObservedPhase;
  readonly conditions: readonly ObservedCondition[];
}

/** A new revision of the pod template, stated in full. */
export interface DeploymentUpdated {
  readonly deploymentId: string;
  readonly revision: number;
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  readonly resources: Resources;
}

/** A change was refused by policy; the PolicyEvaluated before it holds the inputs. */
export interface PolicyDenied {
  readonly deploymentId: string;
  readonly decisionId: string;
  readonly command: string;
  readonly reasons: readonly string[];
}

/** Every policy decision about a change, with all of its inputs: evaluate(policies, request, facts, now) on this record alone gives the same outcome (DESIGN.md §1.3). Recorded before the change's own events, in the same transaction. */
export interface PolicyEvaluated {
  readonly deploymentId: string;
  readonly decisionId: string;
  readonly action: string;
  readonly now: string;
  readonly request: string;
  readonly policies: readonly PolicyVersion[];
  readonly facts: string;
  readonly tzdata: string;
  readonly outcome: string;
  readonly results: string;
  readonly reasons: readonly string[];
}
