#!/usr/bin/env node
import { Command } from 'commander';
import { readFileSync } from 'fs';
import { join } from 'path';
import { ConfigError, loadConfig, redact } from '../infrastructure/config/config';
import { Database } from '../infrastructure/postgres/database';
import { migrate, readMigrations } from '../infrastructure/postgres/migrations';
import { auditCommand } from './audit-tamper';
import { dlqCommand } from './dlq';
import { processCommands } from './process-commands';
import { projectionsCommand } from './projections';
import { replayCommand } from './replay';
import { reportCommand } from './report';
import { schemasCommand } from './schemas';
import { tokenCommand } from './token';

/** `sentinel ...`: operator commands. Each says what it did, and on failure what to do next. */
const ROOT = join(__dirname, '..', '..');
const MIGRATIONS_DIR = join(ROOT, 'migrations');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const program = new Command()
  .name('sentinel')
  .description('Sentinel control plane: operator commands')
  .version(VERSION)
  .showHelpAfterError();

program
  .command('config')
  .description('validate the environment and print the effective configuration (secrets redacted)')
  .action(() => {
    process.stdout.write(`${JSON.stringify(redact(loadConfig()), null, 2)}\n`);
  });

program
  .command('migrate')
  .description(
    'apply pending Postgres migrations from migrations/ (explicit step; the server never migrates)',
  )
  .option('--dir <path>', 'migrations folder', MIGRATIONS_DIR)
  .action(async (opts: { dir: string }) => {
    const config = loadConfig();
    const db = new Database(config.database.url, 1);
    try {
      const total = readMigrations(opts.dir).length;
      const applied = await migrate(db, opts.dir, (m) =>
        process.stdout.write(`applied ${String(m.version).padStart(4, '0')}_${m.name}\n`),
      );
      process.stdout.write(
        `${applied.length} applied, ${total - applied.length} already current (${total} in ${opts.dir})\n`,
      );
    } finally {
      await db.close();
    }
  });

program.addCommand(schemasCommand(ROOT));
program.addCommand(processCommands);
program.addCommand(replayCommand);
program.addCommand(dlqCommand);
program.addCommand(projectionsCommand);
program.addCommand(tokenCommand);
program.addCommand(auditCommand);
program.addCommand(reportCommand);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`sentinel: ${error.message}\n`);
    process.exit(78);
  }
  const e = error as Error & { code?: string };
  const hint = e.code === 'ECONNREFUSED' ? ' (is the stack running? start it with `make stack`)' : '';
  process.stderr.write(`sentinel: ${e.message}${hint}\n`);
  process.exit(1);
});
