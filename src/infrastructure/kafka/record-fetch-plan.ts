import type { RecordSetScan } from './record-batch';

/**
 * How many bytes the record reader asks for per Fetch (issue 7). A Fetch returns whole record
 * batches from the one holding its offset, and the batch walk skips unwanted batches almost for
 * free, so a wanted offset close behind another is cheaper to read by asking for more bytes than
 * by another round trip; one far behind is cheaper by another round trip than by carrying all the
 * bytes between.
 *
 * Measured on the local stack (2 cores, bench/audit-as-of.ts's two layouts, 300 wanted offsets 333
 * apart in 58 MB): with 20 records (12 KB) per batch, one fetch per wanted batch, 8-16 in flight,
 * took half the time of reading the whole span in large fetches (gaps of ~190 KB), so a round
 * trip is worth less than that; with 500 records (300 KB) per batch nearly every batch holds a
 * wanted offset, and 2 MiB fetches, 8 in flight, beat both 4 MiB and one fetch per batch.
 */
export const BREAK_EVEN_BYTES = 64 * 1024;
/** Per Fetch; with 8 lanes at most 16 MiB are in flight. */
export const MAX_FETCH_BYTES = 2 * 1024 * 1024;
/** Before anything is known of the log: one batch, which the broker returns however small. */
const ONE_BATCH = 1;

/** What the reads so far say of the partition's log: bytes per offset, offsets per batch. */
export class LogLayout {
  private bytesPerOffset?: number;
  private offsetsPerBatch = 1;

  learn(scan: RecordSetScan): void {
    if (scan.first === undefined || scan.end === undefined || scan.batches === 0) return;
    const offsets = Number(scan.end - scan.first) + 1;
    this.bytesPerOffset = scan.bytes / offsets;
    this.offsetsPerBatch = offsets / scan.batches;
  }

  /**
   * `wanted` (ascending) cut where a gap costs more bytes than a round trip, and where a run would
   * outgrow one Fetch: each run is read by one chain of fetches, usually one, and the runs in
   * parallel, so the broker serves one fetch while the reader walks the last. Before the layout is
   * known, every offset is a run of its own.
   */
  runs(wanted: readonly bigint[]): bigint[][] {
    const runs: bigint[][] = [];
    let run: bigint[] = [];
    for (const offset of wanted) {
      if (
        run.length > 0 &&
        (this.farApart(run.at(-1)!, offset) || this.bytes(run[0]!, offset) > MAX_FETCH_BYTES)
      )
        runs.push((run = []));
      else if (run.length === 0) runs.push(run);
      run.push(offset);
    }
    return runs;
  }

  /** The estimated bytes of a Fetch at `from` that returns the batch holding `to`. */
  private bytes(from: bigint, to: bigint): number {
    const perOffset = this.bytesPerOffset ?? Infinity;
    return (Number(to - from) + this.offsetsPerBatch) * perOffset;
  }

  private farApart(a: bigint, b: bigint): boolean {
    const perOffset = this.bytesPerOffset;
    return (
      perOffset === undefined ||
      Number(b - a) * perOffset > BREAK_EVEN_BYTES + this.offsetsPerBatch * perOffset
    );
  }

  /**
   * Bytes for a Fetch at `wanted[0]`: enough to reach each following wanted offset whose gap from
   * the one before costs fewer bytes than a round trip plus the batch it would fetch anyway.
   */
  fetchBytes(wanted: readonly bigint[]): number {
    const perOffset = this.bytesPerOffset;
    if (perOffset === undefined || wanted.length < 2) return ONE_BATCH;
    let reach = 0;
    for (let k = 1; k < wanted.length; k++) {
      if (this.farApart(wanted[k - 1]!, wanted[k]!) || this.bytes(wanted[0]!, wanted[k]!) > MAX_FETCH_BYTES)
        break;
      reach = k;
    }
    return reach === 0 ? ONE_BATCH : Math.ceil(this.bytes(wanted[0]!, wanted[reach]!));
  }
}
