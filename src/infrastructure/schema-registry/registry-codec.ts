import type { ContractCodec } from '../../eventing/codec';
import { AvroRegistry } from './avro-registry';
import { type Catalog, loadCatalog } from './catalog';
import { ContractDecoder } from './contract-decoder';
import { type ContractTopics, registerAll, type Registration } from './registration';
import { Upcaster } from './upcaster';

/**
 * The write side's codec: encodes with the latest schema of each type under the id the registry
 * gave it, and decodes any registered version, upcast to the latest.
 */
export class RegistryCodec implements ContractCodec {
  private constructor(
    private readonly catalog: Catalog,
    private readonly registrations: ReadonlyMap<string, Registration>,
    private readonly decoder: ContractDecoder,
  ) {}

  /** Registers every schema (idempotent) and returns a codec bound to the registered ids. */
  static async create(
    registry: AvroRegistry,
    topics: ContractTopics,
    catalog: Catalog = loadCatalog(),
  ): Promise<RegistryCodec> {
    const registrations = await registerAll(registry, topics, catalog);
    return new RegistryCodec(catalog, registrations, new ContractDecoder(registry, new Upcaster(catalog)));
  }

  async encode(fullName: string, data: unknown): Promise<Buffer> {
    const registration = this.registrations.get(fullName);
    if (!registration) throw new Error(`no registered schema for ${fullName}`);
    const entry = this.catalog.entry(fullName);
    const body = entry.latest.type.toBuffer(data);
    const header = Buffer.alloc(5);
    header.writeUInt32BE(registration.latestId, 1);
    return Buffer.concat([header, body]);
  }

  async decode(value: Buffer): Promise<{ fullName: string; data: unknown }> {
    const decoded = await this.decoder.decode(value);
    return { fullName: decoded.fullName, data: decoded.value };
  }
}
