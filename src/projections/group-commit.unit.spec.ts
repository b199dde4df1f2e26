import { GroupCommit } from './group-commit';

type Item = { key: string; n: number };

function recorder(fail?: (items: readonly Item[]) => boolean) {
  const runs: number[][] = [];
  let release: (() => void) | undefined;
  const commit = new GroupCommit<Item, string>(
    async (items) => {
      runs.push(items.map((i) => i.n));
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
      if (fail?.(items)) throw new Error(`run ${runs.length} failed`);
      return items.map((i) => `done ${i.n}`);
    },
    (i) => i.key,
  );
  return { commit, runs, release: () => release?.() };
}

describe('GroupCommit', () => {
  it('hands items submitted in the same turn to one run, and each caller its own answer', async () => {
    const { commit, runs, release } = recorder();
    const answers = [1, 2, 3].map((n) => commit.submit({ key: `p${n}`, n }));
    await new Promise((r) => setImmediate(r));
    release();
    await expect(Promise.all(answers)).resolves.toEqual(['done 1', 'done 2', 'done 3']);
    expect(runs).toEqual([[1, 2, 3]]);
  });

  it('gathers what arrives during a run into the next one', async () => {
    const { commit, runs, release } = recorder();
    const first = commit.submit({ key: 'a', n: 1 });
    await new Promise((r) => setImmediate(r));
    const later = [2, 3].map((n) => commit.submit({ key: `b${n}`, n }));
    release();
    await Promise.all([first, ...later]);
    expect(runs).toEqual([[1], [2, 3]]);
  });

  it('never puts two items with one key in the same run, and keeps their order', async () => {
    const { commit, runs, release } = recorder();
    const answers = [
      commit.submit({ key: 'p0', n: 1 }),
      commit.submit({ key: 'p0', n: 2 }),
      commit.submit({ key: 'p1', n: 3 }),
    ];
    await new Promise((r) => setImmediate(r));
    release();
    await Promise.all(answers);
    expect(runs).toEqual([[1, 3], [2]]);
  });

  it('fails every item of a failed run, and runs later items afresh', async () => {
    const { commit, runs, release } = recorder((items) => items.some((i) => i.n === 1));
    const failed = [1, 2].map((n) => commit.submit({ key: `p${n}`, n }));
    await new Promise((r) => setImmediate(r));
    release();
    for (const f of failed) await expect(f).rejects.toThrow('run 1 failed');
    await expect(commit.submit({ key: 'p1', n: 3 })).resolves.toBe('done 3');
    expect(runs).toEqual([[1, 2], [3]]);
  });
});
