import { existsSync } from 'fs';
import { z } from 'zod';
import { ASYMMETRIC_ALGORITHMS, hostPort, intIn, isEd25519PrivateKey, url } from './validators';

/**
 * Sentinel's configuration comes only from environment variables, validated once at start-up.
 * Each variable documents what it should be, so a bad value stops the process with a message
 * that says what to set (STYLE.md practice 8).
 */

export const CONFIG_VARIABLES = {
  SENTINEL_HTTP_HOST: {
    schema: z.string().min(1).default('127.0.0.1'),
    help: 'interface the HTTP API binds to, e.g. 127.0.0.1 or 0.0.0.0',
  },
  SENTINEL_HTTP_PORT: { schema: intIn(1, 65535).default(3000), help: 'HTTP port, 1-65535' },
  SENTINEL_KAFKA_BROKERS: {
    schema: z
      .string()
      .min(1, 'is required')
      .transform((v) => v.split(',').map((s) => s.trim()))
      .pipe(z.array(hostPort).min(1)),
    help: 'comma-separated Kafka bootstrap brokers, e.g. 127.0.0.1:9092',
  },
  SENTINEL_KAFKA_CLIENT_ID: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only')
      .default('sentinel'),
    help: 'Kafka client id, also the prefix of transactional ids',
  },
  SENTINEL_KAFKA_SESSION_TIMEOUT_MS: {
    schema: intIn(6000, 300_000).default(30_000),
    help: 'consumer group session timeout in ms (6000-300000); how long a crashed member holds its partitions',
  },
  SENTINEL_TOPIC_PREFIX: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
      .default('sentinel'),
    help: 'prefix of every topic name, e.g. sentinel -> sentinel.commands',
  },
  SENTINEL_PARTITIONS: {
    schema: intIn(1, 256).default(6),
    help: 'partitions of the commands, events, results and changelog topics (1-256); fixed once topics exist',
  },
  SENTINEL_IDEMPOTENCY_RETENTION_MS: {
    schema: intIn(60_000, 30 * 86_400_000).default(86_400_000),
    help: 'how long a processed command id is remembered, in ms (default 24 h)',
  },
  SENTINEL_COMMAND_LOG_RETENTION_MS: {
    schema: intIn(3_600_000, 365 * 86_400_000).default(7 * 86_400_000),
    help: 'how long the commands and command-results topics keep records, in ms (default 7 d); events are kept forever',
  },
  SENTINEL_ROLES: {
    schema: z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()))
      .pipe(z.array(z.enum(['api', 'processor', 'effects', 'projections'])).min(1))
      .default(['api', 'processor', 'effects', 'projections']),
    help: 'comma-separated roles this process runs: api, processor, effects, projections (default all)',
  },
  SENTINEL_COMMAND_TIMEOUT_MS: {
    schema: intIn(100, 120_000).default(5000),
    help: 'how long a request waits for its command outcome before answering "accepted, pending", in ms',
  },
  SENTINEL_SCHEMA_REGISTRY_URL: {
    schema: url(['http', 'https']),
    help: 'Confluent-compatible schema registry base URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7',
  },
  SENTINEL_DATABASE_URL: {
    schema: url(['postgres', 'postgresql']),
    help: 'Postgres connection URL, e.g. postgres://postgres@127.0.0.1:5432/sentinel',
  },
  SENTINEL_DATABASE_POOL_MAX: { schema: intIn(1, 200).default(10), help: 'max Postgres connections, 1-200' },
  SENTINEL_DATABASE_PROJECTION_POOL_MAX: {
    schema: intIn(1, 200).default(6),
    help: "projection writers' own pool, 1-200",
  },
  SENTINEL_KUBECONFIG: {
    schema: z.string().min(1).refine(existsSync, 'names no readable file').optional(),
    help: 'path of a kubeconfig with one context per cluster Sentinel manages (unset: no clusters)',
  },
  SENTINEL_PROMETHEUS_URL: {
    schema: url(['http', 'https']).optional(),
    help: 'Prometheus base URL that policies read facts from with PromQL, e.g. http://127.0.0.1:9090 (unset: none)',
  },
  SENTINEL_LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    help: 'one of fatal, error, warn, info, debug, trace, silent',
  },
  SENTINEL_READY_TIMEOUT_MS: {
    schema: intIn(100, 60_000).default(2000),
    help: 'per-dependency timeout of /readyz checks in ms, 100-60000',
  },
  SENTINEL_SHUTDOWN_GRACE_MS: {
    schema: intIn(0, 300_000).default(15_000),
    help: 'how long shutdown waits for consumers to drain, in ms',
  },
  SENTINEL_AUTH_SIGNING_KEY: {
    schema: z
      .string()
      .refine((v) => Buffer.byteLength(v) >= 32, {
        error: (i) => `is ${Buffer.byteLength(String(i.input))} bytes; HS256 needs at least 32`,
      })
      .optional(),
    help: 'HS256 secret of at least 32 bytes for locally signed tokens (`sentinel token`); set this or SENTINEL_AUTH_JWKS_URL',
    secret: true,
  },
  SENTINEL_AUTH_JWKS_URL: {
    schema: z
      .string()
      .url('must be a URL')
      .refine(
        (v) => v.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/.test(v),
        'must start with https:// (http:// only for localhost)',
      )
      .optional(),
    help: 'JWKS URL of the OIDC issuer whose tokens are accepted; set this or SENTINEL_AUTH_SIGNING_KEY',
  },
  SENTINEL_AUTH_ISSUER: {
    schema: z.string().min(1).optional(),
    help: 'the iss every token must carry: sentinel-local by default with a signing key, the OIDC issuer URL (required) with a JWKS URL',
  },
  SENTINEL_AUTH_AUDIENCE: {
    schema: z.string().min(1).default('sentinel'),
    help: 'the aud every token must carry (default sentinel)',
  },
  SENTINEL_AUTH_ALGORITHMS: {
    schema: z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()))
      .pipe(z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1))
      .default(['RS256', 'ES256']),
    help: `JWS algorithms accepted with SENTINEL_AUTH_JWKS_URL, comma-separated, of ${ASYMMETRIC_ALGORITHMS.join(', ')} (default RS256,ES256)`,
  },
  SENTINEL_AUDIT_SIGNING_KEY: {
    schema: z.string().refine(isEd25519PrivateKey, 'is not an Ed25519 private key').optional(),
    help: 'Ed25519 private key (PEM or base64 PKCS#8) that signs the audit digests; make one with `sentinel audit keygen` (unset: no digests published)',
    secret: true,
  },
  SENTINEL_AUDIT_DIGEST_INTERVAL_MS: {
    schema: intIn(10_000, 7 * 86_400_000).default(3_600_000),
    help: 'how often the processor role publishes a signed audit digest, in ms (default 1 h)',
  },
} as const;

