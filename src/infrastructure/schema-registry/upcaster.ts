import { Catalog, CatalogEntry, SchemaVersion } from './catalog';
import { SchemaContractError } from './errors';

/**
 * A change of meaning between two versions that schema resolution cannot express (a unit
 * changed, a field split in two). It receives the value already in the latest shape, with
 * defaults filled in for fields its writer did not have, and returns the corrected value.
 */
export type SemanticUpcaster = (value: Record<string, unknown>) => Record<string, unknown>;

/**
 * Old versions are upcast on read, never rewritten (DESIGN.md §2). Two steps:
 *  1. Avro schema resolution: decode with the writer's schema into the latest one, which drops
 *     removed fields and fills added ones with their defaults;
 *  2. the semantic upcasters registered for (type, n), for every n from the writer's version up
 *     to the latest, in order: the step n -> n+1 runs for everything written with n or earlier.
 */
export class Upcaster {
  private readonly steps = new Map<string, SemanticUpcaster>();
  private readonly resolvers = new Map<string, ReturnType<SchemaVersion['type']['createResolver']>>();

  constructor(readonly catalog: Catalog) {}

  /** Registers the semantic step from `fromVersion` to `fromVersion + 1` of a type. */
  register(fullName: string, fromVersion: number, step: SemanticUpcaster): this {
    const entry = this.catalog.entry(fullName);
    if (!Number.isInteger(fromVersion) || fromVersion < 1 || fromVersion >= entry.latest.version) {
      throw new SchemaContractError(
        'UNKNOWN_SCHEMA',
        `${fullName}: no step from version ${fromVersion}; steps go from 1..${entry.latest.version - 1} to the next`,
      );
    }
    const key = `${fullName}@${fromVersion}`;
    if (this.steps.has(key)) {
      throw new SchemaContractError(
        'UNKNOWN_SCHEMA',
        `${fullName}: step from v${fromVersion} registered twice`,
      );
    }
    this.steps.set(key, step);
    return this;
  }

  /**
   * The value in the latest version's shape and meaning. `value` is either the Avro binary body
   * written with `writerVersion` (the Confluent wire format minus its 5-byte header) or a value
   * already decoded with that version.
   */
  upcast<T = Record<string, unknown>>(fullName: string, writerVersion: number, value: unknown): T {
    const entry = this.catalog.entry(fullName);
    const writer = this.catalog.version(fullName, writerVersion);
    const body = Buffer.isBuffer(value) ? value : writer.type.toBuffer(value);
    let result = entry.latest.type.fromBuffer(body, this.resolver(entry, writer)) as Record<string, unknown>;
    for (let v = writerVersion; v < entry.latest.version; v++) {
      const step = this.steps.get(`${fullName}@${v}`);
      if (step) result = step(result);
    }
    return result as T;
  }

  private resolver(entry: CatalogEntry, writer: SchemaVersion) {
    const key = `${entry.fullName}@${writer.version}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      // The catalog already proved on load that the latest version reads every earlier one.
      resolver = entry.latest.type.createResolver(writer.type);
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }
}
