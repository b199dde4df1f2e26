import { parseDuration, parseInstant } from './local-time';
import type { RateLimitRule, SlaRule, SloRule } from './types';
import { fail, pass, type RuleContext, type Verdict } from './verdict';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Ready replicas the change leaves: a scale keeps at most the new count, a delete none, and a
 * rolling update or rollback may take `maxUnavailable` pods (1 unless the edge says otherwise)
 * out of service at once while it replaces them.
 */
function readyAfter({ request, facts }: RuleContext, ready: number): number {
  const kept = Math.min(ready, request.replicas);
  switch (request.action) {
    case 'delete':
      return 0;
    case 'update':
    case 'rollback':
      return Math.max(0, kept - (facts.maxUnavailable ?? 1));
    default:
      return kept;
  }
}

/** Only a drop is refused: a change on a deployment already below the minimum may keep or raise it. */
export function checkSla(context: RuleContext, rule: SlaRule): Verdict {
  const { policy, request, facts } = context;
  const label = `sla '${policy.name}' for deployment ${request.deploymentId}`;
  if (request.action === 'create') return pass(`${label}: a new deployment takes no ready replicas away`);
  const ready = facts.readyReplicas;
  // Fail closed, as for the SLO: a guarantee that cannot be checked is not waived.
  if (ready === undefined || !Number.isInteger(ready) || ready < 0)
    return fail(`${label}: the number of ready replicas is unknown, so the minimum cannot be checked`);
  const after = readyAfter(context, ready);
  const text = `${request.action} leaves ${after} ready (${ready} now), minimum ${rule.minReadyReplicas}`;
  return after < rule.minReadyReplicas && after < ready
    ? fail(`${label}: ${text}`)
    : pass(`${label}: ${text}`);
}

/**
 * The burn rate is a fact the edge read from Prometheus with the policy's query. When it is
 * missing the change is refused (fail closed): an SLO guard that silently lets changes through
 * whenever monitoring is down would fail exactly when it matters. An exception can waive it.
 */
export function checkSlo({ policy, facts }: RuleContext, rule: SloRule): Verdict {
  const label = `slo '${policy.name}'`;
  const rate = Object.hasOwn(facts.burnRates, policy.id) ? facts.burnRates[policy.id] : undefined;
  if (rate === undefined || !Number.isFinite(rate))
    return fail(`${label}: the error budget burn rate is unknown (no measurement), so changes are held`);
  const text = `error budget burn rate ${rate}, at most ${rule.maxBurnRate}`;
  return rate > rule.maxBurnRate ? fail(`${label}: ${text}`) : pass(`${label}: ${text}`);
}

function scope({ request }: RuleContext, per: RateLimitRule['per']): string {
  switch (per) {
    case 'actor':
      return `by ${request.actor}`;
    case 'team':
      return `for team ${request.team}`;
    case 'cluster':
      return `in cluster ${request.cluster}`;
    case 'action':
      return `of kind ${request.action}`;
  }
}

/**
 * Sliding window (now - window, now]: an earlier action exactly one window ago no longer counts.
 * Timestamps after `now` (clock skew between the edge's sources) still count, failing closed.
 */
export function checkRateLimit(context: RuleContext, rule: RateLimitRule): Verdict {
  const { policy, facts, now } = context;
  const label = `rate limit '${policy.name}'`;
  const recent = Object.hasOwn(facts.recentActions, policy.id) ? facts.recentActions[policy.id] : undefined;
  if (recent === undefined)
    return fail(`${label}: earlier actions are unknown, so the limit cannot be checked`);
  const times = recent.map(parseInstant);
  const bad = recent.find((_, i) => times[i] === undefined);
  if (bad !== undefined) return fail(`${label}: earlier action time '${bad}' is not an ISO instant`);
  const window = parseDuration(rule.window);
  if (window === undefined) return fail(`${label}: window '${rule.window}' is not a duration`);
  const count = times.filter((t) => t! > now - window).length + 1;
  const text = `${plural(count, 'action')} ${scope(context, rule.per)} in the last ${rule.window} including this one, at most ${rule.max}`;
  return count > rule.max ? fail(`${label}: ${text}`) : pass(`${label}: ${text}`);
}
