import type { AuditQueries } from './audit-queries';
import { buildComplianceReport } from './compliance-report';
import { type RenderedReport, renderReport, type ReportFormat } from './report-format';
import type { FieldError, ReportRange } from './report-range';
import { sentinelVersion } from './version';

/** Actors whose names mark them as agents or Sentinel itself (see the report's notes). */
export const DEFAULT_AGENT_PREFIXES: readonly string[] = ['agent:', 'system:'];

export type PrefixResult = { ok: true; prefixes: string[] } | { ok: false; errors: FieldError[] };

/** `agent:,system:` → the list; undefined → the default. */
export function parseAgentPrefixes(value: string | undefined, field = 'agentPrefixes'): PrefixResult {
  if (value === undefined) return { ok: true, prefixes: [...DEFAULT_AGENT_PREFIXES] };
  const prefixes = value.split(',').map((p) => p.trim());
  if (prefixes.some((p) => p.length === 0 || p.length > 64) || prefixes.length > 16)
    return {
      ok: false,
      errors: [{ field, reason: 'must be 1 to 16 comma-separated prefixes of 1-64 characters' }],
    };
  return { ok: true, prefixes: [...new Set(prefixes)].sort() };
}

/** Reads the range's events and renders the report: one path for the HTTP edge and the CLI. */
export async function complianceReport(
  queries: Pick<AuditQueries, 'reportEvents' | 'topicsRead'>,
  range: ReportRange,
  format: ReportFormat,
  agentActorPrefixes: readonly string[],
): Promise<RenderedReport> {
  const events = await queries.reportEvents(range.from, range.to, agentActorPrefixes);
  const report = buildComplianceReport(events, {
    ...range,
    sentinelVersion: sentinelVersion(),
    topics: queries.topicsRead(),
    agentActorPrefixes,
  });
  return renderReport(report, format);
}
