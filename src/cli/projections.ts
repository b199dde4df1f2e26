import { randomUUID } from 'crypto';
import { Command } from 'commander';
import { createLogger } from '../infrastructure/logging/logger';
import { Database } from '../infrastructure/postgres/database';
import type { ProjectionDefinition } from '../projections/projection';
import {
  decodingCodec,
  eventTopicsOf,
  liveGroupId,
  PROJECTIONS,
  projectionNamed,
} from '../projections/projections';
import { rebuildProjection, type RebuildProgress, type RebuildResult } from '../projections/rebuild';
import { schemaNames } from '../projections/read-model-schema';
import { cliEnv, cliKafka, explain, KAFKA_VARIABLES, validPrefix } from './replay';

/** `sentinel projections ...`: the Postgres read models (DESIGN.md §4). */
export const projectionsCommand = new Command('projections').description(
  'Postgres read models: rebuild one from the event log while the live one keeps serving',
);

const out = (line = '') => process.stdout.write(`${line}\n`);

interface RebuildOptions {
  all?: boolean;
  verify?: boolean;
  topicPrefix?: string;
}

projectionsCommand
  .command('rebuild')
  .description(
    'replay the event log from offset 0 into fresh tables, catch up with the live projection, ' +
      'and switch to them in one transaction; queries keep answering throughout',
  )
  .argument('[name]', `projection to rebuild: ${PROJECTIONS.map((p) => p.name).join(', ')}`)
  .option('--all', 'rebuild every projection, one after the other')
  .option(
    '--verify',
    'compare the rebuilt tables with the live ones before switching; exit 1 on a difference',
  )
  .option('--topic-prefix <prefix>', 'topic prefix (default: SENTINEL_TOPIC_PREFIX or sentinel)', validPrefix)
  .addHelpText(
    'after',
    '\nWith --verify a difference is reported per table and nothing is switched; the rebuilt tables\n' +
      'stay in read_<name>_next for inspection. Exit codes: 0 done, 1 error or difference, 78 configuration.',
  )
  .action(async (name: string | undefined, opts: RebuildOptions, command: Command) => {
    const chosen = choose(name, opts, command);
    const env = cliEnv([...KAFKA_VARIABLES, 'SENTINEL_SCHEMA_REGISTRY_URL', 'SENTINEL_DATABASE_URL']);
    const prefix = opts.topicPrefix ?? env.SENTINEL_TOPIC_PREFIX;
    const registry = env.SENTINEL_SCHEMA_REGISTRY_URL.replace(/\/+$/, '');
    const messaging = cliKafka(env);
    // One connection per partition being replayed (the consumer runs up to 8 at once), plus the
    // rebuild's lock, the switch and the progress reads.
    const database = new Database(env.SENTINEL_DATABASE_URL, 12);
    const logLevel = process.env.SENTINEL_LOG_LEVEL ? env.SENTINEL_LOG_LEVEL : 'error';
    const deps = {
      messaging,
      database,
      codec: decodingCodec(registry),
      logger: createLogger(logLevel, process.stderr),
    };
    try {
      for (const projection of chosen) {
        const started = Date.now();
        const result = await rebuildProjection(deps, {
          projection,
          topics: eventTopicsOf(prefix, projection),
          groupId: `${liveGroupId(prefix, projection.name)}-rebuild-${randomUUID()}`,
          verify: opts.verify ?? false,
          onProgress: progressPrinter(),
        });
        printResult(result, Date.now() - started);
        if (!result.switched) process.exitCode = 1;
      }
    } catch (error) {
      throw explain(error, { brokers: env.SENTINEL_KAFKA_BROKERS, registry });
    } finally {
      await messaging.close();
      await database.close();
    }
  });

function choose(name: string | undefined, opts: RebuildOptions, command: Command): ProjectionDefinition[] {
  if (opts.all && name) command.error('name a projection or pass --all, not both');
  if (opts.all) return [...PROJECTIONS];
  if (!name) command.error('say which: a projection name or --all');
  const projection = projectionNamed(name);
  if (!projection)
    command.error(`no projection named ${name} (known: ${PROJECTIONS.map((p) => p.name).join(', ')})`);
  return [projection];
}

/** One line a second while replaying, and one at every phase change. */
function progressPrinter(): (p: RebuildProgress) => void {
  let lastPhase = '';
  let lastAt = 0;
  return (p) => {
    if (p.phase === lastPhase && Date.now() - lastAt < 1000) return;
    lastPhase = p.phase;
    lastAt = Date.now();
    const partitions = p.partitions.map((x) => `${x.key} ${x.rebuilt}/${x.live}`).join('  ');
    out(`${p.projection}: ${p.phase}  ${partitions || '(no events yet)'}  events applied ${p.events}`);
  };
}

function printResult(result: RebuildResult, ms: number): void {
  if (!result.switched) return printDifferences(result);
  const at = [...result.positions].map(([k, v]) => `${k}@${v}`).join(' ');
  out(
    `${result.projection}: switched to the rebuilt tables at ${at || 'offset 0'}; ` +
      `${result.events} event(s) in ${(ms / 1000).toFixed(1)} s`,
  );
  // The rebuild follows the live projection; with none running it has nothing to follow.
  if (!at)
    out(
      `${result.projection}: the live projection has applied nothing yet; ` +
        'is a process with the projections role running on this database?',
    );
}

function printDifferences(result: RebuildResult): void {
  const side = (c: { rows: number; hash: string } | undefined) =>
    c ? `${c.rows} row(s) ${c.hash}` : 'missing';
  for (const m of result.mismatches)
    out(`${result.projection}: table ${m.table} differs: live ${side(m.live)}, rebuilt ${side(m.rebuilt)}`);
  out(
    `${result.projection}: NOT switched: the rebuilt tables differ from the live ones; ` +
      `they are kept in ${schemaNames(result.projection).next} for inspection`,
  );
}
