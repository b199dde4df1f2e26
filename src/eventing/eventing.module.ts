import { BeforeApplicationShutdown, Global, Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Config } from '../infrastructure/config/config';
import type { Logger } from '../infrastructure/logging/logger';
import type { Database } from '../infrastructure/postgres/database';
import type { AvroRegistry } from '../infrastructure/schema-registry/avro-registry';
import { CONFIG, DATABASE, LOGGER, MESSAGING, SCHEMA_REGISTRY } from '../infrastructure/tokens';
import type { Messaging } from '../messaging/ports';
import { CommandBus } from './command-bus';
import { CommandResultsFeed } from './command-results-feed';
import { Eventing, EVENTING } from './eventing';
import { prepareWriteSide, startCommandProcessor } from './write-side';

/**
 * The write side inside the server process (DESIGN.md §8: one process runs every role by
 * default). It starts in the background and retries with backoff, so a registry or broker that
 * is late makes the write side "retrying" in /readyz instead of stopping the process.
 */
@Global()
@Module({ providers: [{ provide: EVENTING, useFactory: () => new Eventing() }], exports: [EVENTING] })
export class EventingModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(EVENTING) private readonly eventing: Eventing,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(MESSAGING) private readonly messaging: Messaging,
    @Inject(SCHEMA_REGISTRY) private readonly registry: AvroRegistry,
    @Inject(DATABASE) private readonly database: Database,
  ) {}

  onApplicationBootstrap(): void {
    this.eventing.status = { state: 'starting', roles: this.config.roles };
    void this.eventing.start(() => this.startOnce(), this.logger.child({ component: 'eventing' }));
  }

  private async startOnce(): Promise<void> {
    const writeSide = await prepareWriteSide(this.config, this.messaging, this.registry);
    if (this.config.roles.includes('processor')) {
      this.eventing.processor = await startCommandProcessor(
        this.config,
        this.logger,
        this.messaging,
        writeSide,
        // The feed starts below; until it has, there is no caller in this process to answer.
        (results) => this.eventing.feed?.hear(results),
      );
    }
    if (this.config.roles.includes('api')) {
      const feed = new CommandResultsFeed(
        this.messaging,
        this.database,
        writeSide.topics.commandResults,
        this.logger,
      );
      await feed.start(`${this.config.eventing.topicPrefix}-api`);
      this.eventing.feed = feed;
      this.eventing.bus = new CommandBus(writeSide.sender, feed, this.config.eventing.commandTimeoutMs);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.eventing.stop();
  }
}
