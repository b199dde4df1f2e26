/**
 * A projection as data (DESIGN.md §4, STYLE.md practice 10): per event type, a pure handler that
 * says which rows change. The runner renders the changes to SQL and commits them with the
 * checkpoint; handlers never see a connection, a clock or the table's current contents.
 */

/** One event as a projection sees it: CloudEvents attributes, log position, upcast data. */
export interface ProjectedEvent<Data = unknown> {
  /** Type within the context, e.g. `DeploymentScaled`. */
  readonly type: string;
  readonly data: Data;
  readonly id: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly time: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Bounded context of the event (set by the runner; a projection of one context knows it). */
  readonly context?: string;
  /** Hash-chain links (`ce_eventhash`, `ce_prevhash`), when the event carries them. */
  readonly hash?: string;
  readonly previousHash?: string;
}

export type Row = Readonly<Record<string, unknown>>;

/**
 * A column value of an inserted row taken, when the row is written, from a row the projection
 * wrote earlier (NULL when there is none). It keeps handlers pure when a fact is known only from
 * an earlier event of the aggregate, e.g. an audit row's placement from its DeploymentCreated.
 */
export class Lookup {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly where: Row,
  ) {}
}

/**
 * The row changes a handler can ask for. Both are idempotent on their own, so a change applied
 * twice (which the checkpoint already prevents) would still leave the same rows:
 * - insert: add the row unless one with the same key exists (first write wins);
 * - update: set columns on the row matching `where`, only if its `version` is below `version`.
 */
export type RowChange =
  | { readonly op: 'insert'; readonly table: string; readonly row: Row }
  | {
      readonly op: 'update';
      readonly table: string;
      readonly where: Row;
      readonly set: Row;
      /** The event's aggregate version; rows already at or past it are left alone. */
      readonly version: number;
      /** The column holding the aggregate version, `version` unless the table uses that name otherwise. */
      readonly versionColumn?: string;
    };

export type Handler = (event: ProjectedEvent) => readonly RowChange[];

export interface ProjectionDefinition {
  /** Checkpoint name and CLI name, e.g. `deployments`. */
  readonly name: string;
  /** Bounded context whose event topic it reads, `<prefix>.<context>.events`. */
  readonly context: string;
  /** Avro namespace of the context's events; `ce_type` is `<namespace>.<type>`. */
  readonly namespace: string;
  /**
   * Every context it reads, when more than `context` alone (issue 7: the audit projection reads
   * every event topic). Handler keys stay short type names, so they must not repeat across these.
   */
  readonly contexts?: readonly ProjectionSource[];
  /** Its tables and their primary key columns (ordering for checksums, keys for inserts). */
  readonly tables: Readonly<Record<string, readonly string[]>>;
  /** Event types it understands; any other type is skipped (and counted). */
  readonly handlers: Readonly<Record<string, Handler>>;
}

export interface ProjectionSource {
  readonly context: string;
  readonly namespace: string;
}

/** The contexts whose event topics a projection reads. */
export const sourcesOf = (projection: ProjectionDefinition): readonly ProjectionSource[] =>
  projection.contexts ?? [{ context: projection.context, namespace: projection.namespace }];

/** The schema holding a projection's live tables (see migrations/0003). */
export const liveSchema = (projection: string) => `read_${projection}`;

/** The row changes for one event, or undefined when the projection has no handler for its type. */
export function evolve(
  projection: ProjectionDefinition,
  event: ProjectedEvent,
): readonly RowChange[] | undefined {
  const handler = Object.prototype.hasOwnProperty.call(projection.handlers, event.type)
    ? projection.handlers[event.type]
    : undefined;
  return handler?.(event);
}
