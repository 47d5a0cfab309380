/**
 * The rules every family applies to account fields, in one place. API schemas reuse the
 * patterns for documentation; the services check them again so that a family with a
 * looser wire format (the rooms and V-app APIs) cannot bypass them.
 */
import unhomoglyph from 'unhomoglyph';
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

// Zero-width spaces and joiners, soft hyphens, bidi marks, variation selectors: invisible,
// so an address holding one would look like another's.
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
const NON_ASCII = /[\u0080-\u{10ffff}]/gu;

/**
 * An email address as it is stored and shown: NFKC (fullwidth and compatibility forms become
 * their plain letters), invisible characters removed, trimmed. Case is kept for display.
 */
export const normalizeEmail = (email: string) => email.normalize('NFKC').replace(INVISIBLE, '').trim();

/** The address as it is compared and looked up: normalised, then case-folded. */
export const emailKeyOf = (email: string) => normalizeEmail(email).toLowerCase().normalize('NFKC');

/**
 * The address's confusable skeleton (after UTS #39): every non-ASCII character is replaced by
 * the character it is confusable with (Unicode's confusables.txt, through `unhomoglyph`), so
 * a Cyrillic "а" or a Greek "ο" reads as the Latin letter. Two addresses with one skeleton
 * look alike, and the second is refused. ASCII is kept as it is: distinct ASCII addresses
 * (tom@ and torn@, bob1@ and bobl@) are distinct mailboxes and both register.
 */
export const emailSkeletonOf = (email: string) =>
  emailKeyOf(email)
    .replace(NON_ASCII, (char) => unhomoglyph(char))
    .toLowerCase();

/** The stored email fields of an address given at sign-up (all null without one). */
export function emailFields(email: string | undefined): { email: string | null; emailKey: string | null; emailSkeleton: string | null } {
  const normalized = email === undefined ? '' : normalizeEmail(email);
  if (normalized === '') return { email: null, emailKey: null, emailSkeleton: null };
  return { email: normalized, emailKey: emailKeyOf(normalized), emailSkeleton: emailSkeletonOf(normalized) };
}

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
    const email = value === undefined ? undefined : normalizeEmail(value);
    if (email !== undefined && (email.length > EMAIL_MAX || !emailRe.test(email))) {
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
