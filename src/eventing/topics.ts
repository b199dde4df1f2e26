import type { TopicSpec } from '../messaging/ports';

/**
 * Topic names and their settings (DESIGN.md §2). Commands, events, results and snapshots are
 * co-partitioned: an aggregate's records share one partition number everywhere.
 */
export interface TopicsConfig {
  prefix: string;
  partitions: number;
  contexts: readonly string[];
  /** How long commands and command results are kept; events and dead letters are kept forever. */
  commandLogRetentionMs: number;
}

export interface Topics {
  commands: string;
  commandResults: string;
  changelog: string;
  dlq: string;
  /** Signed digests of the event log (docs/adr/0008). */
  auditDigests: string;
  events(context: string): string;
  specs(): TopicSpec[];
}

export function topics(config: TopicsConfig): Topics {
  const name = (suffix: string) => `${config.prefix}.${suffix}`;
  const events = (context: string) => name(`${context}.events`);
  return {
    commands: name('commands'),
    commandResults: name('command-results'),
    changelog: name('aggregates.changelog'),
    dlq: name('dlq'),
    auditDigests: name('audit.digests'),
    events,
    specs: (): TopicSpec[] => [
      ...config.contexts.map(
        (c): TopicSpec => ({
          topic: events(c),
          partitions: config.partitions,
          // The system of record: never deleted, never compacted.
          config: { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' },
        }),
      ),
      {
        topic: name('commands'),
        partitions: config.partitions,
        config: { 'retention.ms': String(config.commandLogRetentionMs) },
      },
      {
        topic: name('command-results'),
        partitions: config.partitions,
        config: { 'retention.ms': String(config.commandLogRetentionMs) },
      },
      {
        topic: name('aggregates.changelog'),
        partitions: config.partitions,
        config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' },
      },
      { topic: name('dlq'), partitions: 1, config: { 'retention.ms': '-1' } },
      {
        // One partition, one order; kept forever like the events it vouches for.
        topic: name('audit.digests'),
        partitions: 1,
        config: { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' },
      },
    ],
  };
}
