import { spawn, type ChildProcess } from 'child_process';
import { randomUUID } from 'crypto';
import { join } from 'path';
import { fromHeaders } from '../src/eventing/cloudevents';
import { avroBody } from '../src/eventing/codec';
import type { CommandResult } from '../src/eventing/command-result';
import { deployments } from '../src/eventing/contexts';
import { chainHash, GENESIS_HASH } from '../src/eventing/hash-chain';
import type { IncomingRecord } from '../src/messaging/ports';
import { createDeployment } from './support/deployments';
import { localSentinelEnv, REPO_ROOT, waitFor } from './support/env';
import { writeSide } from './support/write-side';

const AGGREGATES = 40;
const SENDERS = 4;
const KILLS = 20;
const RESEND_EVERY = 20;
/** Each sender's pace: four senders keep about 40 commands a second coming while the kills go on. */
const SEND_INTERVAL_MS = 100;

/**
 * Nothing lost, nothing doubled: the command processor runs as a child process that is SIGKILLed
 * at random moments (joining, restoring, mid-batch, mid-commit) while four senders stream
 * commands, some of them twice. Afterwards every command has exactly one outcome, every event
 * exists exactly once, versions are contiguous and every hash chain verifies.
 */
it(`survives ${KILLS} SIGKILLs of the command processor during a stream of thousands of commands`, async () => {
  const ws = await writeSide(3);
  const env = localSentinelEnv({
    SENTINEL_TOPIC_PREFIX: ws.prefix,
    SENTINEL_PARTITIONS: '3',
    SENTINEL_KAFKA_SESSION_TIMEOUT_MS: '6000',
    SENTINEL_LOG_LEVEL: 'warn',
  });
  let child: ChildProcess | undefined;
  const start = () => {
    child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'main.js'), 'process-commands'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: 'ignore',
    });
  };
  const results = await ws.results();
  const events = await ws.collect(ws.topics.events('deployments'));
  try {
    start();
    const ids = Array.from({ length: AGGREGATES }, (_, i) => `crash-${ws.prefix}-${i}`);
    const sent: string[] = [];
    const sendOne = async (n: number) => {
      const aggregateId = ids[n % AGGREGATES]!;
      const commandId = randomUUID();
      const command =
        n < AGGREGATES
          ? { type: 'CreateDeployment', data: createDeployment(aggregateId, { replicas: 1 }) }
          : { type: 'ScaleDeployment', data: { deploymentId: aggregateId, replicas: 1 + (n % 7) } };
      await ws.sender.send({ context: deployments, aggregateId, actor: 'crash-test', commandId, ...command });
      sent.push(commandId);
      // A redelivery: the same command id again, which must not apply twice.
      if (n % RESEND_EVERY === 0)
        await ws.sender.send({
          context: deployments,
          aggregateId,
          actor: 'crash-test',
          commandId,
          ...command,
        });
    };
    let killing = true;
    const senders = Array.from({ length: SENDERS }, async (_, s) => {
      for (let n = s; n < AGGREGATES || killing; n += SENDERS) {
        await sendOne(n);
        await new Promise((r) => setTimeout(r, SEND_INTERVAL_MS));
      }
    });
    let kills = 0;
    // Commands sent but not yet answered at each kill: proof the kills landed with work in flight.
    const outstandingAtKill: number[] = [];
    const killer = (async () => {
      const answered = () => new Set(results.all().map((r) => r.commandId)).size;
      while (kills < KILLS) {
        // Odd kills land while the restarted processor is joining or restoring; even kills wait
        // until it makes progress and then strike within 400 ms, i.e. mid-batch or mid-commit.
        if (kills % 2 === 0) {
          const before = answered();
          await waitFor(
            'progress before the next kill',
            () => (answered() > before ? true : undefined),
            60_000,
          );
          await new Promise((r) => setTimeout(r, Math.random() * 400));
        } else await new Promise((r) => setTimeout(r, 300 + Math.random() * 2000));
        child?.kill('SIGKILL');
        outstandingAtKill.push(sent.length - answered());
        kills += 1;
        start();
      }
      killing = false;
    })();
    await Promise.all([...senders, killer]);
    expect(kills).toBe(KILLS);
    const midStream = outstandingAtKill.filter((outstanding) => outstanding > 0).length;
    expect(midStream).toBeGreaterThanOrEqual(KILLS / 2);
    expect(sent.length).toBeGreaterThanOrEqual(2000);

    const unique = new Set(sent);
    await waitFor(
      'an outcome for every command',
      () => (new Set(results.all().map((r) => r.commandId)).size >= unique.size ? true : undefined),
      240_000,
    );
    await new Promise((r) => setTimeout(r, 2000));

    // Exactly one first-time outcome per command; every other answer is a marked duplicate.
    const byCommand = new Map<string, CommandResult[]>();
    for (const r of results.all()) byCommand.set(r.commandId, [...(byCommand.get(r.commandId) ?? []), r]);
    expect([...byCommand.keys()].filter((id) => !unique.has(id))).toEqual([]);
    const originals = [...byCommand.values()].map((rs) => rs.filter((r) => !r.duplicate));
    expect(originals.filter((o) => o.length !== 1)).toEqual([]);

    // Every event belongs to exactly one accepted or rejected command, as many as it reported.
    const eventsByCause = new Map<string, IncomingRecord[]>();
    for (const e of events) {
      const cause = fromHeaders(e.headers).causationId;
      eventsByCause.set(cause, [...(eventsByCause.get(cause) ?? []), e]);
    }
    for (const [id, [original]] of [...byCommand].map(
      ([id, rs]) => [id, rs.filter((r) => !r.duplicate)] as const,
    )) {
      expect({ id, events: eventsByCause.get(id)?.length ?? 0 }).toEqual({
        id,
        events: original!.events.length,
      });
    }
    expect(new Set(events.map((e) => e.headers.ce_id)).size).toBe(events.length);

    process.stdout.write(
      `crash test: ${kills} kills (${midStream} with outcomes outstanding, answered at each kill: ${outstandingAtKill.join(',')}); ` +
        `${unique.size} commands, ${results.all().length} answers (${results.all().filter((r) => r.duplicate).length} duplicates), ${events.length} events\n`,
    );

    // Per aggregate: versions 1..n without gaps or repeats, and an intact hash chain.
    for (const id of ids) {
      let previous = GENESIS_HASH;
      const chain = events.filter((e) => e.key!.toString() === id);
      chain.forEach((e, i) => {
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
  } finally {
    child?.kill('SIGKILL');
    await ws.close();
  }
}, 600_000);
