/** Wire schemas of the native USERS API; they validate requests and document `/openapi.json`. */
import { Type } from 'typebox';
import { ABOUT_MAX, EMAIL_MAX, NAME_MAX, PASSWORD_MAX, PUSH_TRANSPORTS, USERNAME_PATTERN } from '../../core/account-rules.js';
import { MAX_RECORD_ID } from '../validation.js';
import { MediaInfo } from './media.schemas.js';
import { CursorParam } from '../../edge/paging.js';

const Text = (maxLength: number, description?: string) => Type.String({ maxLength, ...(description ? { description } : {}) });

/** Upstream's DeviceInfo fields are optional and nullable: its web app sends `token: null` before it has a push subscription. */
const Nullable = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

export const DeviceInfoInput = Type.Object(
  {
    id: Nullable(Text(128, 'Client-made device id (a UUID); a known one renews that device’s session.')),
    name: Nullable(Text(128)),
    model: Nullable(Text(128)),
    token: Nullable(Text(4096, 'Push token')),
    transport: Nullable(Type.Union([...PUSH_TRANSPORTS, ''].map((t) => Type.Literal(t)))),
  },
  { description: 'DeviceInfo: every field optional and nullable; null and empty strings mean "not given".' },
);

export const DeviceSession = Type.Object({
  id: Type.String({ format: 'uuid' }),
  accessToken: Type.Optional(Type.String({ description: 'Only in the register and login answers.' })),
  ipAddress: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  deviceInfo: Type.Object({
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    model: Type.Optional(Type.String()),
    token: Type.Optional(Type.String()),
    transport: Type.Optional(Type.String()),
  }),
});

export const UserInfo = Type.Object({
  id: Type.Integer(),
  uid: Type.String({ format: 'uuid' }),
  name: Type.String(),
  username: Type.String(),
  email: Type.Optional(Type.String({ description: 'Only in the caller’s own UserInfo.' })),
  about: Type.Optional(Type.String()),
  lastSeen: Type.Optional(Type.String({ format: 'date-time' })),
  photos: Type.Array(MediaInfo, { description: 'Newest first.' }),
  isBot: Type.Optional(Type.Boolean({ description: 'true for a bot (an integration acting with API keys); absent otherwise.' })),
  isBlocked: Type.Optional(Type.Boolean({ description: 'true when the caller blocked this user (PUT /users/me/blocks/<id>); absent otherwise.' })),
  deviceSessions: Type.Optional(Type.Array(DeviceSession)),
});

/**
 * The flat UserInfo (seed 001) plus upstream's PrivateInfo (`info`, `deviceSessions`): one answer
 * that both the seed's clients and upstream's web app read.
 */
export const LoginAnswer = Type.Intersect([
  UserInfo,
  Type.Object({
    token: Type.String({ description: 'The new session’s access token.' }),
    uid: Type.String({ format: 'uuid' }),
    info: Type.Omit(UserInfo, ['deviceSessions'], { description: 'The same UserInfo, as upstream’s PrivateInfo carries it.' }),
  }),
]);

export const Ok = Type.Object({}, { description: 'OK' });

export const RegisterBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: NAME_MAX }),
  username: Type.String({ minLength: 3, maxLength: 32, description: `Case-folded, then ${USERNAME_PATTERN}` }),
  password: Type.String({ minLength: 8, maxLength: PASSWORD_MAX }),
  email: Type.Optional(Type.String({ maxLength: EMAIL_MAX })),
  deviceInfo: Type.Optional(DeviceInfoInput),
});

/**
 * With Basic credentials upstream's web app sends the DeviceInfo itself as the body
 * (`{id, name, model, token, transport}`), so its fields are accepted at the top level too.
 */
export const LoginBody = Type.Object({
  username: Type.Optional(Type.String({ maxLength: EMAIL_MAX })),
  email: Type.Optional(Type.String({ maxLength: EMAIL_MAX })),
  password: Type.Optional(Type.String({ maxLength: PASSWORD_MAX })),
  /** The second factor (TOTP or recovery code) of an account with two-factor sign-in. */
  code: Type.Optional(Type.String({ maxLength: 64 })),
  deviceInfo: Type.Optional(DeviceInfoInput),
  ...DeviceInfoInput.properties,
});

export const ChangePasswordBody = Type.Object({
  oldPassword: Type.String({ maxLength: PASSWORD_MAX }),
  newPassword: Type.String({ minLength: 8, maxLength: PASSWORD_MAX }),
});

/** Upstream's current `PUT /api/users/me/password` body (its web app, Public/app/js/api.js:122-131). */
export const PasswordBody = Type.Object({
  currentPassword: Type.String({ maxLength: PASSWORD_MAX }),
  newPassword: Type.String({ minLength: 8, maxLength: PASSWORD_MAX }),
});

export const SetAccountKeyBody = Type.Object({
  password: Type.String({ maxLength: PASSWORD_MAX }),
  accountKey: Type.String({ minLength: 8, maxLength: PASSWORD_MAX }),
});

export const ResetPasswordBody = Type.Object({
  userId: Type.Integer({ minimum: 1, maximum: MAX_RECORD_ID }),
  accountKey: Type.String({ maxLength: PASSWORD_MAX }),
  newPassword: Type.String({ minLength: 8, maxLength: PASSWORD_MAX }),
});

export const UpdateUserBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: NAME_MAX })),
  about: Type.Optional(Type.String({ maxLength: ABOUT_MAX })),
});

export const UpdateDeviceBody = Type.Object({
  deviceName: Type.Optional(Text(128)),
  deviceToken: Type.Optional(Text(4096, 'Push token; for the web transport the PushSubscription as JSON')),
  transport: Type.Optional(
    Type.Union(
      [...PUSH_TRANSPORTS, ''].map((t) => Type.Literal(t)),
      { description: 'Push transport of the token' },
    ),
  ),
});

export const UserIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_RECORD_ID }) });

export const SearchQuery = Type.Object({
  s: Type.Optional(Type.String({ maxLength: 64, description: 'Substring of the name or username' })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  cursor: CursorParam,
});

/** GET /users/all as upstream's web app sends it (Public/app/js/api.js:151-156): `count`, and `id`, the last user already shown. */
export const AllUsersQuery = Type.Object({
  count: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  id: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RECORD_ID, description: 'Only users with a smaller id (the cursor).' })),
  cursor: CursorParam,
});
