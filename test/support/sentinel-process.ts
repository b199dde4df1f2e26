import { spawn, ChildProcess } from 'child_process';
import { existsSync } from 'fs';
import { createServer } from 'net';
import { join } from 'path';
import { localSentinelEnv, REPO_ROOT, waitFor } from './env';

const MAIN = join(REPO_ROOT, 'dist', 'main.js');

export interface SentinelProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /**
   * Resolves once /readyz answers 200. A timeout names what was still not ready (the last
   * /readyz body) and ends with the process's log, so a failure says why and not only when.
   */
  ready(timeoutMs?: number): Promise<void>;
  /** Sends a signal and resolves with the exit code and signal once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Runs the built server (dist/main.js) as its own process, as `make up` does. */
export function spawnSentinel(env: Record<string, string>) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`make build\` first`);
  let output = '';
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => output };
}

export async function startSentinel(overrides: Record<string, string> = {}): Promise<SentinelProcess> {
  const port = await freePort();
  const env = localSentinelEnv({
    SENTINEL_HTTP_PORT: String(port),
    SENTINEL_LOG_LEVEL: 'info',
    ...overrides,
  });
  const { child, exited, output } = spawnSentinel(env);
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(`Sentinel to serve ${url}/healthz`, async () => {
    if (gone) throw new Error(`Sentinel exited during start-up:\n${output()}`);
    return fetch(`${url}/healthz`)
      .then((r) => (r.ok ? true : undefined))
      .catch(() => undefined);
  });
  return {
    url,
    child,
    output,
    ready: (timeoutMs = 90_000) => untilReady(url, output, timeoutMs),
    stop: async (signal = 'SIGTERM') => {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}

async function untilReady(url: string, output: () => string, timeoutMs: number): Promise<void> {
  let last = 'no answer yet';
  try {
    await waitFor(
      `${url}/readyz`,
      async () => {
        const r = await fetch(`${url}/readyz`).catch((e: Error) => e);
        if (r instanceof Error) return void (last = r.message);
        if (r.status === 200) return true;
        last = `${r.status} ${await r.text()}`;
      },
      timeoutMs,
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}; last answer: ${last}\nlast log lines:\n${output().slice(-6000)}`,
    );
  }
}
