import { KafkaJSError } from 'kafkajs';

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
