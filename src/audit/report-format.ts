import { createHash } from 'crypto';
import { canonicalJson } from '../domain/policies/definition';
import type { ComplianceReport } from './compliance-report';
import { type Cell, TABLE_NAMES, TABLES } from './report-tables';

export type ReportFormat = 'json' | 'csv';

export interface RenderedReport {
  readonly body: Buffer;
  readonly contentType: string;
  /** SHA-256 of exactly `body`, hex: what the ETag and Sentinel-Content-SHA256 carry. */
  readonly sha256: string;
}

/**
 * The bytes of a report. JSON is canonical (keys sorted at every level, no insignificant
 * whitespace); CSV is RFC 4180 (CRLF, quoted only when needed). Neither holds a generation
 * time, so the same range over the same log gives the same bytes and the same hash.
 */
export function renderReport(report: ComplianceReport, format: ReportFormat): RenderedReport {
  const body = Buffer.from(format === 'json' ? `${canonicalJson(report)}\n` : toCsv(report), 'utf8');
  return {
    body,
    contentType:
      format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8; header=present',
    sha256: createHash('sha256').update(body).digest('hex'),
  };
}

const CRLF = '\r\n';

/** RFC 4180 §2.6-2.7: quote a field holding a quote, comma or line break; double its quotes. */
export function csvField(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  const value =
    typeof cell === 'string' ? cell : typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const line = (cells: readonly (Cell | undefined)[]) => cells.map(csvField).join(',') + CRLF;

/**
 * One section per table: a line with the section's name alone, its header line, its rows, and
 * an empty line. The first sections say what the report covers and its totals.
 */
function toCsv(report: ComplianceReport): string {
  const sections: string[] = [
    section(
      'report',
      ['key', 'value'],
      [
        ['report', report.report],
        ['sentinel', report.sentinel],
        ['from', report.range.from],
        ['to', report.range.to],
        ['topics', report.scope.topics],
        ['agentActorPrefixes', report.scope.agentActorPrefixes],
      ],
    ),
    section(
      'totals',
      ['key', 'value'],
      Object.keys(report.totals)
        .sort()
        .map((k) => [k, report.totals[k]!]),
    ),
  ];
  for (const name of TABLE_NAMES) {
    const columns = TABLES[name];
    sections.push(
      section(
        name,
        columns,
        report[name].map((row) => columns.map((c) => row[c])),
      ),
    );
  }
  sections.push(
    section(
      'notes',
      ['note'],
      report.notes.map((n) => [n]),
    ),
  );
  return sections.join(CRLF);
}

function section(name: string, header: readonly string[], rows: readonly (readonly (Cell | undefined)[])[]) {
  return line([name]) + line(header) + rows.map(line).join('');
}
