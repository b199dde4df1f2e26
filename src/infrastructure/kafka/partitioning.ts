import { Partitioners, type PartitionMetadata } from 'kafkajs';

/**
 * kafkajs's DefaultPartitioner, the one every producer here uses (none passes createPartitioner).
 * Calling the same function rather than re-implementing murmur2 means the answer cannot drift
 * from where producers really put a key. Its only state is the round-robin counter for keyless
 * records, which keyed lookups never touch, so one instance serves every call.
 */
const partitioner = Partitioners.DefaultPartitioner();

export function keyPartition(topic: string, key: string, partitions: readonly PartitionMetadata[]): number {
  if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions in the cluster metadata`);
  return partitioner({ topic, partitionMetadata: [...partitions], message: { key, value: null } });
}
