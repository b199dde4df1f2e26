import type { Config } from '../infrastructure/config/config';
import type { Messaging } from '../messaging/ports';
import { auditedTopics, digestsTopic } from './audit-topics';
import { DigestPublisher, type PublishedDigest } from './digest-publisher';
import { parsePrivateKey } from './digest-keys';
import { verifyLog } from './log-scan';
import type { LogVerification, TimeWindow } from './log-verify';

export const TAMPER_EVIDENCE = Symbol('TAMPER_EVIDENCE');

/** The transactional id every digest publisher of one topic prefix shares (docs/adr/0008). */
export const digestWriterId = (clientId: string, prefix: string) => `${clientId}-${prefix}-audit-digests`;

/** Tamper evidence inside the server: whole-log verification and the digest publisher. */
export class TamperEvidence {
  /** Undefined when no signing key is configured: this process publishes no digests. */
  readonly publisher?: DigestPublisher;

  constructor(
    private readonly messaging: Messaging,
    private readonly config: Config,
  ) {
    const prefix = config.eventing.topicPrefix;
    if (config.audit.signingKey)
      this.publisher = new DigestPublisher(messaging, {
        eventTopics: auditedTopics(prefix),
        digestsTopic: digestsTopic(prefix),
        privateKey: parsePrivateKey(config.audit.signingKey),
        transactionalId: digestWriterId(config.kafka.clientId, prefix),
      });
  }

  verify(window: TimeWindow): Promise<LogVerification> {
    return verifyLog(this.messaging, { topics: auditedTopics(this.config.eventing.topicPrefix), window });
  }

  publish(): Promise<PublishedDigest> | undefined {
    return this.publisher?.publish();
  }
}
