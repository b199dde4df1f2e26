import type { DeploymentCreated } from '../../domain/deployments/contracts.generated';
import { loadCatalog } from './catalog';
import { isSchemaContractError } from './errors';
import { readFixture } from './fixtures';
import { Upcaster } from './upcaster';

const CREATED = 'sentinel.deployments.DeploymentCreated';

describe('Upcaster', () => {
  const catalog = loadCatalog();
  const entry = catalog.entry(CREATED);
  const v1 = readFixture(entry, catalog.version(CREATED, 1));
  const v2 = readFixture(entry, catalog.version(CREATED, 2));

  it('reads the v1 golden DeploymentCreated as v2, with the cluster-default priorityClass', () => {
    const created = new Upcaster(catalog).upcast<DeploymentCreated>(CREATED, 1, v1.bytes);
    expect(created).toEqual({ ...(v1.value as object), priorityClass: '' });
    expect(created.priorityClass).toBe('');
  });

  it('takes an already decoded value of the writer version as well as its bytes', () => {
    const upcaster = new Upcaster(catalog);
    expect(upcaster.upcast(CREATED, 1, v1.value)).toEqual(upcaster.upcast(CREATED, 1, v1.bytes));
  });

  it('leaves a value of the latest version as it is', () => {
    expect(new Upcaster(catalog).upcast(CREATED, 2, v2.bytes)).toEqual(v2.value);
  });

  it('runs a semantic step registered in code for data written before it, after schema resolution', () => {
    // e.g. v1 GPU workloads were scheduled with a priority class named by convention.
    const upcaster = new Upcaster(catalog).register(CREATED, 1, (value) => {
      const gpu = (value.resources as { gpu: number }).gpu;
      return {
        ...value,
        priorityClass: gpu > 0 && value.priorityClass === '' ? 'legacy-gpu' : value.priorityClass,
      };
    });
    expect(upcaster.upcast(CREATED, 1, v1.bytes)).toMatchObject({ priorityClass: 'legacy-gpu' });
    expect(upcaster.upcast(CREATED, 2, v2.bytes)).toMatchObject({ priorityClass: 'gpu-inference-high' });
  });

  it('refuses a step from a version with no successor, an unknown type, or a second step', () => {
    const upcaster = new Upcaster(catalog).register(CREATED, 1, (v) => v);
    expect(() => upcaster.register(CREATED, 2, (v) => v)).toThrow(/no step from version 2/);
    expect(() => upcaster.register(CREATED, 1, (v) => v)).toThrow(/registered twice/);
    expect(() => upcaster.register('sentinel.deployments.Nope', 1, (v) => v)).toThrow(/no schema named/);
    let error: unknown;
    try {
      upcaster.upcast(CREATED, 3, v1.bytes);
    } catch (e) {
      error = e;
    }
    expect(isSchemaContractError(error, 'UNKNOWN_SCHEMA')).toBe(true);
  });
});
