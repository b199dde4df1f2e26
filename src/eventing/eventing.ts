import type { Logger } from '../infrastructure/logging/logger';
import type { CommandBus } from './command-bus';
import type { CommandProcessor } from './command-processor';
import type { CommandResultsFeed } from './command-results-feed';

export const EVENTING = Symbol('EVENTING');

export interface EventingStatus {
  state: 'starting' | 'up' | 'retrying';
  error?: string;
  roles: readonly string[];
}

/** The running write side of this process, for controllers (the bus) and /readyz (the status). */
export class Eventing {
  status: EventingStatus = { state: 'starting', roles: [] };
  bus?: CommandBus;
  processor?: CommandProcessor;
  feed?: CommandResultsFeed;
  private stopped = false;

  async start(attempt: () => Promise<void>, log: Logger): Promise<void> {
    for (let failures = 0; !this.stopped; failures++) {
      try {
        await attempt();
        this.status = { ...this.status, state: 'up', error: undefined };
        log.info({ roles: this.status.roles }, 'write side running');
        return;
      } catch (err) {
        const delay = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        this.status = { ...this.status, state: 'retrying', error: (err as Error).message };
        log.error({ err, retryInMs: delay }, 'write side failed to start; retrying');
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.processor?.stop();
    await this.feed?.stop();
  }
}
