/**
 * Group commit: work items submitted while a run is in flight, or in the same turn of the event
 * loop, are handed to the next run together. A projection's consumer receives one batch per
 * partition of a fetch, all at once; written one transaction each they queue for the projection's
 * few connections, and the next fetch waits for the slowest. Written together, a fetch costs one
 * transaction.
 *
 * Items with equal keys never share a run (a partition's batches are applied in order, each
 * seeing the checkpoint the one before it moved); a later one waits for the next run.
 * A failed run fails every item in it.
 */
export class GroupCommit<I, O> {
  private queue: { item: I; resolve(out: O): void; reject(error: unknown): void }[] = [];
  private draining = false;

  constructor(
    private readonly run: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly key: (item: I) => string,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      // One turn later, so the other batches of the same fetch join the first run.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const taken = this.take();
        try {
          const outs = await this.run(taken.map((t) => t.item));
          taken.forEach((t, i) => t.resolve(outs[i]!));
        } catch (error) {
          taken.forEach((t) => t.reject(error));
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** The queued items in order, skipping any whose key is already taken. */
  private take() {
    const keys = new Set<string>();
    const taken: typeof this.queue = [];
    const rest: typeof this.queue = [];
    for (const entry of this.queue) {
      const key = this.key(entry.item);
      (keys.has(key) ? rest : taken).push(entry);
      keys.add(key);
    }
    this.queue = rest;
    return taken;
  }
}
