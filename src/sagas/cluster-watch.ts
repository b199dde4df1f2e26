import type { WorkloadKind } from '../domain/deployments/contracts.generated';
import type { ObservedStatus } from '../domain/deployments/state';
import type { KubernetesClusters } from '../infrastructure/kubernetes/clusters';
import type { KubernetesResources } from '../infrastructure/kubernetes/resources';
import { ResourceWatcher, type WatchEvent } from '../infrastructure/kubernetes/watcher';
import type { Logger } from '../infrastructure/logging/logger';
import type { DesiredStates } from './desired-states';
import { detectDrift } from './drift-check';
import type { WorkloadObject } from './drift';
import type { FactRecorder } from './fact-recorder';
import { statusCommandId } from './ids';
import { DEPLOYMENT_ID, KINDS, MANAGED_BY_SENTINEL } from './manifest';
import { MISSING, observedStatus, type StatusObject } from './observed-status';
import type { Tracked } from './tracked';

type Observed = WorkloadObject & StatusObject & { apiVersion?: string };

export interface ClusterWatchDeps {
  readonly clusters: KubernetesClusters;
  readonly resources: KubernetesResources;
  readonly states: DesiredStates;
  readonly recorder: FactRecorder;
  readonly logger: Logger;
  /** Server-side watch timeout; the watcher resumes from its resourceVersion after each. */
  readonly watchTimeoutSeconds?: number;
}

/**
 * Watches Sentinel's objects on one cluster (list+watch, resumed by resourceVersion, relisted
 * after 410 Gone) and turns what really happens into facts: status changes, and objects
 * edited or deleted by hand. Only deployments this worker knows are reported, so objects of
 * another Sentinel sharing the cluster are left alone.
 */
export class ClusterWatch {
  private readonly watchers: ResourceWatcher<Observed>[] = [];
  /** The last status recorded per deployment, to send only changes (the decider drops repeats too). */
  private readonly lastSent = new Map<string, string>();
  private stopped = false;

  constructor(
    readonly cluster: string,
    private readonly deps: ClusterWatchDeps,
  ) {}

  /** Starts a watcher per workload kind; one that cannot list yet keeps trying in the background. */
  start(): void {
    for (const kind of Object.keys(KINDS) as WorkloadKind[]) void this.startWatcher(kind);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.watchers.map((w) => w.stop()));
  }

  private async startWatcher(kind: WorkloadKind): Promise<void> {
    const { apiVersion, plural } = KINDS[kind];
    const target = { cluster: this.cluster, apiVersion, kind, plural, labelSelector: MANAGED_BY_SENTINEL };
    const log = this.deps.logger.child({ cluster: this.cluster, kind });
    for (let failures = 0; !this.stopped; failures++) {
      const watcher = new ResourceWatcher<Observed>(
        this.deps.clusters,
        this.deps.resources,
        target,
        (event) => this.onEvent(kind, event),
        {
          logger: log,
          ...(this.deps.watchTimeoutSeconds ? { watchTimeoutSeconds: this.deps.watchTimeoutSeconds } : {}),
        },
      );
      try {
        await watcher.start();
        if (this.stopped) return void (await watcher.stop());
        this.watchers.push(watcher);
        return;
      } catch (err) {
        const delay = Math.min(30_000, 500 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random());
        log.warn({ err, retryInMs: Math.round(delay) }, 'cannot watch the cluster yet; retrying');
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  private async onEvent(kind: WorkloadKind, event: WatchEvent<Observed>): Promise<void> {
    const object = event.object;
    const t = this.deps.states.get(object.metadata?.labels?.[DEPLOYMENT_ID] ?? '');
    if (!t || !this.owns(t, kind, object)) return;
    const gone = event.type === 'DELETED';
    const status = observedStatus(kind, object);
    await this.reportStatus(t, object, gone ? { ...status, ...MISSING } : status);
    const drift = detectDrift(t, gone ? undefined : object);
    if (!drift) return;
    this.deps.logger.info({ deploymentId: t.deploymentId, drift }, 'drift observed');
    await this.deps.recorder.record(
      t,
      { type: 'RecordDrift', data: { deploymentId: t.deploymentId, kind: drift.kind, detail: drift.detail } },
      drift.commandId,
    );
  }

  /** The object is this deployment's: same cluster, kind, namespace and name. */
  private owns(t: Tracked, kind: WorkloadKind, object: Observed): boolean {
    if (t.state.status === 'Absent') return false;
    const p = t.state.placement;
    return (
      p.cluster === this.cluster &&
      p.kind === kind &&
      p.namespace === object.metadata?.namespace &&
      p.name === object.metadata?.name
    );
  }

  private async reportStatus(t: Tracked, object: Observed, status: ObservedStatus): Promise<void> {
    const key = JSON.stringify(status);
    if (this.lastSent.get(t.deploymentId) === key) return;
    const { uid = '', resourceVersion = '' } = object.metadata ?? {};
    const version = status.phase === 'Missing' ? 'deleted' : resourceVersion;
    await this.deps.recorder.record(
      t,
      { type: 'RecordObservedStatus', data: { deploymentId: t.deploymentId, ...status } },
      statusCommandId(t.deploymentId, uid, version),
    );
    this.lastSent.set(t.deploymentId, key);
  }
}
