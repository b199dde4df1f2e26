/**
 * Throughput of tamper evidence over a whole log (issue 7): `verifyLog` (every aggregate's chain),
 * publishing one signed digest over everything, and verifying that digest (signatures, links,
 * ranges recomputed, every record's content against its hash). The log is synthetic but chained
 * exactly as the processor chains it (1,000 aggregates × 100 events on 6 partitions by default),
 * written with the ordinary publisher. A table, never a test.
 */
import { generateKeyPairSync, randomUUID } from 'crypto';
import { auditedTopics, digestsTopic } from '../src/audit/audit-topics';
import { DigestPublisher } from '../src/audit/digest-publisher';
import { verifyDigests } from '../src/audit/digest-verify';
import { verifyLog } from '../src/audit/log-scan';
import { toHeaders } from '../src/eventing/cloudevents';
import { CONTEXTS } from '../src/eventing/contexts';
import { chainHash, GENESIS_HASH } from '../src/eventing/hash-chain';
import { topics } from '../src/eventing/topics';
import { loadConfig } from '../src/infrastructure/config/config';
import { KafkaMessaging } from '../src/infrastructure/kafka/kafka-messaging';
import { createLogger } from '../src/infrastructure/logging/logger';
import type { OutgoingRecord } from '../src/messaging/ports';
import { dropTopics, runBenchmark } from './harness';

const AGGREGATES = Number(process.env.BENCH_AUDIT_AGGREGATES ?? 1000);
const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 100);

function* chain(subject: string, topic: string): Generator<OutgoingRecord> {
  let previous = GENESIS_HASH;
  for (let version = 1; version <= EVENTS; version++) {
    const value = Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.from(randomUUID().repeat(4))]);
    const envelope = {
      ...{ id: randomUUID(), type: 'sentinel.deployments.DeploymentScaled', subject, version },
      ...{ time: new Date(Date.UTC(2026, 0, 1, 0, version)).toISOString(), actor: 'bench' },
      ...{ correlationId: subject, causationId: subject },
    };
    const hash = chainHash(previous, envelope, value.subarray(5));
    const headers = toHeaders({ ...envelope, source: 'bench', hash, previousHash: previous });
    yield { topic, key: subject, value, headers };
    previous = hash;
  }
}

async function main() {
  const prefix = `bench_audit_${Date.now().toString(36)}`;
  const config = loadConfig({ ...process.env, SENTINEL_LOG_LEVEL: 'error' });
  const messaging = new KafkaMessaging({ ...config.kafka, logger: createLogger('error'), logLevel: 'error' });
  const layout = topics({
    prefix,
    partitions: 6,
    contexts: CONTEXTS.map((c) => c.name),
    commandLogRetentionMs: 3600_000,
  });
  await messaging.ensureTopics(layout.specs());
  const topic = layout.events('deployments');
  const records = Array.from({ length: AGGREGATES }, (_, i) => [...chain(`agg-${i}`, topic)]).flat();
  for (let i = 0; i < records.length; i += 5000)
    await messaging.publisher().publish(records.slice(i, i + 5000));

  const rows: [string, number, number][] = [];
  const time = async (what: string, work: () => Promise<{ records: number; ok: boolean }>) => {
    const started = performance.now();
    const { records: n, ok } = await work();
    if (!ok) throw new Error(`${what} found problems in a clean log`);
    const seconds = (performance.now() - started) / 1000;
    rows.push([what, n, Math.round(n / seconds)]);
  };
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await time('verifyLog (whole log)', async () => {
    const r = await verifyLog(messaging, { topics: auditedTopics(prefix) });
    return { records: r.checked.records, ok: r.ok };
  });
  const publisher = new DigestPublisher(messaging, {
    eventTopics: auditedTopics(prefix),
    digestsTopic: digestsTopic(prefix),
    privateKey,
    transactionalId: `${prefix}-digests`,
  });
  await time('publish one digest', async () => {
    const d = await publisher.publish();
    return { records: d.digest.body.ranges.reduce((n, r) => n + r.count, 0), ok: true };
  });
  await publisher.close();
  await time('verify digests', async () => {
    const r = await verifyDigests(messaging, { digestsTopic: digestsTopic(prefix), publicKey });
    return { records: r.records, ok: r.ok };
  });
  await messaging.close();
  await dropTopics(config.kafka.brokers, prefix);
  process.stdout.write(
    `audit over ${records.length} records (${AGGREGATES} aggregates × ${EVENTS} events, 6 partitions)\n`,
  );
  process.stdout.write(`${'step'.padEnd(24)} ${'records'.padStart(8)} ${'records/s'.padStart(10)}\n`);
  for (const [what, n, rate] of rows)
    process.stdout.write(`${what.padEnd(24)} ${String(n).padStart(8)} ${String(rate).padStart(10)}\n`);
  process.stdout.write(
    `bench: audit_verify=${rows[0]![2]}/s digest_publish=${rows[1]![2]}/s digest_verify=${rows[2]![2]}/s\n`,
  );
}

runBenchmark(main);
