import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { createHash } from 'crypto';
import type { Response } from 'express';
import { z } from 'zod';
import { ProblemException } from '../http/problem.filter';
import { READ_ROLES, Roles } from '../infrastructure/auth';
import { parseId, parseQuery } from '../projections/query-params';
import type { EvidenceService } from './evidence-service';
import { evidenceJson } from './evidence-zip';
import { EVIDENCE_SERVICE } from './report-tokens';

const evidenceQuery = z
  .object({ format: z.enum(['json', 'zip'], { message: 'must be json or zip' }).default('json') })
  .strict();

/** Evidence packs (issue 7): everything about one change that an auditor needs, with its proofs. */
@ApiTags('audit')
@ApiBearerAuth()
@Roles(...READ_ROLES)
@Controller('v1/audit/changes')
export class EvidenceController {
  constructor(@Inject(EVIDENCE_SERVICE) private readonly evidence: EvidenceService) {}

  @Get(':id/evidence')
  @ApiOperation({
    summary: 'The evidence pack of one change: request, actor, decision, approvals, outcome, status, proofs',
  })
  @ApiParam({ name: 'id', description: 'the change id: the id of its command (= its decision id)' })
  @ApiQuery({
    name: 'format',
    required: false,
    enum: ['json', 'zip'],
    description: 'zip adds the raw Kafka records',
  })
  @ApiProduces('application/json', 'application/zip')
  @ApiOkResponse({ description: 'the pack; Sentinel-Content-SHA256 is the hash of the body' })
  @ApiBadRequestResponse({ description: 'a parameter is invalid; see errors' })
  @ApiNotFoundResponse({ description: 'no event of this log was caused by that command' })
  async get(@Param('id') rawId: string, @Query() query: unknown, @Res() res: Response): Promise<void> {
    const id = parseId(rawId);
    const { format } = parseQuery(evidenceQuery, query);
    const body =
      format === 'zip'
        ? await this.evidence.zip(id)
        : await this.evidence.pack(id).then((found) => found && Buffer.from(evidenceJson(found.pack)));
    if (!body)
      throw new ProblemException({
        type: 'not-found',
        title: 'No such change',
        status: 404,
        detail: `no event in the audit log was caused by command ${id}`,
      });
    const sha256 = createHash('sha256').update(body).digest('hex');
    res.setHeader('Sentinel-Content-SHA256', sha256);
    res.setHeader('ETag', `"${sha256}"`);
    if (format === 'zip') {
      res.setHeader('Content-Type', 'application/zip');
      res.setHeader('Content-Disposition', `attachment; filename="evidence-${id}.zip"`);
    } else res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.status(200).send(body);
  }
}
