/**
 * How long replay takes to rebuild one aggregate with 10,000 events: read its partition of the
 * event topic, verify the hash chain, decode and fold. Beside it, the floor on the same broker:
 * reading the same partition without decoding. Builds the history through the real command
 * path on topics of its own. A table, never a test.
 */
import { randomUUID } from 'crypto';
import { replay } from '../src/eventing/replay';
import { createDeployment, runBenchmark, startCommandPath } from './harness';

const EVENTS = Number(process.env.BENCH_AGGREGATE_EVENTS ?? 10_000);
const SENDERS = 50;
const RUNS = 3;

async function main() {
  const path = await startCommandPath('bench_rebuild');
  const { messaging, writeSide } = path;
  const id = `rebuild-${randomUUID()}`;
  const send = async (type: string, data: unknown) => {
    const outcome = await path.send(type, id, data);
    if (outcome.kind !== 'completed' || outcome.result.status !== 'accepted')
      throw new Error(`${type} was not accepted: ${JSON.stringify(outcome)}`);
  };

  const building = performance.now();
  await send('CreateDeployment', createDeployment(id));
  let next = 1;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      for (let n = next++; n < EVENTS; n = next++) {
        await send('ScaleDeployment', { deploymentId: id, replicas: 1 + (n % 50) });
        if (n % 2000 === 0) process.stderr.write(`  history: ${n}/${EVENTS} events\n`);
      }
    }),
  );
  process.stderr.write(
    `  history of ${EVENTS} events built in ${((performance.now() - building) / 1000).toFixed(1)} s\n`,
  );
  await path.stopProcessing();

  const deps = { messaging, codec: writeSide.codec };
  const target = { aggregateId: id, topicPrefix: path.prefix, verify: true };
  const rebuilds: number[] = [];
  const reads: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let t = performance.now();
    const result = await replay(deps, target);
    rebuilds.push(performance.now() - t);
    if (result.events.length !== EVENTS || result.version !== EVENTS || !result.verification?.ok)
      throw new Error(`replay returned ${result.events.length} events, version ${result.version}`);
    t = performance.now();
    const partition = await messaging.partitionOf(writeSide.topics.events('deployments'), id);
    await messaging.readPartition(writeSide.topics.events('deployments'), partition, () => undefined);
    reads.push(performance.now() - t);
  }
  await path.close();

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`\naggregate rebuild, ${EVENTS} events in one aggregate, median of ${RUNS} runs`);
  out(`${'step'.padEnd(58)}${'ms'.padStart(9)}${'events/s'.padStart(11)}`);
  const row = (label: string, ms: number) =>
    out(`${label.padEnd(58)}${ms.toFixed(0).padStart(9)}${((EVENTS / ms) * 1000).toFixed(0).padStart(11)}`);
  row('replay: read, verify hash chain, decode, fold', median(rebuilds));
  row('floor: read the same partition, no decoding', median(reads));
}

runBenchmark(main);
