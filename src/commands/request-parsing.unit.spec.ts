import { ProblemException } from '../http/problem.filter';
import { createRequest, scaleRequest, updateRequest } from './deployment-requests';
import { commandIdOf, deploymentIdOf, ID_PATTERN } from './identifiers';
import { expectedVersion, idempotencyKey, parseBody } from './request-parsing';

const valid = {
  name: 'llm',
  cluster: 'local-a',
  namespace: 'team-a',
  image: 'registry.example/model:1',
  replicas: 2,
  resources: { cpu: '1', memory: '1Gi', 'nvidia.com/gpu': 1 },
  team: 'core',
  costPerReplicaHour: 1,
};

function problemOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProblemException) return e.problem;
    throw e;
  }
  throw new Error('expected a problem');
}

describe('request bodies', () => {
  it('given a valid create, when parsed, then defaults are filled in', () => {
    expect(parseBody(createRequest, valid)).toMatchObject({
      kind: 'Deployment',
      env: {},
      labels: {},
      priorityClass: '',
    });
  });

  it('given wrong types and unknown fields, when parsed, then each bad field is named', () => {
    const problem = problemOf(() =>
      parseBody(createRequest, {
        ...valid,
        replicas: 'two',
        resources: { ...valid.resources, disk: '1' },
        colour: 'red',
      }),
    );
    expect(problem.status).toBe(400);
    expect(problem.errors!.map((e) => e.field).sort()).toEqual(['colour', 'replicas', 'resources.disk']);
    expect(problem.errors!.find((e) => e.field === 'colour')!.reason).toBe('is not a known field');
  });

  it('given a name that is no DNS label, when parsed, then the field says why', () => {
    const problem = problemOf(() => parseBody(createRequest, { ...valid, name: 'Not_Valid' }));
    expect(problem.errors).toEqual([{ field: 'name', reason: expect.stringContaining('DNS-1123') }]);
  });

  it('given a non-object body, when parsed, then 400 without field noise', () => {
    expect(problemOf(() => parseBody(scaleRequest, [1, 2])).status).toBe(400);
    expect(problemOf(() => parseBody(scaleRequest, undefined)).status).toBe(400);
  });

  it('given an update naming nothing, when parsed, then it is refused', () => {
    expect(problemOf(() => parseBody(updateRequest, {})).errors![0]!.reason).toContain('at least one');
  });
});

describe('headers', () => {
  it('reads If-Match as a strong ETag only', () => {
    expect(expectedVersion('"7"')).toBe(7);
    expect(expectedVersion(undefined)).toBeUndefined();
    for (const bad of ['7', 'W/"7"', '"7", "8"', '*', '"-1"'])
      expect(problemOf(() => expectedVersion(bad)).errors![0]!.field).toBe('If-Match');
  });

  it('accepts sane Idempotency-Keys and refuses others', () => {
    expect(idempotencyKey('order-42:retry.1')).toBe('order-42:retry.1');
    for (const bad of ['', 'has space', 'x'.repeat(129), 'é'])
      expect(problemOf(() => idempotencyKey(bad)).errors![0]!.field).toBe('Idempotency-Key');
  });
});

describe('identifiers', () => {
  it('derives the same UUID-shaped id from the same parts, and different ids otherwise', () => {
    const a = deploymentIdOf('local-a', 'team-a', 'llm');
    expect(a).toMatch(ID_PATTERN);
    expect(deploymentIdOf('local-a', 'team-a', 'llm')).toBe(a);
    expect(deploymentIdOf('local-b', 'team-a', 'llm')).not.toBe(a);
    // Parts are separated, so shifting characters between them cannot collide.
    expect(deploymentIdOf('local-a', 'team-al', 'lm')).not.toBe(a);
  });

  it('scopes an Idempotency-Key to its actor', () => {
    expect(commandIdOf('alice', 'k1')).not.toBe(commandIdOf('bob', 'k1'));
    expect(commandIdOf('alice', 'k1')).toBe(commandIdOf('alice', 'k1'));
  });
});
