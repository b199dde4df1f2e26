import { AvroRegistry, wireSchemaId } from './avro-registry';
import { SchemaContractError } from './errors';
import { Upcaster } from './upcaster';

export interface DecodedContract<T = Record<string, unknown>> {
  /** e.g. `sentinel.deployments.DeploymentCreated` */
  readonly fullName: string;
  /** The schema version the producer wrote with. */
  readonly writerVersion: number;
  readonly schemaId: number;
  /** Upcast to the latest version: the shape of the generated TypeScript type. */
  readonly value: T;
}

/**
 * Reads a Confluent wire-format value as the latest version of its type. The id in the record
 * names the writer's schema; the registry gives it to us and the catalog says which version it is,
 * so every reader sees one shape per type whatever version was written (DESIGN.md §2).
 */
export class ContractDecoder {
  private readonly writers = new Map<number, { fullName: string; version: number }>();

  constructor(
    private readonly registry: AvroRegistry,
    private readonly upcaster: Upcaster,
  ) {}

  async decode<T = Record<string, unknown>>(record: Buffer): Promise<DecodedContract<T>> {
    const schemaId = wireSchemaId(record);
    if (schemaId === undefined) {
      throw new SchemaContractError(
        'UNKNOWN_SCHEMA',
        'not a Confluent wire-format Avro value (no magic byte 0)',
      );
    }
    const writer = await this.writerOf(schemaId);
    // Bytes 0-4 are the magic byte and the schema id; the Avro body follows.
    const value = this.upcaster.upcast<T>(writer.fullName, writer.version, record.subarray(5));
    return { fullName: writer.fullName, writerVersion: writer.version, schemaId, value };
  }

  private async writerOf(schemaId: number): Promise<{ fullName: string; version: number }> {
    const known = this.writers.get(schemaId);
    if (known) return known;
    const schema = await this.registry.schemaById(schemaId);
    const found = this.upcaster.catalog.findVersion(schema);
    if (!found) {
      throw new SchemaContractError(
        'UNKNOWN_SCHEMA',
        `schema id ${schemaId} (${fullNameOf(schema)}) is no version in schemas/avro: ` +
          'it was written by a newer or a foreign build',
      );
    }
    const writer = { fullName: found.entry.fullName, version: found.version.version };
    this.writers.set(schemaId, writer);
    return writer;
  }
}

/** A record schema's full name, whether the registry kept it in `name` or split it out. */
function fullNameOf(schema: unknown): string {
  const { name, namespace } = (schema ?? {}) as { name?: unknown; namespace?: unknown };
  if (typeof name !== 'string') return String(name);
  return name.includes('.') || typeof namespace !== 'string' ? name : `${namespace}.${name}`;
}
