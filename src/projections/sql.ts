import type { RowChange } from './projection';

/** A parameterised SQL statement, as the Postgres driver takes it. */
export interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** What the projection code needs of a connection (the driver itself stays in infrastructure). */
export interface Queryable {
  query<R = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Table and column names come from code, never from input; anything else is a bug. */
export function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return name;
}

/**
 * Objects and arrays go as JSON text (the column type makes them jsonb); the driver would send
 * a JS array as a Postgres array, which is not what a jsonb column holds.
 */
function parameter(value: unknown): unknown {
  return value !== null && typeof value === 'object' && !(value instanceof Date)
    ? JSON.stringify(value)
    : value;
}

/**
 * Renders one row change. Table names are unqualified: the runner sets the search path to the
 * schema it writes (the live one or the one being rebuilt), so handlers never name a schema.
 */
export function render(change: RowChange): Statement {
  const values: unknown[] = [];
  return { text: renderWith(change, parameters(values)), values };
}

/**
 * The changes of one event as one statement: each a data-modifying WITH clause, so one round
 * trip instead of one per change. They all see one snapshot, which is safe because the changes
 * of one event touch different rows (its history row, its revision, its deployment).
 */
export function renderEvent(changes: readonly RowChange[]): Statement | undefined {
  if (changes.length <= 1) return changes[0] && render(changes[0]);
  const values: unknown[] = [];
  const param = parameters(values);
  const clauses = changes.map((c, i) => `c${i} AS (${renderWith(c, param)} RETURNING 1)`);
  return { text: `WITH ${clauses.join(', ')} SELECT 1`, values };
}

const parameters = (values: unknown[]) => (value: unknown) => {
  values.push(parameter(value));
  return `$${values.length}`;
};

function renderWith(change: RowChange, param: (value: unknown) => string): string {
  const table = identifier(change.table);
  if (change.op === 'insert') {
    const columns = Object.keys(change.row).map(identifier);
    const params = Object.values(change.row).map(param);
    return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${params.join(', ')}) ON CONFLICT DO NOTHING`;
  }
  const set = Object.entries(change.set).map(([c, v]) => `${identifier(c)} = ${param(v)}`);
  const where = Object.entries(change.where).map(([c, v]) => `${identifier(c)} = ${param(v)}`);
  return `UPDATE ${table} SET ${set.join(', ')} WHERE ${[...where, `${identifier(change.versionColumn ?? 'version')} < ${param(change.version)}`].join(' AND ')}`;
}
