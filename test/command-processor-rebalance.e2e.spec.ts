import { expectExactlyOnce, spawnProcessor, streamCommands } from './support/command-stream';
import { waitFor } from './support/env';
import { writeSide } from './support/write-side';

/**
 * Two processors share the command partitions; one is SIGKILLed right after visible progress
 * (mid-batch), and the other takes its partitions over — restoring their state from the
 * changelog and fencing the dead one's transactions — without losing or doubling anything.
 */
it('moves the partitions of a processor killed mid-batch to the other one, without duplicates', async () => {
  const ws = await writeSide(3);
  const results = await ws.results();
  const events = await ws.collect(ws.topics.events('deployments'));
  const a = spawnProcessor(ws, { SENTINEL_LOG_LEVEL: 'info' });
  const b = spawnProcessor(ws, { SENTINEL_LOG_LEVEL: 'info' });
  const stream = streamCommands(ws, { aggregates: 30, senders: 3, intervalMs: 50, resendEvery: 25 });
  const answered = () => new Set(results.all().map((r) => r.commandId)).size;
  // Each member logs its assignment when it joins; the last one is what it owns now.
  const assignment = (output: string) => {
    const joins = [...output.matchAll(/"memberAssignment":\{"[^"]*\.commands":\[([\d,]*)\]\}/g)];
    return (joins.at(-1)?.[1] ?? '').split(',').filter(Boolean).map(Number);
  };
  try {
    // A stable split: both members own command partitions, all three between them.
    await waitFor(
      'the partitions to be split between both processors',
      () => {
        const [ofA, ofB] = [assignment(a.output()), assignment(b.output())];
        return ofA.length > 0 && ofB.length > 0 && ofA.length + ofB.length === 3 ? true : undefined;
      },
      120_000,
    ).catch((e: Error) => {
      const joins = (o: string) =>
        [...o.matchAll(/"memberAssignment":(\{[^}]*\})/g)].map((m) => m[1]).join(' ');
      throw new Error(
        `${e.message}; joins of a: ${joins(a.output())}; joins of b: ${joins(b.output())}; tail of a:\n${a.output().slice(-2000)}\ntail of b:\n${b.output().slice(-2000)}`,
      );
    });
    // A backlog, so the kill lands while batches are being processed and more are waiting.
    // Killed once some of the backlog is answered and more of it is still waiting: a backlog
    // large enough that a fast machine cannot finish it between two looks.
    const before = answered();
    stream.burst(1500);
    await waitFor(
      'progress on the backlog, with more of it outstanding',
      () => (answered() > before + 20 && stream.sent.length - answered() > 20 ? true : undefined),
      60_000,
    );
    const aOwned = assignment(a.output());
    a.child.kill('SIGKILL');
    const bLogAtKill = b.output().length;
    const outstanding = stream.sent.length - answered();

    // Once the group notices, b owns every partition and restores a's from the changelog.
    await waitFor(
      "b to take over a's partitions",
      () => (assignment(b.output()).length === 3 ? true : undefined),
      60_000,
    );
    // ...restoring each of them after the kill.
    for (const p of aOwned) {
      await waitFor(`b to restore partition ${p}`, () =>
        new RegExp(`"partition":${p},"records":\\d+.*restored partition state`).test(
          b.output().slice(bLogAtKill),
        )
          ? true
          : undefined,
      );
    }
    const after = answered();
    await waitFor('progress after the takeover', () => (answered() > after + 50 ? true : undefined), 60_000);
    await stream.stop();

    const summary = await expectExactlyOnce(results, events, stream.sent, stream.ids);
    expect(outstanding).toBeGreaterThan(0);
    process.stdout.write(
      `rebalance test: a owned ${[...aOwned]}, ${outstanding} outstanding at the kill; ${JSON.stringify(summary)}\n`,
    );
  } finally {
    a.child.kill('SIGKILL');
    b.child.kill('SIGKILL');
    await stream.stop();
    await ws.close();
  }
}, 600_000);
