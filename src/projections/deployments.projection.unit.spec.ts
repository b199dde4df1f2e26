import { deploymentsProjection } from './deployments.projection';
import { evolve, type ProjectedEvent, type Row, type RowChange } from './projection';
import { render, renderBatch, renderEvent } from './sql';

/**
 * Given events, when evolved, then rows: the handlers' row changes folded into in-memory tables
 * keyed like the real ones, so the read model's contents are checked without a database.
 */
type Tables = Map<string, Map<string, Row>>;

function apply(tables: Tables, changes: readonly RowChange[]): void {
  for (const change of changes) {
    const table = tables.get(change.table) ?? new Map<string, Row>();
    tables.set(change.table, table);
    if (change.op === 'insert') {
      const key = deploymentsProjection.tables[change.table]!.map((c) => String(change.row[c])).join('/');
      if (!table.has(key)) table.set(key, change.row);
      continue;
    }
    for (const [key, row] of table) {
      const matches = Object.entries(change.where).every(([c, v]) => row[c] === v);
      if (matches && (row.version as number) < change.version) table.set(key, { ...row, ...change.set });
    }
  }
}

let offset = 0;
function event(type: string, version: number, data: object, actor = 'alice'): ProjectedEvent {
  offset += 1;
  return {
    type,
    data: { deploymentId: 'dep-1', ...data },
    id: `event-${version}`,
    aggregateId: 'dep-1',
    version,
    time: `2026-03-01T10:0${version}:00.000Z`,
    actor,
    correlationId: `corr-${version}`,
    causationId: `cmd-${version}`,
    topic: 'sentinel.deployments.events',
    partition: 2,
    offset: String(offset),
  };
}

const CREATED = {
  name: 'llm',
  cluster: 'local-a',
  namespace: 'inference',
  kind: 'Deployment',
  image: 'registry.example/llm:1.0',
  replicas: 2,
  resources: { cpu: '2', memory: '8Gi', gpu: 1 },
  env: { MODE: 'fast' },
  labels: { tier: 'gold' },
  team: 'ml-platform',
  costPerReplicaHour: 3.5,
  revision: 1,
  priorityClass: '',
};
const V2 = { image: 'registry.example/llm:2.0', env: {}, resources: { cpu: '4', memory: '16Gi', gpu: 2 } };

function project(events: ProjectedEvent[], times = 1): Tables {
  const tables: Tables = new Map();
  for (let i = 0; i < times; i++)
    for (const e of events) apply(tables, evolve(deploymentsProjection, e) ?? []);
  return tables;
}

const rows = (tables: Tables, table: string) => [...(tables.get(table)?.values() ?? [])];

