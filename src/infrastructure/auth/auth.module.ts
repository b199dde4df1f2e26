import { Module } from '@nestjs/common';
import { APP_GUARD, ModuleRef } from '@nestjs/core';
import type { Config } from '../config/config';
import type { Logger } from '../logging/logger';
import { METRICS, type Metrics } from '../telemetry/metrics';
import { CONFIG, LOGGER } from '../tokens';
import { ACCESS_DENIALS, type AccessDenials, DENIAL_EVENTS, LoggingAccessDenials } from './access-denials';
import { AuthGuard } from './auth.guard';
import { createTokenVerifier, TOKEN_VERIFIER } from './token-verifier';
import { WhoamiController } from './whoami.controller';

/** Identity for the HTTP API (DESIGN.md §6): the global guard, its verifier and the denial audit. */
@Module({
  controllers: [WhoamiController],
  providers: [
    {
      provide: TOKEN_VERIFIER,
      inject: [CONFIG],
      useFactory: (config: Config) => createTokenVerifier(config.auth),
    },
    {
      provide: ACCESS_DENIALS,
      inject: [LOGGER, ModuleRef],
      // The metrics registry is the application module's own provider; strict: false reaches it.
      useFactory: (logger: Logger, modules: ModuleRef) =>
        new LoggingAccessDenials(
          logger.child({ component: 'auth' }),
          () => modules.get<typeof METRICS, Metrics>(METRICS, { strict: false }).registry,
          () => optional<AccessDenials>(modules, DENIAL_EVENTS),
        ),
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TOKEN_VERIFIER, ACCESS_DENIALS],
})
export class AuthModule {}

/** A provider another module may or may not register (processes without the API have none). */
function optional<T>(modules: ModuleRef, token: symbol): T | undefined {
  try {
    return modules.get<symbol, T>(token, { strict: false });
  } catch {
    return undefined;
  }
}
