import { Limiter } from './limiter';

describe('Limiter', () => {
  it('runs at most the limit at once, in arrival order, and passes results and errors through', async () => {
    const limiter = new Limiter(2);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, () => {
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      return { gate, open };
    });
    const runs = gates.map(({ gate }, i) =>
      limiter.run(async () => {
        started.push(i);
        most = Math.max(most, ++inFlight);
        await gate;
        inFlight -= 1;
        if (i === 3) throw new Error('boom');
        return i;
      }),
    );
    const all = Promise.allSettled(runs);
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    for (const g of gates) {
      g.open();
      await new Promise((r) => setImmediate(r));
    }
    const settled = await all;
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      0,
      1,
      2,
      'boom',
      4,
    ]);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new Limiter(0)).toThrow(/positive integer/);
  });
});
