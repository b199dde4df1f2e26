import type { Logger } from '../infrastructure/logging/logger';
import type { Database } from '../infrastructure/postgres/database';
import type { Messaging } from '../messaging/ports';
import type { CommandResult } from './command-result';
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
