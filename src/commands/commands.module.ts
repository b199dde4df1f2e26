import { DENIAL_EVENTS } from '../infrastructure/auth';
import { AccessDenialEvents } from './access-denial-events';
import { Module } from '@nestjs/common';
import { CommandsController } from './commands.controller';
import { DeploymentCommandsController } from './deployments-commands.controller';
import { PolicyCommandsController } from './policies-commands.controller';

@Module({
  controllers: [DeploymentCommandsController, PolicyCommandsController, CommandsController],
  providers: [{ provide: DENIAL_EVENTS, useClass: AccessDenialEvents }],
  exports: [DENIAL_EVENTS],
})
export class CommandsModule {}
