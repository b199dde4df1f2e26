import type { OnModuleInit } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../logging/logger';
import type { DenialReason } from './errors';
import type { Role } from './roles';

/** One refused request (401 or 403), as the audit trail records it. */
export interface AccessDenial {
  status: 401 | 403;
  reason: DenialReason;
  detail: string;
  method: string;
  /** Without the query string, which may carry what should not be logged. */
  path: string;
  correlationId?: string;
  /** The token's subject, when its signature verified. */
  actor?: string;
  role?: Role;
  allowedRoles?: readonly Role[];
}

export const ACCESS_DENIALS = Symbol('ACCESS_DENIALS');

/** Optional: where denials go beyond the log, e.g. an audit event (provided by the edge). */
export const DENIAL_EVENTS = Symbol('DENIAL_EVENTS');

/**
 * Where denials go. `record` must not throw or block the response: an implementation that
 * does I/O (an audit event on Kafka, say) buffers and reports its own failures.
 */
export interface AccessDenials {
  record(denial: AccessDenial): void;
}

/**
 * The default: a warn-level audit log line and a Prometheus counter. The registry may be given
 * late (a function): it belongs to the application module, which Nest builds after this one.
 */
export class LoggingAccessDenials implements AccessDenials, OnModuleInit {
  private counter?: Counter<'status' | 'reason'>;

  constructor(
    private readonly logger: Logger,
    private readonly registry: Registry | (() => Registry),
    private readonly events: () => AccessDenials | undefined = () => undefined,
  ) {}

  /** Registers the counter at start-up, so it is scraped (at zero) before the first denial. */
  onModuleInit(): void {
    this.denied();
  }

  record(denial: AccessDenial): void {
    this.logger.warn({ audit: 'access_denied', ...denial }, `access denied: ${denial.detail}`);
    this.denied().inc({ status: String(denial.status), reason: denial.reason });
    this.events()?.record(denial);
  }

  private denied(): Counter<'status' | 'reason'> {
    this.counter ??= new Counter({
      name: 'sentinel_http_access_denied_total',
      help: 'HTTP requests refused by authentication (401) or authorization (403), by reason',
      labelNames: ['status', 'reason'] as const,
      registers: [typeof this.registry === 'function' ? this.registry() : this.registry],
    });
    return this.counter;
  }
}
