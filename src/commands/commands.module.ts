import { DENIAL_EVENTS } from '../infrastructure/auth';
import { AccessDenialEvents } from './access-denial-events';
import { Module } from '@nestjs/common';
import type { Config } from '../infrastructure/config/config';
import type { Logger } from '../infrastructure/logging/logger';
import type { Database } from '../infrastructure/postgres/database';
import { PrometheusClient } from '../infrastructure/prometheus/prometheus-client';
import { CONFIG, DATABASE, LOGGER } from '../infrastructure/tokens';
import { PolicyFactsReader } from '../projections/policy-facts';
import { PolicyEvaluationController } from './policy-evaluation.controller';
import { PolicyGate } from './policy-gate';
import { POLICY_GATE } from './policy-gate.token';
import { CommandsController } from './commands.controller';
import { DeploymentCommandsController } from './deployments-commands.controller';
import { PolicyCommandsController } from './policies-commands.controller';

@Module({
  controllers: [
    DeploymentCommandsController,
    PolicyCommandsController,
    PolicyEvaluationController,
    CommandsController,
  ],
  providers: [
    { provide: DENIAL_EVENTS, useClass: AccessDenialEvents },
    {
      provide: POLICY_GATE,
      inject: [DATABASE, CONFIG, LOGGER],
      useFactory: (database: Database, config: Config, logger: Logger) =>
        new PolicyGate(
          new PolicyFactsReader(database.pool),
          // Burn-rate queries wait at most 2 s: a command should not hang on monitoring.
          config.prometheus.url
            ? new PrometheusClient({ url: config.prometheus.url, timeoutMs: 2000 })
            : undefined,
          logger.child({ component: 'policy-gate' }),
        ),
    },
  ],
  exports: [DENIAL_EVENTS, POLICY_GATE],
})
export class CommandsModule {}
