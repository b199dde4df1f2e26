/**
 * A row of read_audit.events (migrations/0006): every event of every context with its envelope,
 * its Kafka coordinates and its decoded payload at the latest schema version.
 */
export interface AuditEventRow {
  topic: string;
  partition: number;
  /** bigint: the driver returns it as text. */
  offset: string;
  context: string;
  event_type: string;
  event_id: string;
  aggregate_id: string;
  version: number;
  at: Date;
  actor: string;
  correlation_id: string;
  causation_id: string;
  hash: string;
  previous_hash: string;
  cluster: string | null;
  team: string | null;
  namespace: string | null;
  data: Record<string, unknown>;
}
