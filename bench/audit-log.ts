/**
 * The log the audit-as-of benchmark reads: TOTAL deployment events, TARGET_EVENTS of them one
 * aggregate's, written with the real encoding (registry ids, CloudEvents headers, hash chain)
 * straight through the publisher, and the audit projection's rows for them.
 */
import { randomUUID } from 'crypto';
import { toHeaders } from '../src/eventing/cloudevents';
import { avroBody } from '../src/eventing/codec';
import { chainHash, GENESIS_HASH } from '../src/eventing/hash-chain';
import type { KafkaMessaging } from '../src/infrastructure/kafka/kafka-messaging';
import type { Database } from '../src/infrastructure/postgres/database';
import type { RegistryCodec } from '../src/infrastructure/schema-registry/registry-codec';
import type { OutgoingRecord, RecordPosition } from '../src/messaging/ports';
import { createDeployment } from './harness';

export const TOTAL = 100_000;
export const TARGET_EVENTS = 300;
const OTHERS = 2_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

interface Written {
  readonly record: OutgoingRecord;
  readonly type: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly time: string;
  readonly hash: string;
  readonly previousHash: string;
  readonly data: unknown;
}

/** The aggregate at index i of the log: the target every TOTAL/TARGET_EVENTS records. */
function aggregateAt(i: number, target: string): string {
  const every = Math.floor(TOTAL / TARGET_EVENTS);
  return i % every === 0 && i / every < TARGET_EVENTS ? target : `bench-other-${i % OTHERS}`;
}

async function writeLog(codec: RegistryCodec, topic: string, target: string) {
  const heads = new Map<string, { version: number; hash: string }>();
  const written: Written[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const aggregateId = aggregateAt(i, target);
    const head = heads.get(aggregateId) ?? { version: 0, hash: GENESIS_HASH };
    const version = head.version + 1;
    const type = version === 1 ? 'DeploymentCreated' : 'DeploymentScaled';
    const data =
      version === 1
        ? { ...createDeployment(aggregateId), revision: 1 }
        : { deploymentId: aggregateId, replicas: version % 50, previousReplicas: (version - 1) % 50 };
    const fullName = `sentinel.deployments.${type}`;
    const value = await codec.encode(fullName, data);
    const commandId = randomUUID();
    const envelope = {
      id: randomUUID(),
      source: '/bench/audit-as-of',
      type: fullName,
      time: new Date(T0 + i * 10).toISOString(),
      subject: aggregateId,
      actor: 'bench',
      correlationId: commandId,
      causationId: commandId,
      version,
    };
    const hash = chainHash(head.hash, envelope, avroBody(value));
    const headers = toHeaders({ ...envelope, hash, previousHash: head.hash });
    heads.set(aggregateId, { version, hash });
    const record = { topic, partition: 0, key: aggregateId, value, headers };
    written.push({
      record,
      type,
      aggregateId,
      version,
      time: envelope.time,
      hash,
      previousHash: head.hash,
      data,
    });
  }
  return written;
}

/** The audit projection's rows for what was written, in bulk (one statement per chunk). */
async function insertRows(db: Database, written: readonly Written[], positions: readonly RecordPosition[]) {
  for (let start = 0; start < written.length; start += 5000) {
    const rows = written.slice(start, start + 5000).map((w, j) => ({ w, p: positions[start + j]! }));
    const column = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
    await db.pool.query(
      `INSERT INTO read_audit.events (topic, partition, "offset", context, event_type, event_id, aggregate_id,
         version, at, actor, correlation_id, causation_id, hash, previous_hash, cluster, team, namespace, data)
       SELECT t, p, o, 'deployments', ty, id, a, v, at, 'bench', c, c, h, ph, 'local-a', 'bench', 'bench', d
       FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[],
         $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::jsonb[])
         AS x(t, p, o, ty, id, a, v, at, c, h, ph, d)`,
      [
        column((r) => r.p.topic),
        column((r) => r.p.partition),
        column((r) => r.p.offset),
        column((r) => r.w.type),
        column((r) => r.w.record.headers!.ce_id),
        column((r) => r.w.aggregateId),
        column((r) => r.w.version),
        column((r) => r.w.time),
        column((r) => r.w.record.headers!.ce_causationid),
        column((r) => r.w.hash),
        column((r) => r.w.previousHash),
        column((r) => JSON.stringify(r.w.data)),
      ],
    );
  }
}

/**
 * Writes the log `chunk` records to a record batch and the audit rows for it. Only the target's
 * event times leave: the written records are the benchmark's, and holding them while measuring
 * would put a 100 MB heap under every request that no Sentinel process carries.
 */
export async function loadLog(
  messaging: KafkaMessaging,
  db: Database,
  codec: RegistryCodec,
  topic: string,
  target: string,
  chunk: number,
) {
  let started = Date.now();
  const written = await writeLog(codec, topic, target);
  const positions: RecordPosition[] = [];
  // One publish at a time: each becomes one record batch of `chunk` records.
  for (let i = 0; i < written.length; i += chunk)
    positions.push(
      ...(await messaging.publisher().publish(written.slice(i, i + chunk).map((w) => w.record))),
    );
  const writeMs = Date.now() - started;
  started = Date.now();
  await insertRows(db, written, positions);
  const rowsMs = Date.now() - started;
  const targetTimes = written.filter((w) => w.aggregateId === target).map((w) => Date.parse(w.time));
  return { writeMs, rowsMs, targetTimes };
}
