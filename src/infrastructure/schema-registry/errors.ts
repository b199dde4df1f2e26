export type SchemaContractErrorCode =
  /** A schema file is unreadable, misnamed, misplaced or not a valid Avro record. */
  | 'SCHEMA_INVALID'
  /** A version cannot read data written with an earlier one (caught before any registry call). */
  | 'SCHEMA_INCOMPATIBLE'
  /** The schema registry refused a version as incompatible with what it already holds. */
  | 'SCHEMA_REFUSED'
  /** The same named type is defined differently in two schemas of one context. */
  | 'CODEGEN_CONFLICT'
  /** A golden fixture is missing, does not fit its schema, or would be overwritten. */
  | 'FIXTURE_INVALID'
  /** A record arrived whose writer schema or version the catalog does not know. */
  | 'UNKNOWN_SCHEMA';

/**
 * A failure of the Avro contracts layer, with a code to match on (STYLE.md practice 7). None is
 * retriable: each needs a person to change a schema, a fixture or the registry.
 */
export class SchemaContractError extends Error {
  constructor(
    readonly code: SchemaContractErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SchemaContractError';
  }
}

export function isSchemaContractError(e: unknown, code?: SchemaContractErrorCode): e is SchemaContractError {
  return e instanceof SchemaContractError && (code === undefined || e.code === code);
}
