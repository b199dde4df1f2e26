import { CONTEXTS } from '../eventing/contexts';
import { topics } from '../eventing/topics';

/** The event topics of every bounded context under a prefix: the system of record audited. */
export function auditedTopics(prefix: string): string[] {
  const layout = topics({
    prefix,
    partitions: 1,
    contexts: CONTEXTS.map((c) => c.name),
    commandLogRetentionMs: 0,
  });
  return CONTEXTS.map((c) => layout.events(c.name));
}

/** `<prefix>.audit.digests`: one partition, so the digests have one order. */
export function digestsTopic(prefix: string): string {
  return topics({ prefix, partitions: 1, contexts: [], commandLogRetentionMs: 0 }).auditDigests;
}
