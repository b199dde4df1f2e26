import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { READ_ROLES, Roles } from '../infrastructure/auth';
import { ProblemException } from '../http/problem.filter';
import { DecisionQueries } from './decision-queries';
import { AFTER, markStale, PAGE } from './deployments.controller';
import { getQuery, historyQuery, parseId, parseQuery, withCursor } from './query-params';

export const DECISION_QUERIES = Symbol('DECISION_QUERIES');

const text = z.string().min(1, 'must not be empty').max(253, 'must be at most 253 characters');
export const instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 instant, e.g. 2026-11-27T10:00:00Z',
});

const decisionListQuery = historyQuery
  .extend({
    outcome: z
      .enum(['allowed', 'denied', 'would_deny'], { message: 'must be allowed, denied or would_deny' })
      .optional(),
    policy: text.optional(),
    actor: text.optional(),
    cluster: text.optional(),
    from: instant.optional(),
    to: instant.optional(),
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), {
    message: 'must be after from',
    path: ['to'],
  });

/** The policy decisions taken about changes (DESIGN.md §1.3), with what each policy said. */
@ApiTags('decisions')
@ApiBearerAuth()
@Roles(...READ_ROLES)
@Controller('v1/decisions')
export class DecisionsQueryController {
  constructor(@Inject(DECISION_QUERIES) private readonly queries: DecisionQueries) {}

  @Get()
  @ApiOperation({ summary: 'List policy decisions, newest first, with filters and cursor pagination' })
  @ApiQuery({ name: 'outcome', required: false, enum: ['allowed', 'denied', 'would_deny'] })
  @ApiQuery({ name: 'policy', required: false, description: 'a policy id: decisions it applied to' })
  @ApiQuery({ name: 'actor', required: false })
  @ApiQuery({ name: 'cluster', required: false })
  @ApiQuery({ name: 'from', required: false, description: 'ISO instant, inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO instant, exclusive' })
  @ApiQuery(PAGE[0]!)
  @ApiQuery(PAGE[1]!)
  @ApiQuery(AFTER)
  @ApiOkResponse({ description: '{ items, nextCursor, stale }' })
  @ApiBadRequestResponse({ description: 'a query parameter is invalid; see errors' })
  async list(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const { cursor, limit, after, ...filter } = parseQuery(decisionListQuery, query);
    const page = await withCursor(() => this.queries.list(filter, { cursor, limit }, { after }));
    markStale(res, page.stale);
    return page;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One decision with all its inputs: request, facts, every result' })
  @ApiParam({ name: 'id', description: 'the decision id (the id of the command decided)' })
  @ApiQuery(AFTER)
  @ApiOkResponse({ description: 'the decision' })
  @ApiNotFoundResponse({ description: 'the read model knows no such decision' })
  async get(@Param('id') rawId: string, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const id = parseId(rawId);
    const { after } = parseQuery(getQuery, query);
    const { decision, stale } = await this.queries.get(id, { after });
    markStale(res, stale);
    if (!decision)
      throw new ProblemException({
        type: 'not-found',
        title: 'No such decision',
        status: 404,
        detail: `the read model knows no decision ${id}`,
      });
    return decision;
  }
}
