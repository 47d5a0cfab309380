/**
 * What hangs off a message besides its text and files: reactions, the edit history, pins,
 * mentions and delivery receipts (issue 19). Part of the Store port; every row goes with its
 * message.
 */

/** One emoji on one message: who used it, in the order they did. */
export interface ReactionRecord {
  emoji: string;
  userIds: number[];
}

/** A text the message had before an edit, and when that edit replaced it. */
export interface EditRecord {
  text: string;
  editedAt: number;
}

export interface MessageExtrasRepository {
  /** Adds the user's reaction (no-op when present); false when it was there already. */
  addReaction(messageId: number, userId: number, emoji: string, at: number): Promise<boolean>;
  /** Removes it; false when it was not there. */
  removeReaction(messageId: number, userId: number, emoji: string): Promise<boolean>;
  /**
   * Locks the message's row until the transaction ends (PostgreSQL `FOR UPDATE`; on SQLite a
   * no-op, the transaction is the only writer): reaction changes to one message go one at a time.
   */
  lockMessage(messageId: number): Promise<void>;
  /** The distinct emoji used on the message. */
  reactionEmoji(messageId: number): Promise<string[]>;
  /** Reactions of each message, emoji in first-use order. */
  reactionsOf(messageIds: number[]): Promise<Map<number, ReactionRecord[]>>;

  addEdit(messageId: number, edit: EditRecord): Promise<void>;
  /** Newest first. */
  editsOf(messageId: number): Promise<EditRecord[]>;
  deleteEdits(messageId: number): Promise<void>;

  /** Pins the message in its chat; false when it was pinned already. */
  pin(chatId: string, messageId: number, userId: number, at: number): Promise<boolean>;
  unpin(chatId: string, messageId: number): Promise<boolean>;
  /** The pinned messages (row id and public id) of each chat, oldest pin first. */
  pinsOf(chatIds: string[]): Promise<Map<string, Array<{ id: number; uuid: string }>>>;

  addMentions(messageId: number, userIds: number[], at: number): Promise<void>;
  mentionsOf(messageIds: number[]): Promise<Map<number, number[]>>;
  /** Messages that mention the user, newest first, with id < `beforeId` when given. */
  listMentioning(userId: number, beforeId: number | null, count: number): Promise<number[]>;

  /** Records that a device of the user received the message; false when recorded already. */
  addDelivery(messageId: number, userId: number, at: number): Promise<boolean>;
  deliveriesOf(messageIds: number[]): Promise<Map<number, number[]>>;
}
