import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { whatIf } from '../domain/policies/what-if';
import { ApiJsonBody } from '../http/openapi';
import { ProblemException } from '../http/problem.filter';
import { READ_ROLES, Roles } from '../infrastructure/auth';
import { DecisionQueries } from './decision-queries';
import { DECISION_QUERIES } from './decisions.controller';
import { MAX_DECISIONS, MAX_RANGE_DAYS, parseWhatIf, whatIfBody, withVersions } from './what-if-request';

/**
 * Policy what-if: the recorded decisions of a time range re-evaluated with policies changed,
 * to see what a change would have let through or stopped before making it. It reads the
 * decisions read model and changes nothing, so readers may ask.
 */
@ApiTags('policies')
@ApiBearerAuth()
@Roles(...READ_ROLES)
@Controller('v1/policies')
export class WhatIfController {
  constructor(@Inject(DECISION_QUERIES) private readonly queries: DecisionQueries) {}

  @Post('what-if')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Re-evaluate the recorded decisions of [from, to) with policies upserted or removed',
    description: `At most ${MAX_RANGE_DAYS} days and ${MAX_DECISIONS.toLocaleString('en')} decisions. An upserted policy without id replaces the policy of the same name.`,
  })
  @ApiJsonBody(whatIfBody)
  @ApiOkResponse({
    description:
      '{ from, to, evaluated, changed: [{ decisionId, subject, actor, at, before, after, outcomeBefore, outcomeAfter, reasons }], durationMs }',
  })
  @ApiBadRequestResponse({ description: 'the body is invalid (problem+json naming each field)' })
  @ApiUnprocessableEntityResponse({ description: `the range holds more than ${MAX_DECISIONS} decisions` })
  async whatIf(@Body() body: unknown) {
    const started = performance.now();
    const { from, to, changes } = parseWhatIf(body);
    const count = await this.queries.countBetween(from, to);
    if (count > MAX_DECISIONS)
      throw new ProblemException({
        type: 'too-many-decisions',
        title: 'The range holds too many decisions',
        status: 422,
        detail: `[from, to) holds ${count} decisions; a what-if evaluates at most ${MAX_DECISIONS}: narrow the range`,
        errors: [{ field: 'to', reason: `the range must hold at most ${MAX_DECISIONS} decisions` }],
      });
    const recorded = await this.queries.recordedBetween(from, to);
    const result = whatIf(recorded, withVersions(changes, recorded));
    return { from, to, ...result, durationMs: Math.round(performance.now() - started) };
  }
}
