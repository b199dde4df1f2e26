import type { KeyObject } from 'crypto';
import type { ExclusivePublisher, Messaging } from '../messaging/ports';
import {
  coveredEnds,
  decodeDigest,
  digestHash,
  encodeDigest,
  nextDigestBody,
  type PartitionRange,
  RangeHasher,
  type SignedDigest,
  signDigest,
} from './digest';
import { chainHashOf } from './record-hash';

export interface DigestPublisherOptions {
  readonly eventTopics: readonly string[];
  readonly digestsTopic: string;
  readonly privateKey: KeyObject;
  /** Shared by every process that may publish, so a new one fences the old (docs/adr/0008). */
  readonly transactionalId: string;
  readonly now?: () => Date;
}

export interface PublishedDigest {
  readonly offset: string;
  readonly hash: string;
  readonly digest: SignedDigest;
}

export type DigestMessaging = Pick<Messaging, 'readPartition' | 'partitionCount' | 'exclusivePublisher'>;

/**
 * Publishes the next digest of the chain. Single writer: the transactional producer is created
 * (fencing any other publisher with the same id) BEFORE the last digest is read, so a digest
 * another process committed is always seen, and one it commits later fails on its fenced
 * producer. Two publishers therefore take turns; they never fork the chain. Within a process,
 * publishes are queued one after another.
 */
export class DigestPublisher {
  private writer?: Promise<ExclusivePublisher>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly messaging: DigestMessaging,
    private readonly options: DigestPublisherOptions,
  ) {}

  publish(): Promise<PublishedDigest> {
    const run = this.queue.then(() => this.publishOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async publishOnce(): Promise<PublishedDigest> {
    this.writer ??= this.messaging.exclusivePublisher(this.options.transactionalId);
    try {
      const writer = await this.writer;
      const last = await this.lastDigest();
      const ranges = await this.ranges(coveredEnds(last));
      const now = (this.options.now ?? (() => new Date()))().toISOString();
      const digest = signDigest(
        nextDigestBody(last, ranges, now, this.options.privateKey),
        this.options.privateKey,
      );
      const [position] = await writer.publish([
        {
          topic: this.options.digestsTopic,
          partition: 0,
          key: 'digest',
          value: encodeDigest(digest),
          headers: { 'content-type': 'application/json' },
        },
      ]);
      return { offset: position!.offset, hash: digestHash(digest.body), digest };
    } catch (error) {
      // Fenced or broken: a fresh producer next time (which fences the other writer in turn).
      const broken = this.writer;
      this.writer = undefined;
      await broken?.then((w) => w.close()).catch(() => undefined);
      throw error;
    }
  }

  /** The newest readable digest; unreadable records are left to the verifier to report. */
  private async lastDigest(): Promise<SignedDigest | undefined> {
    let last: SignedDigest | undefined;
    await this.messaging.readPartition(this.options.digestsTopic, 0, (r) => {
      try {
        last = decodeDigest(r.value);
      } catch {
        // Not a digest: the chain continues from the last one that is.
      }
    });
    return last;
  }

  private async ranges(ends: ReadonlyMap<string, string>): Promise<PartitionRange[]> {
    const ranges: PartitionRange[] = [];
    for (const topic of this.options.eventTopics) {
      const partitions = await this.messaging.partitionCount(topic);
      for (let partition = 0; partition < partitions; partition++) {
        const from = ends.get(`${topic}/${partition}`) ?? '0';
        const hasher = new RangeHasher(topic, partition, from);
        const start = BigInt(from);
        await this.messaging.readPartition(topic, partition, (r) => {
          if (BigInt(r.offset) >= start) hasher.add(r.offset, chainHashOf(r));
        });
        ranges.push(hasher.finish());
      }
    }
    return ranges;
  }

  async close(): Promise<void> {
    await this.queue;
    const writer = this.writer;
    this.writer = undefined;
    await writer?.then((w) => w.close()).catch(() => undefined);
  }
}
