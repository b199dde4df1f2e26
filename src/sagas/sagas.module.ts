import { COMPONENTS, type Components } from '../health/components';
import { BeforeApplicationShutdown, Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { EVENTING, type Eventing } from '../eventing/eventing';
import { prepareWriteSide } from '../eventing/write-side';
import type { Config } from '../infrastructure/config/config';
import type { KubernetesClusters } from '../infrastructure/kubernetes/clusters';
import { KubernetesResources } from '../infrastructure/kubernetes/resources';
import type { Logger } from '../infrastructure/logging/logger';
import type { AvroRegistry } from '../infrastructure/schema-registry/avro-registry';
import { CONFIG, KUBERNETES, LOGGER, MESSAGING, SCHEMA_REGISTRY } from '../infrastructure/tokens';
import type { Messaging } from '../messaging/ports';
import { Effects } from './effects';

export const EFFECTS_GROUP = 'effects';

/**
 * The effects role inside the server process, when SENTINEL_ROLES includes `effects`. Like the
 * write side it starts in the background and retries with backoff, so a late broker, registry
 * or cluster delays effects instead of stopping the process.
 */
@Module({})
export class SagasModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private effects?: Effects;
  private stopped = false;
  private starting?: Promise<void>;
  private readonly log: Logger;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) logger: Logger,
    @Inject(MESSAGING) private readonly messaging: Messaging,
    @Inject(SCHEMA_REGISTRY) private readonly registry: AvroRegistry,
    @Inject(KUBERNETES) private readonly clusters: KubernetesClusters | null,
    @Inject(EVENTING) private readonly eventing: Eventing,
    @Inject(COMPONENTS) private readonly components: Components,
  ) {
    this.log = logger.child({ component: 'effects' });
  }

  onApplicationBootstrap(): void {
    if (!this.config.roles.includes('effects')) return;
    if (!this.clusters) {
      this.log.warn('effects role idle: SENTINEL_KUBECONFIG is not set, so there are no clusters to act on');
      return;
    }
    this.components.set('effects', 'starting');
    this.starting = this.startWithRetries(this.clusters);
  }

  private async startWithRetries(clusters: KubernetesClusters): Promise<void> {
    for (let failures = 0; !this.stopped; failures++) {
      try {
        await this.writeSideUp();
        const writeSide = await prepareWriteSide(this.config, this.messaging, this.registry);
        const effects = new Effects({
          messaging: this.messaging,
          codec: writeSide.codec,
          sender: writeSide.sender,
          eventsTopic: writeSide.topics.events('deployments'),
          partitions: this.config.eventing.partitions,
          groupId: `${this.config.eventing.topicPrefix}-${EFFECTS_GROUP}`,
          clusters,
          resources: new KubernetesResources(clusters),
          logger: this.log,
        });
        await effects.start();
        this.effects = effects;
        if (this.stopped) await effects.stop();
        this.log.info({ clusters: clusters.list().map((c) => c.name) }, 'effects running');
        this.components.set('effects', 'up');
        return;
      } catch (err) {
        const delay = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        this.components.set('effects', 'retrying', (err as Error).message);
        this.log.error({ err, retryInMs: delay }, 'effects failed to start; retrying');
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  /**
   * The write side creates the topics and registers the schemas first: registering the same new
   * subjects from two places at once makes the registry refuse one of them.
   */
  private async writeSideUp(): Promise<void> {
    while (this.eventing.status.state !== 'up' && !this.stopped)
      await new Promise((r) => setTimeout(r, 200).unref());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.effects?.stop();
  }
}
