import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { DigestVerification } from '../src/audit/digest-verify';
import type { LogVerification } from '../src/audit/log-verify';
import { runCli } from './support/cli';
import { localSentinelEnv, randomName, waitFor } from './support/env';
import { copyRecords, createScaleUpdate, flipLastByte, recordsOf } from './support/event-log';
import { startSentinel, type SentinelProcess } from './support/sentinel-process';
import { bearer } from './support/tokens';
import { writeSide } from './support/write-side';

describe('sentinel audit (the built CLI) and /v1/audit against the real broker', () => {
  let ws: Awaited<ReturnType<typeof writeSide>>;
  const id = randomName('dep-audit');
  const keys = mkdtempSync(join(tmpdir(), 'sentinel-audit-'));
  const otherKeys = mkdtempSync(join(tmpdir(), 'sentinel-audit-other-'));
  const kafkaOnly = () => {
    const env = localSentinelEnv();
    return { SENTINEL_KAFKA_BROKERS: env.SENTINEL_KAFKA_BROKERS! };
  };
  const audit = (...args: string[]) => runCli(['audit', ...args], kafkaOnly());

  beforeAll(async () => {
    ws = await writeSide();
    const results = await ws.results();
    const processor = ws.processor();
    await processor.start();
    try {
      await createScaleUpdate(ws.sender, id, (c) => waitFor(c, () => results.of(c)[0]));
    } finally {
      await processor.stop();
    }
  });
  afterAll(() => ws.close());

  it('verifies the whole log with only the broker set: exit 0, progress per partition on stderr', async () => {
    const run = await audit('verify', '--topic-prefix', ws.prefix, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout) as LogVerification).toEqual({
      ok: true,
      checked: { topics: 3, partitions: 9, records: 3, aggregates: 1 },
      problems: [],
    });
    expect(run.stderr).toContain(`read ${ws.topics.events('deployments')}/0: `);
    expect(run.stderr).toMatch(/^verified 3 record\(s\) in [\d.]+ s \(\d+ records\/s\)$/m);
  });

  it('exits 1 and locates a flipped byte in a copy of the topic', async () => {
    const original = await recordsOf(ws.messaging, ws.topics.events('deployments'), id, 3);
    const topic = `${ws.prefix}.audit-${randomName('copy')}`;
    await ws.messaging.ensureTopics([{ topic, partitions: 3 }]);
    const copied = await copyRecords(
      ws.messaging,
      topic,
      original.map((r, i) => (i === 2 ? { ...r, value: flipLastByte(r.value!) } : r)),
    );
    const run = await audit('verify', '--topic', topic);
    expect(run.code).toBe(1);
    const partition = await ws.messaging.partitionOf(topic, id);
    expect(run.stdout).toContain('log BROKEN: 1 problem(s)');
    expect(run.stdout).toContain(`  ${topic}/${partition}@${copied[2]} ${id} v3: hash mismatch (recomputed `);
  });

  it('exits 2 with what to do next when it cannot run', async () => {
    const run = await audit('verify', '--topic', `${ws.prefix}.missing`);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`topic ${ws.prefix}.missing does not exist`);
    expect((await audit('verify', '--from', 'yesterday')).code).toBe(2);
  });

  describe('digests', () => {
    let app: SentinelProcess;
    const env = () => localSentinelEnv({ SENTINEL_TOPIC_PREFIX: ws.prefix });

    beforeAll(async () => {
      expect((await audit('keygen', '--out', keys)).code).toBe(0);
      expect((await audit('keygen', '--out', otherKeys)).code).toBe(0);
      app = await startSentinel({
        SENTINEL_TOPIC_PREFIX: ws.prefix,
        SENTINEL_ROLES: 'api',
        SENTINEL_AUDIT_SIGNING_KEY: readFileSync(join(keys, 'audit-signing.key'), 'utf8'),
      });
    }, 120_000);
    afterAll(() => app?.stop());

    it('makes a key pair and never overwrites one', async () => {
      const again = await audit('keygen', '--out', keys);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('keys are never overwritten');
    });

    it('publishes from the CLI and the API, and an auditor with the public key verifies the chain', async () => {
      const first = await audit(
        'digests',
        'publish',
        '--key',
        join(keys, 'audit-signing.key'),
        '--topic-prefix',
        ws.prefix,
      );
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(
        /^published digest 1 at \S+ offset \d+: 3 new record\(s\) in 9 partition\(s\); hash [0-9a-f]{64}$/m,
      );
      const viaApi = await fetch(`${app.url}/v1/audit/digests`, {
        method: 'POST',
        headers: await bearer('admin', 'a', env()),
      });
      expect(viaApi.status).toBe(201);
      expect(await viaApi.json()).toMatchObject({ digest: { body: { sequence: 2 } } });

      const run = await audit(
        'digests',
        'verify',
        '--public-key',
        join(keys, 'audit-signing.pub'),
        '--topic-prefix',
        ws.prefix,
        '--json',
      );
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout) as DigestVerification).toMatchObject({
        ok: true,
        digests: 2,
        recomputed: 2,
        records: 3,
      });
    });

    it('rejects the digests under the wrong public key: exit 1', async () => {
      const run = await audit(
        'digests',
        'verify',
        '--public-key',
        join(otherKeys, 'audit-signing.pub'),
        '--topic-prefix',
        ws.prefix,
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /digest 1 \(offset \d+\): bad signature \(signed by key [0-9a-f]{16}, not by the given public key/,
      );
    });

    it('publishes every interval in the processor role, and continues the chain after a restart', async () => {
      const prefix = randomName('audit_timer').replace(/-/g, '_');
      const verify = async () =>
        JSON.parse(
          (
            await audit(
              'digests',
              'verify',
              '--public-key',
              join(keys, 'audit-signing.pub'),
              '--topic-prefix',
              prefix,
              '--json',
            )
          ).stdout,
        ) as DigestVerification;
      for (const expected of [1, 2]) {
        const server = await startSentinel({
          SENTINEL_TOPIC_PREFIX: prefix,
          SENTINEL_ROLES: 'processor',
          SENTINEL_AUDIT_SIGNING_KEY: readFileSync(join(keys, 'audit-signing.key'), 'utf8'),
          SENTINEL_AUDIT_DIGEST_INTERVAL_MS: '10000',
        });
        try {
          const result = await waitFor(`digest ${expected}`, async () => {
            const r = await verify().catch(() => undefined);
            return r && r.digests >= expected ? r : undefined;
          });
          expect(result).toMatchObject({ ok: true, digests: expected, head: { sequence: expected } });
        } finally {
          await server.stop();
        }
      }
    }, 120_000);

    it('answers GET /v1/audit/verify to readers, and 400 for a bad window', async () => {
      const res = await fetch(`${app.url}/v1/audit/verify?from=2026-01-01T00:00:00Z`, {
        headers: await bearer('viewer', 'v', env()),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        ok: true,
        checked: { topics: 3, partitions: 9, records: 3, aggregates: 1 },
        problems: [],
      });
      const bad = await fetch(`${app.url}/v1/audit/verify?from=yesterday`, {
        headers: await bearer('viewer', 'v', env()),
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ errors: [{ field: 'from' }] });
    });
  });
});
