import type { Logger } from '../infrastructure/logging/logger';
import type { Database } from '../infrastructure/postgres/database';
import type { Messaging, PartitionBatch } from '../messaging/ports';
import { type CommandResult, encodeResult } from './command-result';
import { CommandResultsFeed } from './command-results-feed';

const result = (commandId: string, duplicate?: boolean): CommandResult => ({
  commandId,
  aggregateId: 'dep-1',
  commandType: 'sentinel.deployments.ScaleDeployment',
  status: 'accepted',
  version: 2,
  events: [],
  reasons: [],
  processedAt: '2026-11-27T10:00:00.000Z',
  ...(duplicate && { duplicate }),
});

// Hearing outcomes from this process's processor needs neither Kafka nor Postgres.
const feed = () => new CommandResultsFeed({} as Messaging, {} as Database, 'results', {} as Logger);

describe('CommandResultsFeed, outcomes heard in-process', () => {
  it('answers a waiting caller with the first outcome heard for its command, once', async () => {
    const f = feed();
    const waiting = f.waitFor('cmd-1', 60_000);
    const other = f.waitFor('cmd-2', 50);
    f.hear([result('cmd-1'), result('cmd-3')]);
    // The same outcome read back from the results topic later changes nothing.
    f.hear([result('cmd-1', true)]);
    await expect(waiting.result).resolves.toEqual(result('cmd-1'));
    await expect(other.result).resolves.toBeUndefined();
  });
});

/** A feed whose results topic is played by hand: `deliver` hands it a batch as Kafka would. */
async function feedWithTopic() {
  let handle!: (batch: PartitionBatch) => Promise<void>;
  const messaging = {
    subscribe: async (spec: { handle: typeof handle; onJoined?: () => void }) => {
      handle = spec.handle;
      spec.onJoined?.();
      return { stop: async () => undefined };
    },
  } as unknown as Messaging;
  const database = { pool: { query: async () => ({ rows: [] }) } } as unknown as Database;
  const logger = { debug: () => undefined } as unknown as Logger;
  const f = new CommandResultsFeed(messaging, database, 'results', logger);
  await f.start('test');
  const deliver = (...results: CommandResult[]) =>
    handle({
      topic: 'results',
      partition: 0,
      records: results.map((r, i) => ({
        topic: 'results',
        partition: 0,
        offset: String(i),
        key: null,
        value: encodeResult(r),
        headers: {},
        timestamp: '0',
      })),
    });
  return { f, deliver };
}

describe('CommandResultsFeed, an Idempotency-Key replayed while the original is read back', () => {
  it('answers the replay with its duplicate, not with the original the topic delivers late', async () => {
    const { f, deliver } = await feedWithTopic();
    const first = f.waitFor('cmd-1', 60_000);
    f.hear([result('cmd-1')]);
    await expect(first.result).resolves.toEqual(result('cmd-1'));

    // The same command id again, before the topic has delivered the original outcome.
    const replay = f.waitFor('cmd-1', 60_000);
    await deliver(result('cmd-1'));
    f.hear([result('cmd-1', true)]);
    await expect(replay.result).resolves.toEqual(result('cmd-1', true));
    // A third send is answered by the same duplicate; neither copy read back later wakes anyone.
    const third = f.waitFor('cmd-1', 60_000);
    f.hear([result('cmd-1', true)]);
    await expect(third.result).resolves.toEqual(result('cmd-1', true));
    const fourth = f.waitFor('cmd-1', 50);
    await deliver(result('cmd-1', true), result('cmd-1', true));
    await expect(fourth.result).resolves.toBeUndefined();
  });

  it('still answers from the topic what this process did not hear (another process processed it)', async () => {
    const { f, deliver } = await feedWithTopic();
    const waiting = f.waitFor('cmd-2', 60_000);
    await deliver(result('cmd-2'));
    await expect(waiting.result).resolves.toEqual(result('cmd-2'));
  });
});
