/**
 * Command write-path benchmark (issue targets: >= 3,000 commands/s sustained, p99 <= 30 ms at
 * 500 commands/s on a 2-core machine). Runs the real command path — produce, processor
 * transaction, results feed — at 1, 10 and 100 concurrent callers on topics of its own, beside
 * the ceiling on the same broker: raw kafkajs transactional produce of the same bytes. Prints a
 * table and ends with one machine-readable line. Never run as a test; exits 1 if a target is missed.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createDeployment, runBenchmark, startCommandPath } from './harness';

const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 3000);
/** "Sustained": the 100-sender run lasts this long, the paced run twice as long. */
const SUSTAINED_S = Number(process.env.BENCH_SUSTAINED_S ?? 10);
const SENDERS = [1, 10, 100];
const AGGREGATES = 200;
const TARGET_THROUGHPUT = 3000;
const TARGET_P99_MS = 30;

export interface Row {
  scenario: string;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** CPU time of this process (sender, processor and results feed together) per 1,000 commands. */
  cpuMsPer1k: number;
}

/** BENCH_ROWS=1: print the rows as one JSON line and no table (used by kafkajs-versions). */
const ROWS_ONLY = process.env.BENCH_ROWS === '1';

async function main() {
  const path = await startCommandPath('bench');
  const ids = Array.from({ length: AGGREGATES }, (_, i) => `bench-${i}`);
  for (const id of ids) await path.send('CreateDeployment', id, createDeployment(id));
  const scale = async (n: number) => {
    const id = ids[n % AGGREGATES]!;
    const outcome = await path.send('ScaleDeployment', id, { deploymentId: id, replicas: 1 + (n % 9) });
    if (outcome.kind !== 'completed') throw new Error(`command ${n} had no outcome within 60 s`);
  };

  const rows: Row[] = [];
  for (const senders of SENDERS) {
    const last = senders === SENDERS[SENDERS.length - 1];
    const name = last
      ? `command path, ${senders} senders for ${SUSTAINED_S} s`
      : `command path, ${senders} sender(s)`;
    rows.push(await run(name, senders, scale, last ? { seconds: SUSTAINED_S } : { commands: COMMANDS }));
  }
  rows.push(await paced500(scale));
  await path.stopProcessing();

  // The ceiling: the same encoded command bytes, produced in transactions by raw kafkajs.
  const value = await path.writeSide.codec.encode('sentinel.deployments.ScaleDeployment', {
    deploymentId: 'bench-0',
    replicas: 3,
  });
  const kafka = new Kafka({ brokers: path.brokers, logLevel: logLevel.NOTHING });
  const producers = await Promise.all(
    Array.from({ length: 6 }, async (_, p) => {
      const producer = kafka.producer({
        transactionalId: `${path.prefix}-ceiling-${p}`,
        idempotent: true,
        maxInFlightRequests: 1,
        // The processor's producers' setting (see TransactionalProducers), so the ceiling is fair.
        retry: { initialRetryTime: 2, maxRetryTime: 2000, retries: 30 },
      });
      await producer.connect();
      return producer;
    }),
  );
  rows.push(
    await run(
      'ceiling: raw transactional produce, 100 senders',
      100,
      async (n) => {
        const producer = producers[n % producers.length]!;
        await ceilingQueue(producer, () => ({
          topic: path.writeSide.topics.commands,
          messages: [{ key: `bench-${n % AGGREGATES}`, value, partition: n % 6 }],
        }));
      },
      { commands: COMMANDS },
    ),
  );
  await Promise.all(producers.map((p) => p.disconnect()));
  await path.close();
  report(rows);
}

/** One transaction per batch of waiting sends, per producer: how a transactional writer batches. */
const queues = new Map<unknown, { pending: { build: () => unknown; done: () => void }[]; busy: boolean }>();
async function ceilingQueue(producer: Producer, build: () => { topic: string; messages: unknown[] }) {
  const q = queues.get(producer) ?? { pending: [], busy: false };
  queues.set(producer, q);
  await new Promise<void>((done) => {
    q.pending.push({ build, done });
    void drain(producer, q);
  });
}
async function drain(
  producer: Producer,
  q: { pending: { build: () => unknown; done: () => void }[]; busy: boolean },
) {
  if (q.busy || q.pending.length === 0) return;
  q.busy = true;
  const batch = q.pending.splice(0);
  const txn = await producer.transaction();
  await txn.sendBatch({ acks: -1, topicMessages: batch.map((b) => b.build()) as never });
  await txn.commit();
  batch.forEach((b) => b.done());
  q.busy = false;
  void drain(producer, q);
}

