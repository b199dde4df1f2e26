import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, HttpCode, Inject, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { deployments } from '../eventing/contexts';
import { EVENTING, type Eventing } from '../eventing/eventing';
import { ProblemException } from '../http/problem.filter';
import { type Actor, CurrentActor, Roles, WRITE_ROLES } from '../infrastructure/auth';
import type { KubernetesClusters } from '../infrastructure/kubernetes/clusters';
import { KUBERNETES } from '../infrastructure/tokens';
import { ApiChange, ApiJsonBody } from '../http/openapi';
import { DEPLOYMENT } from './command-outcome';
import { type Change, sendCommand } from './send-command';
import {
  contractResources,
  createRequest,
  rollbackRequest,
  scaleRequest,
  updateRequest,
} from './deployment-requests';
import { deploymentIdOf, knownId } from './identifiers';
import { parseBody } from './request-parsing';
import type { Action } from '../domain/policies/types';
import type { Placement } from '../projections/policy-facts';
import type { PolicyGate } from './policy-gate';
import { POLICY_GATE } from './policy-gate.token';

/** The change endpoints of deployments: validate, authorize, send the command, map its outcome. */
@ApiTags('deployments')
@Controller('v1/deployments')
@Roles(...WRITE_ROLES)
export class DeploymentCommandsController {
  constructor(
    @Inject(EVENTING) private readonly eventing: Eventing,
    @Inject(KUBERNETES) private readonly clusters: KubernetesClusters | null,
    @Inject(POLICY_GATE) private readonly gate: PolicyGate,
  ) {}

  @Post()
  @ApiChange({ created: true, post: true })
  @ApiJsonBody(createRequest)
  async create(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentActor() actor: Actor,
  ) {
    const r = parseBody(createRequest, body);
    this.requireCluster(r.cluster);
    const aggregateId = deploymentIdOf(r.cluster, r.namespace, r.name);
    const { resources, ...rest } = r;
    const spec = { ...rest, deploymentId: aggregateId, resources: contractResources(resources) };
    const placement = {
      ...spec,
      perReplica: spec.resources,
      labels: spec.labels ?? {},
    };
    const policy = await this.inputs('create', aggregateId, actor, placement);
    const data = { ...spec, policy };
    return this.send({ type: 'CreateDeployment', aggregateId, data, created: true }, req, res, actor);
  }

  @Patch(':id')
  @ApiChange()
  @ApiJsonBody(updateRequest)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentActor() actor: Actor,
  ) {
    const r = parseBody(updateRequest, body);
    const data = {
      deploymentId: knownId(id, 'deployment'),
      image: r.image ?? null,
      env: r.env ?? null,
      resources: r.resources ? contractResources(r.resources) : null,
      policy: await this.inputs('update', id, actor),
    };
    return this.send({ type: 'UpdateDeployment', aggregateId: id, data }, req, res, actor);
  }

  @Post(':id/scale')
  @ApiChange({ post: true })
  @ApiJsonBody(scaleRequest)
  @HttpCode(200)
  async scale(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentActor() actor: Actor,
  ) {
    const { replicas } = parseBody(scaleRequest, body);
    return this.send(
      {
        type: 'ScaleDeployment',
        aggregateId: id,
        data: {
          deploymentId: knownId(id, 'deployment'),
          replicas,
          policy: await this.inputs('scale', id, actor),
        },
      },
      req,
      res,
      actor,
    );
  }

  @Post(':id/rollback')
  @ApiChange({ post: true })
  @ApiJsonBody(rollbackRequest)
  @HttpCode(200)
  async rollback(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentActor() actor: Actor,
  ) {
    const { toRevision } = parseBody(rollbackRequest, body);
    return this.send(
      {
        type: 'RollbackDeployment',
        aggregateId: id,
        data: {
          deploymentId: knownId(id, 'deployment'),
          toRevision,
          policy: await this.inputs('rollback', id, actor),
        },
      },
      req,
      res,
      actor,
    );
  }

  @Delete(':id')
  @ApiChange()
  async remove(
    @Param('id') id: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentActor() actor: Actor,
  ) {
    return this.send(
      {
        type: 'DeleteDeployment',
        aggregateId: id,
        data: { deploymentId: knownId(id, 'deployment'), policy: await this.inputs('delete', id, actor) },
      },
      req,
      res,
      actor,
    );
  }

  /** The policy inputs every change carries; the decider evaluates them (issue: policy engine). */
  private async inputs(action: Action, deploymentId: string, actor: Actor, placement?: Placement) {
    const question = { action, deploymentId, actor: actor.subject, now: new Date() };
    const answer = await this.gate.gather(placement ? { ...question, placement } : question);
    return answer.inputs;
  }

  private send(change: Change, req: Request, res: Response, actor: Actor) {
    return sendCommand(this.eventing, { context: deployments, resource: DEPLOYMENT }, change, {
      req,
      res,
      actor,
    });
  }

  private requireCluster(name: string): void {
    const known = this.clusters?.list().map((c) => c.name) ?? [];
    if (!known.includes(name)) {
      const reason =
        known.length > 0
          ? `is not a configured cluster (known: ${known.join(', ')})`
          : 'cannot be used: no clusters are configured (SENTINEL_KUBECONFIG)';
      throw new ProblemException({
        type: 'unknown-cluster',
        title: 'Unknown cluster',
        status: 422,
        detail: `cluster ${name} ${reason}`,
        errors: [{ field: 'cluster', reason }],
      });
    }
  }
}
