/**
 * Policy decisions (issue: policy engine): the latency of one decision once its facts are
 * gathered, and what-if throughput over 10,000 recorded decisions. Both are pure functions, so
 * this runs without the stack; the inputs are shaped like real ones (every rule type, a team
 * with 200 deployments, rate-limit histories). A table, never a test.
 */
import { canonicalJson } from '../src/domain/policies/definition';
import { decideRecorded, type DecisionInputs, type RecordedPolicy } from '../src/domain/policies/recorded';
import type { DeploymentFact, Policy, PolicyFacts, PolicyRequest, Rule } from '../src/domain/policies/types';
import { type RecordedDecision, whatIf } from '../src/domain/policies/what-if';
import { runBenchmark } from './harness';

const DECISIONS = 20_000;
const RECORDED = 10_000;
const CEILING_DECISION_P99_MS = 2;
const CEILING_WHATIF_MS = 1000;

const TEAMS = ['ml-platform', 'search', 'ads', 'vision'];
const ACTIONS = ['create', 'update', 'scale', 'rollback', 'delete'] as const;

/** Four policies of each rule type, spread over teams, half of them dry runs. */
function policySet(): Policy[] {
  const rules: Rule[] = [
    { type: 'quota', per: 'team', limits: { replicas: 400, cpu: '800', memory: '3Ti', gpu: 64 } },
    { type: 'cost_ceiling', per: 'namespace', maxPerHour: 900, maxPerMonth: 600_000 },
    { type: 'sla', minReadyReplicas: 2 },
    { type: 'slo', query: 'sum(rate(errors[5m])) / sum(rate(requests[5m]))', maxBurnRate: 2 },
    { type: 'rate_limit', per: 'actor', max: 60, window: '1h' },
    {
      type: 'change_freeze',
      timezone: 'Europe/Berlin',
      windows: [{ start: '2026-12-24T00:00:00', end: '2026-12-27T00:00:00' }],
      recurring: [
        { days: ['SAT', 'SUN'], from: '00:00', to: '24:00' },
        { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], from: '22:00', to: '06:00' },
      ],
      holidays: ['2026-12-31', '2027-01-01'],
    },
  ];
  return rules.flatMap((rule, r) =>
    TEAMS.map((team, t) => ({
      id: `pol-${rule.type}-${team}`,
      version: 1 + t,
      name: `${rule.type}-${team}`,
      priority: 10 * r + t,
      mode: t % 2 === 0 ? 'enforce' : 'dry_run',
      selector: { teams: [team] },
      rule,
    })),
  );
}

const recordedOf = ({ id, version, ...body }: Policy): RecordedPolicy => ({
  policyId: id,
  version,
  definition: canonicalJson(body),
});

function factsFor(team: string, at: number, policies: Policy[]): PolicyFacts {
  const deployments: DeploymentFact[] = Array.from({ length: 200 }, (_, i) => ({
    id: `dep-${team}-${i}`,
    cluster: i % 2 ? 'prod-eu' : 'prod-us',
    namespace: `ns-${i % 8}`,
    team,
    replicas: 1 + (i % 3),
    perReplica: { cpu: '500m', memory: '2Gi', gpu: i % 10 === 0 ? 1 : 0 },
    costPerReplicaHour: 0.5,
  }));
  const history = Array.from({ length: 40 }, (_, i) => new Date(at - i * 60_000).toISOString());
  const of = (type: string) => policies.filter((p) => p.rule.type === type).map((p) => p.id);
  return {
    deployments,
    readyReplicas: 3,
    burnRates: Object.fromEntries(of('slo').map((id, i) => [id, i * 0.8])),
    recentActions: Object.fromEntries(of('rate_limit').map((id) => [id, history])),
  };
}

