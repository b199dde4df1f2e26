import type { DriftKind } from '../domain/deployments/contracts.generated';
import { driftBetween, type WorkloadObject } from './drift';
import { deletedDriftId, modifiedDriftId } from './ids';
import { desiredObject, VERSION } from './manifest';
import type { Tracked } from './tracked';

export interface Drift {
  readonly kind: DriftKind;
  readonly detail: string;
  readonly commandId: string;
}

/**
 * Whether the live object (undefined: it does not exist) drifted from what Sentinel applied.
 * Only an object stamped with the current desired version is compared: an older one is simply
 * not applied yet (the worker is on it), which is not drift.
 */
export function detectDrift(t: Tracked, live: WorkloadObject | undefined): Drift | undefined {
  const { state } = t;
  if (state.status !== 'Active') return undefined;
  const { kind, namespace, name } = state.placement;
  if (!live)
    return {
      kind: 'deleted',
      detail: `${kind} ${namespace}/${name} was deleted outside Sentinel`,
      commandId: deletedDriftId(t.deploymentId, t.intentVersion),
    };
  if (live.metadata?.annotations?.[VERSION] !== String(t.desiredVersion)) return undefined;
  let desired: WorkloadObject;
  try {
    desired = desiredObject(t.deploymentId, state, t.desiredVersion) as WorkloadObject;
  } catch {
    return undefined;
  }
  const differences = driftBetween(desired, live);
  if (differences.length === 0) return undefined;
  return {
    kind: 'modified',
    detail: `${kind} ${namespace}/${name}: ${differences.join('; ')}`,
    commandId: modifiedDriftId(t.deploymentId, live.metadata?.uid ?? '', live.metadata?.generation ?? 0),
  };
}
