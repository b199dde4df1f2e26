import { execFile } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';
import { PublishFailed } from '../src/messaging/ports';
import { expectExactlyOnce, spawnProcessor, streamCommands } from './support/command-stream';
import { REPO_ROOT, waitFor } from './support/env';
import { writeSide } from './support/write-side';

const kafka = (action: 'up' | 'down') =>
  promisify(execFile)(join(REPO_ROOT, 'stack', 'kafka.sh'), [action], { timeout: 180_000 });

/**
 * @disruptive: stops the shared broker, so it runs after every other suite (jest.config.js).
 *
 * The broker restarts under load: commands Kafka accepted are neither lost nor doubled, and a
 * sender whose publish fails gets a retriable error within a bounded time instead of hanging.
 */
it('loses and doubles nothing when Kafka restarts under load; failed sends are retriable, none hangs', async () => {
  const ws = await writeSide(3);
  const results = await ws.results();
  const events = await ws.collect(ws.topics.events('deployments'));
  const processor = spawnProcessor(ws);
  const stream = streamCommands(ws, { aggregates: 20, senders: 4, intervalMs: 50, resendEvery: 10 });
  try {
    // A broker restarted by an earlier test may still be loading its transaction state.
    await waitFor(
      'the stream to be under way',
      () => (results.all().length > 200 ? true : undefined),
      120_000,
    ).catch((e: Error) => {
      const tail = processor.output().slice(-3000);
      throw new Error(
        `${e.message}; ${results.all().length} answers, ${stream.sent.length} sent; processor log:\n${tail}`,
      );
    });
    const acceptedBefore = stream.sent.length;
    await kafka('down');
    await new Promise((r) => setTimeout(r, 3000));
    await kafka('up');
    // Keep sending until commands flow again after the restart.
    await waitFor(
      'commands accepted after the restart',
      () => (stream.sent.length > acceptedBefore + 200 ? true : undefined),
      180_000,
    );
    await stream.stop();

    const kinds = [
      ...new Set(stream.failed.map((f) => `${(f.error as PublishFailed).retriable} ${f.error.message}`)),
    ];
    process.stdout.write(`failure kinds: ${JSON.stringify(kinds)}\n`);
    for (const { error, ms } of stream.failed) {
      expect(error).toBeInstanceOf(PublishFailed);
      expect({ retriable: (error as PublishFailed).retriable, boundedMs: ms < 120_000 }).toEqual({
        retriable: true,
        boundedMs: true,
      });
    }
    const summary = await expectExactlyOnce(
      results,
      events,
      stream.sent,
      stream.ids,
      stream.failed.map((f) => f.commandId),
    );
    process.stdout.write(
      `broker restart: ${stream.failed.length} sends failed (retriable, slowest ${Math.max(0, ...stream.failed.map((f) => f.ms))} ms); ${JSON.stringify(summary)}\n`,
    );
  } finally {
    processor.child.kill('SIGKILL');
    await stream.stop();
    await kafka('up').catch(() => undefined);
    await ws.close();
  }
}, 600_000);