type Vars = typeof CONFIG_VARIABLES;
export type EnvName = keyof Vars;

export interface Config {
  http: { host: string; port: number };
  kafka: { brokers: string[]; clientId: string; sessionTimeoutMs: number };
  eventing: {
    topicPrefix: string;
    partitions: number;
    idempotencyRetentionMs: number;
    commandLogRetentionMs: number;
    commandTimeoutMs: number;
  };
  roles: readonly ('api' | 'processor' | 'effects' | 'projections')[];
  schemaRegistry: { url: string };
  database: { url: string; poolMax: number; projectionPoolMax: number };
  kubernetes: { kubeconfig?: string };
  prometheus: { url?: string };
  logLevel: z.infer<Vars['SENTINEL_LOG_LEVEL']['schema']>;
  readyTimeoutMs: number;
  shutdownGraceMs: number;
  auth: AuthConfig;
  /** Signed digests of the log (docs/adr/0008); none are published without a key. */
  audit: { signingKey?: string; digestIntervalMs: number };
}

/** The iss of locally signed tokens unless SENTINEL_AUTH_ISSUER says otherwise. */
export const LOCAL_ISSUER = 'sentinel-local';

/** Local tokens are HS256 with a shared key; production verifies an OIDC issuer's tokens. */
export type AuthConfig =
  | { mode: 'local'; signingKey: string; issuer: string; audience: string }
  | { mode: 'oidc'; jwksUrl: string; issuer: string; audience: string; algorithms: readonly string[] };

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: { variable: EnvName; reason: string; help: string }[]) {
    super(
      'Invalid configuration; set these environment variables:\n' +
        problems.map((p) => `  ${p.variable}: ${p.reason} (expected ${p.help})`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Parsed = { [K in EnvName]: z.output<Vars[K]['schema']> };
export type EnvValues<N extends EnvName> = Pick<Parsed, N>;

/**
 * Validates the named variables with their rules and defaults; throws one ConfigError listing
 * every bad one. Operator commands validate only what they need (`sentinel replay` needs no
 * database URL); the server validates them all through loadConfig.
 */
export function loadVariables<N extends EnvName>(
  names: readonly N[],
  env: Record<string, string | undefined> = process.env,
): EnvValues<N> {
  const problems: ConstructorParameters<typeof ConfigError>[0] = [];
  const parsed: Partial<Record<EnvName, unknown>> = {};
  for (const name of names) {
    const spec = CONFIG_VARIABLES[name];
    const raw = env[name];
    const result = (spec.schema as z.ZodType).safeParse(raw === '' ? undefined : raw);
    if (result.success) parsed[name] = result.data;
    else
      problems.push({
        variable: name,
        reason: describe(result.error, raw, 'secret' in spec),
        help: spec.help,
      });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed as EnvValues<N>;
}

/** Parses and validates the environment; throws a ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const p = loadVariables(Object.keys(CONFIG_VARIABLES) as EnvName[], env) as Parsed;
  return {
    http: { host: p.SENTINEL_HTTP_HOST, port: p.SENTINEL_HTTP_PORT },
    kafka: {
      brokers: p.SENTINEL_KAFKA_BROKERS,
      clientId: p.SENTINEL_KAFKA_CLIENT_ID,
      sessionTimeoutMs: p.SENTINEL_KAFKA_SESSION_TIMEOUT_MS,
    },
    eventing: {
      topicPrefix: p.SENTINEL_TOPIC_PREFIX,
      partitions: p.SENTINEL_PARTITIONS,
      idempotencyRetentionMs: p.SENTINEL_IDEMPOTENCY_RETENTION_MS,
      commandLogRetentionMs: p.SENTINEL_COMMAND_LOG_RETENTION_MS,
      commandTimeoutMs: p.SENTINEL_COMMAND_TIMEOUT_MS,
    },
    roles: p.SENTINEL_ROLES,
    schemaRegistry: { url: p.SENTINEL_SCHEMA_REGISTRY_URL.replace(/\/+$/, '') },
    database: {
      url: p.SENTINEL_DATABASE_URL,
      poolMax: p.SENTINEL_DATABASE_POOL_MAX,
      projectionPoolMax: p.SENTINEL_DATABASE_PROJECTION_POOL_MAX,
    },
    kubernetes: p.SENTINEL_KUBECONFIG ? { kubeconfig: p.SENTINEL_KUBECONFIG } : {},
    prometheus: p.SENTINEL_PROMETHEUS_URL ? { url: p.SENTINEL_PROMETHEUS_URL.replace(/\/+$/, '') } : {},
    logLevel: p.SENTINEL_LOG_LEVEL,
    readyTimeoutMs: p.SENTINEL_READY_TIMEOUT_MS,
    shutdownGraceMs: p.SENTINEL_SHUTDOWN_GRACE_MS,
    auth: authConfig(p, env),
    audit: {
      ...(p.SENTINEL_AUDIT_SIGNING_KEY ? { signingKey: p.SENTINEL_AUDIT_SIGNING_KEY } : {}),
      digestIntervalMs: p.SENTINEL_AUDIT_DIGEST_INTERVAL_MS,
    },
  };
}

/** The rules between the auth variables: exactly one key source, and what each mode needs. */
function authConfig(p: Parsed, env: Record<string, string | undefined>): AuthConfig {
  const problem = (variable: EnvName, reason: string) => ({
    variable,
    reason,
    help: CONFIG_VARIABLES[variable].help,
  });
  const key = p.SENTINEL_AUTH_SIGNING_KEY;
  const jwksUrl = p.SENTINEL_AUTH_JWKS_URL;
  if (!key && !jwksUrl)
    throw new ConfigError([
      problem('SENTINEL_AUTH_SIGNING_KEY', 'is missing, and so is SENTINEL_AUTH_JWKS_URL; set one'),
      problem('SENTINEL_AUTH_JWKS_URL', 'is missing, and so is SENTINEL_AUTH_SIGNING_KEY; set one'),
    ]);
  if (key && jwksUrl)
    throw new ConfigError([
      problem('SENTINEL_AUTH_SIGNING_KEY', 'is set together with SENTINEL_AUTH_JWKS_URL; set only one'),
    ]);
  const audience = p.SENTINEL_AUTH_AUDIENCE;
  if (key) {
    if (env.SENTINEL_AUTH_ALGORITHMS)
      throw new ConfigError([
        problem(
          'SENTINEL_AUTH_ALGORITHMS',
          'applies only with SENTINEL_AUTH_JWKS_URL; local tokens are HS256',
        ),
      ]);
    return { mode: 'local', signingKey: key, issuer: p.SENTINEL_AUTH_ISSUER ?? LOCAL_ISSUER, audience };
  }
  if (!p.SENTINEL_AUTH_ISSUER)
    throw new ConfigError([
      problem('SENTINEL_AUTH_ISSUER', 'is missing; it is required with SENTINEL_AUTH_JWKS_URL'),
    ]);
  const algorithms = p.SENTINEL_AUTH_ALGORITHMS;
  return { mode: 'oidc', jwksUrl: jwksUrl!, issuer: p.SENTINEL_AUTH_ISSUER, audience, algorithms };
}

/** Says what is wrong with a value; a secret's value is never repeated in the message. */
function describe(error: z.ZodError, raw: string | undefined, secret: boolean): string {
  if (raw === undefined || raw === '') return 'is missing';
  const issue = error.issues[0];
  return `${secret ? 'the value' : JSON.stringify(raw)} ${issue?.message ?? 'is invalid'}`;
}

/** The configuration with credentials removed, for logs and `sentinel config`. */
export function redact(config: Config): Config {
  const hide = (u: string) => u.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
  const auth = config.auth.mode === 'local' ? { ...config.auth, signingKey: '***' } : config.auth;
  const prometheus = config.prometheus.url ? { url: hide(config.prometheus.url) } : {};
  const audit = config.audit.signingKey ? { ...config.audit, signingKey: '***' } : config.audit;
  const database = { ...config.database, url: hide(config.database.url) };
  return { ...config, database, prometheus, auth, audit };
}
