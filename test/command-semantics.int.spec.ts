import type { CommandResult } from '../src/eventing/command-result';
import { deployments } from '../src/eventing/contexts';
import { createDeployment } from './support/deployments';
import { waitFor } from './support/env';
import { writeSide } from './support/write-side';

describe('duplicates and optimistic concurrency against the real broker', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  let processor: ReturnType<typeof ws.processor>;
  beforeAll(async () => {
    ws = await writeSide();
    processor = ws.processor();
    await processor.start();
  });
  afterAll(async () => {
    await processor.stop();
    await ws.close();
  });

  const outcome = ({ duplicate: _d, ...rest }: CommandResult) => rest;

  it('applies a command sent three times once: one set of events, three identical outcomes', async () => {
    const results = await ws.results();
    const events = await ws.collect(ws.topics.events('deployments'));
    const command = {
      context: deployments,
      type: 'CreateDeployment',
      aggregateId: 'dep-thrice',
      data: createDeployment('dep-thrice'),
      actor: 'alice',
      commandId: 'cmd-thrice',
    };
    for (let i = 0; i < 3; i++) await ws.sender.send(command);
    const answers = await waitFor('three answers', () =>
      results.of('cmd-thrice').length >= 3 ? results.of('cmd-thrice') : undefined,
    );
    await new Promise((r) => setTimeout(r, 1000));

    expect(results.of('cmd-thrice')).toHaveLength(3);
    // Identical outcomes; the two repeats carry `duplicate: true` so a caller can tell.
    expect(answers.map(outcome)).toEqual([outcome(answers[0]!), outcome(answers[0]!), outcome(answers[0]!)]);
    expect(answers.map((a) => a.duplicate ?? false)).toEqual([false, true, true]);
    expect(events.filter((e) => e.key!.toString() === 'dep-thrice')).toHaveLength(1);
  });

  it('answers a repeat after a restart with the original outcome, read back from the changelog', async () => {
    const results = await ws.results();
    const command = {
      context: deployments,
      type: 'CreateDeployment',
      aggregateId: 'dep-restarted',
      data: createDeployment('dep-restarted'),
      actor: 'alice',
      commandId: 'cmd-restarted',
    };
    await ws.sender.send(command);
    const first = await waitFor('the first answer', () => results.of('cmd-restarted')[0]);
    // A restarted processor restores command ids with where their outcome is, not the outcome.
    await processor.stop();
    processor = ws.processor();
    await processor.start();
    await ws.sender.send(command);
    const repeat = await waitFor('the repeat answer', () => results.of('cmd-restarted')[1]);
    expect(repeat.duplicate).toBe(true);
    expect(outcome(repeat)).toEqual(outcome(first));
    expect(first.events).toHaveLength(1);
  });

  it('tells this process each committed outcome, exactly as the results topic carries it', async () => {
    const results = await ws.results();
    const heard: CommandResult[] = [];
    await processor.stop();
    processor = ws.processor((batch) => heard.push(...batch));
    await processor.start();
    const ids = ['cmd-heard-1', 'cmd-heard-2', 'cmd-heard-1'];
    for (const [i, commandId] of ids.entries())
      await ws.sender.send({
        context: deployments,
        type: 'CreateDeployment',
        aggregateId: `dep-heard-${commandId.slice(-1)}`,
        data: createDeployment(`dep-heard-${commandId.slice(-1)}`),
        actor: 'alice',
        commandId: ids[i]!,
      });
    const read = await waitFor('three results read back', () => {
      const all = results.all().filter((r) => r.commandId.startsWith('cmd-heard-'));
      return all.length >= 3 ? all : undefined;
    });
    // Two aggregates may sit on two partitions: compare without their interleaving.
    const sorted = (rs: CommandResult[]) =>
      [...rs].sort((a, b) =>
        `${a.commandId}${a.duplicate ?? false}`.localeCompare(`${b.commandId}${b.duplicate ?? false}`),
      );
    expect(sorted(heard)).toEqual(sorted(read));
    expect(sorted(heard).map((r) => [r.commandId, r.duplicate ?? false])).toEqual([
      ['cmd-heard-1', false],
      ['cmd-heard-1', true],
      ['cmd-heard-2', false],
    ]);
  });

  it('lets exactly one of 50 concurrent commands with the same expected version succeed', async () => {
    const results = await ws.results();
    const created = await ws.sender.send({
      context: deployments,
      type: 'CreateDeployment',
      aggregateId: 'dep-race',
      data: createDeployment('dep-race'),
      actor: 'alice',
    });
    await waitFor('the create', () => results.of(created.commandId)[0]);
    const sent = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        ws.sender.send({
          context: deployments,
          type: 'ScaleDeployment',
          aggregateId: 'dep-race',
          data: { deploymentId: 'dep-race', replicas: 3 + i },
          actor: `racer-${i}`,
          expectedVersion: 1,
        }),
      ),
    );
    const answers = await waitFor('50 answers', () => {
      const all = sent.map((s) => results.of(s.commandId)[0]);
      return all.every(Boolean) ? (all as CommandResult[]) : undefined;
    });
    expect(answers.filter((a) => a.status === 'accepted')).toHaveLength(1);
    expect(answers.filter((a) => a.status === 'conflict')).toHaveLength(49);
    expect(new Set(answers.filter((a) => a.status === 'conflict').map((a) => a.version))).toEqual(
      new Set([2]),
    );
  });
});