function requestFor(i: number): PolicyRequest {
  const team = TEAMS[i % TEAMS.length]!;
  return {
    action: ACTIONS[i % ACTIONS.length]!,
    deploymentId: `dep-${team}-${i % 200}`,
    deploymentName: `model-${i % 200}`,
    actor: `user-${i % 25}`,
    cluster: i % 2 ? 'prod-eu' : 'prod-us',
    namespace: `ns-${i % 8}`,
    team,
    labels: { tier: String(1 + (i % 3)) },
    replicas: 1 + (i % 6),
    perReplica: { cpu: '500m', memory: '2Gi', gpu: i % 10 === 0 ? 1 : 0 },
    costPerReplicaHour: 0.5,
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

function decisionLatency(policies: Policy[]): number[] {
  const recorded = policies.map(recordedOf);
  const at = Date.parse('2026-11-27T10:00:00Z');
  const facts = TEAMS.map((t) => factsFor(t, at, policies));
  const times: number[] = [];
  for (let i = 0; i < DECISIONS; i++) {
    const inputs: DecisionInputs = {
      policies: recorded,
      request: requestFor(i),
      facts: facts[i % TEAMS.length]!,
      now: new Date(at + i * 1000).toISOString(),
    };
    const start = process.hrtime.bigint();
    decideRecorded(inputs);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

/** 10,000 decisions over 30 days, each decided on its own inputs as the write side records them. */
function recordedDecisions(policies: Policy[]): RecordedDecision[] {
  const recorded = policies.map(recordedOf);
  const start = Date.parse('2026-11-01T00:00:00Z');
  const facts = TEAMS.map((t) => factsFor(t, start, policies));
  return Array.from({ length: RECORDED }, (_, i) => {
    const inputs: DecisionInputs = {
      policies: recorded,
      request: requestFor(i),
      facts: facts[i % TEAMS.length]!,
      now: new Date(start + i * 259_000).toISOString(),
    };
    const d = decideRecorded(inputs);
    return {
      decisionId: `dec-${i}`,
      deploymentId: inputs.request.deploymentId,
      actor: inputs.request.actor,
      at: inputs.now,
      outcome: d.outcome,
      reasons: d.reasons,
      inputs,
      // As the decisions read model returns them: with each policy's recorded result.
      results: d.results,
    };
  });
}

async function main(): Promise<void> {
  const policies = policySet();
  decisionLatency(policies.slice(0, 6)); // warm up the JIT and Intl's zone data
  const latency = decisionLatency(policies);
  const p99 = percentile(latency, 0.99);

  const recorded = recordedDecisions(policies);
  const freeze = policies.find((p) => p.rule.type === 'change_freeze' && p.mode === 'enforce')!;
  const quota = policies.find((p) => p.rule.type === 'quota')!;
  const changes = [
    { op: 'remove' as const, policyId: freeze.id },
    {
      op: 'upsert' as const,
      policy: { ...quota, version: quota.version + 1, rule: { ...quota.rule, limits: { gpu: 8 } } },
    },
    {
      op: 'upsert' as const,
      policy: { ...freeze, id: 'pol-new-freeze', mode: 'enforce' as const, selector: {} },
    },
  ];
  whatIf(recorded.slice(0, 500), changes); // warm-up
  const started = process.hrtime.bigint();
  const result = whatIf(recorded, changes);
  const whatIfMs = Number(process.hrtime.bigint() - started) / 1e6;
  const perSecond = Math.round((RECORDED / whatIfMs) * 1000);

  const out = (s: string) => process.stdout.write(`${s}\n`);
  const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  out('\n## Policy decisions (pure evaluation; facts already gathered)\n');
  out(row(['measure', 'value', 'ceiling', 'within']));
  out(row(['---', '---', '---', '---']));
  out(
    row([
      `decision p50 (${policies.length} policies, 200 deployments in scope)`,
      `${percentile(latency, 0.5).toFixed(3)} ms`,
      '',
      '',
    ]),
  );
  out(
    row([
      'decision p99',
      `${p99.toFixed(3)} ms`,
      `${CEILING_DECISION_P99_MS} ms`,
      p99 <= CEILING_DECISION_P99_MS ? 'yes' : 'NO',
    ]),
  );
  out(row(['decision max', `${latency.at(-1)!.toFixed(3)} ms`, '', '']));
  out(
    row([
      `what-if over ${RECORDED} recorded decisions (${result.changed.length} change)`,
      `${whatIfMs.toFixed(0)} ms`,
      `${CEILING_WHATIF_MS} ms`,
      whatIfMs <= CEILING_WHATIF_MS ? 'yes' : 'NO',
    ]),
  );
  out(
    row([
      'what-if throughput',
      `${perSecond} decisions/s`,
      `${RECORDED} /s`,
      perSecond >= RECORDED ? 'yes' : 'NO',
    ]),
  );
  out(`\nbench: decision_p99=${p99.toFixed(3)}ms whatif=${perSecond}/s`);
}

runBenchmark(main);
