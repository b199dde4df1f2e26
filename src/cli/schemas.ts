import { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { loadVariables } from '../infrastructure/config/config';
import { AvroRegistry } from '../infrastructure/schema-registry/avro-registry';
import { displayPath, loadCatalog } from '../infrastructure/schema-registry/catalog';
import { contractsFile, renderContracts } from '../infrastructure/schema-registry/codegen';
import { createMissingFixtures } from '../infrastructure/schema-registry/fixtures';
import { defaultTopics, registerAll } from '../infrastructure/schema-registry/registration';

/** `sentinel schemas ...`: the Avro contracts in schemas/avro/, the source of truth (DESIGN.md §2). */
export function schemasCommand(root: string): Command {
  const schemasDir = join(root, 'schemas', 'avro');
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const schemas = new Command('schemas').description(
    'Avro contracts: TypeScript types, golden fixtures, registration',
  );

  schemas
    .command('codegen')
    .description('write src/domain/<context>/contracts.generated.ts from the latest schema versions')
    .action(() => {
      const catalog = loadCatalog(schemasDir);
      for (const context of catalog.contexts()) {
        const file = contractsFile(join(root, 'src', 'domain'), context);
        const content = renderContracts(catalog, context);
        const unchanged = existsSync(file) && readFileSync(file, 'utf8') === content;
        if (!unchanged) {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, content);
        }
        out(`${unchanged ? 'unchanged' : 'wrote'} ${displayPath(file)}`);
      }
    });

  schemas
    .command('fixtures')
    .description('create golden fixtures for schema versions that have none (never rewrites one)')
    .action(() => {
      const changes = createMissingFixtures(loadCatalog(schemasDir));
      for (const c of changes) out(`created ${displayPath(c.file)} (${c.how})`);
      out(
        changes.length
          ? `${changes.length} file(s) created; review and commit them`
          : 'every version has its fixture',
      );
    });

  schemas
    .command('register')
    .description('register every schema version, oldest first, with BACKWARD_TRANSITIVE compatibility')
    .option(
      '--topic-prefix <prefix>',
      'topics are <prefix>.commands and <prefix>.<context>.events',
      'sentinel',
    )
    .action(async (opts: { topicPrefix: string }) => {
      if (!/^[A-Za-z0-9._-]+$/.test(opts.topicPrefix)) {
        throw new Error(
          `--topic-prefix ${JSON.stringify(opts.topicPrefix)}: use letters, digits, . _ - only`,
        );
      }
      const registry = new AvroRegistry(registryUrl());
      const registered = await registerAll(
        registry,
        defaultTopics(opts.topicPrefix),
        loadCatalog(schemasDir),
      );
      for (const r of registered.values()) {
        const ids = [...r.idsByVersion].map(([v, id]) => `v${v}=${id}`).join(' ');
        out(`${r.subject}: ${ids}`);
      }
      out(`${registered.size} subject(s) current`);
    });
  return schemas;
}

/** Only the registry URL is needed here, so only it is validated (not the whole server config). */
function registryUrl(): string {
  return loadVariables(['SENTINEL_SCHEMA_REGISTRY_URL']).SENTINEL_SCHEMA_REGISTRY_URL.replace(/\/+$/, '');
}
