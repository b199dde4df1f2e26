import { Schema, Type } from 'avsc';
import type { AvroRegistry } from './avro-registry';
import { loadCatalog } from './catalog';
import { fieldAtPointer, parseApicurioDiffs, refusalError } from './refusal';

const CREATED = 'sentinel.deployments.DeploymentCreated';
// What Apicurio 3.3.3's ccompat API answered (HTTP 409), as the registry client surfaces it.
const APICURIO =
  'Confluent_Schema_Registry - io.apicurio.registry.rules.violation.RuleViolationException: ' +
  'Incompatible artifact: t-sentinel.deployments.DeploymentCreated [AVRO], num of incompatible diffs: {2}, ' +
  'list of diff types: [reader type: INT not compatible with writer type: STRING at /fields/7/type/fields/2/type, ' +
  'gpuModel at /fields/14]';

describe('naming the field of a refused schema', () => {
  const catalog = loadCatalog();
  const entry = catalog.entry(CREATED);
  const submitted = {
    ...entry.latest.schema,
    fields: [...entry.latest.schema.fields, { name: 'gpuModel', type: 'string' }],
  };

  it("turns Apicurio's JSON pointers into field paths", () => {
    expect(parseApicurioDiffs(APICURIO, submitted)).toEqual([
      {
        field: 'resources.gpu',
        reason:
          'reader type: INT not compatible with writer type: STRING (registry: at /fields/7/type/fields/2/type)',
      },
      { field: 'gpuModel', reason: 'added without a default (registry: at /fields/14)' },
    ]);
    expect(parseApicurioDiffs('409 Conflict', submitted)).toEqual([]);
  });

  it('follows union branches', () => {
    const update = catalog.entry('sentinel.deployments.UpdateDeployment').latest.schema;
    expect(fieldAtPointer(update, '/fields/3/type/1/fields/0/type')).toBe('resources.cpu');
    expect(fieldAtPointer(update, '/type')).toBeUndefined();
  });

  it('computes the field against what the subject holds when the registry does not name it', async () => {
    const registry = { subjectSchemas: async () => [entry.versions[0]!.schema] } as unknown as AvroRegistry;
    const reader = { ...entry.latest, schema: submitted, type: Type.forSchema(submitted as Schema) };
    const error = await refusalError(registry, 's-sentinel.deployments.DeploymentCreated', entry, reader, {
      status: 409,
      message: 'Schema being registered is incompatible with an earlier schema',
    });
    expect(error.code).toBe('SCHEMA_REFUSED');
    expect(error.message).toContain('under subject s-sentinel.deployments.DeploymentCreated');
    expect(error.message).toContain('field "gpuModel" added without a default');
  });
});
