/**
 * The policy engine's public contract (issue: policy engine). Everything here is a plain,
 * serialisable record: a decision is recorded with its inputs in a `PolicyEvaluated` event, so
 * replaying it gives the same answer without calling anything (DESIGN.md §1.3).
 */

export const ACTIONS = ['create', 'update', 'scale', 'rollback', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

export const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type Day = (typeof DAYS)[number];

export type PolicyMode = 'enforce' | 'dry_run';

/** An omitted field matches everything; `labels` must all match. */
export interface Selector {
  readonly clusters?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly teams?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly actions?: readonly Action[];
}

/** An approved, time-boxed waiver. Any rule may carry them; `subjects` are deployment ids or names. */
export interface PolicyException {
  readonly approver: string;
  /** ISO instant; the exception has expired at exactly this instant. */
  readonly expires: string;
  readonly reason: string;
  readonly subjects?: readonly string[];
}

interface RuleBase {
  readonly exceptions?: readonly PolicyException[];
}

export interface CostCeilingRule extends RuleBase {
  readonly type: 'cost_ceiling';
  readonly per: 'team' | 'namespace';
  readonly maxPerHour?: number;
  readonly maxPerMonth?: number;
}

export interface QuotaLimits {
  readonly replicas?: number;
  readonly cpu?: string;
  readonly memory?: string;
  readonly gpu?: number;
}

export interface QuotaRule extends RuleBase {
  readonly type: 'quota';
  readonly per: 'namespace' | 'team';
  readonly limits: QuotaLimits;
}

export interface SlaRule extends RuleBase {
  readonly type: 'sla';
  readonly minReadyReplicas: number;
}

export interface SloRule extends RuleBase {
  readonly type: 'slo';
  readonly query: string;
  readonly maxBurnRate: number;
}

export interface RateLimitRule extends RuleBase {
  readonly type: 'rate_limit';
  readonly per: 'actor' | 'team' | 'cluster' | 'action';
  readonly max: number;
  /** "30s", "30m", "1h", "7d". */
  readonly window: string;
}

/** Local date-times ("2026-12-24T00:00:00") in the rule's zone, half-open [start, end). */
export interface FreezeWindow {
  readonly start: string;
  readonly end: string;
}

/** Weekly window starting on each of `days`; `to` <= `from` ends on the next day; "24:00" is midnight. */
export interface RecurringWindow {
  readonly days: readonly Day[];
  readonly from: string;
  readonly to: string;
}

export interface ChangeFreezeRule extends RuleBase {
  readonly type: 'change_freeze';
  readonly timezone: string;
  readonly windows?: readonly FreezeWindow[];
  readonly recurring?: readonly RecurringWindow[];
  /** Whole local days, "2026-12-31". */
  readonly holidays?: readonly string[];
}

export type Rule = CostCeilingRule | QuotaRule | SlaRule | SloRule | RateLimitRule | ChangeFreezeRule;
export type RuleType = Rule['type'];

export interface Policy {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  /** Higher first. */
  readonly priority: number;
  readonly mode: PolicyMode;
  readonly selector: Selector;
  readonly rule: Rule;
}

export interface PerReplica {
  /** Kubernetes quantities: cpu "500m" | "2", memory "512Mi" | "4Gi" | "1000000". */
  readonly cpu: string;
  readonly memory: string;
  readonly gpu: number;
}

/** The change being decided, in its state AFTER the change. */
export interface PolicyRequest {
  readonly action: Action;
  readonly deploymentId: string;
  /** Lets an exception name the deployment instead of its id. */
  readonly deploymentName?: string;
  readonly actor: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly team: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Replicas after the change; a delete counts as 0 whatever is sent. */
  readonly replicas: number;
  readonly perReplica: PerReplica;
  /** GPU included. */
  readonly costPerReplicaHour: number;
}

export interface DeploymentFact {
  readonly id: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly team: string;
  readonly replicas: number;
  readonly perReplica: PerReplica;
  readonly costPerReplicaHour: number;
}

/** What the edge gathered before asking; the evaluation only reads it. */
export interface PolicyFacts {
  /** Current deployments (at least those in the request's team and namespace); the target is replaced by the request. */
  readonly deployments: readonly DeploymentFact[];
  /** Ready replicas of the target deployment now. */
  readonly readyReplicas?: number;
  /** Pods a rolling update/rollback may take down at once; 1 when absent. */
  readonly maxUnavailable?: number;
  /** Burn rate per SLO policy id, from the policy's query. */
  readonly burnRates: Readonly<Record<string, number>>;
  /** ISO instants of earlier actions in each rate-limit policy's scope. */
  readonly recentActions: Readonly<Record<string, readonly string[]>>;
}

export type RuleOutcome = 'allowed' | 'denied' | 'would_deny' | 'not_applicable';
export type DecisionOutcome = 'allowed' | 'denied' | 'would_deny';

export interface ApprovedException {
  readonly approver: string;
  readonly reason: string;
  readonly expires: string;
}

export interface RuleResult {
  readonly policyId: string;
  readonly policyVersion: number;
  readonly policyName: string;
  readonly priority: number;
  readonly mode: PolicyMode;
  readonly ruleType: RuleType;
  readonly result: RuleOutcome;
  readonly reason: string;
  /** Set when an exception let a denied change through: who approved it. */
  readonly exception?: ApprovedException;
}

export interface Decision {
  readonly outcome: DecisionOutcome;
  /** The instant the decision was taken for (the edge's clock). */
  readonly now: string;
  /** Every policy considered, in evaluation order, with the version used. */
  readonly policies: readonly { readonly id: string; readonly version: number }[];
  /** One result per policy, in evaluation order (priority descending, then id). */
  readonly results: readonly RuleResult[];
  /** Reasons of the results that denied (or would have), highest priority first. */
  readonly reasons: readonly string[];
}

export interface Problem {
  readonly field: string;
  readonly reason: string;
}
