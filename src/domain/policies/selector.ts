import type { PolicyRequest, Selector } from './types';

const list = (values: readonly string[]) => `[${values.join(', ')}]`;

function listMismatch(
  field: string,
  values: readonly string[] | undefined,
  value: string,
): string | undefined {
  return values === undefined || values.includes(value)
    ? undefined
    : `${field} ${value} is not in ${list(values)}`;
}

/**
 * Why the selector does not match the request, or undefined when it does. An omitted field
 * matches everything; every label listed must be present with the same value.
 */
export function selectorMismatch(selector: Selector, request: PolicyRequest): string | undefined {
  const label = Object.entries(selector.labels ?? {}).find(
    ([key, value]) => !Object.hasOwn(request.labels, key) || request.labels[key] !== value,
  );
  return (
    listMismatch('action', selector.actions, request.action) ??
    listMismatch('cluster', selector.clusters, request.cluster) ??
    listMismatch('namespace', selector.namespaces, request.namespace) ??
    listMismatch('team', selector.teams, request.team) ??
    (label ? `label ${label[0]}=${label[1]} is not on the deployment` : undefined)
  );
}