/**
 * Open loop at a fixed 500 commands/s: commands are started on a schedule whether or not earlier
 * ones have finished, so queueing shows in the latency instead of slowing the senders down.
 */
async function paced500(scale: (n: number) => Promise<void>): Promise<Row> {
  const rate = 500;
  const count = rate * 2 * SUSTAINED_S;
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let n = 0; n < count; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      // Latency from when the command was due, so a late start counts against the path.
      scale(n).then(() => void latencies.push(performance.now() - due)),
    );
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`  done: command path, paced at ${rate}/s\n`);
  return summarize(
    `command path, paced at ${rate} cmd/s for ${2 * SUSTAINED_S} s`,
    count / seconds,
    latencies,
    process.cpuUsage(cpu),
  );
}

function summarize(scenario: string, perSecond: number, latencies: number[], cpu: NodeJS.CpuUsage): Row {
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  const cpuMsPer1k = ((cpu.user + cpu.system) / 1000 / latencies.length) * 1000;
  return { scenario, perSecond, p50: pct(50), p95: pct(95), p99: pct(99), cpuMsPer1k };
}

/** Closed loop: each sender sends its next command once the last one is answered. */
async function run(
  scenario: string,
  senders: number,
  send: (n: number) => Promise<void>,
  until: { commands: number } | { seconds: number },
): Promise<Row> {
  const latencies: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const more = (n: number) =>
    'commands' in until ? n < until.commands : performance.now() - started < until.seconds * 1000;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      for (let n = next++; more(n); n = next++) {
        const t = performance.now();
        await send(n);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`  done: ${scenario}\n`);
  return summarize(scenario, latencies.length / seconds, latencies, process.cpuUsage(cpu));
}

function report(rows: Row[]) {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  if (ROWS_ONLY) {
    out(JSON.stringify(rows));
    process.exit(0);
  }
  out(
    `\ncommand write path, ${COMMANDS} commands per short scenario, 6 partitions, 1 processor, stack on this machine`,
  );
  out(
    `${'scenario'.padEnd(50)}${'cmd/s'.padStart(8)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'cpu ms/1k'.padStart(11)}`,
  );
  for (const r of rows) {
    out(
      `${r.scenario.padEnd(50)}${r.perSecond.toFixed(0).padStart(8)}${r.p50.toFixed(1).padStart(9)}${r.p95.toFixed(1).padStart(9)}${r.p99.toFixed(1).padStart(9)}${r.cpuMsPer1k.toFixed(0).padStart(11)}`,
    );
  }
  // Throughput is the sustained run's: a short burst would flatter it.
  const best = rows.find((r) => r.scenario.includes(`senders for ${SUSTAINED_S} s`))!.perSecond;
  const ceiling = rows.find((r) => r.scenario.startsWith('ceiling'))!.perSecond;
  const near500 = rows.find((r) => r.scenario.includes('paced at 500'))!;
  out(
    `targets: >= ${TARGET_THROUGHPUT} cmd/s sustained (${best >= TARGET_THROUGHPUT ? 'met' : 'MISSED'}), p99 <= ${TARGET_P99_MS} ms at 500 cmd/s (${near500.p99 <= TARGET_P99_MS ? 'met' : 'MISSED'}: ${near500.p99.toFixed(1)} ms at ${near500.perSecond.toFixed(0)} cmd/s)`,
  );
  out(
    `bench: command_throughput=${best.toFixed(0)}/s p99_at_500=${near500.p99.toFixed(1)}ms ceiling=${ceiling.toFixed(0)}/s`,
  );
  process.exit(best >= TARGET_THROUGHPUT && near500.p99 <= TARGET_P99_MS ? 0 : 1);
}

runBenchmark(main);
