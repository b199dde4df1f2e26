import { readFileSync } from 'fs';
import { join } from 'path';
import { Config, loadConfig } from '../../src/infrastructure/config/config';
import { createLogger, Logger } from '../../src/infrastructure/logging/logger';

export const REPO_ROOT = join(__dirname, '..', '..');

/** Ports and versions of the local stack, from its one source (stack/stack.env). */
export function stackEnv(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(join(REPO_ROOT, 'stack', 'stack.env'), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]!] = m[2]!;
  }
  return vars;
}

/** The local signing key tests use unless the environment sets one (as `make` does). */
export const TEST_SIGNING_KEY = 'sentinel-test-signing-key-for-local-tokens-only';

/** Environment for a Sentinel process against the local stack; explicit env vars win. */
export function localSentinelEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const s = stackEnv();
  return {
    SENTINEL_AUTH_SIGNING_KEY: TEST_SIGNING_KEY,
    SENTINEL_KAFKA_BROKERS: `127.0.0.1:${s.KAFKA_PORT}`,
    SENTINEL_SCHEMA_REGISTRY_URL: `http://127.0.0.1:${s.REGISTRY_PORT}/apis/ccompat/v7`,
    SENTINEL_DATABASE_URL: `postgres://postgres@127.0.0.1:${s.POSTGRES_PORT}/sentinel_test`,
    SENTINEL_KUBECONFIG: join(REPO_ROOT, '.stack', 'kubeconfig'),
    SENTINEL_PROMETHEUS_URL: `http://127.0.0.1:${s.PROMETHEUS_PORT}`,
    ...pick(process.env, /^SENTINEL_/),
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    SENTINEL_LOG_LEVEL: process.env.SENTINEL_LOG_LEVEL ?? 'error',
    ...localSentinelEnv(overrides),
  });
}

export function testLogger(): Logger {
  return createLogger((process.env.SENTINEL_LOG_LEVEL as 'error' | undefined) ?? 'error');
}

/** Random names per test, as kafkajs's own suite does, so runs never see each other's data. */
export function randomName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function pick(env: NodeJS.ProcessEnv, pattern: RegExp): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => pattern.test(e[0]) && e[1] !== undefined),
  );
}
