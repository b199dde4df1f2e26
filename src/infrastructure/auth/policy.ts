import type { Reflector } from '@nestjs/core';
import { ALLOWED_ROLES, IS_PUBLIC } from './decorators';
import { ADMIN_ROLES, type Role } from './roles';

/** Who may call an endpoint. `declared: false` marks the fail-closed default. */
export type Policy = { public: true } | { public: false; roles: readonly Role[]; declared: boolean };

/** A handler or controller, as ExecutionContext gives them. */
type Target = Parameters<Reflector['get']>[1];

/**
 * The closest declaration wins: the handler's Public() or Roles(), else the controller's. An
 * endpoint that declares neither is open to admin only, so a forgotten decorator fails closed.
 */
export function policyOf(reflector: Reflector, handler: Target, controller: Target): Policy {
  for (const target of [handler, controller]) {
    if (reflector.get<boolean | undefined>(IS_PUBLIC, target)) return { public: true };
    const roles = reflector.get<Role[] | undefined>(ALLOWED_ROLES, target);
    if (roles) return { public: false, roles, declared: true };
  }
  return { public: false, roles: ADMIN_ROLES, declared: false };
}
