import { COMPONENTS, type Components } from '../health/components';
import { BeforeApplicationShutdown, Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Config } from '../infrastructure/config/config';
import type { Logger } from '../infrastructure/logging/logger';
import { Database } from '../infrastructure/postgres/database';
import { METRICS, type Metrics } from '../infrastructure/telemetry/metrics';
import { CONFIG, DATABASE, LOGGER, MESSAGING } from '../infrastructure/tokens';
import type { Messaging } from '../messaging/ports';
import { AUDIT_AS_OF, AUDIT_QUERIES, AuditController } from './audit.controller';
import { auditProjection } from './audit.projection';
import { AuditQueries } from './audit-queries';
import { DecisionQueries } from './decision-queries';
import { DECISION_QUERIES, DecisionsQueryController } from './decisions.controller';
import { decisionsProjection } from './decisions.projection';
import { DeploymentQueries } from './deployment-queries';
import { DEPLOYMENT_QUERIES, DeploymentsQueryController } from './deployments.controller';
import { deploymentsProjection } from './deployments.projection';
import { PoliciesQueryController, POLICY_QUERIES } from './policies.controller';
import { policiesProjection } from './policies.projection';
import { PolicyQueries } from './policy-queries';
import type { ProjectionRunner } from './projection-runner';
import { decodingCodec, eventTopicsOf, startProjections } from './projections';
import { WhatIfController } from './what-if.controller';
import { DEFAULT_FRESHNESS, type FreshnessOptions, ProjectionCommits } from './freshness';
import type { ProjectionDefinition } from './projection';
import type { Queryable } from './sql';

const PROJECTION_COMMITS = Symbol('PROJECTION_COMMITS');

/** A projection's queries over the shared pool, hearing this process's projection commits. */
function queriesProvider<Q>(
  provide: string | symbol,
  projection: ProjectionDefinition,
  Queries: new (db: Queryable, topics: readonly string[], freshness: FreshnessOptions) => Q,
) {
  return {
    provide,
    inject: [DATABASE, CONFIG, PROJECTION_COMMITS],
    useFactory: (database: Database, config: Config, commits: ProjectionCommits) =>
      new Queries(database.pool, eventTopicsOf(config.eventing.topicPrefix, projection), {
        ...DEFAULT_FRESHNESS,
        commits,
      }),
  };
}

/**
 * The read side inside the server: the query endpoints always, and the live projection consumers
 * when this process has the `projections` role. Consumers start in the background and retry with
 * backoff (as the write side does), so a late broker or registry never stops the process.
 */
@Module({
  controllers: [
    DeploymentsQueryController,
    PoliciesQueryController,
    DecisionsQueryController,
    WhatIfController,
    AuditController,
  ],
  providers: [
    // Read-your-writes waits hear this process's projection commits at once (see freshness.ts).
    { provide: PROJECTION_COMMITS, useValue: new ProjectionCommits() },
    queriesProvider(DEPLOYMENT_QUERIES, deploymentsProjection, DeploymentQueries),
    queriesProvider(POLICY_QUERIES, policiesProjection, PolicyQueries),
    queriesProvider(DECISION_QUERIES, decisionsProjection, DecisionQueries),
    queriesProvider(AUDIT_QUERIES, auditProjection, AuditQueries),
    {
      // State as of a point reads Kafka through the messaging port and only decodes.
      provide: AUDIT_AS_OF,
      inject: [MESSAGING, CONFIG],
      useFactory: (messaging: Messaging, config: Config) => ({
        messaging,
        codec: decodingCodec(config.schemaRegistry.url),
      }),
    },
  ],
})
export class ProjectionsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private runners: ProjectionRunner[] = [];
  private writes?: Database;
  private stopped = false;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(MESSAGING) private readonly messaging: Messaging,
    @Inject(DATABASE) private readonly database: Database,
    @Inject(COMPONENTS) private readonly components: Components,
    @Inject(PROJECTION_COMMITS) private readonly commits: ProjectionCommits,
    private readonly modules: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.roles.includes('projections')) return;
    this.components.set('projections', 'starting');
    void this.start(this.logger.child({ component: 'projections' }));
  }

  private async start(log: Logger): Promise<void> {
    // A pool of their own (a bulkhead): a burst of queries on the shared pool must not hold back
    // the writes that make those queries' read-your-writes waits end.
    const { projectionPoolMax } = this.config.database;
    this.writes = new Database(this.database.url, projectionPoolMax);
    const lag = this.lagHistogram();
    const deps = {
      observeLag: (projection: string, seconds: number) => lag?.observe({ projection }, seconds),
      onCommitted: (projection: string) => this.commits.committed(projection),
      messaging: this.messaging,
      database: this.writes,
      codec: decodingCodec(this.config.schemaRegistry.url),
      logger: this.logger,
    };
    for (let failures = 0; !this.stopped; failures++) {
      try {
        await this.writes.warm(projectionPoolMax);
        this.runners = await startProjections(deps, this.config.eventing.topicPrefix);
        log.info({ projections: this.runners.length }, 'projections running');
        this.components.set('projections', 'up');
        // Stopped while starting: the shutdown hook saw no runners, so stop them here.
        if (this.stopped) await this.stopRunners();
        return;
      } catch (err) {
        const delay = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        this.components.set('projections', 'retrying', (err as Error).message);
        // At start-up the write side may still be creating the topics: warn first, then shout.
        log[failures < 3 ? 'warn' : 'error'](
          { err, retryInMs: delay },
          'projections failed to start; retrying',
        );
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  /** The app's metrics are provided by the root module; a test may build this one without them. */
  private lagHistogram(): Metrics['projectionLag'] | undefined {
    try {
      return this.modules.get<typeof METRICS, Metrics>(METRICS, { strict: false }).projectionLag;
    } catch {
      return undefined;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.stopRunners();
    await this.writes?.close();
  }

  private async stopRunners(): Promise<void> {
    const runners = this.runners.splice(0);
    await Promise.all(runners.map((r) => r.stop()));
  }
}
