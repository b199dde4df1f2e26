import type { Resources, WorkloadKind } from './contracts.generated';

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
}

/** Lifecycle states as a union (STYLE.md practice 2): no nullable fields standing for "not yet". */
export type DeploymentState =
  | { readonly status: 'Absent' }
  | {
      readonly status: 'Active';
      readonly placement: Placement;
      readonly replicas: number;
      readonly revision: number;
      readonly revisions: Readonly<Record<number, Template>>;
    }
  | { readonly status: 'Deleted'; readonly placement: Placement };

export const initialState = (): DeploymentState => ({ status: 'Absent' });
