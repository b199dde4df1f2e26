import { formatCpu, formatMemory, parseCpuMillis, parseMemoryBytes } from './quantity';
import type { CostCeilingRule, PerReplica, QuotaLimits, QuotaRule } from './types';
import { fail, pass, type RuleContext, type Verdict } from './verdict';

/** The issue fixes a month at 730 hours (8760 / 12). */
export const HOURS_PER_MONTH = 730n;

interface Usage {
  readonly id: string;
  readonly replicas: number;
  readonly perReplica: PerReplica;
  readonly costPerReplicaHour: number;
}

/**
 * The scope's deployments AFTER the change: the target's current entry is replaced by the
 * request (a delete leaves 0 replicas). A namespace belongs to a cluster, so the namespace scope
 * is (cluster, namespace); a team spans clusters.
 */
function projected({ request, facts }: RuleContext, per: 'team' | 'namespace'): Usage[] {
  const others = facts.deployments.filter(
    (d) =>
      d.id !== request.deploymentId &&
      (per === 'team'
        ? d.team === request.team
        : d.namespace === request.namespace && d.cluster === request.cluster),
  );
  const replicas = request.action === 'delete' ? 0 : request.replicas;
  return [...others, { ...request, id: request.deploymentId, replicas }];
}

const scopeName = ({ request }: RuleContext, per: 'team' | 'namespace') =>
  per === 'team' ? `team ${request.team}` : `namespace ${request.namespace}`;

// Money in integer millionths, so "exactly at the ceiling" is exact and sums never drift.
const micros = (amount: number): bigint => BigInt(Math.round(amount * 1e6));

function money(value: bigint): string {
  const whole = value / 1_000_000n;
  const fraction = (value % 1_000_000n)
    .toString()
    .padStart(6, '0')
    .replace(/0{1,4}$/, '');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

export function checkCost(context: RuleContext, rule: CostCeilingRule): Verdict {
  const perHour = projected(context, rule.per).reduce(
    (sum, d) => sum + BigInt(d.replicas) * micros(d.costPerReplicaHour),
    0n,
  );
  const label = `cost ceiling '${context.policy.name}' for ${scopeName(context, rule.per)}`;
  const checks: [string, bigint, number | undefined][] = [
    ['hour', perHour, rule.maxPerHour],
    ['month', perHour * HOURS_PER_MONTH, rule.maxPerMonth],
  ];
  const over = checks.filter(([, cost, max]) => max !== undefined && cost > micros(max));
  const shown = over.length > 0 ? over : checks.filter(([, , max]) => max !== undefined);
  const text = shown
    .map(
      ([unit, cost, max]) => `${money(cost)} per ${unit} after this change, ceiling ${money(micros(max!))}`,
    )
    .join('; ');
  return over.length > 0 ? fail(`${label}: ${text}`) : pass(`${label}: ${text}`);
}

interface Resource {
  readonly key: keyof QuotaLimits;
  readonly perReplica: (p: PerReplica) => bigint | undefined;
  readonly limit: (l: QuotaLimits) => bigint | undefined;
  readonly amount: (amount: bigint) => string;
  readonly unit: (amount: bigint) => string;
}

const optional = <T>(value: T | undefined, parse: (v: T) => bigint | undefined) =>
  value === undefined ? undefined : parse(value);

const RESOURCES: readonly Resource[] = [
  {
    key: 'replicas',
    perReplica: () => 1n,
    limit: (l) => optional(l.replicas, BigInt),
    amount: String,
    unit: (n) => (n === 1n ? 'replica' : 'replicas'),
  },
  {
    key: 'cpu',
    perReplica: (p) => parseCpuMillis(p.cpu),
    limit: (l) => optional(l.cpu, parseCpuMillis),
    amount: formatCpu,
    unit: () => 'CPU',
  },
  {
    key: 'memory',
    perReplica: (p) => parseMemoryBytes(p.memory),
    limit: (l) => optional(l.memory, parseMemoryBytes),
    amount: formatMemory,
    unit: () => 'memory',
  },
  {
    key: 'gpu',
    perReplica: (p) => (Number.isInteger(p.gpu) ? BigInt(p.gpu) : undefined),
    limit: (l) => optional(l.gpu, BigInt),
    amount: String,
    unit: (n) => (n === 1n ? 'GPU' : 'GPUs'),
  },
];

type Line = { readonly over: boolean; readonly text: string };

function quotaLine(resource: Resource, usage: Usage[], limit: bigint): Line {
  let total = 0n;
  for (const d of usage) {
    const each = resource.perReplica(d.perReplica);
    // Fail closed: an amount that cannot be read cannot be shown to fit.
    if (each === undefined)
      return { over: true, text: `${resource.key} of deployment ${d.id} is not a quantity that can be read` };
    total += BigInt(d.replicas) * each;
  }
  const text = `${resource.amount(total)} ${resource.unit(total)} after this change, limit ${resource.amount(limit)}`;
  return { over: total > limit, text };
}

/** Exactly at a limit is allowed; one unit above is denied. */
export function checkQuota(context: RuleContext, rule: QuotaRule): Verdict {
  const usage = projected(context, rule.per);
  const lines = RESOURCES.flatMap((r) => {
    const limit = r.limit(rule.limits);
    return limit === undefined ? [] : [quotaLine(r, usage, limit)];
  });
  const over = lines.filter((l) => l.over);
  const label = `quota '${context.policy.name}' for ${scopeName(context, rule.per)}`;
  return over.length > 0
    ? fail(`${label}: ${over.map((l) => l.text).join('; ')}`)
    : pass(`${label}: within limits (${lines.map((l) => l.text).join('; ')})`);
}
