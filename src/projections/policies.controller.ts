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
import { READ_ROLES, Roles } from '../infrastructure/auth';
import { ProblemException } from '../http/problem.filter';
import { AFTER, markStale, PAGE } from './deployments.controller';
import { PolicyQueries } from './policy-queries';
import { getQuery, parseId, parseQuery, policyListQuery, withCursor } from './query-params';

export const POLICY_QUERIES = Symbol('POLICY_QUERIES');

/** Queries over the policies read model (DESIGN.md §4, §6). Changes are in src/commands. */
@ApiTags('policies')
@ApiBearerAuth()
@Roles(...READ_ROLES)
@Controller('v1/policies')
export class PoliciesQueryController {
  constructor(@Inject(POLICY_QUERIES) private readonly queries: PolicyQueries) {}

  @Get()
  @ApiOperation({ summary: 'List policies, by name, with filters and cursor pagination' })
  @ApiQuery({ name: 'enabled', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'mode', required: false, enum: ['enforce', 'dry_run'] })
  @ApiQuery({ name: 'status', required: false, enum: ['Active', 'Deleted'] })
  @ApiQuery(PAGE[0]!)
  @ApiQuery(PAGE[1]!)
  @ApiQuery(AFTER)
  @ApiOkResponse({ description: '{ items, nextCursor, stale }' })
  @ApiBadRequestResponse({ description: 'a query parameter is invalid; see errors' })
  async list(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const { cursor, limit, after, ...filter } = parseQuery(policyListQuery, query);
    const page = await withCursor(() => this.queries.list(filter, { cursor, limit }, { after }));
    markStale(res, page.stale);
    return page;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One policy: its current version, selector and rule' })
  @ApiParam({ name: 'id' })
  @ApiQuery(AFTER)
  @ApiOkResponse({ description: 'the policy; ETag is its aggregate version, for If-Match' })
  @ApiNotFoundResponse({ description: 'the read model knows no such policy' })
  async get(@Param('id') rawId: string, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const id = parseId(rawId);
    const { after } = parseQuery(getQuery, query);
    const { policy, stale } = await this.queries.get(id, { after });
    markStale(res, stale);
    if (!policy)
      throw new ProblemException({
        type: 'not-found',
        title: 'No such policy',
        status: 404,
        detail: `the read model knows no policy ${id}`,
      });
    res.setHeader('ETag', `"${policy.version}"`);
    return policy;
  }
}
