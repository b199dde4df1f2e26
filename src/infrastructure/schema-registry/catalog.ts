import { Schema, Type } from 'avsc';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative } from 'path';
import { AvroRecordSchema } from './avro-registry';
import { findIncompatibility } from './compatibility';
import { SchemaContractError } from './errors';

/**
 * The Avro contracts as they are on disk, validated: `schemas/avro/` is the source of truth
 * (DESIGN.md §2). Layout: `<context>/{commands,events}/<Name>.v<N>.avsc`, plus shared named types
 * in `core/<Name>.v<N>.avsc` that message schemas may reference by full name.
 */
export const DEFAULT_SCHEMAS_DIR = findSchemasDir(__dirname);

/**
 * The nearest `schemas/avro` above this module: the same answer from src/ (tests), dist/ (the
 * server, the CLI) or any other build folder (benchmarks), and from the Docker image's /app.
 */
function findSchemasDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'schemas', 'avro');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return join(from, '..', '..', '..', 'schemas', 'avro');
  }
}
export const CORE_CONTEXT = 'core';

export type SchemaKind = 'command' | 'event' | 'type';

export interface SchemaVersion {
  readonly version: number;
  readonly file: string;
  readonly type: Type;
  /** Self-contained (referenced core types inlined): the form given to the registry. */
  readonly schema: AvroRecordSchema;
}

export interface CatalogEntry {
  /** e.g. `sentinel.deployments.DeploymentCreated` */
  readonly fullName: string;
  readonly name: string;
  readonly context: string;
  readonly kind: SchemaKind;
  /** Oldest first, contiguous from 1. */
  readonly versions: readonly SchemaVersion[];
  readonly latest: SchemaVersion;
}

const KIND_DIRS: Readonly<Record<string, SchemaKind>> = { commands: 'command', events: 'event' };
const FILE_NAME = /^([A-Za-z_][A-Za-z0-9_]*)\.v([1-9][0-9]*)\.avsc$/;

export class Catalog {
  private readonly byName: ReadonlyMap<string, CatalogEntry>;
  private readonly bySchema = new Map<string, { entry: CatalogEntry; version: SchemaVersion }>();

  constructor(
    readonly root: string,
    entries: readonly CatalogEntry[],
  ) {
    this.byName = new Map(entries.map((e) => [e.fullName, e]));
    for (const entry of entries)
      for (const version of entry.versions) this.bySchema.set(schemaKey(version.type), { entry, version });
  }

  get entries(): readonly CatalogEntry[] {
    return [...this.byName.values()];
  }

  /** Bounded contexts that have commands or events, sorted. */
  contexts(): string[] {
    const names = this.entries.filter((e) => e.kind !== 'type').map((e) => e.context);
    return [...new Set(names)].sort();
  }

  entry(fullName: string): CatalogEntry {
    const entry = this.byName.get(fullName);
    if (!entry)
      throw new SchemaContractError('UNKNOWN_SCHEMA', `no schema named ${fullName} in ${this.root}`);
    return entry;
  }

  version(fullName: string, version: number): SchemaVersion {
    const entry = this.entry(fullName);
    const found = entry.versions[version - 1];
    if (!found) {
      throw new SchemaContractError(
        'UNKNOWN_SCHEMA',
        `${fullName} has no version ${version} (versions 1..${entry.versions.length})`,
      );
    }
    return found;
  }

  /** The catalog version a writer schema (e.g. fetched from the registry by id) is, if any. */
  findVersion(schema: unknown): { entry: CatalogEntry; version: SchemaVersion } | undefined {
    return this.bySchema.get(schemaKey(Type.forSchema(schema as Schema)));
  }
}

/** Same key for the same Avro schema however it was spelled (key order, namespaces, spacing). */
function schemaKey(type: Type): string {
  return JSON.stringify(type.schema({ exportAttrs: true }));
}

interface SchemaFile {
  readonly path: string;
  readonly context: string;
  readonly kind: SchemaKind;
  readonly name: string;
  readonly version: number;
}

/** Loads and validates every schema under `root`; throws a SchemaContractError naming the file. */
export function loadCatalog(root: string = DEFAULT_SCHEMAS_DIR): Catalog {
  const files = discover(root);
  const coreFiles = files.filter((f) => f.kind === 'type');
  const messageFiles = files.filter((f) => f.kind !== 'type');
  // Core types first: message schemas reference their latest versions by name.
  const core = parseAll(coreFiles, {});
  const coreRegistry: Record<string, Type> = {};
  for (const entry of core) collectNamedTypes(entry.latest.type, coreRegistry);
  const messages = parseAll(messageFiles, coreRegistry);
  return new Catalog(root, [...core, ...messages]);
}

