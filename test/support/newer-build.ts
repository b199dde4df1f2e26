import type { Type } from 'avsc';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CommandProcessor } from '../../src/eventing/command-processor';
import { CONTEXTS } from '../../src/eventing/contexts';
import type { Topics } from '../../src/eventing/topics';
import {
  type AvroRecordSchema,
  AvroRegistry,
  topicRecordSubject,
} from '../../src/infrastructure/schema-registry/avro-registry';
import { DEFAULT_SCHEMAS_DIR, loadCatalog } from '../../src/infrastructure/schema-registry/catalog';
import { RegistryCodec } from '../../src/infrastructure/schema-registry/registry-codec';
import type { Messaging } from '../../src/messaging/ports';
import { testLogger } from './env';

/**
 * What a newer build of Sentinel has: schemas/avro plus one more, compatible, version of a
 * command (an optional field), in a folder of its own. Its value encoder registers the new
 * version first, as the newer edge would at start-up.
 */
export function newerBuild(fullName: string, field: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-schemas-'));
  cpSync(DEFAULT_SCHEMAS_DIR, dir, { recursive: true });
  const latest = loadCatalog().entry(fullName).latest;
  const next = JSON.parse(readFileSync(latest.file, 'utf8')) as AvroRecordSchema;
  next.fields.push({ name: field, type: ['null', 'string'], default: null });
  const relativeFile = latest.file.slice(DEFAULT_SCHEMAS_DIR.length);
  writeFileSync(
    join(dir, relativeFile.replace(/\.v\d+\.avsc$/, `.v${latest.version + 1}.avsc`)),
    JSON.stringify(next, null, 2),
  );
  const newest = loadCatalog(dir).entry(fullName).latest;

  return {
    schemasDir: dir,
    /** Registers the new version under the command topic's subject and encodes with it. */
    async encode(registryUrl: string, commandsTopic: string, value: object): Promise<Buffer> {
      const id = await new AvroRegistry(registryUrl).register(
        newest.schema,
        topicRecordSubject(commandsTopic, fullName),
      );
      const header = Buffer.alloc(5);
      header.writeUInt32BE(id, 1);
      return Buffer.concat([header, (newest.type as Type).toBuffer(value)]);
    },
  };
}

/** A command processor of the newer build, in the write side's group, on its topics. */
export async function newerProcessor(
  schemasDir: string,
  deps: { registryUrl: string; prefix: string; topics: Topics; messaging: Messaging },
): Promise<CommandProcessor> {
  const codec = await RegistryCodec.create(
    new AvroRegistry(deps.registryUrl),
    { commands: deps.topics.commands, events: deps.topics.events },
    loadCatalog(schemasDir),
  );
  return new CommandProcessor({
    groupId: `${deps.prefix}-processor`,
    topics: deps.topics,
    contexts: CONTEXTS,
    codec,
    messaging: deps.messaging,
    logger: testLogger(),
    idempotencyRetentionMs: 24 * 3600_000,
  });
}
