import type { Policy, Problem } from './types';
import { validatePolicy } from './validate';

/**
 * A policy's definition as events carry it: canonical JSON of the body a caller sends
 * ({name, priority, mode, selector, rule}). The aggregate owns `id` and `version`, so they are
 * not part of it; keys are sorted so the same policy always has the same text, which is how an
 * unchanged republish is recognised.
 */
export type DefinitionReading =
  | { readonly ok: true; readonly policy: Policy; readonly definition: string }
  | { readonly ok: false; readonly problems: readonly Problem[] };

const OWNED_BY_AGGREGATE = ['id', 'version'];

/** Validates a caller's body as the policy `id` at `version`; the definition is its canonical text. */
export function readPolicyBody(body: unknown, id: string, version: number): DefinitionReading {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const owned = OWNED_BY_AGGREGATE.filter((k) => Object.hasOwn(body, k));
    if (owned.length > 0)
      return {
        ok: false,
        problems: owned.map((field) => ({ field, reason: 'is assigned by Sentinel; do not send it' })),
      };
  }
  const checked = validatePolicy(body !== null && typeof body === 'object' ? { ...body, id, version } : body);
  if (!checked.ok) return checked;
  const { id: _id, version: _version, ...rest } = checked.policy;
  return { ok: true, policy: checked.policy, definition: canonicalJson(rest) };
}

/** Reads a definition back from an event or command: it is validated again, never trusted. */
export function readDefinition(definition: string, id: string, version: number): DefinitionReading {
  let body: unknown;
  try {
    body = JSON.parse(definition);
  } catch {
    return { ok: false, problems: [{ field: 'definition', reason: 'is not valid JSON' }] };
  }
  return readPolicyBody(body, id, version);
}

/** `field: reason`, the form rejections carry so the edge can name the field. */
export const describeProblem = (p: Problem): string => (p.field ? `${p.field}: ${p.reason}` : p.reason);

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
