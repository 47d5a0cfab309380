/**
 * The rules every family applies to account fields, in one place. API schemas reuse the
 * patterns for documentation; the services check them again so that a family with a
 * looser wire format (the rooms and V-app APIs) cannot bypass them.
 */
import { invalid, type InvalidParameter } from '../errors.js';

export const USERNAME_PATTERN = '^[a-z0-9._-]{3,32}$';
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;
export const NAME_MAX = 64;
export const ABOUT_MAX = 1024;
export const EMAIL_MAX = 254;
export const PUSH_TRANSPORTS = ['apns', 'fcm', 'web', 'none'] as const;

const usernameRe = new RegExp(USERNAME_PATTERN);
const emailRe = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Case-folds a username the way it is stored and compared. */
export const foldUsername = (username: string) => username.trim().toLowerCase();

/** Collects rule violations; `assert` throws them as one 400. */
export class FieldChecks {
  private readonly problems: InvalidParameter[] = [];

  username(name: string, value: string): this {
    if (!usernameRe.test(foldUsername(value))) {
      this.problems.push({ name, reason: 'must be 3 to 32 characters of a-z, 0-9, ".", "_" or "-"' });
    }
    return this;
  }

  password(name: string, value: string): this {
    const length = [...value].length;
    if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
      this.problems.push({ name, reason: `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` });
    }
    return this;
  }

  displayName(name: string, value: string): this {
    const length = [...value.trim()].length;
    if (length < 1 || length > NAME_MAX) this.problems.push({ name, reason: `must be 1 to ${NAME_MAX} characters` });
    return this;
  }

  email(name: string, value: string | undefined): this {
    if (value !== undefined && (value.length > EMAIL_MAX || !emailRe.test(value))) {
      this.problems.push({ name, reason: 'must be an email address' });
    }
    return this;
  }

  check(condition: boolean, name: string, reason: string): this {
    if (!condition) this.problems.push({ name, reason });
    return this;
  }

  assert(): void {
    if (this.problems.length > 0) throw invalid(this.problems);
  }
}
