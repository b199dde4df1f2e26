import type { DeploymentEvent } from '../domain/deployments/messages';
import { fromHeaders } from '../eventing/cloudevents';
import type { ContractCodec } from '../eventing/codec';
import type { Logger } from '../infrastructure/logging/logger';
import type { IncomingRecord, Messaging } from '../messaging/ports';
import { isTrigger, track, type Tracked } from './tracked';

const NAMESPACE = 'sentinel.deployments.';

/**
 * Every deployment's desired state, folded from the deployments event topic: loaded from
 * offset 0 at start-up (so a restarted worker knows every deployment, not only those with new
 * events) and kept current from the live subscription. Repeated deliveries fold once.
 */
export class DesiredStates {
  private readonly byId = new Map<string, Tracked>();

  constructor(
    private readonly codec: Pick<ContractCodec, 'decode'>,
    private readonly logger: Logger,
  ) {}

  get(deploymentId: string): Tracked | undefined {
    return this.byId.get(deploymentId);
  }

  all(): Tracked[] {
    return [...this.byId.values()];
  }

  /** Reads every partition of the topic from its start to its current end. */
  async load(messaging: Pick<Messaging, 'readPartition'>, topic: string, partitions: number): Promise<void> {
    for (let partition = 0; partition < partitions; partition++) {
      const records: IncomingRecord[] = [];
      await messaging.readPartition(topic, partition, (r) => void records.push(r));
      for (const record of records) await this.fold(record);
    }
  }

  /**
   * Folds one record; says which deployment it concerns and whether it asks for an apply. A
   * record that cannot be read is logged and skipped: the command processor wrote it, so this is
   * a schema the worker does not know yet, and the resync after an upgrade catches up.
   */
  async fold(record: IncomingRecord): Promise<{ deploymentId: string; trigger: boolean } | undefined> {
    try {
      const attrs = fromHeaders(record.headers);
      if (!attrs.type.startsWith(NAMESPACE) || !record.value || attrs.version === undefined) return undefined;
      const { fullName, data } = await this.codec.decode(record.value);
      const event = { type: fullName.slice(NAMESPACE.length), data } as DeploymentEvent;
      const deploymentId = attrs.subject;
      const meta = { version: attrs.version, id: attrs.id, correlationId: attrs.correlationId };
      this.byId.set(deploymentId, track(deploymentId, this.byId.get(deploymentId), event, meta));
      return { deploymentId, trigger: isTrigger(event.type) };
    } catch (err) {
      this.logger.error(
        { err, topic: record.topic, partition: record.partition, offset: record.offset },
        'unreadable deployment event skipped by the effect worker',
      );
      return undefined;
    }
  }
}
