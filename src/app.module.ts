import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import { LoggerModule } from 'nestjs-pino';
import { AuditReportsModule } from './audit/audit-reports.module';
import { TamperEvidenceModule } from './audit/tamper-evidence.module';
import { CommandsModule } from './commands/commands.module';
import { EventingModule } from './eventing/eventing.module';
import { ProjectionsModule } from './projections/projections.module';
import { SagasModule } from './sagas/sagas.module';
import { AuthModule } from './infrastructure/auth';
import { HealthController } from './health/health.controller';
import type { Config } from './infrastructure/config/config';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import type { Logger } from './infrastructure/logging/logger';
import {
  createMetrics,
  HttpMetricsMiddleware,
  METRICS,
  MetricsController,
} from './infrastructure/telemetry/metrics';

const CORRELATION_HEADER = 'x-correlation-id';

/** Accepts a caller's correlation id if it is sane, otherwise mints one; echoed on the response. */
function correlationId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers[CORRELATION_HEADER];
  const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
  res.setHeader(CORRELATION_HEADER, id);
  return id;
}

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: Config, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forRoot(config, logger),
        EventingModule,
        CommandsModule,
        ProjectionsModule,
        AuditReportsModule,
        SagasModule,
        TamperEvidenceModule,
        AuthModule,
        LoggerModule.forRoot({
          pinoHttp: {
            logger: logger.child({ component: 'http' }),
            genReqId: correlationId,
            customProps: (req) => ({ correlationId: req.id }),
            // Probes and scrapes would drown the access log.
            autoLogging: { ignore: (req) => /^\/(healthz|readyz|metrics)$/.test(req.url ?? '') },
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: METRICS, useFactory: createMetrics }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
