import { Lookup, type RowChange } from './projection';

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

/** Postgres's reserved key words (appendix C of its manual): as column names they need quotes. */
const RESERVED = new Set(
  `all analyse analyze and any array as asc asymmetric both case cast check collate column constraint
  create current_catalog current_date current_role current_time current_timestamp current_user default
  deferrable desc distinct do else end except false fetch for foreign from grant group having in
  initially intersect into lateral leading limit localtime localtimestamp not null offset on only or
  order placing primary references returning select session_user some symmetric system_user table then
  to trailing true union unique user using variadic when where window with`.split(/\s+/),
);

/** A column name, quoted when SQL reserves it (the audit read model has an `offset` column). */
const column = (name: string) => (RESERVED.has(identifier(name)) ? `"${name}"` : name);

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
  if (changes.length === 0) return undefined;
  const values: unknown[] = [];
  return { text: renderChanges(changes, parameters(values)), values };
}

/** One event's changes as one statement: alone, or as data-modifying WITH clauses. */
function renderChanges(changes: readonly RowChange[], param: (value: unknown) => string): string {
  if (changes.length === 1) return renderWith(changes[0]!, param);
  const clauses = changes.map((c, i) => `c${i} AS (${renderWith(c, param)} RETURNING 1)`);
  return `WITH ${clauses.join(', ')} SELECT 1`;
}

/**
 * A value as a SQL literal, quoted exactly as the driver would send it as a parameter; supplied
 * by the Postgres adapter (src/infrastructure/postgres), so this module stays driver-free.
 */
export type Literal = (value: unknown) => string;

/**
 * The changes of a batch of events, in their order, as one multi-statement text with inline
 * literals: one round trip per batch instead of one per event. Under load each round trip waits
 * for a turn of a busy event loop and for Postgres, and a projection that paid it per event fell
 * a second behind a burst of 100 creates. Literals are quoted, so Postgres types them from their
 * context as it types untyped parameters, and every name in the text is a checked identifier.
 */
export function renderBatch(events: readonly (readonly RowChange[])[], literal: Literal): string {
  const param = (value: unknown) => literal(parameter(value));
  return events
    .filter((changes) => changes.length > 0)
    .map((changes) => renderChanges(changes, param))
    .join(';\n');
}

const parameters = (values: unknown[]) => (value: unknown) => {
  values.push(parameter(value));
  return `$${values.length}`;
};

/** A scalar subquery: NULL when no row matches, and at most one does (it is keyed). */
function lookup(value: Lookup, param: (value: unknown) => string): string {
  const where = Object.entries(value.where).map(([c, v]) => `${column(c)} = ${param(v)}`);
  return `(SELECT ${column(value.column)} FROM ${identifier(value.table)} WHERE ${where.join(' AND ')})`;
}

function renderWith(change: RowChange, param: (value: unknown) => string): string {
  const table = identifier(change.table);
  if (change.op === 'insert') {
    const columns = Object.keys(change.row).map(column);
    const params = Object.values(change.row).map((v) => (v instanceof Lookup ? lookup(v, param) : param(v)));
    return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${params.join(', ')}) ON CONFLICT DO NOTHING`;
  }
  const set = Object.entries(change.set).map(([c, v]) => `${column(c)} = ${param(v)}`);
  const where = Object.entries(change.where).map(([c, v]) => `${column(c)} = ${param(v)}`);
  return `UPDATE ${table} SET ${set.join(', ')} WHERE ${[...where, `${column(change.versionColumn ?? 'version')} < ${param(change.version)}`].join(' AND ')}`;
}
