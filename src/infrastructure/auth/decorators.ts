import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor, Role } from './roles';

export const IS_PUBLIC = 'sentinel:auth:public';
export const ALLOWED_ROLES = 'sentinel:auth:roles';

/** The endpoint (or every endpoint of the controller) needs no token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The roles allowed to call the endpoint (or the controller's endpoints). */
export function Roles(...roles: Role[]) {
  // An empty list would read as "declared" while allowing no one; refuse it where it is written.
  if (roles.length === 0) throw new Error('Roles() needs at least one role');
  return SetMetadata(ALLOWED_ROLES, roles);
}

const ACTOR = Symbol('sentinel.actor');
type WithActor = { [ACTOR]?: Actor };

/** Attaches the verified actor to the request; only the auth guard calls this. */
export function setActor(request: object, actor: Actor): void {
  (request as WithActor)[ACTOR] = actor;
}

/** The verified actor of a request, or undefined on a Public() endpoint. */
export function actorOf(request: object): Actor | undefined {
  return (request as WithActor)[ACTOR];
}

/** The verified caller as a handler parameter; a programming error on a Public() endpoint. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const actor = actorOf(context.switchToHttp().getRequest<object>());
  if (!actor) throw new Error('CurrentActor() used on an endpoint that is Public(): there is no actor');
  return actor;
});
