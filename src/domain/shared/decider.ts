/**
 * An aggregate as a decider (STYLE.md practice 1): pure, synchronous functions. The command
 * processor loads state by folding `evolve` over the aggregate's events (or from a snapshot),
 * calls `decide`, and appends what it returns. Rejections are events too (DESIGN.md §3).
 */
export interface Decider<Command extends Message, Event extends Message, State> {
  readonly initialState: () => State;
  readonly decide: (command: Command, state: State, context: DecisionContext) => readonly Event[];
  readonly evolve: (state: State, event: Event) => State;
}

/** Readonly tagged record: `type` is the Avro record name, `data` its payload. */
export interface Message<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/** Facts from the edge, so a decision never reads a clock or calls anything (practice 5). */
export interface DecisionContext {
  readonly now: string;
  readonly actor: string;
  /** The command's own id, which records that answer it (a policy decision) carry. */
  readonly commandId: string;
}

/** Exhaustiveness guard for switches over message unions. */
export function unreachable(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
