import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from './decorators';
import { type Actor, READ_ROLES } from './roles';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('v1')
export class WhoamiController {
  @Get('whoami')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'The caller as Sentinel sees it: the subject and role of the bearer token' })
  @ApiOkResponse({ description: '{ subject, role }' })
  whoami(@CurrentActor() actor: Actor): Actor {
    return { subject: actor.subject, role: actor.role };
  }
}
