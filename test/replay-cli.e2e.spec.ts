import type { Replay } from '../src/eventing/replay';
import { runCli } from './support/cli';
import { randomName, waitFor } from './support/env';
import { copyRecords, createScaleUpdate, flipLastByte, recordsOf } from './support/event-log';
import { writeSide } from './support/write-side';

describe('sentinel replay (the built CLI) against the real broker and registry', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  const id = randomName('dep-cli');
  let offsets: string[];

  beforeAll(async () => {
    ws = await writeSide();
    const results = await ws.results();
    const processor = ws.processor();
    await processor.start();
    try {
      const ids = await createScaleUpdate(ws.sender, id, (c) => waitFor(c, () => results.of(c)[0]));
      offsets = ids.map((c) => results.of(c)[0]!.events[0]!.offset);
    } finally {
      await processor.stop();
    }
  });
  afterAll(() => ws.close());

  const replay = (...args: string[]) => runCli(['replay', id, '--topic-prefix', ws.prefix, ...args]);

  it('prints the verified history and state as JSON and exits 0, with only broker and registry set', async () => {
    const run = await replay('--verify', '--json');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const doc = JSON.parse(run.stdout) as Replay;
    expect(doc.events.map((e) => [e.version, e.type, e.offset, e.actor])).toEqual([
      [1, 'DeploymentCreated', offsets[0], 'alice'],
      [2, 'DeploymentScaled', offsets[1], 'alice'],
      [3, 'DeploymentUpdated', offsets[2], 'alice'],
    ]);
    expect(doc).toMatchObject({
      aggregateId: id,
      context: 'deployments',
      topic: ws.topics.events('deployments'),
      version: 3,
      state: { status: 'Active', replicas: 4, revision: 2 },
      verification: { ok: true, checked: 3, problems: [] },
    });
  });

  it('prints one line per event, the state and the verdict for people', async () => {
    const run = await replay('--verify', '--as-of-offset', offsets[1]!);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(
      `deployments ${id}: 2 event(s) in ${ws.topics.events('deployments')} partition ` +
        `${await ws.messaging.partitionOf(ws.topics.events('deployments'), id)} as of offset ${offsets[1]}; ` +
        '1 later event(s) not replayed',
    );
    expect(lines[1]).toBe(`  v1  2026-03-01T09:00:00.000Z  DeploymentCreated  alice  offset ${offsets[0]}`);
    expect(lines[2]).toBe(`  v2  2026-03-01T10:00:00.000Z  DeploymentScaled   alice  offset ${offsets[1]}`);
    expect(lines[3]).toBe('state at version 2:');
    expect(run.stdout).toMatch(
      /^chain verified: 2 event\(s\), every hash recomputes and links back to genesis; head [0-9a-f]{64}$/m,
    );
  });

  it('exits 3 and names each broken link of a tampered copy', async () => {
    const original = await recordsOf(ws.messaging, ws.topics.events('deployments'), id, 3);
    const topic = `${ws.prefix}.audit-${randomName('copy')}`;
    await ws.messaging.ensureTopics([{ topic, partitions: 3 }]);
    const copied = await copyRecords(
      ws.messaging,
      topic,
      original.map((r, i) => (i === 1 ? { ...r, value: flipLastByte(r.value!) } : r)),
    );

    const json = await replay('--topic', topic, '--verify', '--json');
    expect(json.code).toBe(3);
    expect((JSON.parse(json.stdout) as Replay).verification).toMatchObject({
      ok: false,
      checked: 3,
      problems: [{ offset: copied[1], version: 2, problem: 'hash mismatch' }],
    });
    const text = await replay('--topic', topic, '--verify');
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/^chain BROKEN: 1 problem\(s\) in 3 event\(s\)$/m);
    expect(text.stdout).toMatch(
      new RegExp(
        `^  offset ${copied[1]} version 2: hash mismatch \\(recomputed [0-9a-f]{12}…, recorded [0-9a-f]{12}…\\)$`,
        'm',
      ),
    );
  });

  it('exits 1 with what to do next for an unknown aggregate or topic, and 78 without configuration', async () => {
    const unknown = await runCli(['replay', 'dep-nobody', '--topic-prefix', ws.prefix]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /no events of dep-nobody in .* check the aggregate id, --context and --topic-prefix/,
    );
    const noTopic = await runCli(['replay', id, '--topic-prefix', `${ws.prefix}_missing`]);
    expect(noTopic.code).toBe(1);
    expect(noTopic.stderr).toMatch(/does not exist: check --topic-prefix/);
    const unconfigured = await runCli(['replay', id], {});
    expect(unconfigured.code).toBe(78);
    expect(unconfigured.stderr).toMatch(/SENTINEL_KAFKA_BROKERS: is missing/);
    expect(unconfigured.stderr).toMatch(/SENTINEL_SCHEMA_REGISTRY_URL: is missing/);
    expect(unconfigured.stderr).not.toMatch(/SENTINEL_DATABASE_URL/);
  });
});
