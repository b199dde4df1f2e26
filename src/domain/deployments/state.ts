import type {
  ApplyAction,
  ApplyOutcome,
  DeploymentStatusObserved,
  Resources,
  WorkloadKind,
} from './contracts.generated';

/** One pod template, kept per revision so a rollback can name any earlier one. */
export interface Template {
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  readonly resources: Resources;
}

export interface Placement {
  readonly name: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly kind: WorkloadKind;
  readonly team: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly costPerReplicaHour: number;
  /** Empty for the cluster default; events written before it existed upcast to empty. */
  readonly priorityClass: string;
}

/** The newest apply outcome the effect worker recorded: which intent it answered, and how. */
export interface ApplyFact {
  readonly intentVersion: number;
  readonly action: ApplyAction;
  readonly outcome: ApplyOutcome;
  readonly revision: number;
  readonly replicas: number;
  readonly reason: string;
  readonly retriable: boolean;
}

export type ObservedStatus = Omit<DeploymentStatusObserved, 'deploymentId'>;

/**
 * What the cluster reported, kept through deletion (the deletion itself is applied and observed).
 * Optional because nothing may have been recorded yet; the lifecycle stays in `status`.
 */
export interface ClusterFacts {
  readonly lastOutcome?: ApplyFact;
  readonly lastObserved?: ObservedStatus;
}

/** Lifecycle states as a union (STYLE.md practice 2): no nullable fields standing for "not yet". */
export type DeploymentState =
  | { readonly status: 'Absent' }
  | ({
      readonly status: 'Active';
      readonly placement: Placement;
      readonly replicas: number;
      readonly revision: number;
      readonly revisions: Readonly<Record<number, Template>>;
    } & ClusterFacts)
  | ({ readonly status: 'Deleted'; readonly placement: Placement } & ClusterFacts);

export const initialState = (): DeploymentState => ({ status: 'Absent' });
