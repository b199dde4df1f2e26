/**
 * Workloads benchmark (issue targets: read-model freshness p99 <= 100 ms, RSS <= 300 MB):
 * 100 deployments submitted at once over HTTP to one Sentinel process running every role, as
 * `make up` runs it, against the local clusters. Measures create -> Available (as the read
 * model shows what the cluster reported), command -> read-model freshness (a read-your-writes
 * query given the command's event positions) and the process's peak RSS. Freshness is measured
 * twice: inside the burst, where every read queues behind the other creates' work, and at a
 * steady 10 creates/s once the burst has settled. A table, never a test. */
import { readFileSync } from 'fs';
import { signLocalToken } from '../src/infrastructure/auth/local-tokens';
import { loadConfig } from '../src/infrastructure/config/config';
import { KubernetesClusters } from '../src/infrastructure/kubernetes/clusters';
import { KubernetesResources } from '../src/infrastructure/kubernetes/resources';
import { dropTopics, freshDatabase, runBenchmark, startSentinel } from './harness';

const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 100);
/** Creates per second, and how many, for freshness in steady use after the burst. */
const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 10);
const STEADY_COUNT = Number(process.env.BENCH_STEADY_COUNT ?? 100);
const TARGET_FRESHNESS_MS = 100;
const TARGET_RSS_MB = 300;

async function main() {
  const run = Date.now().toString(36);
  const prefix = `bench_wl_${run}`;
  const namespace = `bench-wl-${run}`;
  const config = loadConfig({ ...process.env, SENTINEL_TOPIC_PREFIX: prefix });
  if (config.auth.mode !== 'local')
    throw new Error('the workloads benchmark signs its own tokens: set SENTINEL_AUTH_SIGNING_KEY');
  const resources = new KubernetesResources(new KubernetesClusters(config.kubernetes.kubeconfig!));
  await resources.apply('local-a', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });

  const database = await freshDatabase(config.database.url, prefix);
  const sentinel = await startSentinel({
    SENTINEL_TOPIC_PREFIX: prefix,
    SENTINEL_DATABASE_URL: database.url,
  });
  const { url } = sentinel;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(sentinel.pid))), 100);
  try {
    const token = await signLocalToken({ subject: 'bench', role: 'operator' }, config.auth, 3600);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const submitted = new Map<string, number>();
    const burst: Freshness = { freshness: [], plain: [] };
    const create = (name: string, into: Freshness) =>
      createThenRead(url, headers, spec(name, namespace), into);
    process.stderr.write(`  submitting ${DEPLOYMENTS} deployments at once\n`);
    await Promise.all(
      Array.from({ length: DEPLOYMENTS }, async (_, i) => {
        const { id, started } = await create(`bench-${i}`, burst);
        submitted.set(id, started);
      }),
    );
    const available = new Map<string, number>();
    await until(
      async () => {
        for (const id of submitted.keys()) {
          if (available.has(id)) continue;
          const r = await fetch(`${url}/v1/deployments/${id}`, { headers });
          const v = (await r.json()) as { observed: { phase: string | null } | null };
          if (v.observed?.phase === 'Available') available.set(id, performance.now() - submitted.get(id)!);
        }
        process.stderr.write(`  available: ${available.size}/${DEPLOYMENTS}\n`);
        return available.size === DEPLOYMENTS;
      },
      300_000,
      'every deployment Available',
      1000,
    );
    const lag = histogram(await (await fetch(`${url}/metrics`)).text(), 'deployments');
    // The same creates at a steady rate, once the burst has settled: freshness in daily use.
    process.stderr.write(`  submitting ${STEADY_COUNT} more at ${STEADY_RATE}/s\n`);
    const steady: Freshness = { freshness: [], plain: [] };
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: STEADY_COUNT }, async (_, i) => {
        await new Promise((r) => setTimeout(r, t0 + (i * 1000) / STEADY_RATE - performance.now()));
        await create(`steady-${i}`, steady);
      }),
    );
    report([...available.values()], burst, steady, peakRss, lag);
  } finally {
    clearInterval(sampler);
    // Dropping the database waits for Sentinel to let go of it.
    await sentinel.stop();
    await database.drop();
    await dropTopics(config.kafka.brokers, prefix);
    await resources
      .remove('local-a', { apiVersion: 'v1', kind: 'Namespace', name: namespace })
      .catch(() => false);
  }
}

interface Freshness {
  /** From the 201 to the answer of a read-your-writes query given the command's positions. */
  readonly freshness: number[];
  /** The same query without positions: what the server's queueing alone costs. */
  readonly plain: number[];
}