describe('deployments projection', () => {
  const lifecycle = [
    event('DeploymentCreated', 1, CREATED),
    event('DeploymentScaled', 2, { replicas: 4, previousReplicas: 2 }, 'bob'),
    event('DeploymentUpdated', 3, { revision: 2, ...V2 }),
    event('DeploymentRolledBack', 4, {
      toRevision: 1,
      revision: 3,
      image: CREATED.image,
      env: CREATED.env,
      resources: CREATED.resources,
    }),
  ];

  it('given a creation, has the deployment, its first revision and one history entry', () => {
    const tables = project([lifecycle[0]!]);
    expect(rows(tables, 'deployments')).toEqual([
      expect.objectContaining({
        id: 'dep-1',
        name: 'llm',
        status: 'Active',
        replicas: 2,
        revision: 1,
        version: 1,
        labels: { tier: 'gold' },
        env: { MODE: 'fast' },
        cost_per_replica_hour: 3.5,
        created_at: '2026-03-01T10:01:00.000Z',
        created_by: 'alice',
        updated_at: '2026-03-01T10:01:00.000Z',
      }),
    ]);
    expect(rows(tables, 'deployment_revisions')).toEqual([
      expect.objectContaining({
        revision: 1,
        cause: 'created',
        restored_from_revision: null,
        image: CREATED.image,
      }),
    ]);
    expect(rows(tables, 'deployment_history')).toEqual([
      expect.objectContaining({
        deployment_id: 'dep-1',
        version: 1,
        type: 'DeploymentCreated',
        actor: 'alice',
        causation_id: 'cmd-1',
        correlation_id: 'corr-1',
        event_id: 'event-1',
        partition: 2,
      }),
    ]);
  });

  it('given scale, update and rollback, has the latest desired state and every revision with its cause', () => {
    const tables = project(lifecycle);
    expect(rows(tables, 'deployments')[0]).toMatchObject({
      replicas: 4,
      revision: 3,
      image: CREATED.image,
      resources: CREATED.resources,
      version: 4,
      updated_by: 'alice',
      updated_at: '2026-03-01T10:04:00.000Z',
      created_at: '2026-03-01T10:01:00.000Z',
    });
    expect(
      rows(tables, 'deployment_revisions').map((r) => [
        r.revision,
        r.cause,
        r.restored_from_revision,
        r.image,
      ]),
    ).toEqual([
      [1, 'created', null, CREATED.image],
      [2, 'updated', null, V2.image],
      [3, 'rolled_back', 1, CREATED.image],
    ]);
    expect(rows(tables, 'deployment_history').map((r) => [r.version, r.type, r.actor])).toEqual([
      [1, 'DeploymentCreated', 'alice'],
      [2, 'DeploymentScaled', 'bob'],
      [3, 'DeploymentUpdated', 'alice'],
      [4, 'DeploymentRolledBack', 'alice'],
    ]);
  });

  it('given a deletion, keeps the deployment as Deleted', () => {
    const tables = project([...lifecycle, event('DeploymentDeleted', 5, {})]);
    expect(rows(tables, 'deployments')[0]).toMatchObject({ status: 'Deleted', version: 5, replicas: 4 });
  });

  it('given a rejection, moves only the version and records what was refused', () => {
    const rejection = event('DeploymentRejected', 2, {
      command: 'ScaleDeployment',
      reasons: ['replicas must be >= 0'],
    });
    const tables = project([lifecycle[0]!, rejection]);
    expect(rows(tables, 'deployments')[0]).toMatchObject({
      version: 2,
      replicas: 2,
      updated_at: '2026-03-01T10:01:00.000Z',
    });
    expect(rows(tables, 'deployment_history')[1]).toMatchObject({
      type: 'DeploymentRejected',
      data: expect.objectContaining({ reasons: ['replicas must be >= 0'] }),
    });
  });

  it('given a rejection of a deployment that never existed, has only its history', () => {
    const tables = project([
      event('DeploymentRejected', 1, { command: 'ScaleDeployment', reasons: ['no such'] }),
    ]);
    expect(rows(tables, 'deployments')).toEqual([]);
    expect(rows(tables, 'deployment_history')).toHaveLength(1);
  });

  it('given cluster facts, fills the observed columns and the apply error without touching desired state', () => {
    const facts = [
      event('DeploymentCreated', 1, CREATED),
      event(
        'DeploymentApplyFailed',
        2,
        { reason: 'namespace inference not found', retriable: false },
        'sentinel-effects',
      ),
      event(
        'DeploymentApplied',
        3,
        { intentVersion: 1, action: 'apply', revision: 1, replicas: 2 },
        'sentinel-effects',
      ),
      event(
        'DeploymentStatusObserved',
        4,
        { revision: 1, readyReplicas: 2, replicas: 2, phase: 'Available', conditions: [] },
        'sentinel-effects',
      ),
      event('DeploymentDriftDetected', 5, { kind: 'modified', detail: 'image' }, 'sentinel-effects'),
    ];
    const [deployment] = rows(project(facts), 'deployments');
    expect(deployment).toMatchObject({
      version: 5,
      observed_phase: 'Available',
      observed_ready_replicas: 2,
      observed_revision: 1,
      observed_at: '2026-03-01T10:04:00.000Z',
      last_apply_error: null,
      updated_by: 'alice',
    });
    expect(rows(project(facts.slice(0, 2)), 'deployments')[0]!.last_apply_error).toBe(
      'namespace inference not found',
    );
    expect(rows(project(facts), 'deployment_history').map((r) => r.type)).toHaveLength(5);
  });

  it('gives the same rows when every event is applied twice', () => {
    expect(project(lifecycle, 2)).toEqual(project(lifecycle));
  });

  it('has no handler for types it does not know', () => {
    expect(evolve(deploymentsProjection, event('DeploymentTeleported', 2, {}))).toBeUndefined();
    expect(evolve(deploymentsProjection, event('toString', 2, {}))).toBeUndefined();
  });
});

