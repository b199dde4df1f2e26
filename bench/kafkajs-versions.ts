/**
 * kafkajs 2.2.3 against 2.2.4 on Sentinel's own command path (2.2.4 has a reported CPU
 * regression in its request queue). Runs command-throughput once per version in a child process
 * and prints the scenarios side by side, with this process's CPU per 1,000 commands.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';
import type { Row } from './command-throughput';

const VERSIONS = [
  { version: '2.2.4', args: [] as string[] },
  { version: '2.2.3', args: ['-r', join(__dirname, 'preload-kafkajs-2.2.3.js')] },
];

function rowsFor(args: string[]): Row[] {
  const output = execFileSync(process.execPath, [...args, join(__dirname, 'command-throughput.js')], {
    env: {
      ...process.env,
      BENCH_ROWS: '1',
      BENCH_COMMANDS: process.env.BENCH_COMMANDS ?? '2000',
      BENCH_SUSTAINED_S: process.env.BENCH_SUSTAINED_S ?? '5',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const line = output.trim().split('\n').pop()!;
  return JSON.parse(line) as Row[];
}

const out = (s: string) => process.stdout.write(`${s}\n`);
const results = VERSIONS.map((v) => {
  process.stderr.write(`kafkajs ${v.version}: running the command path\n`);
  return { version: v.version, rows: rowsFor(v.args) };
});
out('\nkafkajs 2.2.3 vs 2.2.4, same command path and broker');
out(
  `${'scenario'.padEnd(50)}${'version'.padStart(9)}${'cmd/s'.padStart(8)}${'p99 ms'.padStart(9)}${'cpu ms/1k'.padStart(11)}`,
);
for (const scenario of results[0]!.rows.map((r) => r.scenario)) {
  for (const { version, rows } of results) {
    const r = rows.find((x) => x.scenario === scenario)!;
    out(
      `${scenario.padEnd(50)}${version.padStart(9)}${r.perSecond.toFixed(0).padStart(8)}${r.p99.toFixed(1).padStart(9)}${r.cpuMsPer1k.toFixed(0).padStart(11)}`,
    );
  }
}