function discover(root: string): SchemaFile[] {
  if (!existsSync(root)) throw new SchemaContractError('SCHEMA_INVALID', `no schemas folder at ${root}`);
  const files: SchemaFile[] = [];
  for (const context of readdirSync(root).sort()) {
    const dir = join(root, context);
    if (!statSync(dir).isDirectory()) continue;
    if (context === CORE_CONTEXT) files.push(...schemaFiles(dir, context, 'type'));
    for (const [sub, kind] of Object.entries(KIND_DIRS)) {
      if (existsSync(join(dir, sub))) files.push(...schemaFiles(join(dir, sub), context, kind));
    }
  }
  return files;
}

function schemaFiles(dir: string, context: string, kind: SchemaKind): SchemaFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.avsc'))
    .sort()
    .map((f) => {
      const m = FILE_NAME.exec(f);
      if (!m)
        fail(join(dir, f), 'the file name must be <RecordName>.v<N>.avsc, e.g. DeploymentCreated.v1.avsc');
      return { path: join(dir, f), context, kind, name: m[1]!, version: Number(m[2]) };
    });
}

function parseAll(files: readonly SchemaFile[], coreRegistry: Record<string, Type>): CatalogEntry[] {
  const groups = new Map<string, { file: SchemaFile; parsed: SchemaVersion }[]>();
  for (const file of files) {
    const parsed = parseFile(file, coreRegistry);
    const fullName = parsed.type.name!;
    groups.set(fullName, [...(groups.get(fullName) ?? []), { file, parsed }]);
  }
  return [...groups.entries()].map(([fullName, group]) => toEntry(fullName, group));
}

function parseFile(file: SchemaFile, coreRegistry: Record<string, Type>): SchemaVersion {
  let json: AvroRecordSchema;
  try {
    json = JSON.parse(readFileSync(file.path, 'utf8')) as AvroRecordSchema;
  } catch (e) {
    return fail(file.path, `not valid JSON: ${(e as Error).message}`);
  }
  if (json?.type !== 'record') fail(file.path, 'the top-level type must be a record');
  const name = String(json.name ?? '');
  const shortName = name.split('.').pop();
  if (shortName !== file.name)
    fail(file.path, `the record is named ${name}; the file name says ${file.name}`);
  const namespace = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : json.namespace;
  if (namespace !== `sentinel.${file.context}`) {
    fail(
      file.path,
      `the namespace is ${namespace ?? '(none)'}; files in ${file.context}/ use sentinel.${file.context}`,
    );
  }
  let type: Type;
  try {
    // A copy: forSchema adds this file's named types to the registry it is given.
    type = Type.forSchema(json as Schema, { registry: { ...coreRegistry } });
  } catch (e) {
    return fail(file.path, `not a valid Avro schema: ${(e as Error).message}`);
  }
  return {
    version: file.version,
    file: file.path,
    type,
    schema: type.schema({ exportAttrs: true }) as AvroRecordSchema,
  };
}

function toEntry(fullName: string, group: { file: SchemaFile; parsed: SchemaVersion }[]): CatalogEntry {
  const first = group[0]!.file;
  const elsewhere = group.find((g) => g.file.context !== first.context || g.file.kind !== first.kind);
  if (elsewhere) fail(elsewhere.file.path, `${fullName} is also defined in ${displayPath(first.path)}`);
  const versions = group.map((g) => g.parsed).sort((a, b) => a.version - b.version);
  versions.forEach((v, i) => {
    if (v.version !== i + 1) {
      fail(v.file, `versions must be contiguous from 1, but ${first.name}.v${i + 1}.avsc is missing`);
    }
    checkBackward(v, versions.slice(0, i));
  });
  const latest = versions[versions.length - 1]!;
  return { fullName, name: first.name, context: first.context, kind: first.kind, versions, latest };
}

/** Each version must read data written with every earlier one: old events stay readable. */
function checkBackward(reader: SchemaVersion, earlier: readonly SchemaVersion[]): void {
  for (const writer of earlier) {
    if (schemaKey(reader.type) === schemaKey(writer.type)) {
      fail(
        reader.file,
        `v${reader.version} is identical to v${writer.version}; a new version must change something`,
      );
    }
    const problem = findIncompatibility(reader.type, writer.type);
    if (problem) {
      throw new SchemaContractError(
        'SCHEMA_INCOMPATIBLE',
        `${displayPath(reader.file)}: v${reader.version} cannot read data written with v${writer.version} ` +
          `(${displayPath(writer.file)}): field "${problem.field}" ${problem.reason}; ` +
          'give it a default (or an alias) so that old data stays readable',
      );
    }
  }
}

/** Every named type defined in `type`, by full name (what avsc's `registry` option expects). */
function collectNamedTypes(type: Type, into: Record<string, Type>): void {
  const reg: Record<string, Type> = {};
  Type.forSchema(type.schema({ exportAttrs: true }) as Schema, { registry: reg });
  Object.assign(into, reg);
}

function fail(path: string, reason: string): never {
  throw new SchemaContractError('SCHEMA_INVALID', `${displayPath(path)}: ${reason}`);
}

/** Paths relative to the working directory when inside it: short, and clickable in a terminal. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
