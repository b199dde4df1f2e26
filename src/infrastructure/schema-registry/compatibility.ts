import { Type, types } from 'avsc';

/** One reason a reader schema cannot decode data written with a writer schema. */
export interface Incompatibility {
  /** Dotted path of the offending field from the record root (`resources.gpu`); '' for the root. */
  readonly field: string;
  readonly reason: string;
}

/** Whether a reader of `reader` can decode data written with `writer` (Avro schema resolution). */
export function canRead(reader: Type, writer: Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why `reader` cannot decode data written with `writer`, or undefined when it can. avsc's resolver
 * only says "cannot read <whole writer schema> as <whole reader schema>" for most mismatches, so we
 * descend into the schemas to the first field whose own types do not resolve, and name it.
 */
export function findIncompatibility(reader: Type, writer: Type, path = ''): Incompatibility | undefined {
  if (canRead(reader, writer)) return undefined;
  if (isRecord(reader) && isRecord(writer)) return recordIncompatibility(reader, writer, path);
  if (isUnion(writer)) {
    const unreadable = writer.types.find((branch) => !canRead(reader, branch));
    if (unreadable) return findIncompatibility(reader, unreadable, path) ?? mismatch(reader, writer, path);
  }
  if (isUnion(reader)) {
    // Explain against the branch a person would expect to match: same Avro type, same name.
    const sameKind = reader.types.find((b) => b.typeName === writer.typeName && b.name === writer.name);
    if (sameKind) return findIncompatibility(sameKind, writer, path) ?? mismatch(reader, writer, path);
  }
  return containerIncompatibility(reader, writer, path) ?? mismatch(reader, writer, path);
}

function recordIncompatibility(
  reader: types.RecordType,
  writer: types.RecordType,
  path: string,
): Incompatibility {
  if (reader.name !== writer.name && !(reader.aliases ?? []).includes(writer.name ?? '')) {
    return { field: path, reason: `record ${writer.name} was renamed to ${reader.name} without an alias` };
  }
  for (const field of reader.fields) {
    const fieldPath = path ? `${path}.${field.name}` : field.name;
    const names = [field.name, ...(field.aliases ?? [])];
    const written = writer.fields.find((w) => names.includes(w.name));
    if (!written) {
      if (field.defaultValue() === undefined) return { field: fieldPath, reason: 'added without a default' };
      continue;
    }
    const found = findIncompatibility(field.type, written.type, fieldPath);
    if (found) return found;
  }
  return mismatch(reader, writer, path);
}

function containerIncompatibility(reader: Type, writer: Type, path: string): Incompatibility | undefined {
  if (reader instanceof types.ArrayType && writer instanceof types.ArrayType) {
    return findIncompatibility(reader.itemsType, writer.itemsType, `${path}[]`);
  }
  if (reader instanceof types.MapType && writer instanceof types.MapType) {
    return findIncompatibility(reader.valuesType as Type, writer.valuesType as Type, `${path}{}`);
  }
  if (reader instanceof types.EnumType && writer instanceof types.EnumType) {
    const removed = writer.symbols.filter((s) => !reader.symbols.includes(s));
    if (removed.length > 0) {
      return {
        field: path,
        reason: `enum ${reader.name} lost symbol(s) ${removed.join(', ')} and has no default`,
      };
    }
  }
  return undefined;
}

function mismatch(reader: Type, writer: Type, path: string): Incompatibility {
  return { field: path, reason: `${describe(writer)} cannot be read as ${describe(reader)}` };
}

/** A short human name of a type: `string`, `sentinel.deployments.Resources`, `null | string`. */
export function describe(type: Type): string {
  if (isUnion(type)) return type.types.map(describe).join(' | ');
  if (type instanceof types.ArrayType) return `array<${describe(type.itemsType)}>`;
  if (type instanceof types.MapType) return `map<${describe(type.valuesType as Type)}>`;
  return type.name ?? type.typeName;
}

function isRecord(type: Type): type is types.RecordType {
  return type instanceof types.RecordType;
}

function isUnion(type: Type): type is types.UnwrappedUnionType | types.WrappedUnionType {
  return type instanceof types.UnwrappedUnionType || type instanceof types.WrappedUnionType;
}
