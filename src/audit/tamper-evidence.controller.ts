import { Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { ProblemException } from '../http/problem.filter';
import { ADMIN_ROLES, READ_ROLES, Roles } from '../infrastructure/auth';
import { parseQuery } from '../projections/query-params';
import { TAMPER_EVIDENCE, TamperEvidence } from './tamper-evidence.service';

const instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 instant, e.g. 2026-11-27T10:00:00Z',
});
const verifyQuery = z
  .object({ from: instant.optional(), to: instant.optional() })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), {
    message: 'must be after from',
    path: ['to'],
  });

const unreadable = (error: unknown) =>
  new ProblemException({
    type: 'log-unavailable',
    title: 'The event log could not be read',
    status: 503,
    detail: `${(error as Error).message}; check Kafka and that Sentinel has created its topics`,
  });

/** Tamper evidence (issue 7): verify the whole log, publish a signed digest now (docs/adr/0008). */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
export class TamperEvidenceController {
  constructor(@Inject(TAMPER_EVIDENCE) private readonly audit: TamperEvidence) {}

  @Get('verify')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: "Check every aggregate's hash chain in every event topic",
    description:
      'Reads every partition of the event topics and verifies each aggregate from genesis; from/to (event time, ce_time) only select which records are counted and whose problems are reported.',
  })
  @ApiQuery({ name: 'from', required: false, description: 'ISO instant (event time), inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO instant (event time), exclusive' })
  @ApiOkResponse({
    description:
      '{ ok, checked: { topics, partitions, records, aggregates }, problems: [{ kind, topic, partition, offset, aggregateId, version, detail }] }',
  })
  @ApiBadRequestResponse({ description: 'a query parameter is invalid; see errors' })
  @ApiServiceUnavailableResponse({ description: 'Kafka or a topic is unavailable' })
  async verify(@Query() query: unknown) {
    const { from, to } = parseQuery(verifyQuery, query);
    return this.audit
      .verify({
        ...(from ? { from: Date.parse(from) } : {}),
        ...(to ? { to: Date.parse(to) } : {}),
      })
      .catch((error: unknown) => {
        throw unreadable(error);
      });
  }

  @Post('digests')
  @HttpCode(201)
  @Roles(...ADMIN_ROLES)
  @ApiOperation({
    summary: 'Publish a signed digest of the log now (as the hourly publisher does)',
    description: 'No body. The digest covers every event partition up to its current end.',
  })
  @ApiCreatedResponse({ description: '{ offset, hash, digest: { body, signature } }' })
  @ApiConflictResponse({ description: 'no signing key is configured (SENTINEL_AUDIT_SIGNING_KEY)' })
  @ApiServiceUnavailableResponse({ description: 'Kafka or a topic is unavailable' })
  async publish() {
    const published = this.audit.publish();
    if (!published)
      throw new ProblemException({
        type: 'audit-digests-disabled',
        title: 'Audit digests are not configured',
        status: 409,
        detail: 'set SENTINEL_AUDIT_SIGNING_KEY (see `sentinel audit keygen`) and restart Sentinel',
      });
    return published.catch((error: unknown) => {
      throw unreadable(error);
    });
  }
}
