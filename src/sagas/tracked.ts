import { deploymentDecider } from '../domain/deployments/decider';
import type { DeploymentEvent } from '../domain/deployments/messages';
import type { DeploymentState } from '../domain/deployments/state';

/** Events that change what should run: the worker applies (or removes) the object after each. */
const DESIRED = new Set<string>([
  'DeploymentCreated',
  'DeploymentUpdated',
  'DeploymentScaled',
  'DeploymentRolledBack',
  'DeploymentDeleted',
]);
/** Events that ask for the desired state to be applied again, unchanged: a repair. */
const REPAIR = new Set<string>(['DeploymentDriftDetected']);

export const isTrigger = (type: string) => DESIRED.has(type) || REPAIR.has(type);

/** One deployment as the effect worker knows it from its event stream. */
export interface Tracked {
  readonly deploymentId: string;
  readonly state: DeploymentState;
  /** Version of the last event folded; older or repeated deliveries are ignored. */
  readonly version: number;
  /** Version of the last event that changed the desired state: stamped on the object. */
  readonly desiredVersion: number;
  /** Version of the last event that asks for an apply (desired change or repair). */
  readonly intentVersion: number;
  /** Its CloudEvents id and correlation id, so an outcome names what caused it. */
  readonly intentEventId: string;
  readonly correlationId: string;
}

export interface EventMeta {
  readonly version: number;
  readonly id: string;
  readonly correlationId: string;
}

/** Folds one event (the domain's own evolve plus intent bookkeeping); pure. */
export function track(
  deploymentId: string,
  previous: Tracked | undefined,
  event: DeploymentEvent,
  meta: EventMeta,
): Tracked {
  const base: Tracked = previous ?? {
    deploymentId,
    state: deploymentDecider.initialState(),
    version: 0,
    desiredVersion: 0,
    intentVersion: 0,
    intentEventId: '',
    correlationId: '',
  };
  if (meta.version <= base.version) return base;
  const state = deploymentDecider.evolve(base.state, event);
  const next = { ...base, state, version: meta.version };
  // A drift after a deletion asks for nothing: the object is meant to be gone.
  const repair = REPAIR.has(event.type) && state.status === 'Active';
  if (!DESIRED.has(event.type) && !repair) return next;
  return {
    ...next,
    desiredVersion: DESIRED.has(event.type) ? meta.version : base.desiredVersion,
    intentVersion: meta.version,
    intentEventId: meta.id,
    correlationId: meta.correlationId,
  };
}

/**
 * What the last intent still needs: nothing once its outcome is recorded as applied or as a
 * permanent failure (only a new intent can change that); a retriable failure is tried again.
 */
export function pendingWork(t: Tracked): 'apply' | 'delete' | 'none' {
  const { state } = t;
  if (state.status === 'Absent') return 'none';
  const last = state.lastOutcome;
  const answered =
    last !== undefined &&
    last.intentVersion >= t.intentVersion &&
    last.action === (state.status === 'Deleted' ? 'delete' : 'apply') &&
    (last.outcome === 'applied' || !last.retriable);
  if (answered) return 'none';
  return state.status === 'Deleted' ? 'delete' : 'apply';
}
