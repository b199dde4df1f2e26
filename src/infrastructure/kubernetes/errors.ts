import { ApiException } from '@kubernetes/client-node';

export type KubernetesErrorCode =
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'GONE'
  | 'INVALID'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'UNAVAILABLE'
  | 'UNKNOWN_CLUSTER'
  | 'FAILED';

/**
 * A Kubernetes failure with a code, and whether trying again may succeed. This is the one place
 * that classifies API server answers (STYLE.md practice 7); effect workers only read `retriable`.
 */
export class KubernetesError extends Error {
  constructor(
    readonly code: KubernetesErrorCode,
    message: string,
    readonly retriable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'KubernetesError';
  }
}

export function isKubernetesError(e: unknown, code?: KubernetesErrorCode): e is KubernetesError {
  return e instanceof KubernetesError && (code === undefined || e.code === code);
}

const BY_STATUS: Record<number, [KubernetesErrorCode, boolean]> = {
  401: ['UNAUTHORIZED', false],
  403: ['FORBIDDEN', false],
  404: ['NOT_FOUND', false],
  // A stale resourceVersion: re-read and decide again.
  409: ['CONFLICT', true],
  410: ['GONE', true],
  422: ['INVALID', false],
  429: ['UNAVAILABLE', true],
};

export function toKubernetesError(error: unknown, what: string): KubernetesError {
  if (error instanceof KubernetesError) return error;
  if (error instanceof ApiException) {
    const status = error.code;
    const reason = apiMessage(error.body) ?? error.message;
    if (status === 404 && missingNamespace(error.body))
      return new KubernetesError(
        'NOT_FOUND',
        `${what}: ${reason}; create the namespace (Sentinel does not) and the next resync applies it`,
        true,
        status,
      );
    const [code, retriable] =
      BY_STATUS[status] ?? (status >= 500 ? ['UNAVAILABLE', true] : ['FAILED', false]);
    return new KubernetesError(code, `${what}: ${reason}`, retriable, status);
  }
  // No HTTP answer at all (refused, reset, timed out): the server may come back.
  return new KubernetesError('UNAVAILABLE', `${what}: ${(error as Error)?.message ?? String(error)}`, true);
}

/**
 * A missing namespace is the one 404 that someone else's action cures: namespaces are created
 * by the platform team, often after the deployment was requested. Retrying (each resync) lets
 * the deployment converge once it exists, instead of waiting for a new intent.
 */
function missingNamespace(body: unknown): boolean {
  const parsed = typeof body === 'string' ? safeParse(body) : body;
  return (parsed as { details?: { kind?: string } } | undefined)?.details?.kind === 'namespaces';
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function apiMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return (body as { message?: string } | undefined)?.message;
}
