import { Type, types } from 'avsc';
import { join } from 'path';
import { Catalog, CatalogEntry, displayPath } from './catalog';
import { SchemaContractError } from './errors';

/**
 * TypeScript types derived from the latest version of each schema of one bounded context
 * (STYLE.md practice 4): the domain codes against these, and a unit test fails when the committed
 * file drifts from the schemas.
 *
 * Order, so the output is stable and reviewable: named helper types (enums, nested records) first,
 * in order of first appearance; then commands, then events, each sorted by record name (which is
 * also file-name order). Output is already in Prettier's format (printWidth 110).
 */
const PRINT_WIDTH = 110;
const KIND_RANK = { command: 0, event: 1, type: 2 } as const;

export function contractsFile(domainDir: string, context: string): string {
  return join(domainDir, context, 'contracts.generated.ts');
}

export function renderContracts(catalog: Catalog, context: string): string {
  const messages = catalog.entries
    .filter((e) => e.context === context && e.kind !== 'type')
    .sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind] || compare(a.name, b.name));
  if (messages.length === 0) {
    throw new SchemaContractError('UNKNOWN_SCHEMA', `no commands or events for context ${context}`);
  }
  const helpers = collectHelpers(messages);
  checkUniqueNames([...helpers, ...messages.map((m) => m.latest.type)]);
  const header = [
    `// Generated from schemas/avro/${context} by \`sentinel schemas codegen\`; do not edit.`,
    '// A unit test regenerates this file and fails when it differs from the schemas.',
  ];
  const blocks = [...helpers, ...messages.map((m) => m.latest.type)].map(renderNamed);
  return `${header.join('\n')}\n\n${blocks.join('\n\n')}\n`;
}

/** Code-unit order, not locale order: the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Named types reachable from the messages, each once, in order of first appearance (pre-order).
 * Schemas inline the same named type (e.g. Resources) in many files; identical definitions become
 * one TypeScript type, different ones are an error (one name cannot have two shapes).
 */
function collectHelpers(messages: readonly CatalogEntry[]): Type[] {
  const messageNames = new Set(messages.map((m) => m.fullName));
  const found = new Map<string, { type: Type; file: string; key: string }>();
  const visit = (type: Type, file: string): void => {
    if (isNamed(type)) {
      if (messageNames.has(type.name!)) return;
      const key = JSON.stringify(type.schema({ exportAttrs: true }));
      const seen = found.get(type.name!);
      if (seen && seen.key !== key) {
        throw new SchemaContractError(
          'CODEGEN_CONFLICT',
          `${type.name} is defined differently in ${displayPath(seen.file)} and ${displayPath(file)}; ` +
            'one TypeScript type cannot have both shapes, so change every schema that inlines it together',
        );
      }
      if (seen) return;
      found.set(type.name!, { type, file, key });
    }
    children(type).forEach((child) => visit(child, file));
  };
  for (const m of messages) children(m.latest.type).forEach((child) => visit(child, m.latest.file));
  return [...found.values()].map((f) => f.type);
}

function children(type: Type): Type[] {
  if (type instanceof types.RecordType) return type.fields.map((f) => f.type);
  if (type instanceof types.ArrayType) return [type.itemsType];
  if (type instanceof types.MapType) return [type.valuesType as Type];
  if (type instanceof types.UnwrappedUnionType || type instanceof types.WrappedUnionType) return type.types;
  return [];
}

function isNamed(type: Type): boolean {
  return (
    type instanceof types.RecordType || type instanceof types.EnumType || type instanceof types.FixedType
  );
}

/** TypeScript has one namespace per file: two full names with one short name would collide. */
function checkUniqueNames(named: readonly Type[]): void {
  const byShort = new Map<string, string>();
  for (const t of named) {
    const other = byShort.get(shortName(t));
    if (other && other !== t.name) {
      throw new SchemaContractError(
        'CODEGEN_CONFLICT',
        `${other} and ${t.name} would both be ${shortName(t)}`,
      );
    }
    byShort.set(shortName(t), t.name!);
  }
}

function renderNamed(type: Type): string {
  const doc = jsdoc(type.doc);
  const name = shortName(type);
  if (type instanceof types.EnumType) {
    return (
      doc +
      fitUnion(
        `export type ${name} =`,
        type.symbols.map((s) => `'${s}'`),
        '',
      )
    );
  }
  if (type instanceof types.FixedType) return `${doc}export type ${name} = Uint8Array;`;
  const fields = (type as types.RecordType).fields;
  // An empty interface is `{}`, which accepts anything; this accepts only an empty object.
  if (fields.length === 0) return `${doc}export type ${name} = Record<string, never>;`;
  const lines = fields.map((f) => fitUnion(`  readonly ${f.name}:`, members(f.type), '  '));
  return `${doc}export interface ${name} {\n${lines.join('\n')}\n}`;
}

/** `head A | B;` on one line, or one member per line when too long, as Prettier prints it. */
function fitUnion(head: string, parts: readonly string[], indent: string): string {
  const line = `${head} ${parts.join(' | ')};`;
  if (line.length <= PRINT_WIDTH || parts.length < 2) return line;
  return `${head}\n${parts.map((p) => `${indent}  | ${p}`).join('\n')};`;
}

/** The TypeScript union members of an Avro type; `null` goes last (`string | null`). */
function members(type: Type): string[] {
  if (type instanceof types.WrappedUnionType) {
    throw new SchemaContractError(
      'CODEGEN_CONFLICT',
      `the union ${type.types.map((t) => t.name ?? t.typeName).join(' | ')} decodes to wrapped objects ` +
        '({ "type name": value }), which codegen does not support; use one record with optional fields',
    );
  }
  if (type instanceof types.UnwrappedUnionType) {
    const nonNull = type.types.filter((t) => t.typeName !== 'null').flatMap(members);
    return nonNull.length < type.types.length ? [...nonNull, 'null'] : nonNull;
  }
  return [tsType(type)];
}

function tsType(type: Type): string {
  if (isNamed(type)) return shortName(type);
  if (type instanceof types.ArrayType) {
    const items = members(type.itemsType);
    return items.length > 1 ? `readonly (${items.join(' | ')})[]` : `readonly ${items[0]}[]`;
  }
  if (type instanceof types.MapType) {
    return `Readonly<Record<string, ${members(type.valuesType as Type).join(' | ')}>>`;
  }
  const primitive = PRIMITIVES[type.typeName];
  if (!primitive)
    throw new SchemaContractError('CODEGEN_CONFLICT', `no TypeScript type for ${type.typeName}`);
  return primitive;
}

// avsc decodes long as a number (and refuses values beyond 2^53), bytes as a Buffer.
const PRIMITIVES: Readonly<Record<string, string>> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  string: 'string',
  bytes: 'Uint8Array',
};

function shortName(type: Type): string {
  return type.name!.slice(type.name!.lastIndexOf('.') + 1);
}

function jsdoc(doc: string | undefined): string {
  if (!doc) return '';
  const lines = doc
    .replace(/\*\//g, '*\\/')
    .split('\n')
    .map((l) => l.trimEnd());
  if (lines.length === 1) return `/** ${lines[0]} */\n`;
  return `/**\n${lines.map((l) => (l ? ` * ${l}` : ' *')).join('\n')}\n */\n`;
}
