import { CHANGE_TYPES, integer, jsonField, strings, text } from './audit-events';
import { byColumns, NOTES, type Row, TABLE_NAMES, TABLES, type TableName } from './report-tables';

/** What the builder reads of an audit event (read_audit.events); plain data, no driver types. */
export interface ReportEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly eventType: string;
  readonly aggregateId: string;
  readonly at: string;
  readonly actor: string;
  readonly causationId: string;
  readonly cluster: string | null;
  readonly team: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface ReportScope {
  /** ISO instants, half-open [from, to), in UTC. */
  readonly from: string;
  readonly to: string;
  readonly sentinelVersion: string;
  readonly topics: readonly string[];
  readonly agentActorPrefixes: readonly string[];
}

export type ComplianceReport = Readonly<Record<TableName, readonly Row[]>> & {
  readonly report: 'compliance';
  readonly sentinel: string;
  readonly range: { readonly from: string; readonly to: string };
  readonly scope: { readonly topics: readonly string[]; readonly agentActorPrefixes: readonly string[] };
  readonly totals: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
};

const COUNT_COLUMN: Record<(typeof CHANGE_TYPES)[number], string> = {
  DeploymentCreated: 'created',
  DeploymentUpdated: 'updated',
  DeploymentScaled: 'scaled',
  DeploymentRolledBack: 'rolledBack',
  DeploymentDeleted: 'deleted',
};

/**
 * The compliance report of one range, from the audit events in it (issue 7, ADR 0009). Pure and total:
 * the same events in any order give the same report, so regenerating it gives the same bytes.
 */
export function buildComplianceReport(events: readonly ReportEvent[], scope: ReportScope): ComplianceReport {
  const inScope = events.filter((e) => e.at >= scope.from && e.at < scope.to);
  const tables: Record<TableName, Row[]> = {
    changesByCluster: countChanges(inScope, 'cluster', (e) => e.cluster),
    changesByTeam: countChanges(inScope, 'team', (e) => e.team),
    changesByActor: countChanges(inScope, 'actor', (e) => e.actor),
    deniedAttempts: inScope.filter(isDenial).map(denial),
    freezeChanges: inScope.filter((e) => e.eventType === 'PolicyEvaluated').flatMap(freezeResults),
    agentActions: agentActions(inScope, scope.agentActorPrefixes),
    rollbacks: inScope.filter((e) => e.eventType === 'DeploymentRolledBack').map(rollback),
    accessDenials: inScope.filter((e) => e.eventType === 'AccessDenied').map(accessDenial),
  };
  for (const name of TABLE_NAMES) tables[name].sort(byColumns(TABLES[name]));
  return {
    report: 'compliance',
    sentinel: scope.sentinelVersion,
    range: { from: scope.from, to: scope.to },
    scope: {
      topics: [...scope.topics].sort(),
      agentActorPrefixes: [...new Set(scope.agentActorPrefixes)].sort(),
    },
    totals: {
      changes: sum(tables.changesByCluster, 'total'),
      deniedAttempts: tables.deniedAttempts.length,
      freezeChanges: tables.freezeChanges.length,
      agentActions: sum(tables.agentActions, 'count'),
      rollbacks: tables.rollbacks.length,
      accessDenials: tables.accessDenials.length,
    },
    notes: NOTES,
    ...tables,
  };
}

const sum = (rows: readonly Row[], column: string) =>
  rows.reduce((n, r) => n + (typeof r[column] === 'number' ? r[column] : 0), 0);

const position = (e: ReportEvent) => ({ topic: e.topic, partition: e.partition, offset: e.offset });

function countChanges(
  events: readonly ReportEvent[],
  column: string,
  keyOf: (e: ReportEvent) => string | null,
): Row[] {
  const groups = new Map<string | null, Record<string, number>>();
  for (const e of events) {
    const counter = COUNT_COLUMN[e.eventType as keyof typeof COUNT_COLUMN];
    if (!counter) continue;
    const key = keyOf(e);
    const counts = groups.get(key) ?? {
      total: 0,
      created: 0,
      updated: 0,
      scaled: 0,
      rolledBack: 0,
      deleted: 0,
    };
    counts.total! += 1;
    counts[counter]! += 1;
    groups.set(key, counts);
  }
  return [...groups].map(([key, counts]) => ({ [column]: key, ...counts }));
}

const isDenial = (e: ReportEvent) => e.eventType === 'PolicyDenied' || e.eventType === 'DeploymentRejected';

const denial = (e: ReportEvent): Row => ({
  at: e.at,
  eventType: e.eventType,
  deploymentId: e.aggregateId,
  command: text(e.data.command),
  actor: e.actor,
  cluster: e.cluster,
  team: e.team,
  decisionId: e.eventType === 'PolicyDenied' ? text(e.data.decisionId) : null,
  reasons: strings(e.data.reasons),
  ...position(e),
});

interface RecordedResult {
  policyId?: unknown;
  policyVersion?: unknown;
  policyName?: unknown;
  ruleType?: unknown;
  result?: unknown;
  exception?: { approver?: unknown; reason?: unknown; expires?: unknown };
}

/** The change_freeze results that held a change, or would have, or were waived. */
function freezeResults(e: ReportEvent): Row[] {
  const results = jsonField(e.data.results);
  if (!Array.isArray(results)) return [];
  return (results as RecordedResult[])
    .filter((r) => r.ruleType === 'change_freeze')
    .filter((r) => r.result === 'denied' || r.result === 'would_deny' || r.exception !== undefined)
    .map((r) => ({
      at: e.at,
      decisionId: text(e.data.decisionId) || e.causationId,
      deploymentId: e.aggregateId,
      action: text(e.data.action),
      actor: e.actor,
      cluster: e.cluster,
      team: e.team,
      outcome: text(e.data.outcome),
      policyId: text(r.policyId),
      policyVersion: integer(r.policyVersion),
      policyName: text(r.policyName),
      result: text(r.result),
      approver: r.exception ? text(r.exception.approver) : null,
      exceptionReason: r.exception ? text(r.exception.reason) : null,
      expires: r.exception ? text(r.exception.expires) : null,
      ...position(e),
    }));
}

function agentActions(events: readonly ReportEvent[], prefixes: readonly string[]): Row[] {
  const counts = new Map<string, { actor: string; eventType: string; count: number }>();
  for (const e of events) {
    if (!prefixes.some((p) => e.actor.startsWith(p))) continue;
    const key = JSON.stringify([e.actor, e.eventType]);
    const entry = counts.get(key) ?? { actor: e.actor, eventType: e.eventType, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()];
}

const rollback = (e: ReportEvent): Row => ({
  at: e.at,
  deploymentId: e.aggregateId,
  actor: e.actor,
  cluster: e.cluster,
  team: e.team,
  toRevision: integer(e.data.toRevision),
  revision: integer(e.data.revision),
  ...position(e),
});

const accessDenial = (e: ReportEvent): Row => ({
  at: e.at,
  subject: text(e.data.subject) || e.actor,
  role: text(e.data.role),
  status: integer(e.data.status),
  reason: text(e.data.reason),
  method: text(e.data.method),
  path: text(e.data.path),
  ...position(e),
});
