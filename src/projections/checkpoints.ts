import type { Queryable } from './sql';

/**
 * Checkpoints in projection_checkpoints (migrations/0001): per projection and source partition,
 * the offset of the next record to apply. Written in the same transaction as the rows.
 */

/** The checkpoint name a rebuild writes under until it is switched in. */
export const rebuildCheckpointName = (projection: string) => `${projection}:rebuild`;

export const partitionKey = (topic: string, partition: number) => `${topic}/${partition}`;

/**
 * The partition's next offset, row-locked for the rest of the transaction: two members that
 * briefly both hold a partition during a rebalance apply its records one after the other, and
 * the second sees the first one's checkpoint.
 */
export async function lockCheckpoint(
  tx: Queryable,
  name: string,
  topic: string,
  partition: number,
): Promise<bigint> {
  await tx.query(
    `INSERT INTO public.projection_checkpoints (projection, topic, partition, next_offset)
     VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING`,
    [name, topic, partition],
  );
  const { rows } = await tx.query<{ next_offset: string }>(
    `SELECT next_offset FROM public.projection_checkpoints
     WHERE projection = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
    [name, topic, partition],
  );
  return BigInt(rows[0]!.next_offset);
}

export async function advanceCheckpoint(
  tx: Queryable,
  name: string,
  topic: string,
  partition: number,
  nextOffset: bigint,
): Promise<void> {
  await tx.query(
    `UPDATE public.projection_checkpoints SET next_offset = $4, updated_at = now()
     WHERE projection = $1 AND topic = $2 AND partition = $3`,
    [name, topic, partition, nextOffset.toString()],
  );
}

/** Every checkpoint of a projection, by `topic/partition`. */
export async function readCheckpoints(db: Queryable, name: string): Promise<Map<string, bigint>> {
  const { rows } = await db.query<{ topic: string; partition: number; next_offset: string }>(
    'SELECT topic, partition, next_offset FROM public.projection_checkpoints WHERE projection = $1',
    [name],
  );
  return new Map(rows.map((r) => [partitionKey(r.topic, r.partition), BigInt(r.next_offset)]));
}
