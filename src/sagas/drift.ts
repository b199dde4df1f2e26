import { CONTAINER } from './manifest';

/** The parts of a workload object Sentinel reads; the same shape as the manifests it applies. */
export interface WorkloadObject {
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly generation?: number;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: {
    readonly replicas?: number;
    readonly parallelism?: number;
    readonly completions?: number;
    readonly template?: { readonly spec?: { readonly containers?: readonly Container[] } };
  };
}

interface Container {
  readonly name: string;
  readonly image?: string;
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly resources?: { readonly requests?: Readonly<Record<string, string>> };
}

/** The fields Sentinel owns on the object: what a hand edit must not change. */
interface OwnedFields {
  readonly image: string | undefined;
  readonly replicas: number | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cpu: string | undefined;
  readonly memory: string | undefined;
  readonly gpu: string | undefined;
}

function owned(object: WorkloadObject): OwnedFields {
  const container = mainContainer(object);
  const requests = container?.resources?.requests ?? {};
  return {
    image: container?.image,
    // A Job's replicas are its parallelism (completions cannot change once it exists).
    replicas: object.kind === 'Job' ? object.spec?.parallelism : object.spec?.replicas,
    env: Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value])),
    cpu: requests.cpu,
    memory: requests.memory,
    gpu: requests['nvidia.com/gpu'],
  };
}

function mainContainer(object: WorkloadObject): Container | undefined {
  return object.spec?.template?.spec?.containers?.find((c) => c.name === CONTAINER);
}

/**
 * What differs between the object Sentinel applied (`desired`) and the live one, field by
 * field, e.g. `image a -> b`; empty when they match. Quantities compare by value (the API server
 * may write 0.5 as 500m). Env variables someone added are not drift: apply cannot remove fields
 * another manager owns, so reporting them would only repeat forever.
 */
export function driftBetween(desired: WorkloadObject, live: WorkloadObject): string[] {
  const want = owned(desired);
  const have = owned(live);
  const differences: string[] = [];
  const note = (field: string, a: unknown, b: unknown) =>
    differences.push(`${field} ${show(a)} -> ${show(b)}`);
  if (want.image !== have.image) note('image', want.image, have.image);
  if (want.replicas !== have.replicas) note('replicas', want.replicas, have.replicas);
  for (const [name, value] of Object.entries(want.env))
    if (have.env[name] !== value) note(`env ${name}`, value, have.env[name]);
  for (const field of ['cpu', 'memory', 'gpu'] as const)
    if (!sameQuantity(want[field], have[field])) note(`resources.${field}`, want[field], have[field]);
  return differences;
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : String(value);
}

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity as a number, or NaN when it is not one. */
export function quantity(value: string): number {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(value);
  return m ? Number(m[1]) * SUFFIX[m[2] ?? '']! : NaN;
}

function sameQuantity(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const [x, y] = [quantity(a), quantity(b)];
  return Number.isNaN(x) || Number.isNaN(y) ? a === b : Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x));
}
