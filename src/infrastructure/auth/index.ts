/** Identity and roles for the HTTP API; what other modules import from here. */
export {
  type AccessDenial,
  type AccessDenials,
  ACCESS_DENIALS,
  DENIAL_EVENTS,
  LoggingAccessDenials,
} from './access-denials';
export { AuthModule } from './auth.module';
export { actorOf, CurrentActor, Public, Roles } from './decorators';
export { type DenialReason, IdentityProviderUnavailable, TokenRejected } from './errors';
export { signLocalToken, parseTtl } from './local-tokens';
export { ADMIN_ROLES, type Actor, isRole, READ_ROLES, type Role, ROLES, WRITE_ROLES } from './roles';
export { createTokenVerifier, TOKEN_VERIFIER, type TokenVerifier } from './token-verifier';
