import type { Literal, Queryable } from './sql';

/**
 * Checkpoints in projection_checkpoints (migrations/0001): per projection and source partition,
 * the offset of the next record to apply. Written in the same transaction as the rows.
 */

/** The checkpoint name a rebuild writes under until it is switched in. */
export const rebuildCheckpointName = (projection: string) => `${projection}:rebuild`;

export const partitionKey = (topic: string, partition: number) => `${topic}/${partition}`;

/**
 * The statements that read the partition's next offset (the last one's `next_offset`),
 * row-locked for the rest of the transaction: two members that briefly both hold a partition
 * during a rebalance apply its records one after the other, and the second sees the first one's
 * checkpoint. Text with literals, sent in one round trip with the rest of a batch's opening.
 */
export function lockCheckpointSql(
  literal: Literal,
  name: string,
  topic: string,
  partition: number,
): string[] {
  const key = `projection = ${literal(name)} AND topic = ${literal(topic)} AND partition = ${literal(partition)}`;
  return [
    `INSERT INTO public.projection_checkpoints (projection, topic, partition, next_offset)
     VALUES (${literal(name)}, ${literal(topic)}, ${literal(partition)}, 0) ON CONFLICT DO NOTHING`,
    `SELECT next_offset FROM public.projection_checkpoints WHERE ${key} FOR UPDATE`,
  ];
}

export function advanceCheckpointSql(
  literal: Literal,
  name: string,
  topic: string,
  partition: number,
  nextOffset: bigint,
): string {
  return `UPDATE public.projection_checkpoints SET next_offset = ${literal(nextOffset.toString())}, updated_at = now()
     WHERE projection = ${literal(name)} AND topic = ${literal(topic)} AND partition = ${literal(partition)}`;
}

/** Every checkpoint of a projection, by `topic/partition`. */
export async function readCheckpoints(db: Queryable, name: string): Promise<Map<string, bigint>> {
  const { rows } = await db.query<{ topic: string; partition: number; next_offset: string }>(
    'SELECT topic, partition, next_offset FROM public.projection_checkpoints WHERE projection = $1',
    [name],
  );
  return new Map(rows.map((r) => [partitionKey(r.topic, r.partition), BigInt(r.next_offset)]));
}
