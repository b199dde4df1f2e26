import { Inject, Injectable } from '@nestjs/common';
import { access } from '../eventing/contexts';
import { EVENTING, type Eventing } from '../eventing/eventing';
import type { AccessDenial, AccessDenials } from '../infrastructure/auth';
import type { Logger } from '../infrastructure/logging/logger';
import { LOGGER } from '../infrastructure/tokens';

/** Sends in flight at most; beyond it (a flood of bad tokens) the log line is the only record. */
const MAX_IN_FLIGHT = 500;

/**
 * Every refused request becomes an `AccessDenied` event in the subject's access stream, so the
 * audit trail of who tried what lives in the log like every other fact. Sent without waiting:
 * the 401/403 answer never waits on Kafka.
 */
@Injectable()
export class AccessDenialEvents implements AccessDenials {
  private inFlight = 0;

  constructor(
    @Inject(EVENTING) private readonly eventing: Eventing,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  record(denial: AccessDenial): void {
    const bus = this.eventing.bus;
    if (!bus || this.inFlight >= MAX_IN_FLIGHT) {
      this.logger.warn(
        { inFlight: this.inFlight, writeSide: this.eventing.status.state },
        'access denial not recorded as an event',
      );
      return;
    }
    const subject = denial.actor ?? 'anonymous';
    this.inFlight++;
    bus
      .send({
        context: access,
        type: 'RecordAccessDenial',
        aggregateId: subject,
        actor: subject,
        ...(denial.correlationId ? { correlationId: denial.correlationId } : {}),
        data: {
          subject,
          role: denial.role ?? '',
          status: denial.status,
          reason: denial.reason,
          detail: denial.detail,
          method: denial.method,
          path: denial.path,
          correlationId: denial.correlationId ?? '',
          allowedRoles: [...(denial.allowedRoles ?? [])],
        },
      })
      .catch((err: unknown) => this.logger.error({ err, subject }, 'access denial event could not be sent'))
      .finally(() => this.inFlight--);
  }
}
