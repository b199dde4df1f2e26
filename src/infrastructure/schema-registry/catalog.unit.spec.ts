import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { DEFAULT_SCHEMAS_DIR, loadCatalog } from './catalog';
import { isSchemaContractError } from './errors';

// Every temporary copy of schemas/avro this file makes, removed when it is done.
const TMP = mkdtempSync(join(tmpdir(), 'sentinel-spec-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** A copy of schemas/avro to break on purpose. */
function schemasCopy(): string {
  const dir = mkdtempSync(join(TMP, 'sentinel-schemas-'));
  cpSync(DEFAULT_SCHEMAS_DIR, dir, { recursive: true });
  return dir;
}
const read = (dir: string, rel: string) => JSON.parse(readFileSync(join(dir, rel), 'utf8'));
const write = (dir: string, rel: string, json: unknown) => {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), JSON.stringify(json, null, 2));
};
const CREATED = 'deployments/events/DeploymentCreated';

function loadError(dir: string): Error {
  try {
    loadCatalog(dir);
  } catch (e) {
    return e as Error;
  }
  throw new Error('the catalog loaded');
}

describe('the schema catalog', () => {
  const catalog = loadCatalog();

  it('holds every command and event of schemas/avro with its versions, context and kind', () => {
    expect(catalog.contexts()).toEqual(['access', 'deployments', 'policies']);
    expect(catalog.entries.filter((e) => e.context === 'access').map((e) => e.name)).toEqual([
      'RecordAccessDenial',
      'AccessDenied',
    ]);
    expect(catalog.entries.filter((e) => e.context === 'deployments')).toHaveLength(20);
    expect(catalog.entries.filter((e) => e.context === 'policies')).toHaveLength(11);
    const created = catalog.entry('sentinel.deployments.DeploymentCreated');
    expect(created).toMatchObject({ name: 'DeploymentCreated', context: 'deployments', kind: 'event' });
    expect(created.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(created.latest).toBe(created.versions[1]);
    expect(created.latest.type.name).toBe('sentinel.deployments.DeploymentCreated');
    expect(catalog.entry('sentinel.deployments.CreateDeployment').kind).toBe('command');
    expect(catalog.entry('sentinel.deployments.DeleteDeployment').versions).toHaveLength(2);
  });

  it('names an unknown type or version', () => {
    expect(() => catalog.entry('sentinel.deployments.Nope')).toThrow(
      /no schema named sentinel.deployments.Nope/,
    );
    expect(() => catalog.version('sentinel.deployments.DeploymentCreated', 3)).toThrow(/no version 3/);
  });

  it('finds the version of a writer schema however it is spelled', () => {
    const v1 = catalog.version('sentinel.deployments.DeploymentCreated', 1);
    const spelled = JSON.parse(readFileSync(v1.file, 'utf8'));
    expect(catalog.findVersion(spelled)?.version).toBe(v1);
    expect(catalog.findVersion(v1.schema)?.entry.fullName).toBe('sentinel.deployments.DeploymentCreated');
    expect(catalog.findVersion({ ...spelled, doc: 'edited' })).toBeUndefined();
  });

  it('refuses a version that a reader of it could not use on older data, naming the file and the field', () => {
    const dir = schemasCopy();
    const v2 = read(dir, `${CREATED}.v2.avsc`);
    write(dir, `${CREATED}.v3.avsc`, { ...v2, fields: [...v2.fields, { name: 'gpuModel', type: 'string' }] });
    const e = loadError(dir);
    expect(isSchemaContractError(e, 'SCHEMA_INCOMPATIBLE')).toBe(true);
    expect(e.message).toContain('DeploymentCreated.v3.avsc: v3 cannot read data written with v1');
    expect(e.message).toContain('field "gpuModel" added without a default');
  });

  it('names a nested field whose type changed', () => {
    const dir = schemasCopy();
    const v2 = read(dir, `${CREATED}.v2.avsc`);
    const fields = v2.fields.map((f: { name: string; type: { fields: object[] } }) =>
      f.name === 'resources'
        ? {
            ...f,
            type: { ...f.type, fields: [...f.type.fields.slice(0, 2), { name: 'gpu', type: 'string' }] },
          }
        : f,
    );
    write(dir, `${CREATED}.v3.avsc`, { ...v2, fields });
    expect(loadError(dir).message).toContain('field "resources.gpu" int cannot be read as string');
  });

  it('refuses a file whose name is not its record name', () => {
    const dir = schemasCopy();
    renameSync(join(dir, `${CREATED}.v2.avsc`), join(dir, 'deployments/events/DeploymentMade.v2.avsc'));
    const e = loadError(dir);
    expect(isSchemaContractError(e, 'SCHEMA_INVALID')).toBe(true);
    expect(e.message).toMatch(
      /DeploymentMade\.v2\.avsc: the record is named DeploymentCreated; the file name/,
    );
  });

  it('refuses a gap in the versions', () => {
    const dir = schemasCopy();
    renameSync(join(dir, `${CREATED}.v2.avsc`), join(dir, `${CREATED}.v3.avsc`));
    expect(loadError(dir).message).toMatch(
      /DeploymentCreated\.v3\.avsc: .*DeploymentCreated\.v2\.avsc is missing/,
    );
  });

  it('refuses a version identical to an earlier one, a namespace of another context, a bad file name', () => {
    const same = schemasCopy();
    write(same, `${CREATED}.v3.avsc`, read(same, `${CREATED}.v2.avsc`));
    expect(loadError(same).message).toMatch(/v3 is identical to v2/);

    const misplaced = schemasCopy();
    write(misplaced, 'plans/events/DeploymentCreated.v1.avsc', read(misplaced, `${CREATED}.v1.avsc`));
    expect(loadError(misplaced).message).toMatch(
      /namespace is sentinel.deployments; files in plans\/ use sentinel.plans/,
    );

    const badName = schemasCopy();
    write(badName, 'deployments/events/DeploymentCreated.avsc', {});
    expect(loadError(badName).message).toMatch(/file name must be <RecordName>\.v<N>\.avsc/);
  });

  it('lets messages reference shared core types, and inlines them in the registered form', () => {
    const dir = mkdtempSync(join(TMP, 'sentinel-schemas-'));
    write(dir, 'core/Money.v1.avsc', {
      type: 'record',
      name: 'Money',
      namespace: 'sentinel.core',
      fields: [
        { name: 'amount', type: 'double' },
        { name: 'currency', type: 'string' },
      ],
    });
    write(dir, 'billing/events/InvoiceIssued.v1.avsc', {
      type: 'record',
      name: 'InvoiceIssued',
      namespace: 'sentinel.billing',
      fields: [{ name: 'total', type: 'sentinel.core.Money' }],
    });
    const withCore = loadCatalog(dir);
    expect(withCore.contexts()).toEqual(['billing']);
    expect(withCore.entry('sentinel.core.Money').kind).toBe('type');
    const issued = withCore.entry('sentinel.billing.InvoiceIssued').latest;
    expect(issued.schema.fields).toEqual([
      { name: 'total', type: expect.objectContaining({ name: 'sentinel.core.Money', type: 'record' }) },
    ]);
  });
});
