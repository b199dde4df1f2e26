import { canonicalJson, readDefinition } from '../domain/policies/definition';
import type { RecordedPolicy } from '../domain/policies/recorded';
import { selectorMismatch } from '../domain/policies/selector';
import type { Action, Policy, PolicyFacts, PolicyRequest, RateLimitRule } from '../domain/policies/types';
import type { PolicyInputs } from '../domain/deployments/contracts.generated';
import type { Logger } from '../infrastructure/logging/logger';
import { type PrometheusClient, PrometheusError } from '../infrastructure/prometheus/prometheus-client';
import type { Placement, PolicyFactsReader } from '../projections/policy-facts';

/** The change a gate is asked about; a create brings its placement, other changes are looked up. */
export interface GateQuestion {
  readonly action: Action;
  readonly deploymentId: string;
  readonly actor: string;
  readonly placement?: Placement;
  readonly now: Date;
}

export interface GateAnswer {
  readonly inputs: PolicyInputs;
  readonly facts: PolicyFacts;
  /** The placement the facts were scoped by; undefined when the deployment is not (yet) in the read model. */
  readonly placement?: Placement;
}

/** A deployment created moments ago may not be in the read model yet: look again briefly. */
const LOOKUPS = 5;
const LOOKUP_PAUSE_MS = 100;

/**
 * Gathers what a policy decision needs before a deployment command is sent (DESIGN.md §3.1):
 * the enabled policies at their current versions, and only the facts those that apply to the
 * change use (scope usage for quotas and costs, burn rates from Prometheus, earlier actions
 * for rate limits). Nothing is decided here: the decider evaluates what this records.
 */
export class PolicyGate {
  constructor(
    private readonly reader: PolicyFactsReader,
    private readonly prometheus: PrometheusClient | undefined,
    private readonly logger: Logger,
  ) {}

  async gather(question: GateQuestion): Promise<GateAnswer> {
    const [recorded, placement] = await Promise.all([
      this.reader.enabledPolicies(),
      question.placement ?? this.lookUp(question.deploymentId),
    ]);
    const applying = recorded.flatMap((r) => {
      const read = readDefinition(r.definition, r.policyId, r.version);
      return read.ok && applies(read.policy, question, placement) ? [read.policy] : [];
    });
    const facts = await this.facts(applying, question, placement);
    const inputs = { policies: recorded, facts: canonicalJson(facts), tzdata: tzdata() };
    return { inputs, facts, ...(placement && { placement }) };
  }

  /**
   * What Prometheus says is wrong with a PromQL query, or undefined when it ran (or could not be
   * asked: an unreachable Prometheus is not the policy's fault, and the SLO rule fails closed).
   */
  async queryProblem(query: string): Promise<string | undefined> {
    if (!this.prometheus) return undefined;
    try {
      await this.prometheus.instant(query);
      return undefined;
    } catch (err) {
      if (err instanceof PrometheusError && err.code === 'BAD_QUERY') return err.message;
      this.logger.warn({ err }, 'could not check a policy query with Prometheus; accepting it');
      return undefined;
    }
  }

  private async lookUp(id: string): Promise<Placement | undefined> {
    for (let i = 0; i < LOOKUPS; i++) {
      const found = await this.reader.placement(id);
      if (found) return found;
      await new Promise((r) => setTimeout(r, LOOKUP_PAUSE_MS));
    }
    return undefined;
  }

  private async facts(applying: Policy[], q: GateQuestion, placement?: Placement): Promise<PolicyFacts> {
    const needsScope = applying.some((p) => p.rule.type === 'quota' || p.rule.type === 'cost_ceiling');
    const [deployments, burnRates, recentActions] = await Promise.all([
      needsScope && placement ? this.reader.deploymentsInScope(placement) : [],
      this.burnRates(applying),
      this.recentActions(applying, q, placement),
    ]);
    return {
      deployments,
      burnRates,
      recentActions,
      ...(placement?.readyReplicas !== undefined && { readyReplicas: placement.readyReplicas }),
    };
  }

  /** A query that fails leaves its rate out, and the SLO rule then holds the change (fail closed). */
  private async burnRates(applying: Policy[]): Promise<Record<string, number>> {
    const rates: Record<string, number> = {};
    await Promise.all(
      applying.map(async (p) => {
        if (p.rule.type !== 'slo') return;
        if (!this.prometheus) {
          this.logger.warn({ policy: p.id }, 'SLO policy applies but SENTINEL_PROMETHEUS_URL is not set');
          return;
        }
        try {
          const value = await this.prometheus.instant(p.rule.query);
          if (value !== undefined) rates[p.id] = value;
        } catch (err) {
          this.logger.warn(
            { err, policy: p.id },
            'burn rate query failed; the SLO rule will hold the change',
          );
        }
      }),
    );
    return rates;
  }

  private async recentActions(applying: Policy[], q: GateQuestion, placement?: Placement) {
    const recent: Record<string, string[]> = {};
    await Promise.all(
      applying.map(async (p) => {
        if (p.rule.type !== 'rate_limit') return;
        const value = scopeValue(p.rule, q, placement);
        if (value !== undefined) recent[p.id] = await this.reader.recentActions(p.rule, value, q.now);
      }),
    );
    return recent;
  }
}

function scopeValue(rule: RateLimitRule, q: GateQuestion, placement?: Placement): string | undefined {
  switch (rule.per) {
    case 'actor':
      return q.actor;
    case 'action':
      return q.action;
    case 'team':
      return placement?.team;
    case 'cluster':
      return placement?.cluster;
  }
}

/** Without a placement nothing can be ruled out, so every policy's facts are gathered. */
function applies(policy: Policy, q: GateQuestion, placement?: Placement): boolean {
  return placement === undefined || selectorMismatch(policy.selector, requestOf(q, placement)) === undefined;
}

export function requestOf(q: GateQuestion, p: Placement): PolicyRequest {
  return {
    action: q.action,
    deploymentId: q.deploymentId,
    deploymentName: p.name,
    actor: q.actor,
    cluster: p.cluster,
    namespace: p.namespace,
    team: p.team,
    labels: p.labels,
    replicas: q.action === 'delete' ? 0 : p.replicas,
    perReplica: p.perReplica,
    costPerReplicaHour: p.costPerReplicaHour,
  };
}

/** The time zone rules freeze windows were computed with, recorded with each decision. */
export const tzdata = (): string => process.versions.tz ?? 'unknown';

export type { RecordedPolicy };
