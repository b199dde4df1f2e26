import type { Decider, Message } from '../shared/decider';
import type { AccessDenied, RecordAccessDenial } from './contracts.generated';

export type AccessCommand = Message<'RecordAccessDenial', RecordAccessDenial>;
export type AccessEvent = Message<'AccessDenied', AccessDenied>;

/** Per subject: how many of its requests were refused, for the audit trail's own consistency. */
export interface AccessState {
  readonly denials: number;
}

/**
 * The access log of one subject (or `anonymous`). A denial is a fact the edge observed, so it
 * is always recorded; there is nothing to refuse.
 */
export const accessDecider: Decider<AccessCommand, AccessEvent, AccessState> = {
  initialState: () => ({ denials: 0 }),
  decide: (command) => [{ type: 'AccessDenied', data: { ...command.data } }],
  evolve: (state) => ({ denials: state.denials + 1 }),
};
