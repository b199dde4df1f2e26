import { rename, rm, writeFile } from 'fs/promises';
import { existsSync } from 'fs';
import { createServer, Server } from 'http';
import { join } from 'path';
import { randomName, REPO_ROOT, stackEnv } from './env';

/**
 * A scrape target whose metrics the test controls, registered with the local stack's Prometheus
 * through file-based discovery: a <name>.json file in .stack/prometheus/targets/ (job
 * test-targets) that close() removes. Every series carries the target's own `test_target` label.
 *
 *   const target = await startMetricsTarget();
 *   target.set('sentinel_test_burn_rate', 3.5, { slo: 'checkout' });
 *   await target.waitForScrape(); // Prometheus now answers 3.5
 */
export interface MetricsTarget {
  /** The value of the `test_target` label Prometheus attaches to this target's series. */
  readonly name: string;
  /** host:port Prometheus scrapes. */
  readonly address: string;
  readonly prometheusUrl: string;
  /** Sets a gauge sample; the next scrape reports it. */
  set(metric: string, value: number, labels?: Record<string, string>): void;
  /** Drops a sample; Prometheus marks the series stale after the next scrape. */
  remove(metric: string, labels?: Record<string, string>): void;
  /** Resolves once Prometheus has stored a scrape that includes every set() and remove() so far. */
  waitForScrape(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Counts changes; Prometheus holds the latest count it scraped, so tests can wait for it. */
const GENERATION = 'sentinel_test_target_generation';
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function prometheusUrl(): string {
  return process.env.SENTINEL_PROMETHEUS_URL ?? `http://127.0.0.1:${stackEnv().PROMETHEUS_PORT}`;
}

export function targetsDir(): string {
  return join(process.env.SENTINEL_STACK_STATE ?? join(REPO_ROOT, '.stack'), 'prometheus', 'targets');
}

export async function startMetricsTarget(prefix = 'target'): Promise<MetricsTarget> {
  const dir = targetsDir();
  if (!existsSync(dir))
    throw new Error(
      `${dir} does not exist, so no Prometheus of the local stack discovers targets: run stack/prometheus.sh up`,
    );
  const name = randomName(prefix);
  const samples = new Map<string, { metric: string; labels: string; value: number }>();
  let generation = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(exposition(samples, generation));
  });
  const address = await listen(server);
  const file = join(dir, `${name}.json`);
  const sd = [{ targets: [address], labels: { test_target: name } }];
  // Written aside and renamed, so that discovery never reads half a file.
  await writeFile(`${file}.tmp`, JSON.stringify(sd));
  await rename(`${file}.tmp`, file);
  const url = prometheusUrl();

  const key = (metric: string, labels: Record<string, string>) => {
    if (!METRIC_NAME.test(metric)) throw new Error(`${JSON.stringify(metric)} is not a metric name`);
    const text = Object.entries(labels)
      .map(([k, v]) => {
        if (!LABEL_NAME.test(k)) throw new Error(`${JSON.stringify(k)} is not a label name`);
        return `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
      })
      .join(',');
    return { id: `${metric}{${text}}`, labels: text };
  };

  return {
    name,
    address,
    prometheusUrl: url,
    set(metric, value, labels = {}) {
      const k = key(metric, labels);
      samples.set(k.id, { metric, labels: k.labels, value });
      generation++;
    },
    remove(metric, labels = {}) {
      samples.delete(key(metric, labels).id);
      generation++;
    },
    waitForScrape: (timeoutMs = 20_000) => waitForGeneration(url, name, address, generation, timeoutMs),
    async close() {
      await rm(file, { force: true });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function exposition(
  samples: Map<string, { metric: string; labels: string; value: number }>,
  generation: number,
) {
  const lines = [`# TYPE ${GENERATION} gauge`, `${GENERATION} ${generation}`];
  const typed = new Set<string>();
  for (const { metric, labels, value } of samples.values()) {
    if (!typed.has(metric)) lines.push(`# TYPE ${metric} gauge`);
    typed.add(metric);
    lines.push(`${metric}{${labels}} ${formatValue(value)}`);
  }
  return lines.join('\n') + '\n';
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  return v === -Infinity ? '-Inf' : String(v);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as { port: number }).port}`));
  });
}

/** Polls Prometheus (not this server) until the stored generation reaches `wanted`. */
async function waitForGeneration(
  url: string,
  name: string,
  address: string,
  wanted: number,
  timeoutMs: number,
) {
  const query = `${GENERATION}{test_target="${name}"}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query })}`).catch(() => undefined);
    const body = (await res?.json().catch(() => undefined)) as
      | { data?: { result?: { value: [number, string] }[] } }
      | undefined;
    const value = body?.data?.result?.[0]?.value[1];
    if (value !== undefined && Number(value) >= wanted) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `Prometheus at ${url} has not scraped test target ${name} (${address}) within ${timeoutMs} ms ` +
      `(${await targetHealth(url, address)}); check stack/prometheus.sh status`,
  );
}

async function targetHealth(url: string, address: string): Promise<string> {
  try {
    const res = await fetch(`${url}/api/v1/targets?state=active`);
    const body = (await res.json()) as {
      data: { activeTargets: { scrapeUrl: string; health: string; lastError: string }[] };
    };
    const t = body.data.activeTargets.find((a) => a.scrapeUrl.includes(`//${address}/`));
    if (!t) return 'not discovered yet';
    return `health ${t.health}${t.lastError ? `: ${t.lastError}` : ''}`;
  } catch (error) {
    return `Prometheus did not answer: ${(error as Error).message}`;
  }
}
