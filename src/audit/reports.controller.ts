import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { ProblemException } from '../http/problem.filter';
import { READ_ROLES, Roles } from '../infrastructure/auth';
import { parseQuery } from '../projections/query-params';
import type { AuditQueries } from './audit-queries';
import { complianceReport, DEFAULT_AGENT_PREFIXES, parseAgentPrefixes } from './report-run';
import { MAX_RANGE_DAYS, parseRange } from './report-range';
import { AUDIT_QUERIES } from './report-tokens';

const reportQuery = z
  .object({
    from: z.string().optional(),
    to: z.string().optional(),
    format: z.enum(['json', 'csv'], { message: 'must be json or csv' }).default('json'),
    agentPrefixes: z.string().max(1024, 'is too long').optional(),
  })
  .strict();

/** Compliance reports (issue 7): deterministic, so the same range always has the same hash. */
@ApiTags('reports')
@ApiBearerAuth()
@Roles(...READ_ROLES)
@Controller('v1/reports')
export class ReportsController {
  constructor(@Inject(AUDIT_QUERIES) private readonly queries: AuditQueries) {}

  @Get('compliance')
  @ApiOperation({
    summary:
      'Compliance report for [from, to): changes per cluster, team and actor, denials, freeze ' +
      'changes and their exceptions, agent actions, rollbacks, access denials',
  })
  @ApiQuery({ name: 'from', required: true, description: 'ISO instant, inclusive' })
  @ApiQuery({
    name: 'to',
    required: true,
    description: `ISO instant, exclusive; at most ${MAX_RANGE_DAYS} days after from`,
  })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiQuery({
    name: 'agentPrefixes',
    required: false,
    description: `comma-separated actor prefixes counted as agents (default ${DEFAULT_AGENT_PREFIXES.join(',')})`,
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    description: 'the report; ETag and Sentinel-Content-SHA256 carry the SHA-256 of the body',
  })
  @ApiBadRequestResponse({ description: 'a missing or bad range, or a range longer than a year; see errors' })
  async compliance(@Query() query: unknown, @Res() res: Response): Promise<void> {
    const q = parseQuery(reportQuery, query);
    const range = parseRange(q.from, q.to);
    const prefixes = parseAgentPrefixes(q.agentPrefixes);
    const errors = [...(range.ok ? [] : range.errors), ...(prefixes.ok ? [] : prefixes.errors)];
    if (!range.ok || !prefixes.ok)
      throw new ProblemException({
        type: 'invalid-request',
        title: 'The request is invalid',
        status: 400,
        detail: errors.map((e) => `${e.field} ${e.reason}`).join('; '),
        errors,
      });
    const rendered = await complianceReport(this.queries, range.range, q.format, prefixes.prefixes);
    res.setHeader('Content-Type', rendered.contentType);
    res.setHeader('ETag', `"${rendered.sha256}"`);
    res.setHeader('Sentinel-Content-SHA256', rendered.sha256);
    res.status(200).send(rendered.body);
  }
}
