import { execFileSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { DEFAULT_SCHEMAS_DIR, loadCatalog } from './catalog';
import { contractsFile, renderContracts } from './codegen';
import { isSchemaContractError } from './errors';

// Every temporary copy of schemas/avro this file makes, removed when it is done.
const TMP = mkdtempSync(join(tmpdir(), 'sentinel-spec-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const DOMAIN_DIR = join(__dirname, '..', '..', 'domain');
const REPO = join(__dirname, '..', '..', '..');
/** Prettier's CLI: its API loads through dynamic import(), which jest's CommonJS runtime cannot. */
const prettier = (source: string) =>
  execFileSync(
    join(REPO, 'node_modules', '.bin', 'prettier'),
    ['--stdin-filepath', contractsFile(DOMAIN_DIR, 'x')],
    {
      input: source,
      encoding: 'utf8',
    },
  );
const write = (dir: string, rel: string, json: unknown) => {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), JSON.stringify(json, null, 2));
};

describe('contracts.generated.ts', () => {
  const catalog = loadCatalog();

  it.each(catalog.contexts())('of %s is what the schemas generate', (context) => {
    const file = contractsFile(DOMAIN_DIR, context);
    const expected = renderContracts(catalog, context);
    const committed = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (committed !== expected) {
      const line = (committed ?? '').split('\n').findIndex((l, i) => l !== expected.split('\n')[i]) + 1;
      throw new Error(
        `src/domain/${context}/contracts.generated.ts ${committed === undefined ? 'is missing' : `differs from schemas/avro/${context} (first at line ${line})`}: run \`make codegen\``,
      );
    }
  });

  it('lists named helper types first, then commands, then events, each by record name', () => {
    const names = [...renderContracts(catalog, 'deployments').matchAll(/^export (?:interface|type) (\w+)/gm)];
    expect(names.map((m) => m[1])).toEqual([
      'WorkloadKind',
      'Resources',
      'PolicyInputs',
      'PolicyVersion',
      'ApplyAction',
      'ApplyOutcome',
      'DriftKind',
      'ObservedPhase',
      'ObservedCondition',
      'CreateDeployment',
      'DeleteDeployment',
      'RecordApplyOutcome',
      'RecordDrift',
      'RecordObservedStatus',
      'RollbackDeployment',
      'ScaleDeployment',
      'UpdateDeployment',
      'DeploymentApplied',
      'DeploymentApplyFailed',
      'DeploymentCreated',
      'DeploymentDeleted',
      'DeploymentDriftDetected',
      'DeploymentRejected',
      'DeploymentRolledBack',
      'DeploymentScaled',
      'DeploymentStatusObserved',
      'DeploymentUpdated',
      'PolicyDenied',
      'PolicyEvaluated',
    ]);
  });

  it('is already in Prettier format, long unions included', () => {
    const dir = mkdtempSync(join(TMP, 'sentinel-schemas-'));
    const symbols = [
      'Pending',
      'Scheduling',
      'Pulling',
      'Starting',
      'Running',
      'Draining',
      'Succeeded',
      'Failed',
    ];
    write(dir, 'fleet/events/NodeObserved.v1.avsc', {
      type: 'record',
      name: 'NodeObserved',
      namespace: 'sentinel.fleet',
      doc: 'A node as the agent saw it.\nSecond line of the doc.',
      fields: [
        { name: 'phase', type: { type: 'enum', name: 'NodeLifecyclePhaseAsReportedByTheAgent', symbols } },
        { name: 'taints', type: { type: 'array', items: ['string', 'int'] } },
        {
          name: 'lastConditionReportedByTheKubeletOfTheNode',
          type: ['null', 'string', 'long', 'boolean', { type: 'map', values: 'string' }],
          default: null,
        },
        { name: 'empty', type: { type: 'record', name: 'Nothing', fields: [] } },
      ],
    });
    for (const source of [
      renderContracts(loadCatalog(dir), 'fleet'),
      renderContracts(catalog, 'deployments'),
    ]) {
      expect(prettier(source)).toBe(source);
    }
  });

  it('defines a named type inlined in many schemas once, and refuses two different definitions', () => {
    expect(renderContracts(catalog, 'deployments').match(/export interface Resources /g)).toHaveLength(1);

    const dir = mkdtempSync(join(TMP, 'sentinel-schemas-'));
    cpSync(DEFAULT_SCHEMAS_DIR, dir, { recursive: true });
    const v2 = JSON.parse(readFileSync(join(dir, 'deployments/commands/UpdateDeployment.v2.avsc'), 'utf8'));
    const resources = v2.fields[3].type[1];
    const tpu = { name: 'tpu', type: 'int', default: 0 };
    v2.fields[3].type[1] = { ...resources, fields: [...resources.fields, tpu] };
    write(dir, 'deployments/commands/UpdateDeployment.v3.avsc', v2);
    let error: unknown;
    try {
      renderContracts(loadCatalog(dir), 'deployments');
    } catch (e) {
      error = e;
    }
    expect(isSchemaContractError(error, 'CODEGEN_CONFLICT')).toBe(true);
    expect((error as Error).message).toMatch(
      /sentinel\.deployments\.Resources is defined differently in .*CreateDeployment\.v3\.avsc and .*UpdateDeployment\.v3\.avsc/,
    );
  });
});
