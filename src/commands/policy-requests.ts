import { ACTIONS, DAYS } from '../domain/policies/types';
import { readPolicyBody } from '../domain/policies/definition';
import { ProblemException } from '../http/problem.filter';
import { deterministicId } from './identifiers';

/** A policy is named by its name: creating the same one twice is refused instead of duplicated. */
export const policyIdOf = (name: string) => deterministicId('policy', name);

/**
 * Checks a policy body at the edge with the same validatePolicy the decider uses, so a bad one
 * is a 400 naming each field and nothing reaches Kafka. `id` is absent on create (it follows
 * from the name); the version given here is only for validation, the decider assigns the real one.
 */
export function policyBody(body: unknown, id?: string): { id: string; name: string; definition: string } {
  const name =
    body !== null && typeof body === 'object' && typeof (body as { name?: unknown }).name === 'string'
      ? (body as { name: string }).name
      : '';
  const policyId = id ?? policyIdOf(name);
  const read = readPolicyBody(body, policyId, 1);
  if (read.ok) return { id: policyId, name: read.policy.name, definition: read.definition };
  throw new ProblemException({
    type: 'invalid-request',
    title: 'The policy is invalid',
    status: 400,
    detail: read.problems.map((p) => `${p.field || 'body'}: ${p.reason}`).join('; '),
    errors: read.problems.map((p) => ({ field: p.field || 'body', reason: p.reason })),
  });
}

const strings = { type: 'array', items: { type: 'string' } };

/**
 * The body's shape for the OpenAPI document. Validation is validatePolicy's (it also checks
 * each rule's fields, time zones and PromQL); this only tells clients what to send.
 */
export const POLICY_BODY_SCHEMA = {
  type: 'object',
  required: ['name', 'priority', 'mode', 'rule'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    priority: { type: 'integer', description: 'higher is evaluated first' },
    mode: { type: 'string', enum: ['enforce', 'dry_run'] },
    selector: {
      type: 'object',
      description: 'an omitted field matches everything',
      additionalProperties: false,
      properties: {
        clusters: strings,
        namespaces: strings,
        teams: strings,
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        actions: { type: 'array', items: { type: 'string', enum: [...ACTIONS] } },
      },
    },
    rule: {
      type: 'object',
      required: ['type'],
      description: `one of six rule types; change_freeze recurring days are ${DAYS.join(', ')}`,
      properties: {
        type: {
          type: 'string',
          enum: ['cost_ceiling', 'quota', 'sla', 'slo', 'rate_limit', 'change_freeze'],
        },
      },
      additionalProperties: true,
    },
  },
  example: {
    name: 'year-end-freeze',
    priority: 100,
    mode: 'enforce',
    selector: { clusters: ['prod-eu'], actions: ['create', 'update', 'scale'] },
    rule: {
      type: 'change_freeze',
      timezone: 'Europe/Paris',
      windows: [{ start: '2026-12-24T00:00:00', end: '2027-01-02T00:00:00' }],
    },
  },
};
