import type { RecordApplyOutcome } from '../domain/deployments/contracts.generated';
import type { KubernetesResources, Manifest } from '../infrastructure/kubernetes/resources';
import type { Logger } from '../infrastructure/logging/logger';
import type { DesiredStates } from './desired-states';
import { detectDrift } from './drift-check';
import { Limiter } from './limiter';
import type { WorkloadObject } from './drift';
import type { FactRecorder } from './fact-recorder';
import { type Attempted, classify, DEFAULT_RETRY, type RetryPolicy, withRetries } from './failures';
import { outcomeCommandId } from './ids';
import { desiredObject, objectRef } from './manifest';
import { pendingWork, type Tracked } from './tracked';

export interface EffectWorkerDeps {
  readonly resources: Pick<KubernetesResources, 'apply' | 'remove' | 'get'>;
  readonly states: DesiredStates;
  readonly recorder: FactRecorder;
  readonly logger: Logger;
  readonly retry?: RetryPolicy;
}

/**
 * `intent`: an event asked for work; skip it if its outcome is already recorded.
 * `resync`: also check that an applied object is still there and unedited.
 */
export type ReconcileMode = 'intent' | 'resync';

/**
 * Makes each deployment's object match its latest desired state (level-triggered: whatever
 * event woke it, it applies what the state says now, so an older intent never regresses a newer
 * one), removes it after a deletion, and records the outcome. One pass at a time per deployment.
 */
/** Cluster calls in flight at once, across all deployments and clusters. */
const CONCURRENT_CALLS = 8;

export class EffectWorker {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly calls = new Limiter(CONCURRENT_CALLS);

  constructor(private readonly deps: EffectWorkerDeps) {}

  reconcile(deploymentId: string, mode: ReconcileMode): Promise<void> {
    const previous = this.chains.get(deploymentId) ?? Promise.resolve();
    const next = previous.then(() => this.reconcileOnce(deploymentId, mode));
    const settled = next.catch(() => undefined);
    this.chains.set(deploymentId, settled);
    void settled.then(() => {
      if (this.chains.get(deploymentId) === settled) this.chains.delete(deploymentId);
    });
    return next;
  }

  /** Resolves once every pass started so far has finished. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private async reconcileOnce(deploymentId: string, mode: ReconcileMode): Promise<void> {
    const t = this.deps.states.get(deploymentId);
    if (!t) return;
    const work = pendingWork(t);
    if (work === 'apply') return this.apply(t);
    if (work === 'delete') return this.remove(t);
    if (mode === 'resync' && t.state.status === 'Active' && t.state.lastOutcome?.outcome === 'applied')
      return this.verify(t);
  }

  private async apply(t: Tracked): Promise<void> {
    if (t.state.status !== 'Active') return;
    const { cluster } = t.state.placement;
    let manifest: Manifest;
    try {
      manifest = desiredObject(t.deploymentId, t.state, t.desiredVersion);
    } catch (error) {
      return this.recordOutcome(t, 'apply', { ok: false, failure: classify(error), attempts: 1 });
    }
    const result = await withRetries(
      () => this.calls.run(() => this.deps.resources.apply(cluster, manifest)),
      this.retry(),
    );
    await this.recordOutcome(t, 'apply', result);
  }

  private async remove(t: Tracked): Promise<void> {
    if (t.state.status !== 'Deleted') return;
    const { cluster } = t.state.placement;
    const ref = objectRef(t.state.placement);
    const result = await withRetries(
      () => this.calls.run(() => this.deps.resources.remove(cluster, ref)),
      this.retry(),
    );
    await this.recordOutcome(t, 'delete', result);
  }

  /** An applied deployment whose object was deleted or edited meanwhile: record the drift. */
  private async verify(t: Tracked): Promise<void> {
    if (t.state.status !== 'Active') return;
    const { cluster } = t.state.placement;
    const ref = objectRef(t.state.placement);
    const live = await withRetries(
      () => this.calls.run(() => this.deps.resources.get<WorkloadObject>(cluster, ref)),
      this.retry(),
    );
    if (!live.ok)
      return this.deps.logger.warn(
        { deploymentId: t.deploymentId, failure: live.failure },
        'resync could not read the object',
      );
    const drift = detectDrift(t, live.value);
    if (!drift) return;
    this.deps.logger.info({ deploymentId: t.deploymentId, drift }, 'drift found by resync');
    await this.deps.recorder.record(
      t,
      { type: 'RecordDrift', data: { deploymentId: t.deploymentId, kind: drift.kind, detail: drift.detail } },
      drift.commandId,
    );
  }

  private async recordOutcome(
    t: Tracked,
    action: 'apply' | 'delete',
    result: Attempted<unknown>,
  ): Promise<void> {
    const data = outcomeOf(t, action, result);
    if (!data) return;
    const fields = {
      deploymentId: t.deploymentId,
      intentVersion: t.intentVersion,
      attempts: result.attempts,
    };
    if (result.ok) this.deps.logger.debug(fields, `${action} applied`);
    else this.deps.logger.warn({ ...fields, failure: result.failure }, `${action} failed`);
    await this.deps.recorder.record(
      t,
      { type: 'RecordApplyOutcome', data },
      outcomeCommandId(t.deploymentId, t.intentVersion, data.outcome),
    );
  }

  private retry(): RetryPolicy {
    return this.deps.retry ?? DEFAULT_RETRY;
  }
}

function outcomeOf(
  t: Tracked,
  action: 'apply' | 'delete',
  result: Attempted<unknown>,
): RecordApplyOutcome | undefined {
  const { state } = t;
  if (state.status === 'Absent') return undefined;
  // After a deletion there is no current revision; the last one applied is named.
  const applied =
    state.status === 'Active'
      ? { revision: state.revision, replicas: state.replicas }
      : { revision: state.lastOutcome?.revision ?? 0, replicas: 0 };
  const failure = result.ok ? undefined : result.failure;
  return {
    deploymentId: t.deploymentId,
    intentVersion: t.intentVersion,
    action,
    ...applied,
    outcome: failure ? 'failed' : 'applied',
    reason: failure ? failure.reason : '',
    retriable: failure ? failure.retriable : false,
    objectName: state.placement.name,
    cluster: state.placement.cluster,
  };
}
