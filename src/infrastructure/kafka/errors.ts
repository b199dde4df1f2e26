import { KafkaJSError } from 'kafkajs';
import { PublishFailed } from '../../messaging/ports';

/**
 * The one place that decides how a failed batch is treated by the consumers we run.
 *
 * A batch that fails is never skipped — skipping would lose an accepted command. So a failure in
 * our handler or in the transaction commit is made retriable for kafkajs: its retrier backs off
 * and re-fetches from the last committed offset, and when retries run out the consumer restarts
 * rather than crashing for good. Poison records are the handler's to route to the dead-letter
 * topic; what reaches here is a failure worth retrying (broker, fencing, a bug being fixed).
 */
export function asBatchRetry(error: unknown): KafkaJSError {
  const cause = error instanceof Error ? error : new Error(String(error));
  return new KafkaJSError(cause, { retriable: true });
}

/** Errors that mean "the cluster could not take it now" rather than "this request is wrong". */
const UNAVAILABLE = new Set([
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
]);

/** A failed publish, classified for callers: retriable when the log was unavailable. */
export function asPublishFailed(error: unknown): PublishFailed {
  type Cause = { name?: string; message?: string; retriable?: boolean; cause?: unknown };
  const e = error as Cause;
  // kafkajs wraps the failure that ended its retries (e.g. a refused connection) as a cause.
  let retriable = false;
  for (let c: Cause | undefined = e; c; c = c.cause as Cause | undefined) {
    if (c.retriable === true || UNAVAILABLE.has(c.name ?? '')) retriable = true;
  }
  return new PublishFailed(`publishing to Kafka failed: ${e.message ?? String(error)}`, retriable);
}
