import { ApiBody, ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, HttpCode, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { policies } from '../eventing/contexts';
import { EVENTING, type Eventing } from '../eventing/eventing';
import { ADMIN_ROLES, type Actor, CurrentActor, Roles } from '../infrastructure/auth';
import { ApiChange } from '../http/openapi';
import type { Resource } from './command-outcome';
import { knownId } from './identifiers';
import { POLICY_BODY_SCHEMA, policyBody } from './policy-requests';
import { type Change, sendCommand } from './send-command';
import type { PolicyGate } from './policy-gate';
import { POLICY_GATE } from './policy-gate.token';
import { ProblemException } from '../http/problem.filter';

const POLICY: Resource = { noun: 'policy', path: '/v1/policies' };
const apiBody = ApiBody({ schema: POLICY_BODY_SCHEMA as never });

/**
 * The change endpoints of policies: admins only, since a policy can stop every change in the
 * fleet. The body is checked by validatePolicy here (400, nothing sent) and again by the decider.
 */
@ApiTags('policies')
@Controller('v1/policies')
@Roles(...ADMIN_ROLES)
export class PolicyCommandsController {
  constructor(
    @Inject(EVENTING) private readonly eventing: Eventing,
    @Inject(POLICY_GATE) private readonly gate: PolicyGate,
  ) {}

  @Post()
  @ApiChange({ created: true, post: true })
  @apiBody
  async create(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentActor() actor: Actor,
  ) {
    const { id, definition } = policyBody(body);
    await this.checkQuery(definition);
    const data = { policyId: id, definition };
    return this.send({ type: 'CreatePolicy', aggregateId: id, data, created: true }, req, res, actor);
  }

  @Put(':id')
  @ApiChange()
  @apiBody
  async publish(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentActor() actor: Actor,
  ) {
    const { definition } = policyBody(body, knownId(id, 'policy'));
    await this.checkQuery(definition);
    return this.send(
      { type: 'PublishPolicyVersion', aggregateId: id, data: { policyId: id, definition } },
      req,
      res,
      actor,
    );
  }

  @Post(':id/enable')
  @ApiChange({ post: true })
  @HttpCode(200)
  async enable(
    @Param('id') id: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentActor() actor: Actor,
  ) {
    return this.simple('EnablePolicy', id, req, res, actor);
  }

  @Post(':id/disable')
  @ApiChange({ post: true })
  @HttpCode(200)
  async disable(
    @Param('id') id: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentActor() actor: Actor,
  ) {
    return this.simple('DisablePolicy', id, req, res, actor);
  }

  @Delete(':id')
  @ApiChange()
  async remove(
    @Param('id') id: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentActor() actor: Actor,
  ) {
    return this.simple('DeletePolicy', id, req, res, actor);
  }

  /** An SLO's query is run once against Prometheus, so one it cannot parse is refused now, not at every decision. */
  private async checkQuery(definition: string): Promise<void> {
    const rule = (JSON.parse(definition) as { rule: { type: string; query?: string } }).rule;
    if (rule.type !== 'slo' || rule.query === undefined) return;
    const problem = await this.gate.queryProblem(rule.query);
    if (problem)
      throw new ProblemException({
        type: 'invalid-request',
        title: 'The policy is invalid',
        status: 400,
        detail: `rule.query: ${problem}`,
        errors: [{ field: 'rule.query', reason: problem }],
      });
  }

  private simple(type: string, id: string, req: Request, res: Response, actor: Actor) {
    const policyId = knownId(id, 'policy');
    return this.send({ type, aggregateId: policyId, data: { policyId } }, req, res, actor);
  }

  private send(change: Change, req: Request, res: Response, actor: Actor) {
    return sendCommand(this.eventing, { context: policies, resource: POLICY }, change, { req, res, actor });
  }
}
