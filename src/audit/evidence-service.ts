import type { Messaging } from '../messaging/ports';
import type { AuditEventRow } from './audit-events';
import type { AuditQueries } from './audit-queries';
import { checkChain } from './evidence-chain';
import { buildEvidence, changesDesiredState, type EvidencePack, lastVersion } from './evidence';
import { type RawRecord, zipEvidence } from './evidence-zip';

/** Gathers a change's evidence from the audit read model, and its raw records from Kafka. */
export class EvidenceService {
  constructor(
    private readonly queries: AuditQueries,
    private readonly messaging: Pick<Messaging, 'readRecords'>,
  ) {}

  /** undefined when no event of this deployment's log was caused by that command. */
  async pack(changeId: string): Promise<{ pack: EvidencePack; included: AuditEventRow[] } | undefined> {
    const events = await this.queries.eventsOfCommand(changeId);
    const first = events[0];
    if (!first) return undefined;
    const { topic, aggregate_id: aggregateId } = first;
    const outcome = changesDesiredState(events)
      ? await this.queries.outcomeFor(topic, aggregateId, lastVersion(events))
      : undefined;
    const status = outcome ? await this.queries.statusAfter(topic, aggregateId, outcome.version) : undefined;
    const included = [...events, outcome, status].filter((e): e is AuditEventRow => e !== undefined);
    const chain = await this.queries.chain(topic, aggregateId, lastVersion(included));
    const pack = buildEvidence({ changeId, events, outcome, status, chain: checkChain(chain, included) });
    return { pack, included };
  }

  /** The pack as a zip with each included event's Kafka record, byte-identical on every call. */
  async zip(changeId: string): Promise<Buffer | undefined> {
    const found = await this.pack(changeId);
    if (!found) return undefined;
    const records = await this.rawRecords(found.included);
    return zipEvidence(found.pack, records, found.pack.at);
  }

  /** The records at the included coordinates, read from Kafka by those coordinates alone. */
  private async rawRecords(included: readonly AuditEventRow[]): Promise<RawRecord[]> {
    const byPartition = new Map<string, AuditEventRow[]>();
    for (const e of included) {
      const key = JSON.stringify([e.topic, e.partition]);
      byPartition.set(key, [...(byPartition.get(key) ?? []), e]);
    }
    const found: RawRecord[] = [];
    for (const events of byPartition.values()) {
      const { topic, partition } = events[0]!;
      const records = await this.messaging.readRecords(
        topic,
        partition,
        events.map((e) => e.offset),
      );
      for (const record of records) {
        const event = events.find((e) => e.offset === record.offset);
        if (event) found.push({ event, record });
      }
    }
    return found;
  }
}
