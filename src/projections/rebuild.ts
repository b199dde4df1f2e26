import { partitionKey, readCheckpoints, rebuildCheckpointName } from './checkpoints';
import type { ProjectionDefinition } from './projection';
import { ProjectionRunner, type RunnerDeps } from './projection-runner';
import {
  cloneSchema,
  dropSchema,
  releaseRebuildLock,
  schemaNames,
  tryRebuildLock,
} from './read-model-schema';
import { lag, type Mismatch, switchOver, type SwitchOutcome } from './rebuild-switch';

/**
 * Rebuild = replay from offset 0 into fresh tables, then switch (DESIGN.md §4, invariant 4),
 * while the live projection keeps serving. The rebuild follows the live projection and never
 * passes its checkpoints, so at the switch both stand at the same positions and their tables
 * can be compared; the live projection then carries on from there in the new tables.
 */
export class RebuildError extends Error {
  constructor(
    readonly code: 'REBUILD_RUNNING' | 'NOT_MIGRATED',
    message: string,
  ) {
    super(message);
    this.name = 'RebuildError';
  }
}

export interface RebuildProgress {
  readonly projection: string;
  readonly phase: 'replaying' | 'switching' | 'switched' | 'kept';
  /** Per `topic/partition`: the rebuild's next offset and the live one it is heading for. */
  readonly partitions: readonly { key: string; rebuilt: bigint; live: bigint }[];
  readonly events: number;
}

export interface RebuildRequest {
  readonly projection: ProjectionDefinition;
  readonly topics: readonly string[];
  /** Kafka group of the replaying consumer; a fresh one, so it starts at offset 0. */
  readonly groupId: string;
  readonly verify: boolean;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Start the switch once the rebuild trails the live projection by at most this many records. */
  readonly switchWithin?: number;
  readonly switchTimeoutMs?: number;
  readonly pollMs?: number;
}

export interface RebuildResult {
  readonly projection: string;
  readonly switched: boolean;
  readonly events: number;
  readonly positions: Map<string, bigint>;
  readonly mismatches: readonly Mismatch[];
}

export async function rebuildProjection(deps: RunnerDeps, request: RebuildRequest): Promise<RebuildResult> {
  const name = request.projection.name;
  const session = await deps.database.pool.connect();
  try {
    if (!(await tryRebuildLock(session, name)))
      throw new RebuildError('REBUILD_RUNNING', `another rebuild of ${name} is running`);
    try {
      await prepare(deps, name);
      return await replayAndSwitch(deps, request);
    } finally {
      await releaseRebuildLock(session, name);
    }
  } finally {
    session.release();
  }
}

/** Fresh, empty tables shaped like the live ones; leftovers of an interrupted rebuild go first. */
async function prepare(deps: RunnerDeps, name: string): Promise<void> {
  const names = schemaNames(name);
  await deps.database.transaction(async (tx) => {
    const { rows } = await tx.query<{ found: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS found',
      [names.live],
    );
    if (!rows[0]!.found)
      throw new RebuildError('NOT_MIGRATED', `schema ${names.live} does not exist: run \`sentinel migrate\``);
    await dropSchema(tx, names.next);
    await dropSchema(tx, names.old);
    await tx.query('DELETE FROM public.projection_checkpoints WHERE projection = $1', [
      rebuildCheckpointName(name),
    ]);
    await cloneSchema(tx, names.live, names.next);
  });
}

async function replayAndSwitch(deps: RunnerDeps, request: RebuildRequest): Promise<RebuildResult> {
  const name = request.projection.name;
  let ceilings = new Map<string, bigint>();
  const runner = new ProjectionRunner(deps, {
    projection: request.projection,
    mode: 'rebuild',
    groupId: request.groupId,
    topics: request.topics,
    ceiling: (topic, partition) => ceilings.get(partitionKey(topic, partition)) ?? 0n,
  });
  const report = (phase: RebuildProgress['phase'], live: Map<string, bigint>, rebuilt: Map<string, bigint>) =>
    request.onProgress?.({
      projection: name,
      phase,
      partitions: [...new Set([...live.keys(), ...rebuilt.keys()])]
        .sort()
        .map((key) => ({ key, rebuilt: rebuilt.get(key) ?? 0n, live: live.get(key) ?? 0n })),
      events: runner.stats.applied,
    });
  await runner.start();
  let outcome: Decided;
  try {
    outcome = await untilDecided(
      deps,
      request,
      { hold: (c) => (ceilings = c), ready: () => runner.joined },
      report,
    );
  } finally {
    // Once switched, the rebuild's names are the live ones: nothing more may be written under them.
    await runner.stop();
  }
  report(outcome.switched ? 'switched' : 'kept', outcome.positions, outcome.positions);
  return finish(deps, name, runner.stats.applied, outcome);
}

type Decided = Exclude<SwitchOutcome, { reason: 'behind' }>;

/**
 * Follows the live checkpoints (the rebuild may go up to them, never past) and tries the switch
 * once the rebuild is close behind; a switch that could not close the gap in time lets the live
 * projection go on and is tried again.
 */
async function untilDecided(
  deps: RunnerDeps,
  request: RebuildRequest,
  rebuild: { hold: (live: Map<string, bigint>) => void; ready: () => boolean },
  report: (phase: RebuildProgress['phase'], live: Map<string, bigint>, rebuilt: Map<string, bigint>) => void,
): Promise<Decided> {
  const name = request.projection.name;
  for (;;) {
    const live = await readCheckpoints(deps.database.pool, name);
    rebuild.hold(live);
    const rebuilt = await readCheckpoints(deps.database.pool, rebuildCheckpointName(name));
    report('replaying', live, rebuilt);
    // Live writers pause during the switch: only for the last gap, never for the group join.
    if (rebuild.ready() && lag(live, rebuilt) <= BigInt(request.switchWithin ?? 1000)) {
      report('switching', live, rebuilt);
      const outcome = await switchOver(deps.database, {
        projection: name,
        verify: request.verify,
        hold: rebuild.hold,
        timeoutMs: request.switchTimeoutMs ?? 30_000,
        pollMs: 50,
      });
      if (outcome.switched || outcome.reason === 'mismatch') return outcome;
    }
    await new Promise((r) => setTimeout(r, request.pollMs ?? 200));
  }
}

async function finish(
  deps: RunnerDeps,
  name: string,
  events: number,
  outcome: Decided,
): Promise<RebuildResult> {
  if (!outcome.switched)
    return {
      projection: name,
      switched: false,
      events,
      positions: outcome.positions,
      mismatches: outcome.mismatches,
    };
  // Queries that resolved the old tables just before the switch finish first: DROP waits for them.
  await dropSchema(deps.database.pool, schemaNames(name).old).catch((err: unknown) =>
    deps.logger.warn(
      { err, projection: name },
      'the replaced tables could not be dropped; the next rebuild will',
    ),
  );
  return { projection: name, switched: true, events, positions: outcome.positions, mismatches: [] };
}
