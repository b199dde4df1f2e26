/**
 * Avro values in the Confluent wire format, by record full name. Implemented over the schema
 * catalog and registry; decoding upcasts any registered older version to the latest.
 */
export interface ContractCodec {
  encode(fullName: string, data: unknown): Promise<Buffer>;
  decode(value: Buffer): Promise<{ fullName: string; data: unknown }>;
}

/** The Avro body of a wire-format value: what the hash chain covers. */
export function avroBody(value: Buffer): Buffer {
  return value.subarray(5);
}
