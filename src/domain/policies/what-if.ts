import { parseInstant } from './local-time';
import {
  decideRead,
  type DecisionInputs,
  type ReadPolicy,
  readRecordedPolicy,
  type RecordedPolicy,
  unreadableReason,
} from './recorded';
import { evaluate } from './evaluate';
import type { DecisionOutcome, Policy, RuleResult } from './types';

/**
 * What-if: recorded decisions re-evaluated on their own recorded
 * inputs with some policies replaced, added or removed. Pure: the same decisions and changes
 * always give the same answer, which is what makes the comparison meaningful.
 */

/** A decision as the read model keeps it; `inputs.unreadable` when its facts or request are not readable. */
export interface RecordedDecision {
  readonly decisionId: string;
  readonly deploymentId: string;
  readonly actor: string;
  /** The decision's `now`, ISO. */
  readonly at: string;
  readonly outcome: DecisionOutcome;
  /** The recorded reasons, reported when a denial would have been let through. */
  readonly reasons: readonly string[];
  readonly inputs: DecisionInputs | { readonly unreadable: string };
  /**
   * The recorded result of each policy. With them only the changed policies are evaluated again:
   * a policy's result depends on nothing but its own inputs, so the others' stand as recorded.
   */
  readonly results?: readonly RuleResult[];
}

export type PolicyChange =
  | { readonly op: 'upsert'; readonly policy: Policy }
  | { readonly op: 'remove'; readonly policyId: string };

/** Whether the change went through: a dry-run denial (would_deny) does not block. */
export type Blocking = 'allowed' | 'denied';

export interface ChangedDecision {
  readonly decisionId: string;
  /** The deployment decided about. */
  readonly subject: string;
  readonly actor: string;
  readonly at: string;
  readonly before: Blocking;
  readonly after: Blocking;
  readonly outcomeBefore: DecisionOutcome;
  readonly outcomeAfter: DecisionOutcome;
  readonly reasons: readonly string[];
}

export interface WhatIfResult {
  readonly evaluated: number;
  /** Decisions whose blocking outcome changes, in time order. */
  readonly changed: readonly ChangedDecision[];
}

export const blocking = (outcome: DecisionOutcome): Blocking => (outcome === 'denied' ? 'denied' : 'allowed');

/** Reads each distinct recorded policy version once, however many decisions name it. */
class PolicyCache {
  private readonly read = new Map<string, { definition: string; read: ReadPolicy }>();

  get(p: RecordedPolicy): ReadPolicy {
    const key = `${p.policyId}\u0000${p.version}`;
    const hit = this.read.get(key);
    // A version's definition never changes; a mismatch would be a corrupt log, so read it afresh.
    if (hit?.definition === p.definition) return hit.read;
    const read = readRecordedPolicy(p);
    if (!hit) this.read.set(key, { definition: p.definition, read });
    return read;
  }
}

const idOf = (r: ReadPolicy) => (r.ok ? r.policy.id : r.policyId);

/** The changes as one edit: ids to drop from the recorded set, policies to add. The last change of an id wins. */
interface Edit {
  readonly touched: ReadonlySet<string>;
  readonly added: readonly ReadPolicy[];
}

function editOf(changes: readonly PolicyChange[]): Edit {
  const last = new Map<string, PolicyChange>();
  for (const c of changes) last.set(c.op === 'upsert' ? c.policy.id : c.policyId, c);
  const added = [...last.values()].flatMap((c): ReadPolicy[] =>
    c.op === 'upsert' ? [{ ok: true, policy: c.policy }] : [],
  );
  return { touched: new Set(last.keys()), added };
}

function reevaluate(decision: RecordedDecision, edit: Edit, cache: PolicyCache): ChangedDecision | undefined {
  const { inputs } = decision;
  // Unreadable inputs denied on the write side whatever the policies, and would deny again.
  if ('unreadable' in inputs) return undefined;
  const read = inputs.policies.map((p) => cache.get(p)).filter((r) => !edit.touched.has(idOf(r)));
  const decided = decision.results
    ? recombine(decision.results, read, edit, inputs)
    : decideRead([...read, ...edit.added], inputs.request, inputs.facts, inputs.now);
  const before = blocking(decision.outcome);
  const after = blocking(decided.outcome);
  if (before === after) return undefined;
  return {
    decisionId: decision.decisionId,
    subject: decision.deploymentId,
    actor: decision.actor,
    at: decision.at,
    before,
    after,
    outcomeBefore: decision.outcome,
    outcomeAfter: decided.outcome,
    // Let through now: what used to stop it is the interesting part.
    reasons: after === 'allowed' ? decision.reasons : decided.reasons,
  };
}

/** Same order as evaluate's: priority descending, then id, then version. */
function byPriority(a: RuleResult, b: RuleResult): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.policyId !== b.policyId) return a.policyId < b.policyId ? -1 : 1;
  return a.policyVersion - b.policyVersion;
}

/** The recorded results of the untouched policies with fresh ones for the upserted policies. */
function recombine(
  recorded: readonly RuleResult[],
  untouched: readonly ReadPolicy[],
  edit: Edit,
  inputs: DecisionInputs,
): { outcome: DecisionOutcome; reasons: readonly string[] } {
  const added = edit.added.flatMap((r) => (r.ok ? [r.policy] : []));
  const fresh = added.length > 0 ? evaluate(added, inputs.request, inputs.facts, inputs.now).results : [];
  const merged = [...recorded.filter((r) => !edit.touched.has(r.policyId)), ...fresh].sort(byPriority);
  const unreadable = untouched.flatMap((r) => (r.ok ? [] : [unreadableReason(r)]));
  const outcome: DecisionOutcome =
    unreadable.length > 0 || merged.some((r) => r.result === 'denied')
      ? 'denied'
      : merged.some((r) => r.result === 'would_deny')
        ? 'would_deny'
        : 'allowed';
  const stopping = merged.filter((r) => r.result === 'denied' || r.result === 'would_deny');
  return { outcome, reasons: [...unreadable, ...stopping.map((r) => r.reason)] };
}

/** Oldest first by instant (not by text: offsets may differ), then by id. */
function byTime(a: ChangedDecision, b: ChangedDecision): number {
  const t = (parseInstant(a.at) ?? 0) - (parseInstant(b.at) ?? 0);
  if (t !== 0) return t;
  return a.decisionId < b.decisionId ? -1 : a.decisionId > b.decisionId ? 1 : 0;
}

export function whatIf(
  recorded: readonly RecordedDecision[],
  changes: readonly PolicyChange[],
): WhatIfResult {
  const cache = new PolicyCache();
  const edit = editOf(changes);
  const changed: ChangedDecision[] = [];
  for (const decision of recorded) {
    const result = reevaluate(decision, edit, cache);
    if (result) changed.push(result);
  }
  return { evaluated: recorded.length, changed: changed.sort(byTime) };
}
