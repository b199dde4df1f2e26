import { spawn, type ChildProcess } from 'child_process';
import { randomUUID } from 'crypto';
import { join } from 'path';
import { fromHeaders } from '../../src/eventing/cloudevents';
import { avroBody } from '../../src/eventing/codec';
import type { CommandResult } from '../../src/eventing/command-result';
import { deployments } from '../../src/eventing/contexts';
import { chainHash, GENESIS_HASH } from '../../src/eventing/hash-chain';
import type { IncomingRecord } from '../../src/messaging/ports';
import { createDeployment } from './deployments';
import { localSentinelEnv, REPO_ROOT, waitFor } from './env';
import type { writeSide } from './write-side';

type WriteSide = Awaited<ReturnType<typeof writeSide>>;

/** `sentinel process-commands` as a child process on the write side's topics. */
export function spawnProcessor(ws: WriteSide, extraEnv: Record<string, string> = {}) {
  const env = localSentinelEnv({
    SENTINEL_TOPIC_PREFIX: ws.prefix,
    SENTINEL_PARTITIONS: String(ws.partitions),
    // Short, so a killed member's partitions move within seconds.
    SENTINEL_KAFKA_SESSION_TIMEOUT_MS: '6000',
    SENTINEL_LOG_LEVEL: 'warn',
    ...extraEnv,
  });
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [join(REPO_ROOT, 'dist', 'cli', 'main.js'), 'process-commands'],
    {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

/**
 * Senders streaming commands to a set of aggregates until `stop()`: creates first, then scales;
 * one command in `resendEvery` is sent twice with the same id, as a redelivery would.
 */
export function streamCommands(
  ws: WriteSide,
  options: { aggregates: number; senders: number; intervalMs: number; resendEvery: number },
) {
  const ids = Array.from({ length: options.aggregates }, (_, i) => `agg-${ws.prefix}-${i}`);
  const sent: string[] = [];
  const failed: { commandId: string; error: Error; ms: number }[] = [];
  let running = true;
  const sendOne = async (n: number) => {
    const aggregateId = ids[n % ids.length]!;
    const commandId = randomUUID();
    const command =
      n < ids.length
        ? { type: 'CreateDeployment', data: createDeployment(aggregateId, { replicas: 1 }) }
        : { type: 'ScaleDeployment', data: { deploymentId: aggregateId, replicas: 1 + (n % 7) } };
    const send = () =>
      ws.sender.send({ context: deployments, aggregateId, actor: 'stream', commandId, ...command });
    const started = Date.now();
    try {
      await send();
      sent.push(commandId);
      if (n % options.resendEvery === 0) await send();
    } catch (error) {
      failed.push({ commandId, error: error as Error, ms: Date.now() - started });
    }
  };
  const done = Promise.all(
    Array.from({ length: options.senders }, async (_, s) => {
      for (let n = s; n < ids.length || running; n += options.senders) {
        await sendOne(n);
        await new Promise((r) => setTimeout(r, options.intervalMs));
      }
    }),
  );
  let burstNext = 1_000_000;
  return {
    ids,
    sent,
    failed,
    /** Sends `count` more commands at once, without waiting for them: a backlog for a kill to hit. */
    burst: (count: number) => void Promise.all(Array.from({ length: count }, () => sendOne(burstNext++))),
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/**
 * Nothing lost, nothing doubled: every command has exactly one original outcome (other answers
 * are marked duplicates), every event exists once and belongs to the command that reported it,
 * and each aggregate's versions run 1..n with an intact hash chain.
 */
export async function expectExactlyOnce(
  results: { all(): CommandResult[] },
  events: IncomingRecord[],
  sent: string[],
  ids: string[],
  /** Ids whose send failed: they may or may not have reached Kafka, so they may be answered. */
  uncertain: string[] = [],
) {
  const unique = new Set(sent);
  const answered = () => new Set(results.all().map((r) => r.commandId)).size;
  await waitFor(
    'an outcome for every command',
    () => (answered() >= unique.size ? true : undefined),
    240_000,
  );
  // Let late duplicates and the last events arrive before counting.
  await new Promise((r) => setTimeout(r, 2000));

  const byCommand = new Map<string, CommandResult[]>();
  for (const r of results.all()) byCommand.set(r.commandId, [...(byCommand.get(r.commandId) ?? []), r]);
  expect([...byCommand.keys()].filter((id) => !unique.has(id) && !uncertain.includes(id))).toEqual([]);
  const originals = new Map([...byCommand].map(([id, rs]) => [id, rs.filter((r) => !r.duplicate)]));
  // On failure, show every answer the offending commands got.
  expect(
    [...originals].filter(([, o]) => o.length !== 1).map(([id]) => ({ id, answers: byCommand.get(id) })),
  ).toEqual([]);

  const eventsByCause = new Map<string, number>();
  for (const e of events) {
    const cause = fromHeaders(e.headers).causationId;
    eventsByCause.set(cause, (eventsByCause.get(cause) ?? 0) + 1);
  }
  const mismatched = [...originals]
    .filter(([id, [o]]) => (eventsByCause.get(id) ?? 0) !== o!.events.length)
    .map(([id]) => id);
  expect(mismatched).toEqual([]);
  expect(new Set(events.map((e) => e.headers.ce_id)).size).toBe(events.length);

  for (const id of ids) {
    let previous = GENESIS_HASH;
    events
      .filter((e) => e.key!.toString() === id)
      .forEach((e, i) => {
        const a = fromHeaders(e.headers);
        expect({ id, version: a.version, previous: a.previousHash }).toEqual({
          id,
          version: i + 1,
          previous,
        });
        expect(chainHash(previous, { ...a, version: a.version! }, avroBody(e.value!))).toBe(a.hash);
        previous = a.hash!;
      });
  }
  return {
    commands: unique.size,
    answers: results.all().length,
    duplicates: results.all().filter((r) => r.duplicate).length,
    events: events.length,
  };
}
