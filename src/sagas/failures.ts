import { isKubernetesError } from '../infrastructure/kubernetes/errors';
import { PublishFailed } from '../messaging/ports';

/** Why an effect failed, and whether the same action may succeed later. */
export interface Failure {
  readonly code: string;
  readonly reason: string;
  readonly retriable: boolean;
}

/**
 * The one place effect failures are classified (STYLE.md practice 7). Kubernetes answers are
 * classified by the adapter (429, 5xx, no connection, 409 conflicts, a missing namespace:
 * retriable; 400/422 invalid, 403, other 404s, unknown cluster: permanent), the log by its
 * publisher; anything else is a bug or an object Sentinel refuses to build, which trying again
 * cannot fix.
 */
export function classify(error: unknown): Failure {
  if (isKubernetesError(error))
    return { code: error.code, reason: error.message, retriable: error.retriable };
  if (error instanceof PublishFailed)
    return { code: error.code, reason: error.message, retriable: error.retriable };
  return { code: 'FAILED', reason: (error as Error)?.message ?? String(error), retriable: false };
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5000 };

export type Attempted<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | { readonly ok: false; readonly failure: Failure; readonly attempts: number };

export interface RetryClock {
  sleep(ms: number): Promise<void>;
  random(): number;
}

const realClock: RetryClock = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
  random: Math.random,
};

/**
 * Runs `work` until it succeeds, fails permanently, or runs out of attempts. Retriable failures
 * wait an exponential delay with full jitter, so many workers retrying one API server spread out.
 */
export async function withRetries<T>(
  work: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  clock: RetryClock = realClock,
): Promise<Attempted<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await work(), attempts: attempt };
    } catch (error) {
      const failure = classify(error);
      if (!failure.retriable || attempt >= policy.attempts) return { ok: false, failure, attempts: attempt };
      await clock.sleep(backoffDelay(attempt, policy, clock.random()));
    }
  }
}

/** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: number): number {
  return Math.floor(random * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
}
