/**
 * At most `limit` calls of `run` in flight; the rest wait their turn, first come first served.
 * Effects use it for cluster calls: after a burst of 100 creates, 100 concurrent server-side
 * applies (TLS, JSON, the API server's work) took the whole machine for seconds, delaying every
 * query and read-model write in the process while finishing no sooner.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`a limit must be a positive integer, not ${limit}`);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((turn) => this.waiting.push(turn));
    else this.running += 1;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next caller, so `running` never drops and rises again.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