describe('rendering row changes as SQL', () => {
  it('inserts unless the key exists, with objects and arrays as JSON text', () => {
    expect(
      render({ op: 'insert', table: 'deployment_history', row: { version: 1, data: { reasons: ['x'] } } }),
    ).toEqual({
      text: 'INSERT INTO deployment_history (version, data) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      values: [1, '{"reasons":["x"]}'],
    });
  });

  it('updates only rows older than the event', () => {
    expect(
      render({
        op: 'update',
        table: 'deployments',
        where: { id: 'd' },
        set: { replicas: 3, version: 7 },
        version: 7,
      }),
    ).toEqual({
      text: 'UPDATE deployments SET replicas = $1, version = $2 WHERE id = $3 AND version < $4',
      values: [3, 7, 'd', 7],
    });
  });

  it('renders the changes of one event as one statement with parameters numbered across them', () => {
    const statement = renderEvent([
      { op: 'insert', table: 'deployment_history', row: { deployment_id: 'd', version: 2 } },
      { op: 'update', table: 'deployments', where: { id: 'd' }, set: { replicas: 3 }, version: 2 },
    ])!;
    expect(statement.text).toBe(
      'WITH c0 AS (INSERT INTO deployment_history (deployment_id, version) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1), ' +
        'c1 AS (UPDATE deployments SET replicas = $3 WHERE id = $4 AND version < $5 RETURNING 1) SELECT 1',
    );
    expect(statement.values).toEqual(['d', 2, 3, 'd', 2]);
    expect(renderEvent([])).toBeUndefined();
  });

  it('renders a batch of events as one text, in order, with the literals the adapter makes', () => {
    const literal = (v: unknown) => (v === null ? 'NULL' : `'${String(v)}'`);
    const text = renderBatch(
      [
        [{ op: 'insert', table: 'deployments', row: { id: 'd', labels: { a: 1 }, team: null } }],
        [],
        [
          { op: 'insert', table: 'deployment_history', row: { deployment_id: 'd', version: 2 } },
          { op: 'update', table: 'deployments', where: { id: 'd' }, set: { replicas: 3 }, version: 2 },
        ],
      ],
      literal,
    );
    expect(text).toBe(
      `INSERT INTO deployments (id, labels, team) VALUES ('d', '{"a":1}', NULL) ON CONFLICT DO NOTHING;\n` +
        `WITH c0 AS (INSERT INTO deployment_history (deployment_id, version) VALUES ('d', '2') ON CONFLICT DO NOTHING RETURNING 1), ` +
        `c1 AS (UPDATE deployments SET replicas = '3' WHERE id = 'd' AND version < '2' RETURNING 1) SELECT 1`,
    );
    expect(renderBatch([[], []], literal)).toBe('');
  });

  it('refuses names that are not plain identifiers', () => {
    expect(() => render({ op: 'insert', table: 'x; DROP TABLE y', row: {} })).toThrow(
      /not a plain SQL identifier/,
    );
  });
});