/** Creates one deployment, then reads it back with and without read-your-writes. */
async function createThenRead(
  url: string,
  headers: Record<string, string>,
  body: ReturnType<typeof spec>,
  into: Freshness,
): Promise<{ id: string; started: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/v1/deployments`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`create ${body.name} answered ${res.status}: ${await res.text()}`);
  const created = (await res.json()) as {
    id: string;
    events: { topic: string; partition: number; offset: string }[];
  };
  const answered = performance.now();
  const after = created.events.map((e) => `${e.topic}:${e.partition}:${e.offset}`).join(',');
  const read = await fetch(`${url}/v1/deployments/${created.id}?after=${encodeURIComponent(after)}`, {
    headers,
  });
  await read.arrayBuffer();
  if (read.status !== 200 || read.headers.get('sentinel-stale') === 'true')
    throw new Error(`read-your-writes of ${created.id} failed`);
  into.freshness.push(performance.now() - answered);
  const plainStarted = performance.now();
  await (await fetch(`${url}/v1/deployments/${created.id}`, { headers })).arrayBuffer();
  into.plain.push(performance.now() - plainStarted);
  return { id: created.id, started };
}

/**
 * Cumulative buckets of sentinel_projection_lag_seconds for one projection: the server's own
 * measure of read-model freshness, without the HTTP round trips of the client's.
 */
function histogram(metrics: string, projection: string): { le: number; count: number }[] {
  const pattern = /^sentinel_projection_lag_seconds_bucket\{([^}]*)\} (\S+)$/gm;
  return [...metrics.matchAll(pattern)]
    .filter(([, labels]) => labels!.includes(`projection="${projection}"`))
    .map(([, labels, count]) => {
      const le = /le="([^"]+)"/.exec(labels!)![1]!;
      return { le: le === '+Inf' ? Infinity : Number(le), count: Number(count) };
    })
    .sort((a, b) => a.le - b.le);
}

/** The smallest bucket bound holding the p-th percentile, in ms ('>' past the last finite bound). */
function bucketPercentile(buckets: { le: number; count: number }[], p: number): string {
  const total = buckets.at(-1)?.count ?? 0;
  const hit = buckets.find((b) => b.count >= (p / 100) * total);
  if (total === 0 || !hit) return 'n/a';
  return Number.isFinite(hit.le) ? `<=${hit.le * 1000}` : `>${buckets.at(-2)!.le * 1000}`;
}

function report(
  toAvailable: number[],
  burst: Freshness,
  steady: Freshness,
  peakRssBytes: number,
  lag: { le: number; count: number }[],
) {
  const pct = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const row = (label: string, p50: string, p99: string, ceiling: string) =>
    out(`${label.padEnd(56)}${p50.padStart(10)}${p99.padStart(10)}${ceiling.padStart(10)}`);
  const ms = (xs: number[], label: string, ceiling = '-') =>
    row(label, pct(xs, 50).toFixed(0), pct(xs, 99).toFixed(0), ceiling);
  const rssMb = peakRssBytes / 1024 / 1024;
  const atOnce = `${DEPLOYMENTS} at once`;
  const paced = `${STEADY_RATE}/s steady`;
  out(`\nworkloads: ${DEPLOYMENTS} deployments submitted at once, then ${STEADY_COUNT} at ${STEADY_RATE}/s;`);
  out('one Sentinel process (all roles), local-a');
  row('measure', 'p50', 'p99', 'ceiling');
  row(
    `create -> Available in the read model, ${atOnce} (s)`,
    (pct(toAvailable, 50) / 1000).toFixed(2),
    (pct(toAvailable, 99) / 1000).toFixed(2),
    '-',
  );
  ms(burst.freshness, `command -> read-model freshness, ${atOnce} (ms)`, String(TARGET_FRESHNESS_MS));
  ms(burst.plain, `  same query without read-your-writes (ms)`);
  row(
    `  event -> rows committed, server-side (ms)`,
    bucketPercentile(lag, 50),
    bucketPercentile(lag, 99),
    String(TARGET_FRESHNESS_MS),
  );
  ms(steady.freshness, `command -> read-model freshness, ${paced} (ms)`, String(TARGET_FRESHNESS_MS));
  ms(steady.plain, `  same query without read-your-writes (ms)`);
  row('Sentinel peak RSS (MB)', '-', rssMb.toFixed(0), String(TARGET_RSS_MB));
  out(
    `bench: create_to_available_p99=${(pct(toAvailable, 99) / 1000).toFixed(2)}s freshness_p99=${pct(burst.freshness, 99).toFixed(0)}ms rss=${rssMb.toFixed(0)}MB freshness_steady_p99=${pct(steady.freshness, 99).toFixed(0)}ms`,
  );
}

function spec(name: string, namespace: string) {
  return {
    name,
    cluster: 'local-a',
    namespace,
    image: 'registry.example/model:1',
    replicas: 2,
    resources: { cpu: '100m', memory: '64Mi', 'nvidia.com/gpu': 0 },
    team: 'bench',
    costPerReplicaHour: 1,
  };
}

/** Resident set size of a process, from /proc (Linux). */
function rssOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

runBenchmark(main);
