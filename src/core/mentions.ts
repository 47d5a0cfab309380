/**
 * Mentions (issue 19): `@username` of a current member, and `@all` in a group when its
 * owner writes it, resolved on send into the message's `mentions`. Unknown names and
 * non-members are plain text.
 */
import type { ChatRecord, Store } from '../ports/store.js';
import { foldUsername } from './account-rules.js';

const MENTION = /(?<![\p{L}\p{N}_@.])@([\p{L}\p{N}._-]{1,40})/gu;

/** The names `text` mentions, case-folded (a trailing full stop is also tried without). */
export function mentionedNames(text: string): Set<string> {
  const names = new Set<string>();
  if (!text.includes('@')) return names;
  for (const [, raw] of text.matchAll(MENTION)) {
    const name = foldUsername(raw!);
    names.add(name);
    const bare = name.replace(/\.+$/, '');
    if (bare !== name) names.add(bare);
  }
  return names;
}

/**
 * The member ids the text mentions, ascending, without the author. One query: the named
 * users who are current members, by the username index (not every member's user row);
 * `@all` from a group's owner reads the member ids instead.
 */
export async function resolveMentions(store: Store, chat: ChatRecord, authorId: number, text: string): Promise<number[]> {
  const names = mentionedNames(text);
  if (names.size === 0) return [];
  const everyone = names.has('all') && !chat.isPersonal && chat.ownerId === authorId;
  const ids = everyone ? await store.chats.listMemberIds(chat.id) : await store.chats.memberIdsNamed(chat.id, [...names]);
  return ids.filter((id) => id !== authorId).sort((a, b) => a - b);
}
