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
import { DeploymentQueries } from './deployment-queries';
import { getQuery, historyQuery, listQuery, parseId, parseQuery, withCursor } from './query-params';

export const DEPLOYMENT_QUERIES = Symbol('DEPLOYMENT_QUERIES');

/** Set when `after` was given and the read model had not caught up within the wait. */
export const STALE_HEADER = 'Sentinel-Stale';

export const AFTER = {
  name: 'after',
  required: false,
  description:
    'read-your-writes: event positions from a command result, `<topic>:<partition>:<offset>[,...]`; ' +
    'the query waits up to 5 s for the read model to reach them, else answers with Sentinel-Stale: true',
};
export const PAGE = [
  { name: 'cursor', required: false, description: 'nextCursor of the previous page' },
  { name: 'limit', required: false, description: 'page size, 1-200 (default 50)' },
];

/** Queries over the deployments read model (DESIGN.md §4, §6). Changes are in src/commands. */
@ApiTags('deployments')
@ApiBearerAuth()
@Roles(...READ_ROLES)
@Controller('v1/deployments')
export class DeploymentsQueryController {
  constructor(@Inject(DEPLOYMENT_QUERIES) private readonly queries: DeploymentQueries) {}

  @Get()
  @ApiOperation({ summary: 'List deployments, by name, with filters and cursor pagination' })
  @ApiQuery({ name: 'cluster', required: false })
  @ApiQuery({ name: 'namespace', required: false })
  @ApiQuery({ name: 'team', required: false })
  @ApiQuery({ name: 'status', required: false, enum: ['Active', 'Deleted'] })
  @ApiQuery(PAGE[0]!)
  @ApiQuery(PAGE[1]!)
  @ApiQuery(AFTER)
  @ApiOkResponse({ description: '{ items, nextCursor, stale }' })
  @ApiBadRequestResponse({ description: 'a query parameter is invalid; see errors' })
  async list(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const { cursor, limit, after, ...filter } = parseQuery(listQuery, query);
    const page = await withCursor(() => this.queries.list(filter, { cursor, limit }, { after }));
    markStale(res, page.stale);
    return page;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One deployment: desired state, observed state and current revision' })
  @ApiParam({ name: 'id' })
  @ApiQuery(AFTER)
  @ApiOkResponse({ description: 'the deployment; ETag is its version, for If-Match' })
  @ApiNotFoundResponse({ description: 'the read model knows no such deployment' })
  async get(@Param('id') rawId: string, @Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const id = parseId(rawId);
    const { after } = parseQuery(getQuery, query);
    const { deployment, stale } = await this.queries.get(id, { after });
    markStale(res, stale);
    if (!deployment) throw notFound(id);
    res.setHeader('ETag', `"${deployment.version}"`);
    return deployment;
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event of a deployment, rejections included, oldest first' })
  @ApiParam({ name: 'id' })
  @ApiQuery(PAGE[0]!)
  @ApiQuery(PAGE[1]!)
  @ApiQuery(AFTER)
  @ApiOkResponse({ description: '{ id, items, nextCursor, stale }' })
  @ApiNotFoundResponse({ description: 'the read model knows no event of such a deployment' })
  async history(
    @Param('id') rawId: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const id = parseId(rawId);
    const { cursor, limit, after } = parseQuery(historyQuery, query);
    const page = await withCursor(() => this.queries.history(id, { cursor, limit }, { after }));
    markStale(res, page.stale);
    if (!page.found) throw notFound(id);
    return { id, items: page.items, nextCursor: page.nextCursor, stale: page.stale };
  }
}

export function markStale(res: Response, stale: boolean): void {
  if (stale) res.setHeader(STALE_HEADER, 'true');
}

function notFound(id: string): ProblemException {
  return new ProblemException({
    type: 'not-found',
    title: 'No such deployment',
    status: 404,
    detail: `the read model knows no deployment ${id}`,
  });
}
