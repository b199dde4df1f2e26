import { BeforeApplicationShutdown, Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Config } from '../infrastructure/config/config';
import type { Logger } from '../infrastructure/logging/logger';
import { CONFIG, LOGGER, MESSAGING } from '../infrastructure/tokens';
import type { Messaging } from '../messaging/ports';
import { TamperEvidenceController } from './tamper-evidence.controller';
import { TAMPER_EVIDENCE, TamperEvidence } from './tamper-evidence.service';

/**
 * Tamper evidence in the server. The endpoints are always there; the periodic digest publisher
 * runs in processes with the `processor` role and a signing key (docs/adr/0008).
 */
@Module({
  controllers: [TamperEvidenceController],
  providers: [
    {
      provide: TAMPER_EVIDENCE,
      inject: [MESSAGING, CONFIG],
      useFactory: (messaging: Messaging, config: Config) => new TamperEvidence(messaging, config),
    },
  ],
})
export class TamperEvidenceModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(TAMPER_EVIDENCE) private readonly audit: TamperEvidence,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.audit.publisher || !this.config.roles.includes('processor')) return;
    const log = this.logger.child({ component: 'audit-digests' });
    const tick = () =>
      void this.audit.publish()?.then(
        (d) =>
          log.info(
            { sequence: d.digest.body.sequence, offset: d.offset, hash: d.hash },
            'audit digest published',
          ),
        (err: unknown) => log.error({ err }, 'audit digest not published; trying again at the next interval'),
      );
    this.timer = setInterval(tick, this.config.audit.digestIntervalMs);
    this.timer.unref();
    log.info({ intervalMs: this.config.audit.digestIntervalMs }, 'publishing signed audit digests');
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.audit.publisher?.close();
  }
}
