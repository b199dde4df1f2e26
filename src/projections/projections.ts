import type { ContractCodec } from '../eventing/codec';
import { topics as topicLayout } from '../eventing/topics';
import { AvroRegistry } from '../infrastructure/schema-registry/avro-registry';
import { loadCatalog } from '../infrastructure/schema-registry/catalog';
import { ContractDecoder } from '../infrastructure/schema-registry/contract-decoder';
import { Upcaster } from '../infrastructure/schema-registry/upcaster';
import { auditProjection } from './audit.projection';
import { decisionsProjection } from './decisions.projection';
import { deploymentsProjection } from './deployments.projection';
import { policiesProjection } from './policies.projection';
import { type ProjectionDefinition, sourcesOf } from './projection';
import { ProjectionRunner, type RunnerDeps } from './projection-runner';
import { schemaNames } from './read-model-schema';

/** Every projection Sentinel maintains; `sentinel projections rebuild --all` rebuilds these. */
export const PROJECTIONS: readonly ProjectionDefinition[] = [
  deploymentsProjection,
  policiesProjection,
  decisionsProjection,
  auditProjection,
];

export function projectionNamed(name: string): ProjectionDefinition | undefined {
  return PROJECTIONS.find((p) => p.name === name);
}

/** Names only: partition counts and retention do not change them. */
function layout(prefix: string) {
  return topicLayout({ prefix, partitions: 1, contexts: [], commandLogRetentionMs: 0 });
}

export const eventTopicsOf = (prefix: string, projection: ProjectionDefinition): string[] =>
  sourcesOf(projection).map((s) => layout(prefix).events(s.context));

/** The live projection's durable consumer group. */
export const liveGroupId = (prefix: string, projection: string) => `${prefix}-projection-${projection}`;

/** Decodes (upcast to the latest version) and never registers: projections only read. */
export function decodingCodec(registryUrl: string): Pick<ContractCodec, 'decode'> {
  const decoder = new ContractDecoder(new AvroRegistry(registryUrl), new Upcaster(loadCatalog()));
  return {
    decode: async (value) => {
      const decoded = await decoder.decode(value);
      return { fullName: decoded.fullName, data: decoded.value };
    },
  };
}

/** Starts the live consumer of every projection; poison events are parked on `<prefix>.dlq`. */
export async function startProjections(deps: RunnerDeps, prefix: string): Promise<ProjectionRunner[]> {
  const runners: ProjectionRunner[] = [];
  try {
    for (const projection of PROJECTIONS) {
      await requireTables(deps, projection);
      const runner = new ProjectionRunner(
        { ...deps, logger: deps.logger.child({ component: 'projection', projection: projection.name }) },
        {
          projection,
          mode: 'live',
          groupId: liveGroupId(prefix, projection.name),
          topics: eventTopicsOf(prefix, projection),
          deadLetterTopic: layout(prefix).dlq,
        },
      );
      await runner.start();
      runners.push(runner);
    }
    return runners;
  } catch (error) {
    await Promise.all(runners.map((r) => r.stop()));
    throw error;
  }
}

/** Fails (and the caller retries) with what to do, instead of failing every batch. */
async function requireTables(deps: RunnerDeps, projection: ProjectionDefinition): Promise<void> {
  const schema = schemaNames(projection.name).live;
  const { rows } = await deps.database.pool.query<{ found: boolean }>(
    'SELECT to_regnamespace($1) IS NOT NULL AS found',
    [schema],
  );
  if (!rows[0]?.found)
    throw new Error(
      `schema ${schema} of projection ${projection.name} does not exist: run \`sentinel migrate\``,
    );
}
