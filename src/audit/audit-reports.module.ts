import { Module } from '@nestjs/common';
import type { Config } from '../infrastructure/config/config';
import type { Database } from '../infrastructure/postgres/database';
import { CONFIG, DATABASE, MESSAGING } from '../infrastructure/tokens';
import type { Messaging } from '../messaging/ports';
import { auditTopicsOf } from './audit-events';
import { AuditQueries } from './audit-queries';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence-service';
import { AUDIT_QUERIES, EVIDENCE_SERVICE } from './report-tokens';
import { ReportsController } from './reports.controller';

/**
 * Evidence packs and compliance reports (issue 7), read from the audit read model
 * (read_audit.events) of this deployment's topics, and from Kafka for the raw records.
 */
@Module({
  controllers: [EvidenceController, ReportsController],
  providers: [
    {
      provide: AUDIT_QUERIES,
      inject: [DATABASE, CONFIG],
      useFactory: (database: Database, config: Config) =>
        new AuditQueries(database.pool, auditTopicsOf(config.eventing.topicPrefix)),
    },
    {
      provide: EVIDENCE_SERVICE,
      inject: [AUDIT_QUERIES, MESSAGING],
      useFactory: (queries: AuditQueries, messaging: Messaging) => new EvidenceService(queries, messaging),
    },
  ],
})
export class AuditReportsModule {}
