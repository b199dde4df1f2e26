import { spawn } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';
import { localSentinelEnv, REPO_ROOT } from './env';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `sentinel` command as an operator would. Only the variables given (by default
 * the broker and registry of the local stack) are set, so a command that needs more says so.
 */
export function runCli(args: readonly string[], env?: Record<string, string>): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const stack = localSentinelEnv();
  const vars = env ?? {
    SENTINEL_KAFKA_BROKERS: stack.SENTINEL_KAFKA_BROKERS!,
    SENTINEL_SCHEMA_REGISTRY_URL: stack.SENTINEL_SCHEMA_REGISTRY_URL!,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...vars },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
