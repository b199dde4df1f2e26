import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { EVENTING, type Eventing } from '../eventing/eventing';
import { ProblemException } from '../http/problem.filter';
import { READ_ROLES, Roles } from '../infrastructure/auth';
import type { KubernetesClusters } from '../infrastructure/kubernetes/clusters';
import { KUBERNETES } from '../infrastructure/tokens';

/** Where a 202 "accepted, pending" points, and the clusters a deployment may name. */
@ApiTags('commands')
@ApiBearerAuth()
@Controller('v1')
@Roles(...READ_ROLES)
export class CommandsController {
  constructor(
    @Inject(EVENTING) private readonly eventing: Eventing,
    @Inject(KUBERNETES) private readonly clusters: KubernetesClusters | null,
  ) {}

  @Get('commands/:commandId')
  async outcome(@Param('commandId') commandId: string) {
    const result = await this.eventing.bus?.lookup(commandId);
    if (!result)
      throw new ProblemException({
        type: 'not-found',
        title: 'No outcome recorded for this command yet',
        status: 404,
        detail: `command ${commandId} has no recorded outcome; if it was just accepted, ask again shortly`,
      });
    return result;
  }

  @Get('clusters')
  async list() {
    return { items: (await this.clusters?.health(2000)) ?? [] };
  }
}
