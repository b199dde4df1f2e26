import { ConfigError, loadConfig, redact } from './config';

const valid = {
  SENTINEL_KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9094',
  SENTINEL_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7/',
  SENTINEL_DATABASE_URL: 'postgres://sentinel:secret@127.0.0.1:5432/sentinel',
  SENTINEL_AUTH_SIGNING_KEY: 'a-local-signing-key-of-at-least-32-bytes',
};

function problemsOf(env: Record<string, string>) {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.variable}: ${p.reason}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses a valid environment and applies defaults', () => {
    const config = loadConfig(valid);
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9094']);
    expect(config.schemaRegistry.url).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.logLevel).toBe('info');
  });

  it('names every missing required variable', () => {
    expect(problemsOf({})).toEqual([
      'SENTINEL_KAFKA_BROKERS: is missing',
      'SENTINEL_SCHEMA_REGISTRY_URL: is missing',
      'SENTINEL_DATABASE_URL: is missing',
    ]);
  });

  it('says what is wrong with a bad value and what it should be', () => {
    const env = {
      ...valid,
      SENTINEL_HTTP_PORT: '70000',
      SENTINEL_KAFKA_BROKERS: 'localhost',
      SENTINEL_LOG_LEVEL: 'loud',
    };
    const problems = problemsOf(env);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^SENTINEL_HTTP_PORT: "70000"/);
    expect(problems[1]).toMatch(/^SENTINEL_KAFKA_BROKERS: "localhost" must be host:port/);
    expect(problems[2]).toMatch(/^SENTINEL_LOG_LEVEL: "loud"/);
    expect(() => loadConfig(env)).toThrow(/expected HTTP port, 1-65535/);
  });

  it('rejects a database URL of the wrong scheme', () => {
    expect(problemsOf({ ...valid, SENTINEL_DATABASE_URL: 'mysql://x@y/z' })).toEqual([
      'SENTINEL_DATABASE_URL: "mysql://x@y/z" must start with postgres:// or postgresql://',
    ]);
  });

  it('rejects a kubeconfig path that names no file', () => {
    expect(problemsOf({ ...valid, SENTINEL_KUBECONFIG: '/nonexistent/kubeconfig' })).toEqual([
      'SENTINEL_KUBECONFIG: "/nonexistent/kubeconfig" names no readable file',
    ]);
  });

  it('redacts the database password', () => {
    expect(redact(loadConfig(valid)).database.url).toBe('postgres://sentinel:***@127.0.0.1:5432/sentinel');
  });
});
