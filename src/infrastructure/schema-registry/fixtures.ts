import { Type } from 'avsc';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { isDeepStrictEqual } from 'util';
import { Catalog, CatalogEntry, displayPath, SchemaVersion } from './catalog';
import { SchemaContractError } from './errors';

/**
 * Golden fixtures, one per schema version (STYLE.md practice 4): a representative value as JSON
 * (`fixtures/<Name>.v<N>.json`) and its Avro binary body, base64 (`<Name>.v<N>.avro.b64`; the body
 * only, not the Confluent wire format, so no registry id is baked in). Once committed a fixture is
 * never rewritten: it is the proof that data written with that version stays readable.
 *
 * Values are plain JSON as avsc decodes them (unions unwrapped); schemas with bytes or fixed
 * fields would need a JSON codec for those, which no schema has today.
 */
export interface FixturePaths {
  readonly json: string;
  readonly b64: string;
}

export function fixturePaths(entry: CatalogEntry, version: SchemaVersion): FixturePaths {
  const base = join(dirname(version.file), 'fixtures', `${entry.name}.v${version.version}`);
  return { json: `${base}.json`, b64: `${base}.avro.b64` };
}

export interface Fixture {
  readonly paths: FixturePaths;
  /** The JSON value as committed. */
  readonly value: unknown;
  /** The committed Avro body. */
  readonly bytes: Buffer;
}

/** Reads a committed fixture; fails with what to run when either half is missing. */
export function readFixture(entry: CatalogEntry, version: SchemaVersion): Fixture {
  const paths = fixturePaths(entry, version);
  for (const p of [paths.json, paths.b64]) {
    if (!existsSync(p)) {
      throw new SchemaContractError('FIXTURE_INVALID', `${displayPath(p)} is missing: run \`make fixtures\``);
    }
  }
  return {
    paths,
    value: JSON.parse(readFileSync(paths.json, 'utf8')),
    bytes: Buffer.from(readFileSync(paths.b64, 'utf8').trim(), 'base64'),
  };
}

/**
 * Checks one golden fixture: its bytes decode with their own version to exactly the JSON, the
 * JSON encodes to exactly the bytes (so bytes that changed, or a version edited in place, fail),
 * and the latest version reads the bytes (an old event stays readable). Returns both readings.
 */
export function verifyFixture(
  entry: CatalogEntry,
  version: SchemaVersion,
): { value: unknown; asLatest: Record<string, unknown> } {
  const fixture = readFixture(entry, version);
  const where = displayPath(fixture.paths.b64);
  const problem = (what: string) =>
    new SchemaContractError(
      'FIXTURE_INVALID',
      `${where}: ${what}. Fixtures are never rewritten: if ${entry.name}.v${version.version}.avsc ` +
        'was edited, restore it and add a new version instead',
    );
  let decoded: unknown;
  try {
    decoded = JSON.parse(JSON.stringify(version.type.fromBuffer(fixture.bytes)));
  } catch (e) {
    throw problem(`does not decode with v${version.version} (${(e as Error).message})`);
  }
  if (!isDeepStrictEqual(decoded, fixture.value)) throw problem(`decodes to something other than its JSON`);
  if (!encodeValue(version.type, fixture.value, where).equals(fixture.bytes)) {
    throw problem('its JSON no longer encodes to the committed bytes');
  }
  const latest = entry.latest.type;
  const asLatest = latest.fromBuffer(fixture.bytes, latest.createResolver(version.type)) as Record<
    string,
    unknown
  >;
  return { value: fixture.value, asLatest };
}

/** The Avro body of a JSON value, or an error naming every field that does not fit the schema. */
export function encodeValue(type: Type, value: unknown, where: string): Buffer {
  const problems: string[] = [];
  type.isValid(value, { errorHook: (path) => problems.push(path.join('.') || '(root)') });
  if (problems.length > 0) {
    throw new SchemaContractError(
      'FIXTURE_INVALID',
      `${where} does not fit ${type.name}: check field(s) ${problems.join(', ')}`,
    );
  }
  return type.toBuffer(value);
}

export interface FixtureChange {
  readonly file: string;
  readonly how: 'encoded from its JSON' | 'derived from the previous version';
}

/**
 * Creates the fixtures of versions that have none, oldest first; never touches an existing file.
 * For a version whose JSON was written by hand, encodes it. Without JSON, derives the value from
 * the previous version's fixture by schema resolution (new fields get their defaults): worth
 * editing into something representative before it is committed, then deleting the .b64 and
 * running this again. A first version needs its JSON written by hand.
 */
export function createMissingFixtures(catalog: Catalog): FixtureChange[] {
  const changes: FixtureChange[] = [];
  for (const entry of catalog.entries) {
    for (const version of entry.versions) changes.push(...createMissing(entry, version));
  }
  return changes;
}

function createMissing(entry: CatalogEntry, version: SchemaVersion): FixtureChange[] {
  const paths = fixturePaths(entry, version);
  const hasJson = existsSync(paths.json);
  if (existsSync(paths.b64)) {
    if (hasJson) return [];
    throw new SchemaContractError(
      'FIXTURE_INVALID',
      `${displayPath(paths.b64)} has no ${displayPath(paths.json)}; restore it from version control`,
    );
  }
  mkdirSync(dirname(paths.json), { recursive: true });
  if (hasJson) {
    const value: unknown = JSON.parse(readFileSync(paths.json, 'utf8'));
    writeNew(paths.b64, `${encodeValue(version.type, value, displayPath(paths.json)).toString('base64')}\n`);
    return [{ file: paths.b64, how: 'encoded from its JSON' }];
  }
  const previous = entry.versions[version.version - 2];
  if (!previous) {
    throw new SchemaContractError(
      'FIXTURE_INVALID',
      `write ${displayPath(paths.json)} (a representative ${entry.name}), then run \`make fixtures\` again`,
    );
  }
  const old = readFixture(entry, previous);
  const value = version.type.fromBuffer(old.bytes, version.type.createResolver(previous.type)) as unknown;
  writeNew(paths.json, formatJson(JSON.parse(JSON.stringify(value))));
  writeNew(paths.b64, `${version.type.toBuffer(value).toString('base64')}\n`);
  return [
    { file: paths.json, how: 'derived from the previous version' },
    { file: paths.b64, how: 'derived from the previous version' },
  ];
}

/** 'wx': fails if the file appeared meanwhile, so a fixture is never overwritten. */
function writeNew(path: string, content: string): void {
  writeFileSync(path, content, { flag: 'wx' });
}

const PRINT_WIDTH = 110;

/**
 * JSON in the layout Prettier gives it (the repository's `prettier --check` covers fixtures):
 * objects one key per line, arrays of scalars on one line when they fit.
 */
export function formatJson(value: unknown): string {
  return `${format(value, '', 0)}\n`;
}

function format(value: unknown, indent: string, column: number): string {
  if (Array.isArray(value)) return formatArray(value, indent, column);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    const lines = entries.map(([k, v]) => {
      const key = `${inner}${JSON.stringify(k)}: `;
      return key + format(v, inner, key.length);
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function formatArray(items: unknown[], indent: string, column: number): string {
  if (items.length === 0) return '[]';
  const scalars = items.every((i) => i === null || typeof i !== 'object');
  const oneLine = `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
  // +1 for the comma that may follow.
  if (scalars && column + oneLine.length + 1 <= PRINT_WIDTH) return oneLine;
  const inner = `${indent}  `;
  return `[\n${items.map((i) => inner + format(i, inner, inner.length)).join(',\n')}\n${indent}]`;
}
