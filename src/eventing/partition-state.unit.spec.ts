import type { IncomingRecord } from '../messaging/ports';
import type { CommandResult } from './command-result';
import { PartitionState, RECENT_OUTCOMES } from './partition-state';

const result = (commandId: string): CommandResult => ({
  commandId,
  aggregateId: 'dep-1',
  commandType: 'sentinel.deployments.ScaleDeployment',
  status: 'accepted',
  version: 1,
  events: [],
  reasons: [],
  processedAt: '2026-11-27T10:00:00.000Z',
});

/** Feeds the records a batch would write back in as if read from the changelog. */
function replay(state: PartitionState, records: { key: string | null; value: Buffer | null }[]) {
  records.forEach((r, i) =>
    state.restore({
      topic: 'changelog',
      partition: 0,
      offset: String(i),
      headers: {},
      timestamp: '0',
      key: r.key ? Buffer.from(r.key) : null,
      value: r.value,
    } as IncomingRecord),
  );
}

describe('PartitionState', () => {
  it('stages a batch without touching committed state until it is applied', () => {
    const state = new PartitionState();
    const staged = state.batch();
    staged.aggregates.set('dep-1', {
      context: 'deployments',
      version: 1,
      lastHash: 'h1',
      state: { status: 'Active' },
    });
    staged.processed.set('cmd-1', { result: result('cmd-1'), at: 1000 });
    expect(state.size).toEqual({ aggregates: 0, processed: 0 });
    expect(staged.aggregate('dep-1')?.version).toBe(1);
    state.apply(staged);
    expect(state.size).toEqual({ aggregates: 1, processed: 1 });
    expect(state.batch().processedCommand('cmd-1')?.result?.commandId).toBe('cmd-1');
  });

  it('restores from its own changelog records, tombstones included', () => {
    const live = new PartitionState();
    const first = live.batch();
    first.aggregates.set('dep-1', {
      context: 'deployments',
      version: 2,
      lastHash: 'h2',
      state: { revisions: { 1: 'a' } },
    });
    first.processed.set('cmd-1', { result: result('cmd-1'), at: 1000 });
    first.processed.set('cmd-2', { result: result('cmd-2'), at: 2000 });
    const second = live.batch();
    second.processed.set('cmd-1', undefined);

    const restored = new PartitionState();
    replay(restored, [...first.changelog('changelog', 0), ...second.changelog('changelog', 0)]);
    expect(restored.size).toEqual({ aggregates: 1, processed: 1 });
    expect(restored.batch().aggregate('dep-1')).toEqual({
      context: 'deployments',
      version: 2,
      lastHash: 'h2',
      state: { revisions: { 1: 'a' } },
    });
    expect(restored.batch().processedCommand('cmd-1')).toBeUndefined();
  });

  it('learns where each processed command was written, after the batch aggregate snapshots', () => {
    const state = new PartitionState();
    const staged = state.batch();
    staged.aggregates.set('dep-1', { context: 'deployments', version: 1, lastHash: 'h', state: {} });
    staged.processed.set('cmd-1', { result: result('cmd-1'), at: 1 });
    staged.processed.set('cmd-2', { result: result('cmd-2'), at: 2 });
    staged.nextInput = '9';
    const records = staged.changelog('changelog', 0);
    staged.located(records.map((_, i) => ({ offset: String(100 + i) })));
    state.apply(staged);
    expect(state.batch().processedCommand('cmd-1')).toEqual({ at: 1, result: result('cmd-1'), offset: 101 });
    expect(state.batch().processedCommand('cmd-2')).toEqual({ at: 2, result: result('cmd-2'), offset: 102 });
  });

  it('keeps the full outcome of the most recent commands only, and the offset of the others', () => {
    const state = new PartitionState();
    const total = RECENT_OUTCOMES + 5;
    for (let i = 0; i < total; i++) {
      const staged = state.batch();
      staged.processed.set(`c${i}`, { result: result(`c${i}`), at: i });
      staged.located([{ offset: String(1000 + i) }]);
      state.apply(staged);
    }
    const batch = state.batch();
    expect(batch.processedCommand('c0')).toEqual({ at: 0, offset: 1000 });
    expect(batch.processedCommand('c4')).toEqual({ at: 4, offset: 1004 });
    expect(batch.processedCommand('c5')?.result?.commandId).toBe('c5');
    expect(batch.processedCommand(`c${total - 1}`)?.result?.commandId).toBe(`c${total - 1}`);
    // Dropping an outcome keeps the command's place: the oldest still expire first.
    expect(state.expired(10, 5, 100)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(state.size.processed).toBe(total);
  });

  it('restores processed commands as the offsets of their changelog records, without outcomes', () => {
    const live = new PartitionState();
    const staged = live.batch();
    staged.processed.set('cmd-1', { result: result('cmd-1'), at: 1000 });
    const restored = new PartitionState();
    replay(restored, [{ key: null, value: null }, ...staged.changelog('changelog', 0)]);
    expect(restored.batch().processedCommand('cmd-1')).toEqual({ at: 1000, offset: 1 });
  });

  it('lists command ids older than the retention for tombstoning', () => {
    const state = new PartitionState();
    const staged = state.batch();
    staged.processed.set('old', { result: result('old'), at: 0 });
    staged.processed.set('new', { result: result('new'), at: 90_000_000 });
    state.apply(staged);
    expect(state.expired(86_400_001, 86_400_000, 100)).toEqual(['old']);
  });

  it('tombstones the oldest first, at most the limit per batch', () => {
    const state = new PartitionState();
    const staged = state.batch();
    for (let i = 0; i < 5; i++) staged.processed.set(`c${i}`, { result: result(`c${i}`), at: i });
    staged.processed.set('recent', { result: result('recent'), at: 10_000 });
    state.apply(staged);
    expect(state.expired(5_000, 1_000, 3)).toEqual(['c0', 'c1', 'c2']);
    expect(state.expired(5_000, 1_000, 100)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('restores its input position and skips the records before it', () => {
    const live = new PartitionState();
    const staged = live.batch();
    staged.nextInput = '42';
    const restored = new PartitionState();
    const records = [40, 41, 42, 43].map((o) => ({ offset: String(o) }));
    expect(restored.unprocessed(records)).toHaveLength(4);
    replay(restored, staged.changelog('changelog', 0));
    expect(restored.unprocessed(records).map((r) => r.offset)).toEqual(['42', '43']);
    // Applied after a commit, the position moves on in memory too.
    const next = restored.batch();
    next.nextInput = '44';
    restored.apply(next);
    expect(restored.unprocessed(records)).toHaveLength(0);
  });

  it('predicts event offsets only after a commit showed where each events topic ends', () => {
    const state = new PartitionState();
    const events = [{ topic: 'dep.events' }, { topic: 'pol.events' }, { topic: 'dep.events' }];
    expect(state.predictOffsets(events)).toBeUndefined();
    state.apply(state.batch(), [
      { topic: 'dep.events', offset: '10' },
      { topic: 'dep.events', offset: '11' },
    ]);
    // One topic is still unknown.
    expect(state.predictOffsets(events)).toBeUndefined();
    state.apply(state.batch(), [{ topic: 'pol.events', offset: '3' }]);
    // Each commit's marker takes the offset after a partition's last record.
    expect(state.predictOffsets(events)).toEqual(['13', '5', '14']);
    expect(state.predictOffsets([])).toEqual([]);
  });
});
