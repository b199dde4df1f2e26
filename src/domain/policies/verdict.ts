import type { Policy, PolicyFacts, PolicyRequest } from './types';

/** What one rule concluded, before the policy's mode and exceptions are applied. */
export interface Verdict {
  readonly pass: boolean;
  readonly reason: string;
}

export interface RuleContext {
  readonly policy: Policy;
  readonly request: PolicyRequest;
  readonly facts: PolicyFacts;
  /** Epoch milliseconds of the decision's `now`. */
  readonly now: number;
}

export const pass = (reason: string): Verdict => ({ pass: true, reason });
export const fail = (reason: string): Verdict => ({ pass: false, reason });
