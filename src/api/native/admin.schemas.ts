/** Wire schemas of the native admin routes (`/admin/…`, admins only). */
import { Type } from 'typebox';
import { EMAIL_MAX, NAME_MAX, PASSWORD_MAX, PASSWORD_MIN, USERNAME_PATTERN } from '../../core/account-rules.js';
import { USERS_PAGE_MAX } from '../../core/admin.service.js';
import { MAX_RECORD_ID } from '../validation.js';

const Role = Type.Union([Type.Literal('user'), Type.Literal('admin')]);
const Password = Type.String({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX });

export const AdminUser = Type.Object({
  id: Type.Integer(),
  uid: Type.String({ format: 'uuid' }),
  username: Type.String(),
  name: Type.String(),
  email: Type.Optional(Type.String()),
  role: Role,
  disabledAt: Type.Optional(Type.String({ format: 'date-time', description: 'Set while the account is disabled.' })),
  createdAt: Type.String({ format: 'date-time' }),
  lastSeen: Type.Optional(Type.String({ format: 'date-time' })),
});

export const CreateUserBody = Type.Object({
  username: Type.String({ pattern: USERNAME_PATTERN.replace('a-z', 'A-Za-z') }),
  name: Type.String({ minLength: 1, maxLength: NAME_MAX }),
  password: Password,
  email: Type.Optional(Type.String({ maxLength: EMAIL_MAX })),
  role: Type.Optional(Role),
});

export const UserParams = Type.Object({
  user: Type.String({ minLength: 1, maxLength: 64, description: 'The account’s id or username.' }),
});

export const SessionParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const PasswordBody = Type.Object({ password: Password });

export const RoleBody = Type.Object({ role: Role });

export const Revoked = Type.Object({ revoked: Type.Integer({ description: 'How many sessions were ended.' }) });

export const Rotated = Type.Object({ kid: Type.String({ description: 'The new signing key’s id, in the JWKS from now on.' }) });

export const ListUsersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Only accounts whose name, username or email contains this (any case).' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: USERS_PAGE_MAX, default: 50 })),
  cursor: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RECORD_ID, description: 'The `nextCursor` of the previous page.' })),
});

export const ListedUser = Type.Object({
  ...AdminUser.properties,
  disabled: Type.Boolean(),
  sessions: Type.Integer({ description: 'How many device sessions the account has.' }),
});

export const UsersPage = Type.Object({
  users: Type.Array(ListedUser),
  nextCursor: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page.' }),
});
