import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { z } from 'zod';
import { decideRecorded } from '../domain/policies/recorded';
import { ACTIONS } from '../domain/policies/types';
import { ProblemException } from '../http/problem.filter';
import { ApiJsonBody } from '../http/openapi';
import { type Actor, CurrentActor, READ_ROLES, Roles } from '../infrastructure/auth';
import type { Placement } from '../projections/policy-facts';
import { contractResources, createRequest } from './deployment-requests';
import { deploymentIdOf, knownId } from './identifiers';
import { type PolicyGate, requestOf } from './policy-gate';
import { POLICY_GATE } from './policy-gate.token';
import { parseBody } from './request-parsing';

/** A deployment as it would be after the change: a create body, whose image is optional here. */
const deployment = createRequest.partial({ image: true });

const evaluateRequest = z
  .object({
    action: z.enum(ACTIONS),
    /** An existing deployment, read from the read model; `replicas` then overrides its count. */
    deploymentId: z.string().min(1).max(64).optional(),
    deployment: deployment.optional(),
    replicas: z.number().int().min(0).optional(),
    /** The instant to decide for (default: now), e.g. to check a freeze window ahead of time. */
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((r) => (r.deploymentId === undefined) !== (r.deployment === undefined), {
    message: 'name exactly one of deploymentId (an existing deployment) or deployment (a new one)',
    path: ['deploymentId'],
  });

/**
 * Asks the enabled policies about a change without making it: the same facts the edge would
 * gather and the same evaluation the decider runs, but nothing is sent or recorded.
 */
@ApiTags('policies')
@Controller('v1/policies')
@Roles(...READ_ROLES)
export class PolicyEvaluationController {
  constructor(@Inject(POLICY_GATE) private readonly gate: PolicyGate) {}

  @Post('evaluate')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiJsonBody(evaluateRequest)
  async evaluate(@Body() body: unknown, @CurrentActor() actor: Actor) {
    const r = parseBody(evaluateRequest, body);
    const now = r.at ? new Date(r.at) : new Date();
    const given = r.deployment && placementOf(r.deployment);
    const deploymentId = given?.deploymentId ?? knownId(r.deploymentId!, 'deploymentId');
    const question = { action: r.action, deploymentId, actor: actor.subject, now };
    const answer = await this.gate.gather(given ? { ...question, placement: given } : question);
    const placement = answer.placement;
    if (!placement)
      throw new ProblemException({
        type: 'not-found',
        title: 'No such deployment',
        status: 404,
        detail: `deployment ${deploymentId} is not in the read model; send "deployment" to ask about a new one`,
        errors: [{ field: 'deploymentId', reason: 'is not a known deployment' }],
      });
    const request = requestOf(
      question,
      r.replicas === undefined ? placement : { ...placement, replicas: r.replicas },
    );
    const decision = decideRecorded({
      policies: answer.inputs.policies,
      request,
      facts: answer.facts,
      now: now.toISOString(),
    });
    return { ...decision, request, facts: answer.facts, tzdata: answer.inputs.tzdata };
  }
}

function placementOf(d: z.infer<typeof deployment>): Placement {
  const resources = contractResources(d.resources);
  return {
    ...d,
    deploymentId: deploymentIdOf(d.cluster, d.namespace, d.name),
    labels: d.labels ?? {},
    perReplica: resources,
  };
}
