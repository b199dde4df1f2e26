import { BeforeApplicationShutdown, DynamicModule, Global, Inject, Module } from '@nestjs/common';
import type { Config } from './config/config';
import type { Logger } from './logging/logger';
import { KafkaMessaging } from './kafka/kafka-messaging';
import { Database } from './postgres/database';
import { AvroRegistry } from './schema-registry/avro-registry';
import { KubernetesClusters } from './kubernetes/clusters';
import { CONFIG, DATABASE, KUBERNETES, LOGGER, MESSAGING, SCHEMA_REGISTRY } from './tokens';
import type { Messaging } from '../messaging/ports';

/** Provides config, logger and the adapters, and drains them in order on shutdown. */
import { COMPONENTS, Components } from '../health/components';
@Global()
@Module({})
export class InfrastructureModule implements BeforeApplicationShutdown {
  static forRoot(config: Config, logger: Logger): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: COMPONENTS, useValue: new Components() },
        { provide: LOGGER, useValue: logger },
        {
          provide: MESSAGING,
          useFactory: () => new KafkaMessaging({ ...config.kafka, logger, logLevel: config.logLevel }),
        },
        { provide: SCHEMA_REGISTRY, useFactory: () => new AvroRegistry(config.schemaRegistry.url) },
        { provide: DATABASE, useFactory: () => new Database(config.database.url, config.database.poolMax) },
        {
          // null when no kubeconfig is configured: Sentinel then manages no clusters.
          provide: KUBERNETES,
          useFactory: () =>
            config.kubernetes.kubeconfig ? new KubernetesClusters(config.kubernetes.kubeconfig) : null,
        },
      ],
      exports: [CONFIG, LOGGER, MESSAGING, SCHEMA_REGISTRY, DATABASE, KUBERNETES, COMPONENTS],
    };
  }

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(MESSAGING) private readonly messaging: Messaging,
    @Inject(DATABASE) private readonly database: Database,
  ) {}

  /** Consumers first (their in-flight batches finish and commit), then producers, then Postgres. */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    const log = this.logger.child({ component: 'shutdown' });
    log.info({ signal, graceMs: this.config.shutdownGraceMs }, 'draining consumers and closing connections');
    const started = Date.now();
    const drained = await Promise.race([
      this.messaging.close().then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), this.config.shutdownGraceMs).unref()),
    ]);
    if (!drained)
      log.warn(
        { graceMs: this.config.shutdownGraceMs },
        'Kafka clients did not drain in time; uncommitted work will be redelivered',
      );
    await this.database
      .close()
      .catch((err: unknown) => log.warn({ err }, 'closing the Postgres pool failed'));
    log.info({ ms: Date.now() - started }, 'shutdown complete');
  }
}
