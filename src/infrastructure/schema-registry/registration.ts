import { AvroRegistry, topicRecordSubject } from './avro-registry';
import { Catalog, CatalogEntry, loadCatalog, SchemaVersion } from './catalog';
import { isCompatibilityRefusal, refusalError } from './refusal';

/** Where each kind of message travels (DESIGN.md §2); the subject is `<topic>-<record full name>`. */
export interface ContractTopics {
  readonly commands: string;
  readonly events: (context: string) => string;
}

/** `sentinel.commands`, `sentinel.<context>.events`; another prefix isolates tests and tenants. */
export function defaultTopics(prefix = 'sentinel'): ContractTopics {
  return { commands: `${prefix}.commands`, events: (context) => `${prefix}.${context}.events` };
}

export function topicOf(entry: CatalogEntry, topics: ContractTopics): string {
  return entry.kind === 'command' ? topics.commands : topics.events(entry.context);
}

export interface Registration {
  readonly subject: string;
  /** The id producers encode with. */
  readonly latestId: number;
  /** Writer id of each version: `idsByVersion.get(1)` is the id v1 data was written with. */
  readonly idsByVersion: ReadonlyMap<number, number>;
}

/**
 * Registers every version of every command and event, oldest first, each under its
 * TopicRecordNameStrategy subject with BACKWARD_TRANSITIVE compatibility. Idempotent: a schema
 * the subject already holds gets its existing id back. Shared `core` types are not registered
 * on their own; they are inlined in the messages that use them.
 *
 * A refusal throws a SchemaContractError ('SCHEMA_REFUSED') naming the subject and the field.
 */
export async function registerAll(
  registry: AvroRegistry,
  topics: ContractTopics,
  catalog: Catalog = loadCatalog(),
): Promise<Map<string, Registration>> {
  const registered = new Map<string, Registration>();
  const entries = catalog.entries.filter((e) => e.kind !== 'type');
  // One subject at a time: concurrent first registrations race on creating a subject's
  // compatibility rule in Apicurio, and a CI run with six at once saw the registry stall for
  // over a minute. The worker shape stays so the number can be raised once that is understood.
  // The versions of one subject go in order, oldest first, as compatibility needs.
  let next = 0;
  const worker = async () => {
    for (let entry = entries[next++]; entry; entry = entries[next++]) {
      const subject = topicRecordSubject(topicOf(entry, topics), entry.fullName);
      const idsByVersion = new Map<number, number>();
      for (const version of entry.versions) {
        idsByVersion.set(version.version, await registerVersion(registry, subject, entry, version));
      }
      registered.set(entry.fullName, {
        subject,
        latestId: idsByVersion.get(entry.latest.version)!,
        idsByVersion,
      });
    }
  };
  await Promise.all(Array.from({ length: REGISTRATION_CONCURRENCY }, worker));
  // In catalog order, as callers and logs read it.
  return new Map(entries.map((e) => [e.fullName, registered.get(e.fullName)!]));
}

const REGISTRATION_CONCURRENCY = 1;

async function registerVersion(
  registry: AvroRegistry,
  subject: string,
  entry: CatalogEntry,
  version: SchemaVersion,
): Promise<number> {
  try {
    return await registry.register(version.schema, subject);
  } catch (error) {
    if (!isCompatibilityRefusal(error)) throw error;
    throw await refusalError(registry, subject, entry, version, error);
  }
}
