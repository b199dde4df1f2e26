/**
 * The tables of a compliance report and their column order: the JSON rows carry exactly these
 * keys and the CSV sections these columns, so the two formats cannot drift apart.
 */
/** Lists (a denial's reasons) stay lists in JSON and become JSON text in a CSV cell. */
export type Cell = string | number | boolean | null | readonly string[];
export type Row = Readonly<Record<string, Cell>>;

const COUNTS = ['total', 'created', 'updated', 'scaled', 'rolledBack', 'deleted'] as const;
const POSITION = ['topic', 'partition', 'offset'] as const;

export const TABLES = {
  changesByCluster: ['cluster', ...COUNTS],
  changesByTeam: ['team', ...COUNTS],
  changesByActor: ['actor', ...COUNTS],
  deniedAttempts: [
    'at',
    'eventType',
    'deploymentId',
    'command',
    'actor',
    'cluster',
    'team',
    'decisionId',
    'reasons',
    ...POSITION,
  ],
  freezeChanges: [
    'at',
    'decisionId',
    'deploymentId',
    'action',
    'actor',
    'cluster',
    'team',
    'outcome',
    'policyId',
    'policyVersion',
    'policyName',
    'result',
    'approver',
    'exceptionReason',
    'expires',
    ...POSITION,
  ],
  agentActions: ['actor', 'eventType', 'count'],
  rollbacks: ['at', 'deploymentId', 'actor', 'cluster', 'team', 'toRevision', 'revision', ...POSITION],
  accessDenials: ['at', 'subject', 'role', 'status', 'reason', 'method', 'path', ...POSITION],
} as const satisfies Record<string, readonly string[]>;

/** What every report says about how to read it. */
export const NOTES = [
  "Times are the events' own (ce_time), in UTC; the range is half-open [from, to).",
  'Changes are desired-state events: DeploymentCreated, Updated, Scaled, RolledBack and Deleted.',
  'Agent actions are events whose actor starts with one of scope.agentActorPrefixes: an event ' +
    "records its actor, not the actor's role, so an agent is recognised by its naming convention.",
  'Changes inside freeze windows are the change_freeze results of PolicyEvaluated that denied, ' +
    'would have denied (dry run) or were let through by an exception, with its approver.',
];

export type TableName = keyof typeof TABLES;
export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

/** Kafka offsets are int64 decimal text: padded, they sort as numbers. */
const sortableOffset = (offset: string) => offset.padStart(20, '0');

type Key = readonly (string | number | null)[];

/**
 * A total order over rows: by the given columns, then by log position, which no two events
 * share. Strings compare by code unit, never by locale, so every machine sorts alike.
 */
export function byColumns(columns: readonly string[]): (a: Row, b: Row) => number {
  const key = (r: Row): Key => [
    ...columns.map((c) => scalar(r[c])),
    (r.topic as string | undefined) ?? null,
    (r.partition as number | undefined) ?? null,
    typeof r.offset === 'string' ? sortableOffset(r.offset) : null,
  ];
  return (a, b) => compareKeys(key(a), key(b));
}

const scalar = (c: Cell | undefined): string | number | null =>
  c === undefined || c === null
    ? null
    : typeof c === 'string' || typeof c === 'number'
      ? c
      : JSON.stringify(c);

function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareCells(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

function compareCells(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
