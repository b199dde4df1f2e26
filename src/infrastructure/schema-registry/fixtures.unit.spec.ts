import { execFileSync } from 'child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DEFAULT_SCHEMAS_DIR, loadCatalog } from './catalog';
import { isSchemaContractError } from './errors';
import { createMissingFixtures, fixturePaths, formatJson, readFixture, verifyFixture } from './fixtures';

// Every temporary copy of schemas/avro this file makes, removed when it is done.
const TMP = mkdtempSync(join(tmpdir(), 'sentinel-spec-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const CREATED = 'sentinel.deployments.DeploymentCreated';

function schemasCopy(): string {
  const dir = mkdtempSync(join(TMP, 'sentinel-schemas-'));
  cpSync(DEFAULT_SCHEMAS_DIR, dir, { recursive: true });
  return dir;
}

/** Every file under a folder with its content, to prove nothing existing was touched. */
function snapshot(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes('.'));
  return new Map(files.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('golden fixtures', () => {
  const catalog = loadCatalog();
  const versions = catalog.entries.flatMap((entry) =>
    entry.versions.map((version) => ({ label: `${entry.name} v${version.version}`, entry, version })),
  );

  it.each(versions)(
    '$label decodes to its JSON, its JSON encodes to its bytes, and the latest version reads it',
    ({ entry, version }) => {
      const { value, asLatest } = verifyFixture(entry, version);
      expect(entry.latest.type.isValid(asLatest)).toBe(true);
      // Fields the writer had keep their value; the rest take their defaults.
      const kept = Object.keys(value as object).filter((k) => k in asLatest);
      for (const k of kept) expect(JSON.stringify(asLatest[k])).toBe(JSON.stringify((value as never)[k]));
    },
  );

  it('fails when committed bytes change, telling not to rewrite a fixture', () => {
    const dir = schemasCopy();
    const copy = loadCatalog(dir);
    const entry = copy.entry(CREATED);
    const { b64 } = fixturePaths(entry, entry.versions[0]!);
    const bytes = readFixture(entry, entry.versions[0]!).bytes;
    bytes[bytes.length - 1] = 4; // revision 1 -> 2
    writeFileSync(b64, bytes.toString('base64'));
    expect(() => verifyFixture(entry, entry.versions[0]!)).toThrow(
      /DeploymentCreated\.v1\.avro\.b64: decodes to something other than its JSON\. Fixtures are never rewritten/,
    );
  });

  it('fails when a version is edited in place, even compatibly', () => {
    const dir = schemasCopy();
    const file = join(dir, 'deployments/events/DeploymentCreated.v1.avsc');
    const v1 = JSON.parse(readFileSync(file, 'utf8'));
    v1.fields.splice(5, 0, { name: 'gpuModel', type: 'string', default: '' });
    writeFileSync(file, JSON.stringify(v1));
    const entry = loadCatalog(dir).entry(CREATED);
    expect(() => verifyFixture(entry, entry.versions[0]!)).toThrow(
      /DeploymentCreated\.v1\.avro\.b64: .*\. Fixtures are never rewritten: if DeploymentCreated\.v1\.avsc was edited/,
    );
  });

  it('creates fixtures only for a new version, derived from the previous one, never touching others', () => {
    const dir = schemasCopy();
    const v2 = JSON.parse(readFileSync(join(dir, 'deployments/events/DeploymentCreated.v2.avsc'), 'utf8'));
    v2.fields.push({ name: 'gpuModel', type: 'string', default: '' });
    writeFileSync(join(dir, 'deployments/events/DeploymentCreated.v3.avsc'), JSON.stringify(v2));
    const before = snapshot(dir);

    const changes = createMissingFixtures(loadCatalog(dir));

    expect(changes.map((c) => c.file.slice(dir.length))).toEqual([
      '/deployments/events/fixtures/DeploymentCreated.v3.json',
      '/deployments/events/fixtures/DeploymentCreated.v3.avro.b64',
    ]);
    const after = snapshot(dir);
    for (const [file, content] of before) expect(after.get(file)).toBe(content);
    const entry = loadCatalog(dir).entry(CREATED);
    const { value } = verifyFixture(entry, entry.versions[2]!);
    expect(value).toMatchObject({ priorityClass: 'gpu-inference-high', gpuModel: '' });
    expect(createMissingFixtures(loadCatalog(dir))).toEqual([]);
  });

  it('encodes a hand-written JSON for a new version, and asks for one for a new type', () => {
    const dir = schemasCopy();
    const entry = loadCatalog(dir).entry(CREATED);
    const { json, b64 } = fixturePaths(entry, entry.versions[1]!);
    rmSync(b64);
    expect(createMissingFixtures(loadCatalog(dir)).map((c) => c.how)).toEqual(['encoded from its JSON']);
    expect(existsSync(b64) && existsSync(json)).toBe(true);

    const schema = {
      type: 'record',
      name: 'DeploymentPaused',
      namespace: 'sentinel.deployments',
      fields: [],
    };
    writeFileSync(join(dir, 'deployments/events/DeploymentPaused.v1.avsc'), JSON.stringify(schema));
    let error: unknown;
    try {
      createMissingFixtures(loadCatalog(dir));
    } catch (e) {
      error = e;
    }
    expect(isSchemaContractError(error, 'FIXTURE_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(
      /write .*DeploymentPaused\.v1\.json .*then run `make fixtures` again/,
    );
  });

  it('writes JSON the way Prettier formats it', () => {
    const prettier = join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'prettier');
    const values = [
      ...versions.map(({ entry, version }) => readFixture(entry, version).value),
      {
        short: ['a', 'b'],
        long: Array.from({ length: 12 }, (_, i) => `reason number ${i}`),
        empty: {},
        none: [],
      },
    ];
    const dir = mkdtempSync(join(TMP, 'sentinel-json-'));
    values.forEach((value, i) => writeFileSync(join(dir, `${i}.json`), formatJson(value)));
    // Throws, listing the files, unless every one is already formatted.
    execFileSync(prettier, ['--check', '--no-config', '--print-width', '110', dir], { stdio: 'pipe' });
  });
});
