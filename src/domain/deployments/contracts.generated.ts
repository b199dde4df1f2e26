// Generated from schemas/avro/deployments by `sentinel schemas codegen`; do not edit.
// A unit test regenerates this file and fails when it differs from the schemas.

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'Job';

/** Requests per replica: Kubernetes quantities for cpu and memory, a count of nvidia.com/gpu. */
export interface Resources {
  readonly cpu: string;
  readonly memory: string;
  readonly gpu: number;
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
}

/** Remove the workload from its cluster. */
export interface DeleteDeployment {
  readonly deploymentId: string;
}

/** Return the pod template to a named earlier revision, as a new revision. */
export interface RollbackDeployment {
  readonly deploymentId: string;
  readonly toRevision: number;
}

/** Set the replica count. */
export interface ScaleDeployment {
  readonly deploymentId: string;
  readonly replicas: number;
}

/** Change the pod template; every accepted update is a new revision. Absent fields keep their value. */
export interface UpdateDeployment {
  readonly deploymentId: string;
  readonly image: string | null;
  readonly env: Readonly<Record<string, string>> | null;
  readonly resources: Resources | null;
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

/** A new revision of the pod template, stated in full. */
export interface DeploymentUpdated {
  readonly deploymentId: string;
  readonly revision: number;
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  readonly resources: Resources;
}
