import type { Database } from '../infrastructure/postgres/database';
import { readCheckpoints, rebuildCheckpointName } from './checkpoints';
import {
  checksums,
  type SchemaNames,
  schemaNames,
  swapSchemas,
  takeExclusiveSwitchLock,
  type TableChecksum,
} from './read-model-schema';
import type { Queryable } from './sql';

export interface Mismatch {
  readonly table: string;
  readonly live: TableChecksum | undefined;
  readonly rebuilt: TableChecksum | undefined;
}

export type SwitchOutcome =
  | { readonly switched: true; readonly positions: Map<string, bigint> }
  | { readonly switched: false; readonly reason: 'behind' }
  | {
      readonly switched: false;
      readonly reason: 'mismatch';
      readonly positions: Map<string, bigint>;
      readonly mismatches: readonly Mismatch[];
    };

export interface SwitchRequest {
  readonly projection: string;
  readonly verify: boolean;
  /** Called with the live positions once live writers are paused: the rebuild may go up to them. */
  readonly hold: (live: Map<string, bigint>) => void;
  /** How long live writers may stay paused while the rebuild closes the last gap. */
  readonly timeoutMs: number;
  readonly pollMs: number;
}

/**
 * The switch (migrations/0003): with the switch lock held exclusively, no live batch writes, so
 * the live checkpoints stand still. The rebuild is let up to exactly them, the tables are
 * compared if asked, and the schemas and checkpoints are swapped in the same transaction.
 * Queries take no lock and keep answering from the live tables until the commit.
 */
export async function switchOver(db: Database, request: SwitchRequest): Promise<SwitchOutcome> {
  const names = schemaNames(request.projection);
  return db.transaction(async (tx) => {
    await takeExclusiveSwitchLock(tx, request.projection);
    const live = await readCheckpoints(tx, request.projection);
    request.hold(live);
    if (!(await reached(db, request, live))) return { switched: false, reason: 'behind' } as const;
    if (request.verify) {
      const mismatches = await compare(tx, names);
      if (mismatches.length > 0)
        return { switched: false, reason: 'mismatch', positions: live, mismatches } as const;
    }
    await swapSchemas(tx, names);
    await tx.query('DELETE FROM public.projection_checkpoints WHERE projection = $1', [request.projection]);
    await tx.query('UPDATE public.projection_checkpoints SET projection = $1 WHERE projection = $2', [
      request.projection,
      rebuildCheckpointName(request.projection),
    ]);
    return { switched: true, positions: live } as const;
  });
}

/** Waits (outside the switch transaction's connection) until the rebuild is exactly at `live`. */
async function reached(db: Database, request: SwitchRequest, live: Map<string, bigint>): Promise<boolean> {
  const deadline = Date.now() + request.timeoutMs;
  for (;;) {
    const rebuilt = await readCheckpoints(db.pool, rebuildCheckpointName(request.projection));
    if (samePositions(live, rebuilt)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, request.pollMs));
  }
}

/** Equal where either has a checkpoint; a missing one is offset 0 (nothing read). */
export function samePositions(a: Map<string, bigint>, b: Map<string, bigint>): boolean {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].every((k) => (a.get(k) ?? 0n) === (b.get(k) ?? 0n));
}

/** How far `behind` trails `ahead`, in records, summed over partitions. */
export function lag(ahead: Map<string, bigint>, behind: Map<string, bigint>): bigint {
  let total = 0n;
  for (const [k, offset] of ahead) {
    const gap = offset - (behind.get(k) ?? 0n);
    if (gap > 0n) total += gap;
  }
  return total;
}

async function compare(tx: Queryable, names: SchemaNames): Promise<Mismatch[]> {
  const [live, rebuilt] = [await checksums(tx, names.live), await checksums(tx, names.next)];
  const tables = [...new Set([...live.keys(), ...rebuilt.keys()])].sort();
  return tables
    .filter((t) => JSON.stringify(live.get(t)) !== JSON.stringify(rebuilt.get(t)))
    .map((table) => ({ table, live: live.get(table), rebuilt: rebuilt.get(table) }));
}
