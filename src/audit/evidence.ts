import { type AuditEventRow, CHANGE_TYPES, jsonField, strings, text } from './audit-events';
import type { ChainCheck } from './evidence-chain';

/** An event as the pack shows it: envelope, coordinates, chain links and the recorded payload. */
export interface EvidenceEvent {
  readonly eventId: string;
  readonly type: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly at: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly hash: string;
  readonly previousHash: string;
  readonly data: unknown;
}

export interface EvidenceInputs {
  readonly changeId: string;
  /** The change's own events (causation id = change id), in log order; never empty. */
  readonly events: readonly AuditEventRow[];
  readonly outcome?: AuditEventRow;
  readonly status?: AuditEventRow;
  readonly chain: ChainCheck;
}

const CHANGES: readonly string[] = CHANGE_TYPES;

export const toEvidenceEvent = (e: AuditEventRow): EvidenceEvent => ({
  eventId: e.event_id,
  type: e.event_type,
  aggregateId: e.aggregate_id,
  version: e.version,
  at: e.at.toISOString(),
  actor: e.actor,
  correlationId: e.correlation_id,
  causationId: e.causation_id,
  topic: e.topic,
  partition: e.partition,
  offset: e.offset,
  hash: e.hash,
  previousHash: e.previous_hash,
  data: e.data,
});

/** A change's last event version: what an apply outcome answers (its intentVersion, ADR 0005). */
export const lastVersion = (events: readonly AuditEventRow[]) => Math.max(...events.map((e) => e.version));

/** Whether the change asked the cluster for something: only desired-state changes do. */
export const changesDesiredState = (events: readonly AuditEventRow[]) =>
  events.some((e) => CHANGES.includes(e.event_type));

/**
 * The evidence pack of one change (issue 7): what was asked, by whom, what the policies decided
 * with which inputs and waivers, what Kubernetes did and then reported, and the hash-chain links
 * that tie each of those events to the log (ADR 0009). Pure: the same rows give the same document.
 */
export function buildEvidence(inputs: EvidenceInputs) {
  const { events, changeId } = inputs;
  const first = events[0]!;
  const evaluated = events.find((e) => e.event_type === 'PolicyEvaluated');
  const decision = evaluated ? decisionOf(evaluated) : null;
  const asked = changesDesiredState(events);
  return {
    evidence: 'change',
    changeId,
    aggregate: {
      context: first.context,
      id: first.aggregate_id,
      topic: first.topic,
      partition: first.partition,
    },
    actor: first.actor,
    correlationId: first.correlation_id,
    at: first.at.toISOString(),
    result: resultOf(events),
    events: events.map(toEvidenceEvent),
    request: decision ? decision.request : null,
    decision,
    approvals: decision ? approvalsOf(decision.results) : [],
    kubernetes: asked
      ? stage(inputs.outcome, outcomeStatus(inputs.outcome))
      : stage(undefined, 'not-applicable'),
    observed:
      asked && inputs.outcome
        ? stage(inputs.status, inputs.status ? 'observed' : 'pending')
        : stage(undefined, asked ? 'pending' : 'not-applicable'),
    integrity: { ...inputs.chain, verify: verifyInstructions(first, inputs) },
  };
}

export type EvidencePack = ReturnType<typeof buildEvidence>;

function resultOf(events: readonly AuditEventRow[]): string {
  if (events.some((e) => e.event_type === 'PolicyDenied')) return 'denied-by-policy';
  if (events.some((e) => e.event_type === 'DeploymentRejected' || e.event_type.endsWith('Rejected')))
    return 'rejected';
  return 'accepted';
}

function decisionOf(e: AuditEventRow) {
  const d = e.data;
  const results = jsonField(d.results);
  return {
    decisionId: text(d.decisionId) || e.causation_id,
    action: text(d.action),
    now: text(d.now),
    outcome: text(d.outcome),
    reasons: strings(d.reasons),
    tzdata: text(d.tzdata),
    policies: (Array.isArray(d.policies) ? (d.policies as Record<string, unknown>[]) : []).map((p) => ({
      policyId: text(p.policyId),
      version: p.version,
      definition: jsonField(p.definition),
    })),
    request: jsonField(d.request),
    facts: jsonField(d.facts),
    results: Array.isArray(results) ? (results as Record<string, unknown>[]) : [],
  };
}

/** Exceptions that let a denied change through, with who approved them and until when. */
function approvalsOf(results: readonly Record<string, unknown>[]) {
  return results
    .filter((r) => r.exception !== null && typeof r.exception === 'object')
    .map((r) => {
      const x = r.exception as Record<string, unknown>;
      return {
        policyId: text(r.policyId),
        policyVersion: r.policyVersion,
        policyName: text(r.policyName),
        ruleType: text(r.ruleType),
        result: text(r.result),
        approver: text(x.approver),
        reason: text(x.reason),
        expires: text(x.expires),
      };
    });
}

const outcomeStatus = (e: AuditEventRow | undefined) =>
  !e ? 'pending' : e.event_type === 'DeploymentApplied' ? 'applied' : 'failed';

const stage = (e: AuditEventRow | undefined, status: string) => ({
  status,
  event: e ? toEvidenceEvent(e) : null,
});

/** How an auditor re-checks the links against Kafka itself, not this read model. */
function verifyInstructions(first: AuditEventRow, inputs: EvidenceInputs) {
  const suffix = `.${first.context}.events`;
  const prefix = first.topic.endsWith(suffix) ? first.topic.slice(0, -suffix.length) : first.topic;
  const last = [...inputs.events, inputs.outcome, inputs.status]
    .filter((e): e is AuditEventRow => e !== undefined)
    .reduce((a, b) => (BigInt(b.offset) > BigInt(a.offset) ? b : a));
  return {
    command:
      `sentinel replay ${first.aggregate_id} --context ${first.context} --topic-prefix ${prefix} ` +
      `--verify --as-of-offset ${last.offset}`,
    expect: `the chain verifies and its head, version ${last.version}, is ${last.hash}`,
    explanation:
      'replay reads the aggregate from Kafka, recomputes every hash from the records themselves and ' +
      'checks each link and version; the raw records are in the zip form of this pack',
  };
}
