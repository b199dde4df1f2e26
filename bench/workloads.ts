/**
 * Workloads benchmark (issue targets: read-model freshness p99 <= 100 ms, RSS <= 300 MB):
 * 100 deployments submitted at once over HTTP to one Sentinel process running every role, as
 * `make up` runs it, against the local clusters. Measures create -> Available (as the read
 * model shows what the cluster reported), command -> read-model freshness (a read-your-writes
 * query given the command's event positions) and the process's peak RSS. A table, never a test.
 */
import { spawn } from 'child_process';
import { readFileSync } from 'fs';
import { createServer } from 'net';
import { join } from 'path';
import { signLocalToken } from '../src/infrastructure/auth/local-tokens';
import { loadConfig } from '../src/infrastructure/config/config';
import { KubernetesClusters } from '../src/infrastructure/kubernetes/clusters';
import { KubernetesResources } from '../src/infrastructure/kubernetes/resources';
import { dropTopics, freshDatabase, runBenchmark } from './harness';

const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 100);
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
  const port = await freePort();
  // Started as `make up` starts it, with its heap ceiling.
  const heap = `--max-old-space-size=${process.env.SENTINEL_MAX_HEAP_MB ?? 256}`;
  const child = spawn(process.execPath, [heap, join(__dirname, '..', '..', '..', 'dist', 'main.js')], {
    env: {
      ...process.env,
      SENTINEL_TOPIC_PREFIX: prefix,
      SENTINEL_DATABASE_URL: database.url,
      SENTINEL_HTTP_PORT: String(port),
      SENTINEL_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(child.pid!))), 100);
  try {
    await until(
      async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200,
      60_000,
      'readiness',
    );
    const token = await signLocalToken({ subject: 'bench', role: 'operator' }, config.auth, 3600);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const submitted = new Map<string, number>();
    const freshness: number[] = [];
    const plain: number[] = [];
    process.stderr.write(`  submitting ${DEPLOYMENTS} deployments at once\n`);
    await Promise.all(
      Array.from({ length: DEPLOYMENTS }, async (_, i) => {
        const started = performance.now();
        const res = await fetch(`${url}/v1/deployments`, {
          method: 'POST',
          headers,
          body: JSON.stringify(spec(`bench-${i}`, namespace)),
        });
        if (res.status !== 201) throw new Error(`create ${i} answered ${res.status}: ${await res.text()}`);
        const body = (await res.json()) as {
          id: string;
          events: { topic: string; partition: number; offset: string }[];
        };
        submitted.set(body.id, started);
        const answered = performance.now();
        const after = body.events.map((e) => `${e.topic}:${e.partition}:${e.offset}`).join(',');
        const read = await fetch(`${url}/v1/deployments/${body.id}?after=${encodeURIComponent(after)}`, {
          headers,
        });
        if (read.status !== 200 || read.headers.get('sentinel-stale') === 'true')
          throw new Error(`read-your-writes of ${body.id} failed`);
        freshness.push(performance.now() - answered);
        // The same query without waiting for positions: what the server's queueing alone costs.
        const plainStarted = performance.now();
        await (await fetch(`${url}/v1/deployments/${body.id}`, { headers })).arrayBuffer();
        plain.push(performance.now() - plainStarted);
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
    report([...available.values()], freshness, plain, peakRss, lag);
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    // Dropping the database waits for Sentinel to let go of it.
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    await database.drop();
    await dropTopics(config.kafka.brokers, prefix);
    await resources
      .remove('local-a', { apiVersion: 'v1', kind: 'Namespace', name: namespace })
      .catch(() => false);
  }
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
  freshness: number[],
  plain: number[],
  peakRssBytes: number,
  lag: { le: number; count: number }[],
) {
  const pct = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const rssMb = peakRssBytes / 1024 / 1024;
  out(`\nworkloads: ${DEPLOYMENTS} deployments submitted at once, one Sentinel process (all roles), local-a`);
  out(`${'measure'.padEnd(44)}${'p50'.padStart(10)}${'p99'.padStart(10)}${'ceiling'.padStart(10)}`);
  out(
    `${'create -> Available in the read model (s)'.padEnd(44)}${(pct(toAvailable, 50) / 1000).toFixed(2).padStart(10)}${(pct(toAvailable, 99) / 1000).toFixed(2).padStart(10)}${'-'.padStart(10)}`,
  );
  out(
    `${'command -> read-model freshness (ms)'.padEnd(44)}${pct(freshness, 50).toFixed(0).padStart(10)}${pct(freshness, 99).toFixed(0).padStart(10)}${String(TARGET_FRESHNESS_MS).padStart(10)}`,
  );
  out(
    `${'event -> rows committed, server-side (ms)'.padEnd(44)}${bucketPercentile(lag, 50).padStart(10)}${bucketPercentile(lag, 99).padStart(10)}${String(TARGET_FRESHNESS_MS).padStart(10)}`,
  );
  out(
    `${'same query without read-your-writes (ms)'.padEnd(44)}${pct(plain, 50).toFixed(0).padStart(10)}${pct(plain, 99).toFixed(0).padStart(10)}${'-'.padStart(10)}`,
  );
  out(
    `${'Sentinel peak RSS (MB)'.padEnd(44)}${'-'.padStart(10)}${rssMb.toFixed(0).padStart(10)}${String(TARGET_RSS_MB).padStart(10)}`,
  );
  out(
    `bench: create_to_available_p99=${(pct(toAvailable, 99) / 1000).toFixed(2)}s freshness_p99=${pct(freshness, 99).toFixed(0)}ms rss=${rssMb.toFixed(0)}MB`,
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

runBenchmark(main);
