/**
 * What the V-app family keeps beside the shared rows (migration 0014): a chat's conversation
 * at the Vonage Conversation API, an image URL set from outside Parley, and the look-ups of
 * accounts by their V-app ids.
 */
import type { UserRecord } from './user-records.js';

/** An image URL set through the V-app (`POST /image {image_url}`) and when. */
export interface ImageUrlRecord {
  url: string;
  setAt: number;
}

export interface VappRepository {
  /** Records the chat's Vonage conversation; false when the chat already has one (the first stays). */
  linkConversation(chatId: string, conversationId: string, at: number): Promise<boolean>;
  /** The chat id of a Vonage conversation id. */
  findChatIdByConversation(conversationId: string): Promise<string | undefined>;
  /** The Vonage conversation ids of those of `chatIds` that have one. */
  conversationsOf(chatIds: string[]): Promise<Map<string, string>>;
  /** The users among `uids` (their `USR-<uid>` ids) and `vonageUserIds`, in no particular order. */
  findUsers(ids: { uids: string[]; vonageUserIds: string[] }): Promise<UserRecord[]>;
  /** Sets (or replaces) the user's image URL. */
  setImageUrl(userId: number, url: string, at: number): Promise<void>;
  /** The image URLs of those of `userIds` that have one. */
  imageUrlsOf(userIds: number[]): Promise<Map<number, ImageUrlRecord>>;
}
