/**
 * Reads one number from Prometheus with an instant PromQL query: the facts policies decide on
 * (an SLO's burn rate, say) are PromQL expressions configured on the policy. A fact is a single
 * value, so a query that returns several series is an error, not a silent pick of one.
 */

export type PrometheusErrorCode = 'BAD_QUERY' | 'UNREACHABLE' | 'TIMEOUT' | 'NOT_ONE_VALUE' | 'FAILED';

/** A failed query with a code, and whether trying again may succeed. */
export class PrometheusError extends Error {
  constructor(
    readonly code: PrometheusErrorCode,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'PrometheusError';
  }
}

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://127.0.0.1:9090; user:password in it is sent as basic auth. */
  url: string;
  /** Per-query budget, for the HTTP call and Prometheus's own evaluation (default 5000 ms). */
  timeoutMs?: number;
}

interface ApiAnswer {
  status?: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

type Sample = [number, string];
interface Series {
  metric: Record<string, string>;
  value: Sample;
}

/** errorType values of the HTTP API whose cause may pass (overload, restart, slow evaluation). */
const RETRIABLE_ERROR_TYPES = new Set(['timeout', 'canceled', 'unavailable', 'internal']);

export class PrometheusClient {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly authorization?: string;

  constructor(options: PrometheusClientOptions) {
    const parsed = new URL(options.url);
    if (parsed.username || parsed.password) {
      const user = decodeURIComponent(parsed.username);
      const credentials = `${user}:${decodeURIComponent(parsed.password)}`;
      this.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
      parsed.username = '';
      parsed.password = '';
    }
    this.url = parsed.toString().replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /**
   * Evaluates `query` at `time` (default: Prometheus's now) and returns its one value: a scalar,
   * or the value of a one-series instant vector; undefined when the vector is empty (no data).
   * NaN and ±Inf are returned as such.
   */
  async instant(query: string, time?: Date): Promise<number | undefined> {
    const form = new URLSearchParams({ query, timeout: String(this.timeoutMs / 1000) });
    if (time) form.set('time', String(time.getTime() / 1000));
    const answer = await this.post('/api/v1/query', form, query);
    return oneValue(query, answer);
  }

  private async post(path: string, form: URLSearchParams, query: string): Promise<ApiAnswer> {
    const endpoint = `${this.url}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          ...(this.authorization ? { authorization: this.authorization } : {}),
        },
        body: form,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw this.transportError(endpoint, error);
    }
    const answer = parseAnswer(text);
    if (!answer)
      throw new PrometheusError(
        'FAILED',
        `${endpoint} answered HTTP ${response.status} without a Prometheus API body (${snippet(text)}); ` +
          'check that SENTINEL_PROMETHEUS_URL is the base URL of a Prometheus server',
        response.status >= 500,
      );
    if (answer.status === 'error' || !response.ok) throw apiError(query, response.status, answer);
    return answer;
  }

  private transportError(endpoint: string, error: unknown): PrometheusError {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      return new PrometheusError(
        'TIMEOUT',
        `Prometheus at ${endpoint} did not answer within ${this.timeoutMs} ms; it may be overloaded, or the query too expensive`,
        true,
      );
    const cause = e.cause?.code ?? e.cause?.message ?? e.message;
    return new PrometheusError(
      'UNREACHABLE',
      `Prometheus at ${endpoint} did not answer (${cause}); check that it is running and that ` +
        'SENTINEL_PROMETHEUS_URL points at it (local stack: stack/prometheus.sh up)',
      true,
    );
  }
}

function parseAnswer(text: string): ApiAnswer | undefined {
  try {
    const answer = JSON.parse(text) as ApiAnswer | null;
    return answer?.status === 'success' || answer?.status === 'error' ? answer : undefined;
  } catch {
    return undefined;
  }
}

function apiError(query: string, status: number, answer: ApiAnswer): PrometheusError {
  const type = answer.errorType ?? `HTTP ${status}`;
  const reason = `${type}: ${answer.error ?? 'no error text'}`;
  if (type === 'bad_data')
    return new PrometheusError(
      'BAD_QUERY',
      `Prometheus refused the query ${JSON.stringify(query)}: ${reason}`,
      false,
    );
  const retriable = RETRIABLE_ERROR_TYPES.has(type) || status >= 500;
  const code = type === 'timeout' ? 'TIMEOUT' : 'FAILED';
  return new PrometheusError(
    code,
    `Prometheus could not evaluate ${JSON.stringify(query)}: ${reason}`,
    retriable,
  );
}

function oneValue(query: string, answer: ApiAnswer): number | undefined {
  const { resultType, result } = answer.data ?? {};
  if (resultType === 'scalar') return sampleValue(result as Sample);
  if (resultType === 'vector' && Array.isArray(result)) {
    const series = result as Series[];
    if (series.length === 0) return undefined;
    if (series.length === 1) return sampleValue(series[0]!.value);
    throw new PrometheusError(
      'NOT_ONE_VALUE',
      `the query ${JSON.stringify(query)} returned ${series.length} series (${describeSeries(series)}), ` +
        'but a fact must be one value: aggregate them (sum, max, ...) or narrow the selector',
      false,
    );
  }
  const what = resultType === 'matrix' ? 'a range vector' : `a ${resultType ?? 'missing'} result`;
  throw new PrometheusError(
    'NOT_ONE_VALUE',
    `the query ${JSON.stringify(query)} returned ${what}; an instant query for a fact must return a scalar or one series`,
    false,
  );
}

/** Prometheus encodes sample values as strings, with NaN, +Inf and -Inf spelled out. */
export function sampleValue(sample: Sample): number {
  const text = sample[1];
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return text === 'NaN' ? NaN : Number(text);
}

function describeSeries(series: Series[]): string {
  const shown = series.slice(0, 3).map((s) => {
    const { __name__: name = '', ...labels } = s.metric;
    return `${name}{${Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')}}`;
  });
  return shown.join(', ') + (series.length > 3 ? ', ...' : '');
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length === 0 ? 'empty body' : JSON.stringify(flat.slice(0, 120));
}
