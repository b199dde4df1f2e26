import type { ChildProcess } from 'child_process';
import { expectExactlyOnce, spawnProcessor, streamCommands } from './support/command-stream';
import { waitFor } from './support/env';
import { writeSide } from './support/write-side';

const KILLS = 20;

/**
 * The command processor runs as a child process that is SIGKILLed at random moments (joining,
 * restoring, mid-batch, mid-commit) while four senders stream commands, one in twenty of them
 * twice. Afterwards nothing is lost and nothing is doubled.
 */
it(`survives ${KILLS} SIGKILLs of the command processor during a stream of thousands of commands`, async () => {
  const ws = await writeSide(3);
  const results = await ws.results();
  const events = await ws.collect(ws.topics.events('deployments'));
  let processor = spawnProcessor(ws);
  let child: ChildProcess = processor.child;
  const stream = streamCommands(ws, { aggregates: 40, senders: 4, intervalMs: 100, resendEvery: 20 });
  const answered = () => new Set(results.all().map((r) => r.commandId)).size;
  try {
    // Commands sent but not yet answered at each kill: proof the kills landed with work in flight.
    const outstandingAtKill: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      // Odd kills land while the restarted processor joins or restores; even kills wait until it
      // makes progress and then strike within 400 ms, i.e. mid-batch or mid-commit.
      if (kill % 2 === 0) {
        const before = answered();
        await waitFor(
          'progress before the next kill',
          () => (answered() > before ? true : undefined),
          60_000,
        ).catch((e: Error) => {
          // What the processor was doing is the first thing to read when it stalls.
          throw new Error(
            `${e.message} (kill ${kill}); processor output:\n${processor.output().slice(-4000)}`,
          );
        });
        await new Promise((r) => setTimeout(r, Math.random() * 400));
      } else await new Promise((r) => setTimeout(r, 300 + Math.random() * 2000));
      child.kill('SIGKILL');
      outstandingAtKill.push(stream.sent.length - answered());
      processor = spawnProcessor(ws);
      child = processor.child;
    }
    await stream.stop();
    expect(outstandingAtKill.filter((n) => n > 0).length).toBeGreaterThanOrEqual(KILLS / 2);
    expect(stream.sent.length).toBeGreaterThanOrEqual(2000);

    const summary = await expectExactlyOnce(results, events, stream.sent, stream.ids);
    process.stdout.write(
      `crash test: ${KILLS} kills, outstanding at each: ${outstandingAtKill.join(',')}; ${JSON.stringify(summary)}\n`,
    );
  } finally {
    child.kill('SIGKILL');
    await stream.stop();
    await ws.close();
  }
}, 600_000);
