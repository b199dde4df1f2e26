import { Schema, Type } from 'avsc';
import { AvroRegistry } from './avro-registry';
import { CatalogEntry, displayPath, SchemaVersion } from './catalog';
import { findIncompatibility } from './compatibility';
import { SchemaContractError } from './errors';

/** One incompatibility the registry reported, or that we computed, with the field it concerns. */
export interface RefusedField {
  readonly field: string;
  readonly reason: string;
}

/** HTTP 409 is how Confluent-compatible registries answer "incompatible with this subject". */
export function isCompatibilityRefusal(error: unknown): boolean {
  return (error as { status?: unknown } | null)?.status === 409;
}

/**
 * The error for a version the registry refused, naming the subject and the offending field(s).
 * Apicurio's ccompat API lists its diffs as `<what> at <JSON pointer into the submitted schema>`,
 * e.g. `[team at /fields/13, reader type: INT not compatible with writer type: STRING at
 * /fields/2/type]`; we turn each pointer into a field path. A registry that names nothing gets
 * the answer computed locally, against every version the subject holds.
 */
export async function refusalError(
  registry: AvroRegistry,
  subject: string,
  entry: CatalogEntry,
  version: SchemaVersion,
  cause: unknown,
): Promise<SchemaContractError> {
  const said = (cause as Error).message ?? String(cause);
  let fields = parseApicurioDiffs(said, version.schema);
  if (fields.length === 0) fields = await computeRefusal(registry, subject, version.type);
  const named = fields.length
    ? fields.map((f) => `field "${f.field}" ${f.reason}`).join('; ')
    : 'no field named by the registry or found locally';
  return new SchemaContractError(
    'SCHEMA_REFUSED',
    `schema registry refused ${entry.fullName} v${version.version} (${displayPath(version.file)}) ` +
      `under subject ${subject}: not BACKWARD_TRANSITIVE compatible with the versions it holds: ${named}. ` +
      'A registered version is never edited: add a new version instead.',
    { cause },
  );
}

export function parseApicurioDiffs(message: string, submitted: unknown): RefusedField[] {
  const list = /list of diff types: \[(.*)\]\s*$/s.exec(message)?.[1];
  if (!list) return [];
  const fields: RefusedField[] = [];
  for (const m of list.matchAll(/\s*(.+?) at (\/[^\s,\]]*)(?:,|$)/g)) {
    const what = m[1]!;
    const field = fieldAtPointer(submitted, m[2]!);
    if (field === undefined) continue;
    // Apicurio names a reader field missing from the writer by its bare name.
    const reason = what === field.split('.').pop() ? 'added without a default' : what;
    fields.push({ field, reason: `${reason} (registry: at ${m[2]})` });
  }
  return fields;
}

/** `/fields/1/type/fields/0/type` in `{fields: [.., {name: 'resources', ..}]}` -> `resources.cpu`. */
export function fieldAtPointer(schema: unknown, pointer: string): string | undefined {
  const names: string[] = [];
  let node: unknown = schema;
  let previous = '';
  for (const token of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') break;
    node = (node as Record<string, unknown>)[token];
    const name = (node as { name?: unknown } | undefined)?.name;
    if (previous === 'fields' && typeof name === 'string') names.push(name);
    previous = token;
  }
  return names.length > 0 ? names.join('.') : undefined;
}

async function computeRefusal(
  registry: AvroRegistry,
  subject: string,
  reader: Type,
): Promise<RefusedField[]> {
  const found: RefusedField[] = [];
  for (const schema of await registry.subjectSchemas(subject)) {
    const problem = findIncompatibility(reader, Type.forSchema(schema as Schema));
    if (problem && !found.some((f) => f.field === problem.field)) found.push(problem);
  }
  return found;
}
