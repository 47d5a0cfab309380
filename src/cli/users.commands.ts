/** `parley users …` and `parley sessions …`: thin wrappers over the core admin service. */
import type { Command } from 'commander';
import type { SessionRecord, UserRecord } from '../ports/store.js';
import { USERS_PAGE_MAX } from '../core/admin.service.js';
import { CliError, readPassword, withCore } from './run.js';

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** One line per account, for people and for `grep`/`cut`. */
export const describeUser = (u: UserRecord) =>
  `${u.id}\t${u.username}\t${u.role}\t${u.disabledAt === null ? 'enabled' : `disabled since ${iso(u.disabledAt)}`}\t${u.displayName}`;

const describeSession = (s: SessionRecord) =>
  `${s.id}\t${iso(s.createdAt)}\t${iso(s.updatedAt)}\t${s.ipAddress ?? '-'}\t${s.deviceName ?? s.deviceModel ?? s.deviceId ?? '-'}`;

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** A whole number from 1 to `max`, or one line saying what is wrong. */
function positive(text: string, name: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`${name} must be a whole number from 1 to ${max}.`);
  return n;
}

/** Registers the account and session commands on `program`. */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('create, list, disable, enable, promote, demote and delete accounts, or reset a password');

  users
    .command('create <username>')
    .description('create an account (the password from --password-stdin, a prompt, or --password)')
    .requiredOption('--name <name>', 'display name')
    .option('--password <password>', 'the password (visible to other local users in the process list; prefer --password-stdin)')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .option('--email <email>', 'email address')
    .option('--admin', 'make it an admin')
    .action(async (username: string, o: { name: string; password?: string; passwordStdin?: boolean; email?: string; admin?: boolean }) => {
      const password = o.password ?? (await readPassword(o.passwordStdin === true));
      const user = await withCore((core) => core.admin.createUser({ username, name: o.name, password, email: o.email, role: o.admin ? 'admin' : 'user' }));
      say(`Created ${describeUser(user)}`);
    });

  users
    .command('disable <user>')
    .description('stop an account (id or username) from logging in and end its sessions at once')
    .action(async (ref: string) => say(`Disabled ${describeUser(await withCore((core) => core.admin.disableUser(ref)))}`));

  users
    .command('enable <user>')
    .description('let a disabled account log in again')
    .action(async (ref: string) => say(`Enabled ${describeUser(await withCore((core) => core.admin.enableUser(ref)))}`));

  users
    .command('reset-password <user>')
    .description('set a new password (from stdin, or prompted) and end every session of the account')
    .option('--password-stdin', 'read the password from the first line of stdin (the default when stdin is not a terminal)')
    .action(async (ref: string, o: { passwordStdin?: boolean }) => {
      const password = await readPassword(o.passwordStdin === true);
      say(`New password for ${describeUser(await withCore((core) => core.admin.resetPassword(ref, password)))}; every session ended`);
    });

  users
    .command('promote <user>')
    .description('make an account an admin (may use the /admin routes)')
    .action(async (ref: string) => say(`Promoted ${describeUser(await withCore((core) => core.admin.setRole(ref, 'admin')))}`));

  users
    .command('demote <user>')
    .description('make an admin a plain user again')
    .action(async (ref: string) => say(`Demoted ${describeUser(await withCore((core) => core.admin.setRole(ref, 'user')))}`));

  users
    .command('list')
    .description('accounts newest first: id, username, role, state, name, last seen, sessions (tab-separated)')
    .option('--query <text>', 'only accounts whose name, username or email contains this')
    .option('--limit <n>', 'at most this many (1 to 200)', '50')
    .option('--cursor <id>', 'continue below this id (printed last when there are more)')
    .action(async (o: { query?: string; limit: string; cursor?: string }) => {
      const limit = positive(o.limit, '--limit', USERS_PAGE_MAX);
      const cursor = o.cursor === undefined ? undefined : positive(o.cursor, '--cursor', Number.MAX_SAFE_INTEGER);
      const page = await withCore((core) => core.admin.listUsers({ query: o.query, limit, cursor }));
      for (const { user, sessions: count } of page.users) say(`${describeUser(user)}\t${iso(user.lastSeenAt)}\t${count}`);
      if (page.nextCursor !== undefined) say(`more: --cursor ${page.nextCursor}`);
    });

  users
    .command('delete <user>')
    .description('delete an account and everything it owns, as its own deletion would (sessions end at once)')
    .action(async (ref: string) => say(`Deleted ${describeUser(await withCore((core) => core.admin.deleteUser(ref)))}`));

  const sessions = program.command('sessions').description('list or end device sessions');

  sessions
    .command('list <user>')
    .description('the device sessions of an account: id, created, last renewed, address, device')
    .action(async (ref: string) => {
      const { sessions: list } = await withCore((core) => core.admin.listSessions(ref));
      for (const session of list) say(describeSession(session));
    });

  sessions
    .command('revoke [sessionId]')
    .description('end a session at once (its token fails, its socket closes), or every session of --all <user>')
    .option('--all <user>', 'end every session of this account')
    .action(async (sessionId: string | undefined, o: { all?: string }) => {
      if ((sessionId === undefined) === (o.all === undefined)) throw new CliError('Give a session id or --all <user>, not both.');
      if (o.all !== undefined) {
        const ref = o.all;
        say(`Ended ${await withCore((core) => core.admin.revokeAllSessions(ref))} session(s) of ${ref}`);
      } else {
        const session = await withCore((core) => core.admin.revokeSession(sessionId!));
        say(`Ended session ${session.id}`);
      }
    });
}
