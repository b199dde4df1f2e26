import { Command } from 'commander';
import { writeFileSync } from 'fs';
import { auditTopicsOf } from '../audit/audit-events';
import { AuditQueries } from '../audit/audit-queries';
import type { ReportFormat } from '../audit/report-format';
import { monthRange, parseRange, type RangeResult } from '../audit/report-range';
import { complianceReport, DEFAULT_AGENT_PREFIXES, parseAgentPrefixes } from '../audit/report-run';
import { Database } from '../infrastructure/postgres/database';
import { cliEnv, validPrefix } from './replay';

interface ReportOptions {
  month?: string;
  from?: string;
  to?: string;
  format: string;
  out?: string;
  agentPrefixes?: string;
  topicPrefix?: string;
}

/**
 * `sentinel report`: the compliance report (issue 7) straight from Postgres, the same bytes as
 * GET /v1/reports/compliance for the same range; its SHA-256 goes to stderr, the report to
 * stdout or --out.
 */
export const reportCommand = new Command('report')
  .description(
    'compliance report of a range: changes, denials, freezes, agent actions, rollbacks, access denials',
  )
  .option(
    '--month <YYYY-MM>',
    'a calendar month in UTC, e.g. 2026-11 = [2026-11-01T00:00Z, 2026-12-01T00:00Z)',
  )
  .option('--from <iso>', 'start instant, inclusive (with --to instead of --month)')
  .option('--to <iso>', 'end instant, exclusive; at most 366 days after --from')
  .option('--format <format>', 'json or csv', 'json')
  .option('--out <file>', 'write the report to this file instead of stdout')
  .option(
    '--agent-prefixes <list>',
    `actor prefixes counted as agents (default ${DEFAULT_AGENT_PREFIXES.join(',')})`,
  )
  .option('--topic-prefix <prefix>', 'topic prefix (default: SENTINEL_TOPIC_PREFIX or sentinel)', validPrefix)
  .addHelpText('after', '\nReads SENTINEL_DATABASE_URL. Exit codes: 0 done, 1 error, 78 configuration.')
  .action(async (opts: ReportOptions, command: Command) => {
    const range = rangeOf(opts, command);
    const prefixes = parseAgentPrefixes(opts.agentPrefixes, '--agent-prefixes');
    if (!prefixes.ok) command.error(`--agent-prefixes ${prefixes.errors[0]!.reason}`);
    if (opts.format !== 'json' && opts.format !== 'csv') command.error('--format must be json or csv');
    const env = cliEnv(['SENTINEL_DATABASE_URL', 'SENTINEL_TOPIC_PREFIX']);
    const database = new Database(env.SENTINEL_DATABASE_URL, 1);
    try {
      const queries = new AuditQueries(
        database.pool,
        auditTopicsOf(opts.topicPrefix ?? env.SENTINEL_TOPIC_PREFIX),
      );
      const rendered = await complianceReport(queries, range, opts.format as ReportFormat, prefixes.prefixes);
      if (opts.out) writeFileSync(opts.out, rendered.body);
      else process.stdout.write(rendered.body);
      process.stderr.write(
        `sha256 ${rendered.sha256}  ${rendered.body.length} bytes  [${range.from}, ${range.to})${opts.out ? `  ${opts.out}` : ''}\n`,
      );
    } finally {
      await database.close();
    }
  });

function rangeOf(opts: ReportOptions, command: Command) {
  if (opts.month !== undefined && (opts.from !== undefined || opts.to !== undefined))
    command.error('give --month or --from and --to, not both');
  if (opts.month === undefined && opts.from === undefined && opts.to === undefined)
    command.error('say which range: --month YYYY-MM, or --from and --to');
  const result: RangeResult =
    opts.month !== undefined ? monthRange(opts.month) : parseRange(opts.from, opts.to);
  if (!result.ok) return command.error(result.errors.map((e) => `--${e.field} ${e.reason}`).join('; '));
  return result.range;
}
