import type {
  ObservedCondition,
  ObservedPhase,
  WorkloadKind,
} from '../domain/deployments/contracts.generated';
import type { ObservedStatus } from '../domain/deployments/state';
import { REVISION } from './manifest';

/** Status fields of Deployments, StatefulSets and Jobs that the phase is computed from. */
export interface StatusObject {
  readonly metadata?: {
    readonly generation?: number;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: { readonly replicas?: number; readonly completions?: number };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly readyReplicas?: number;
    readonly updatedReplicas?: number;
    readonly availableReplicas?: number;
    readonly succeeded?: number;
    readonly conditions?: readonly {
      readonly type: string;
      readonly status: string;
      readonly reason?: string;
      readonly message?: string;
    }[];
  };
}

/**
 * The status Sentinel records for an object, recomputed from what is observed on every pass
 * (argo-rollouts' CalculateRolloutPhase, STYLE.md practice 12). Only fields that change with
 * real progress are kept (no timestamps), so an unchanged object yields an equal status.
 */
export function observedStatus(kind: WorkloadKind, object: StatusObject): ObservedStatus {
  const revision = Number(object.metadata?.annotations?.[REVISION] ?? 0);
  const conditions: ObservedCondition[] = (object.status?.conditions ?? []).map((c) => ({
    type: c.type,
    status: c.status,
    reason: c.reason ?? '',
    message: c.message ?? '',
  }));
  return {
    revision: Number.isInteger(revision) ? revision : 0,
    ...counts(kind, object),
    phase: kind === 'Job' ? jobPhase(conditions) : workloadPhase(object, conditions),
    conditions,
  };
}

/** A Job's pods end once done: what counts is how many succeeded, out of its completions. */
function counts(kind: WorkloadKind, object: StatusObject): { readyReplicas: number; replicas: number } {
  const s = object.status ?? {};
  if (kind === 'Job') return { readyReplicas: s.succeeded ?? 0, replicas: object.spec?.completions ?? 0 };
  return { readyReplicas: s.readyReplicas ?? 0, replicas: s.replicas ?? 0 };
}

/** What Sentinel records once the object is gone. */
export const MISSING: Omit<ObservedStatus, 'revision'> = {
  readyReplicas: 0,
  replicas: 0,
  phase: 'Missing',
  conditions: [],
};

const isTrue = (conditions: readonly ObservedCondition[], type: string) =>
  conditions.some((c) => c.type === type && c.status === 'True');

function jobPhase(conditions: readonly ObservedCondition[]): ObservedPhase {
  if (isTrue(conditions, 'Complete')) return 'Complete';
  if (isTrue(conditions, 'Failed')) return 'Failed';
  return 'Progressing';
}

/**
 * Available once the controller has seen the latest spec and every wanted pod is updated,
 * ready and alone (no old pods left); Failed when a Deployment exceeded its progress deadline.
 */
function workloadPhase(object: StatusObject, conditions: readonly ObservedCondition[]): ObservedPhase {
  const deadlineExceeded = conditions.some(
    (c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
  );
  if (deadlineExceeded) return 'Failed';
  const unavailable = conditions.some((c) => c.type === 'Available' && c.status === 'False');
  return rolledOut(object) && !unavailable ? 'Available' : 'Progressing';
}

function rolledOut(object: StatusObject): boolean {
  const s = object.status ?? {};
  const wanted = object.spec?.replicas ?? 1;
  const seen = (s.observedGeneration ?? 0) >= (object.metadata?.generation ?? 0);
  return seen && [s.updatedReplicas ?? 0, s.readyReplicas ?? 0, s.replicas ?? 0].every((n) => n === wanted);
}
