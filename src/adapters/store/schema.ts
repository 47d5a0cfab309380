/**
 * Table shapes as Kysely sees them, shared by the SQLite and PostgreSQL adapters.
 * Times are epoch milliseconds (BIGINT), flags 0/1 integers, so both engines return the
 * same JavaScript values and one set of repositories serves both.
 */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  uid: string;
  username: string;
  display_name: string;
  email: string | null;
  email_key: string | null;
  about: string | null;
  password_hash: string;
  account_key_hash: string | null;
  last_seen_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface DeviceSessionsTable {
  id: string;
  user_id: number;
  token_id: string;
  device_id: string | null;
  device_name: string | null;
  device_model: string | null;
  push_token: string | null;
  push_transport: string | null;
  ip_address: string | null;
  created_at: number;
  updated_at: number;
}

export interface SigningKeysTable {
  kid: string;
  algorithm: string;
  private_pem: string;
  public_jwk: string;
  created_at: number;
}

export interface MediaTable {
  id: string;
  owner_id: number;
  file_type: string;
  mime: string;
  file_size: number;
  width: number | null;
  height: number | null;
  preview_width: number | null;
  preview_height: number | null;
  ready: number;
  attached_as: string | null;
  attached_at: number | null;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  device_sessions: DeviceSessionsTable;
  signing_keys: SigningKeysTable;
  media: MediaTable;
}
