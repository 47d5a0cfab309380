/** The rooms family's shared wire shapes (the original server's JSON). */
import { Type } from 'typebox';

export const Envelope = <T extends ReturnType<typeof Type.Object> | ReturnType<typeof Type.Array>>(data: T) => Type.Object({ error: Type.Null(), data });
export const Account = Type.Object({ id: Type.Integer(), username: Type.String() });
export const Role = Type.Object({ name: Type.String(), override: Type.String(), permissions: Type.Array(Type.Never()) });
/** A user as the original server's LoginUser answers it: with its roles (the frontend reads their names). */
export const RolesAccount = Type.Object({ id: Type.Integer(), username: Type.String(), roles: Type.Array(Role) });
export const RoomMessage = Type.Object({ id: Type.Integer(), sender: Account, text: Type.String(), createTime: Type.Integer({ description: 'Unix seconds' }) });
