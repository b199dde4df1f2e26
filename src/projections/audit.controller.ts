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
import { type AsOfDeps, AsOfMismatch, parseAsOf, stateAsOf } from './audit-as-of';
import { AuditQueries } from './audit-queries';
import { instant } from './decisions.controller';
import { AFTER, markStale } from './deployments.controller';
import { getQuery, parseId, parseQuery, withCursor } from './query-params';

export const AUDIT_QUERIES = Symbol('AUDIT_QUERIES');
export const AUDIT_AS_OF = Symbol('AUDIT_AS_OF');

const text = z.string().min(1, 'must not be empty').max(253, 'must be at most 253 characters');
const LIMIT = 'must be an integer from 1 to 500';

const searchQuery = z
  .object({
    actor: text.optional(),
    type: text.optional(),
    subject: text.optional(),
    cluster: text.optional(),
    from: instant.optional(),
    to: instant.optional(),
    cursor: z
      .string()
      .max(1024, 'is too long')
      .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor returned by this endpoint')
      .optional(),
    limit: z.coerce.number({ message: LIMIT }).int(LIMIT).min(1, LIMIT).max(500, LIMIT).default(100),
    after: getQuery.shape.after,
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), {
    message: 'must be after from',
    path: ['to'],
  });

const AS_OF_FORMAT = 'must be an ISO 8601 instant with a zone, <topic>:<partition>:<offset>, or an offset';

const streamQuery = z
  .object({
    asOf: z
      .string({ message: AS_OF_FORMAT })
      .max(300, AS_OF_FORMAT)
      .transform((value, ctx) => {
        const parsed = parseAsOf(value);
        if (parsed) return { value, parsed };
        ctx.addIssue({ code: 'custom', message: AS_OF_FORMAT });
        return z.NEVER;
      }),
    after: getQuery.shape.after,
  })
  .strict();

const badAsOf = (reason: string) =>
  new ProblemException({
    type: 'invalid-request',
    title: 'The request is invalid',
    status: 400,
    detail: `asOf ${reason}`,
    errors: [{ field: 'asOf', reason }],
  });

/** The audit trail (issue 7): search over every event, and any aggregate's state at any point. */
@ApiTags('audit')
@ApiBearerAuth()
@Roles(...READ_ROLES)
@Controller('v1/audit')
export class AuditController {
  constructor(
    @Inject(AUDIT_QUERIES) private readonly queries: AuditQueries,
    @Inject(AUDIT_AS_OF) private readonly asOfDeps: AsOfDeps,
  ) {}

  @Get('events')
  @ApiOperation({
    summary: 'Search every event, oldest first, with its Kafka coordinates; cursor pagination',
  })
  @ApiQuery({ name: 'actor', required: false })
  @ApiQuery({ name: 'type', required: false, description: 'event type, e.g. DeploymentScaled' })
  @ApiQuery({ name: 'subject', required: false, description: 'aggregate id (ce_subject)' })
  @ApiQuery({ name: 'cluster', required: false })
  @ApiQuery({ name: 'from', required: false, description: 'ISO instant, inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO instant, exclusive' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: 'page size, 1-500 (default 100)' })
  @ApiQuery(AFTER)
  @ApiOkResponse({ description: '{ items, nextCursor, stale }' })
  @ApiBadRequestResponse({ description: 'a query parameter is invalid; see errors' })
  async search(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const { cursor, limit, after, ...filter } = parseQuery(searchQuery, query);
    const page = await withCursor(() => this.queries.list(filter, { cursor, limit }, { after }));
    markStale(res, page.stale);
    return page;
  }

  @Get('streams/:aggregateId')
  @ApiOperation({
    summary: 'State of one aggregate as of a time or an offset, rebuilt from Kafka, with its events',
  })
  @ApiParam({ name: 'aggregateId', description: 'the aggregate id (ce_subject)' })
  @ApiQuery({
    name: 'asOf',
    required: true,
    description:
      'ISO instant (events with ce_time <= it), or <topic>:<partition>:<offset> or an offset (<= it)',
  })
  @ApiQuery(AFTER)
  @ApiOkResponse({
    description: '{ aggregateId, context, asOf, version, state, events, verification, source }',
  })
  @ApiBadRequestResponse({ description: 'asOf is missing or malformed, or names another partition' })
  @ApiNotFoundResponse({ description: 'the audit read model knows no such aggregate' })
  async stream(
    @Param('aggregateId') rawId: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const aggregateId = parseId(rawId);
    const { asOf, after } = parseQuery(streamQuery, query);
    const { coordinates, stale } = await this.queries.coordinatesOf(aggregateId, { after });
    markStale(res, stale);
    if (coordinates.length === 0)
      throw new ProblemException({
        type: 'not-found',
        title: 'No such aggregate',
        status: 404,
        detail: `the audit read model knows no events of ${aggregateId}`,
      });
    try {
      const state = await stateAsOf(this.asOfDeps, aggregateId, coordinates, asOf.parsed);
      return { ...state, asOf: asOf.value };
    } catch (error) {
      if (error instanceof AsOfMismatch) throw badAsOf(error.message);
      throw error;
    }
  }
}
