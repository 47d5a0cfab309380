/**
 * The roles the rooms clients read from a user (`user.roles[].name`, the chat.connor.fun
 * frontend's Lock components): Parley has no per-path permission sets, so a role carries its
 * name and an override only; every account is verified (Parley sends no verification mail).
 */
import type { UserRole } from '../../ports/store.js';

/** One role as the original server's `Role` JSON: `{name, override, permissions}`. */
export interface RoomsRole {
  name: string;
  override: string;
  permissions: never[];
}

const role = (name: string, override = 'NONE'): RoomsRole => ({ name, override, permissions: [] });

/** The roles of an account with Parley role `userRole`, as the original server named them. */
export function rolesOf(userRole: UserRole): RoomsRole[] {
  const roles = [role('normalUser'), role('anonUser')];
  if (userRole === 'admin') roles.unshift(role('admin', 'ALLOW_ALL'));
  return roles;
}
