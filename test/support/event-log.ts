import { deployments } from '../../src/eventing/contexts';
import type { CommandSender } from '../../src/eventing/command-sender';
import type { IncomingRecord, Messaging } from '../../src/messaging/ports';
import { createDeployment } from './deployments';
import { waitFor } from './env';

/** Three commands' worth of history at fixed edge times, so as-of-time cuts are exact. */
export const HISTORY_TIMES = [
  '2026-03-01T09:00:00.000Z',
  '2026-03-01T10:00:00.000Z',
  '2026-03-01T11:00:00.000Z',
] as const;

/**
 * Creates, scales and updates one deployment through the real processor, and returns the
 * command ids in order. `answered` must resolve once the processor has answered a command id.
 */
export async function createScaleUpdate(
  sender: CommandSender,
  id: string,
  answered: (commandId: string) => Promise<unknown>,
): Promise<string[]> {
  const send = async (type: string, data: object, time: string, expectedVersion: number) => {
    const { commandId } = await sender.send({
      context: deployments,
      type,
      aggregateId: id,
      data: { deploymentId: id, ...data },
      actor: 'alice',
      time,
      expectedVersion,
    });
    await answered(commandId);
    return commandId;
  };
  return [
    await send('CreateDeployment', createDeployment(id), HISTORY_TIMES[0], 0),
    await send('ScaleDeployment', { replicas: 4 }, HISTORY_TIMES[1], 1),
    await send(
      'UpdateDeployment',
      { image: 'registry.example/llm:2.0', env: null, resources: null },
      HISTORY_TIMES[2],
      2,
    ),
  ];
}

/** One aggregate's records as they are on the log, read back in order. */
export async function recordsOf(
  messaging: Messaging,
  topic: string,
  key: string,
  atLeast = 1,
): Promise<IncomingRecord[]> {
  const partition = await messaging.partitionOf(topic, key);
  return waitFor(`${atLeast} records of ${key} in ${topic}`, async () => {
    const found: IncomingRecord[] = [];
    await messaging.readPartition(topic, partition, (r) => {
      if (r.key?.toString() === key) found.push(r);
    });
    return found.length >= atLeast ? found : undefined;
  });
}

/**
 * Copies records to another topic as a tamperer with write access would: same keys, values
 * and headers, through an ordinary producer (so the default partitioner places them). Returns
 * the offset of each copy. One record per publish, so each position is the record's own.
 */
export async function copyRecords(
  messaging: Messaging,
  topic: string,
  records: readonly { key: Buffer | null; value: Buffer | null; headers: Readonly<Record<string, string>> }[],
): Promise<string[]> {
  const offsets: string[] = [];
  for (const r of records) {
    const [position] = await messaging
      .publisher()
      .publish([{ topic, key: r.key?.toString() ?? null, value: r.value, headers: r.headers }]);
    offsets.push(position!.offset);
  }
  return offsets;
}

/** A copy of `value` with one bit of its last byte changed. */
export function flipLastByte(value: Buffer): Buffer {
  const copy = Buffer.from(value);
  copy[copy.length - 1] = copy[copy.length - 1]! ^ 0x02;
  return copy;
}
