import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { randomName, testConfig } from '../../../test/support/env';
import { AvroRegistry } from './avro-registry';
import { DEFAULT_SCHEMAS_DIR, loadCatalog } from './catalog';
import { ContractDecoder } from './contract-decoder';
import { isSchemaContractError } from './errors';
import { readFixture } from './fixtures';
import { defaultTopics, registerAll } from './registration';
import { Upcaster } from './upcaster';

// Every temporary copy of schemas/avro this file makes, removed when it is done.
const TMP = mkdtempSync(join(tmpdir(), 'sentinel-spec-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const config = testConfig();
const CREATED = 'sentinel.deployments.DeploymentCreated';

describe('registering schemas/avro with the real schema registry', () => {
  const registry = new AvroRegistry(config.schemaRegistry.url);
  const catalog = loadCatalog();
  // Random topic names per run, as kafkajs's suite does: subjects never collide across runs.
  const prefix = randomName('it-contracts').replace(/-/g, '_');
  const topics = defaultTopics(prefix);

  it('registers every version of every message under its subject, and again gives the same ids', async () => {
    const first = await registerAll(registry, topics, catalog);

    expect(first.size).toBe(catalog.entries.filter((e) => e.kind !== 'type').length);
    const created = first.get(CREATED)!;
    expect(created.subject).toBe(`${prefix}.deployments.events-${CREATED}`);
    expect(first.get('sentinel.deployments.CreateDeployment')!.subject).toBe(
      `${prefix}.commands-sentinel.deployments.CreateDeployment`,
    );
    expect([...created.idsByVersion.keys()]).toEqual([1, 2]);
    expect(created.idsByVersion.get(1)).not.toBe(created.idsByVersion.get(2));
    expect(created.latestId).toBe(created.idsByVersion.get(2));
    expect(await registry.subjectSchemas(created.subject)).toHaveLength(2);

    const again = await registerAll(registry, topics, catalog);
    expect(again).toEqual(first);
  });

  it('names the subject and the field when the registry refuses an edited, registered version', async () => {
    const ownTopics = defaultTopics(`${prefix}_edit`);
    await registerAll(registry, ownTopics, catalog);
    // A copy of schemas/avro in which someone added a field without a default to v1 in place.
    // Locally it is consistent (v2 still reads it), so only the registry can catch it.
    const dir = mkdtempSync(join(TMP, 'sentinel-schemas-'));
    cpSync(DEFAULT_SCHEMAS_DIR, dir, { recursive: true });
    const file = join(dir, 'deployments/events/DeploymentCreated.v1.avsc');
    const v1 = JSON.parse(readFileSync(file, 'utf8'));
    v1.fields.push({ name: 'gpuModel', type: 'string', doc: 'e.g. H100' });
    writeFileSync(file, JSON.stringify(v1));

    const refused = await registerAll(registry, ownTopics, loadCatalog(dir)).catch((e: unknown) => e);

    expect(isSchemaContractError(refused, 'SCHEMA_REFUSED')).toBe(true);
    const message = (refused as Error).message;
    expect(message).toContain(`under subject ${prefix}_edit.deployments.events-${CREATED}`);
    expect(message).toContain('field "gpuModel" added without a default');
    if (process.env.SHOW_REFUSAL) process.stdout.write(`${message}\n`);
  });

  it('decodes a v1 record, written with the v1 id, as v2 through the catalog', async () => {
    const registered = (await registerAll(registry, topics, catalog)).get(CREATED)!;
    const decoder = new ContractDecoder(new AvroRegistry(config.schemaRegistry.url), new Upcaster(catalog));
    const entry = catalog.entry(CREATED);
    const v1 = readFixture(entry, entry.versions[0]!);
    const v2 = readFixture(entry, entry.versions[1]!);

    const oldRecord = await registry.encode(registered.idsByVersion.get(1)!, v1.value);
    // The Avro body after the 5-byte header is the golden fixture: the registered v1 is the file.
    expect(oldRecord.subarray(5)).toEqual(v1.bytes);
    const old = await decoder.decode(oldRecord);
    expect(old).toEqual({
      fullName: CREATED,
      writerVersion: 1,
      schemaId: registered.idsByVersion.get(1),
      value: { ...(v1.value as object), priorityClass: '' },
    });

    const current = await decoder.decode(await registry.encode(registered.latestId, v2.value));
    expect(current).toMatchObject({ writerVersion: 2, value: v2.value });
  });
});
