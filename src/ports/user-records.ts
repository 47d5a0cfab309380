/** A user's row, as every store keeps it (its own file, so that other record files can name it). */
export type UserRole = 'user' | 'admin';

export interface UserRecord {
  id: number;
  uid: string;
  /** Case-folded (lower case); unique. */
  username: string;
  displayName: string;
  email: string | null;
  about: string | null;
  passwordHash: string;
  accountKeyHash: string | null;
  lastSeenAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** The user's id in the Vonage Conversation API once provisioned (V-app API); unique. */
  vonageUserId: string | null;
  /** `admin` may use the admin routes; set by the admin CLI or another admin. */
  role: UserRole;
  /** When an admin disabled the account (it cannot log in then); null when enabled. */
  disabledAt: number | null;
  /** A bot: made by an admin, signs in with API keys only. */
  isBot?: boolean;
}
