import type { CommandSender } from '../eventing/command-sender';
import type { ContractCodec } from '../eventing/codec';
import type { KubernetesClusters } from '../infrastructure/kubernetes/clusters';
import type { KubernetesResources } from '../infrastructure/kubernetes/resources';
import type { Logger } from '../infrastructure/logging/logger';
import type { Messaging, PartitionBatch, Subscription } from '../messaging/ports';
import { ClusterWatch } from './cluster-watch';
import { DesiredStates } from './desired-states';
import { EffectWorker } from './effect-worker';
import { FactRecorder } from './fact-recorder';
import type { RetryPolicy } from './failures';

export interface EffectsOptions {
  readonly messaging: Messaging;
  readonly codec: Pick<ContractCodec, 'decode'>;
  readonly sender: Pick<CommandSender, 'send'>;
  /** The deployments event topic and its partition count. */
  readonly eventsTopic: string;
  readonly partitions: number;
  /** The worker's own durable consumer group. */
  readonly groupId: string;
  readonly clusters: KubernetesClusters;
  readonly resources: KubernetesResources;
  readonly logger: Logger;
  readonly resyncIntervalMs?: number;
  readonly retry?: RetryPolicy;
  readonly watchTimeoutSeconds?: number;
}

const RESYNC_CONCURRENCY = 8;

/**
 * The effects role (issue: sagas and effects): the effect worker fed by the deployments event
 * topic, a watch per cluster, and a resync at start and then periodically. Level-triggered: after
 * any restart the load from offset 0 plus the first resync bring every deployment to its latest
 * desired state, whatever was in flight when the previous process stopped.
 */
export class Effects {
  readonly states: DesiredStates;
  private readonly worker: EffectWorker;
  private readonly recorder: FactRecorder;
  private readonly watches: ClusterWatch[] = [];
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private resyncing?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: EffectsOptions) {
    const logger = options.logger;
    this.states = new DesiredStates(options.codec, logger);
    this.recorder = new FactRecorder(options.sender, options.retry);
    this.worker = new EffectWorker({
      resources: options.resources,
      states: this.states,
      recorder: this.recorder,
      logger,
      ...(options.retry ? { retry: options.retry } : {}),
    });
  }

  async start(): Promise<void> {
    const { messaging, eventsTopic, partitions, groupId, logger } = this.options;
    const started = Date.now();
    await this.states.load(messaging, eventsTopic, partitions);
    logger.info({ deployments: this.states.all().length, ms: Date.now() - started }, 'desired states loaded');
    // From the beginning for a new group: events written between the load and the join would
    // otherwise be missed. Already-folded events are skipped by their version.
    this.subscription = await messaging.subscribe({
      groupId,
      topics: [eventsTopic],
      fromBeginning: true,
      handle: (batch) => this.onBatch(batch),
    });
    for (const { name } of this.options.clusters.list()) {
      const watch = new ClusterWatch(name, { ...this.options, states: this.states, recorder: this.recorder });
      watch.start();
      this.watches.push(watch);
    }
    void this.resync();
    this.timer = setInterval(() => void this.resync(), this.options.resyncIntervalMs ?? 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.subscription?.stop();
    await Promise.all(this.watches.map((w) => w.stop()));
    await this.resyncing;
    await this.worker.idle();
  }

  /** Ensures every known deployment matches its desired state; one resync at a time. */
  resync(): Promise<void> {
    this.resyncing ??= this.resyncAll().finally(() => (this.resyncing = undefined));
    return this.resyncing;
  }

  private async resyncAll(): Promise<void> {
    const ids = this.states.all().map((t) => t.deploymentId);
    for (let i = 0; i < ids.length && !this.stopped; i += RESYNC_CONCURRENCY) {
      await Promise.all(
        ids.slice(i, i + RESYNC_CONCURRENCY).map((id) =>
          this.worker.reconcile(id, 'resync').catch((err: unknown) => {
            this.options.logger.warn(
              { err, deploymentId: id },
              'resync of a deployment failed; next pass retries',
            );
          }),
        ),
      );
    }
  }

  /**
   * Folds the batch, then converges each deployment it asked work for before the offsets move
   * on: a crash in between redelivers the batch, and the pass runs again (idempotently).
   */
  private async onBatch(batch: PartitionBatch): Promise<void> {
    const touched = new Set<string>();
    for (const record of batch.records) {
      const folded = await this.states.fold(record);
      if (folded?.trigger) touched.add(folded.deploymentId);
    }
    await Promise.all([...touched].map((id) => this.worker.reconcile(id, 'intent')));
  }
}
