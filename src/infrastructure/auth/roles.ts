/** Sentinel's roles (DESIGN.md §6). `system` is for other services acting on their own behalf. */
export const ROLES = ['viewer', 'operator', 'admin', 'system'] as const;
export type Role = (typeof ROLES)[number];

export const READ_ROLES: readonly Role[] = ['viewer', 'operator', 'admin', 'system'];
export const WRITE_ROLES: readonly Role[] = ['operator', 'admin', 'system'];
export const ADMIN_ROLES: readonly Role[] = ['admin'];

/** Who made a request: the token's `sub` and the role it was granted. */
export interface Actor {
  subject: string;
  role: Role;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
