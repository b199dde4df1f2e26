/**
 * Kubernetes resource quantities as exact integers: CPU in millicores, memory in bytes, both as
 * bigint so totals over many replicas never drift or overflow (issue: quota, "no floating drift").
 * Fractions below the unit round up, as the API server does ("0.0001" CPU is 1m).
 * The accepted forms match the deployment validation; exponent forms ("1e3") are refused.
 */

const CPU = /^(\d+)(?:\.(\d+))?(m?)$/;
const MEMORY = /^(\d+)(?:\.(\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

const BINARY: Readonly<Record<string, bigint>> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL: Readonly<Record<string, bigint>> = {
  k: 10n ** 3n,
  M: 10n ** 6n,
  G: 10n ** 9n,
  T: 10n ** 12n,
  P: 10n ** 15n,
  E: 10n ** 18n,
};
const MULTIPLIER: Readonly<Record<string, bigint>> = { '': 1n, ...BINARY, ...DECIMAL };

/** whole.fraction × multiplier, rounded up to an integer. */
function scaled(whole: string, fraction: string, multiplier: bigint): bigint {
  const denominator = 10n ** BigInt(fraction.length);
  const numerator = (BigInt(whole) * denominator + BigInt(fraction || '0')) * multiplier;
  return (numerator + denominator - 1n) / denominator;
}

/** Quantities repeat across every deployment in scope, so each distinct text is parsed once. */
function remembered(parse: (q: string) => bigint | undefined): (q: string) => bigint | undefined {
  const known = new Map<string, bigint | undefined>();
  return (q) => {
    if (known.has(q)) return known.get(q);
    if (known.size >= 10_000) known.clear();
    const value = parse(q);
    known.set(q, value);
    return value;
  };
}

export const parseCpuMillis = remembered(readCpuMillis);
export const parseMemoryBytes = remembered(readMemoryBytes);

function readCpuMillis(quantity: string): bigint | undefined {
  const m = CPU.exec(quantity);
  if (!m) return undefined;
  const [, whole = '', fraction = '', milli] = m;
  return scaled(whole, fraction, milli ? 1n : 1000n);
}

function readMemoryBytes(quantity: string): bigint | undefined {
  const m = MEMORY.exec(quantity);
  if (!m) return undefined;
  const [, whole = '', fraction = '', suffix = ''] = m;
  return scaled(whole, fraction, MULTIPLIER[suffix] ?? 1n);
}

/** "16" for whole cores, "1500m" otherwise: the way a person would write it. */
export function formatCpu(millis: bigint): string {
  return millis % 1000n === 0n ? `${millis / 1000n}` : `${millis}m`;
}

/** The largest binary unit that divides the value exactly, so nothing is rounded away. */
export function formatMemory(bytes: bigint): string {
  for (const unit of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
    const size = BINARY[unit]!;
    if (bytes !== 0n && bytes % size === 0n) return `${bytes / size}${unit}`;
  }
  return `${bytes} bytes`;
}
