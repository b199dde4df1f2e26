import type { IncomingRecord, Messaging } from '../messaging/ports';
import { type LogVerification, LogVerifier, type TimeWindow } from './log-verify';

export interface LogScanOptions {
  readonly topics: readonly string[];
  readonly window?: TimeWindow;
  /** Called after each partition is read, e.g. to print progress on stderr. */
  readonly onProgress?: (p: { topic: string; partition: number; records: number }) => void;
}

export type AuditReader = Pick<Messaging, 'readPartition' | 'partitionCount'>;

/**
 * Reads every partition of the topics, one at a time (an aggregate lives in one partition, so
 * only one partition's records are held at once), and verifies each aggregate's chain.
 */
export async function verifyLog(messaging: AuditReader, options: LogScanOptions): Promise<LogVerification> {
  const verifier = new LogVerifier(options.window);
  for (const topic of options.topics) {
    const partitions = await messaging.partitionCount(topic);
    for (let partition = 0; partition < partitions; partition++) {
      const records: IncomingRecord[] = [];
      await messaging.readPartition(topic, partition, (r) => void records.push(r));
      verifier.addPartition(topic, partition, records);
      options.onProgress?.({ topic, partition, records: records.length });
    }
  }
  return verifier.result();
}
