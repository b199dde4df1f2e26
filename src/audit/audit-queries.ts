import type { Queryable } from '../projections/sql';
import { schemaNames } from '../projections/read-model-schema';
import { type AuditEventRow, REPORT_TYPES } from './audit-events';
import type { ReportEvent } from './compliance-report';

/** A link of an aggregate's hash chain, as the audit read model recorded it. */
export interface ChainRow {
  version: number;
  hash: string;
  previous_hash: string;
  offset: string;
}

const COLUMNS = `topic, partition, "offset"::text AS "offset", context, event_type, event_id, aggregate_id,
  version, at, actor, correlation_id, causation_id, hash, previous_hash, cluster, team, namespace, data`;

/**
 * Reads of read_audit.events (migrations/0006) for evidence packs and compliance reports,
 * through the live schema a rebuild swaps atomically, and only on this deployment's topics.
 */
export class AuditQueries {
  private readonly table = `${schemaNames('audit').live}.events`;

  constructor(
    private readonly db: Queryable,
    private readonly topics: readonly string[],
  ) {}

  /** The event topics read: the report says which log it covers. */
  topicsRead(): readonly string[] {
    return this.topics;
  }

  /** The events a command produced (their causation id is the command id), in log order. */
  async eventsOfCommand(commandId: string): Promise<AuditEventRow[]> {
    const { rows } = await this.db.query<AuditEventRow>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE causation_id = $1 AND topic = ANY($2)
       ORDER BY topic, partition, "offset"`,
      [commandId, this.topics],
    );
    return rows;
  }

  /** The first outcome on the cluster answering an intent at or after `intentVersion` (ADR 0005). */
  async outcomeFor(
    topic: string,
    aggregateId: string,
    intentVersion: number,
  ): Promise<AuditEventRow | undefined> {
    const { rows } = await this.db.query<AuditEventRow>(
      `SELECT ${COLUMNS} FROM ${this.table}
       WHERE topic = $1 AND aggregate_id = $2
         AND event_type IN ('DeploymentApplied', 'DeploymentApplyFailed')
         AND (data->>'intentVersion')::int >= $3
       ORDER BY version LIMIT 1`,
      [topic, aggregateId, intentVersion],
    );
    return rows[0];
  }

  /** The first status the cluster reported after a given version of the aggregate. */
  async statusAfter(topic: string, aggregateId: string, version: number): Promise<AuditEventRow | undefined> {
    const { rows } = await this.db.query<AuditEventRow>(
      `SELECT ${COLUMNS} FROM ${this.table}
       WHERE topic = $1 AND aggregate_id = $2 AND event_type = 'DeploymentStatusObserved' AND version > $3
       ORDER BY version LIMIT 1`,
      [topic, aggregateId, version],
    );
    return rows[0];
  }

  /** The aggregate's links from its first event up to `version`, in version order. */
  async chain(topic: string, aggregateId: string, version: number): Promise<ChainRow[]> {
    const { rows } = await this.db.query<ChainRow>(
      `SELECT version, hash, previous_hash, "offset"::text AS "offset" FROM ${this.table}
       WHERE topic = $1 AND aggregate_id = $2 AND version <= $3 ORDER BY version, "offset"`,
      [topic, aggregateId, version],
    );
    return rows;
  }

  /**
   * The events a compliance report reads in [from, to): the report's event types, and every
   * event of an agent actor. PolicyEvaluated loses its facts, policies and request, which the
   * report does not show and which are most of its size.
   */
  async reportEvents(from: string, to: string, agentPrefixes: readonly string[]): Promise<ReportEvent[]> {
    const { rows } = await this.db.query<AuditEventRow>(
      `SELECT topic, partition, "offset"::text AS "offset", event_type, aggregate_id, at, actor,
              causation_id, cluster, team,
              CASE WHEN event_type = 'PolicyEvaluated' THEN data - 'facts' - 'policies' - 'request'
                   ELSE data END AS data
       FROM ${this.table}
       WHERE topic = ANY($1) AND at >= $2 AND at < $3
         AND (event_type = ANY($4) OR EXISTS (SELECT 1 FROM unnest($5::text[]) p WHERE starts_with(actor, p)))`,
      [this.topics, from, to, REPORT_TYPES, agentPrefixes],
    );
    return rows.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      eventType: r.event_type,
      aggregateId: r.aggregate_id,
      at: r.at.toISOString(),
      actor: r.actor,
      causationId: r.causation_id,
      cluster: r.cluster,
      team: r.team,
      data: r.data,
    }));
  }
}
