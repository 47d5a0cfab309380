/**
 * The Vonage Conversation API's users and conversations, as the V-app service needs them:
 * create a user, find one by name, set its image; create a conversation and add members. The core knows nothing of HTTP; `adapters/vonage/http.ts`
 * talks to the real API (or to the local stand-in the tests run).
 */

/** A user as the Conversation API knows it. */
export interface ConversationUser {
  /** Vonage's id, such as `USR-8f3c…`. */
  id: string;
  name: string;
}

export interface ConversationUsers {
  /** Creates a user; `undefined` when the API already has one by that name. */
  create(user: { name: string; displayName: string }): Promise<ConversationUser | undefined>;
  /** The user with exactly this name, if the API has one. */
  findByName(name: string): Promise<ConversationUser | undefined>;
  /** Sets the user's `image_url`. */
  updateImage(id: string, imageUrl: string): Promise<void>;
  /** Creates an empty conversation (`POST /v0.3/conversations`); answers its id (`CON-…`). */
  createConversation(): Promise<string>;
  /** Makes the user a joined member of the conversation, on the `app` channel. */
  addMember(conversationId: string, userId: string): Promise<void>;
}

/**
 * Thrown by an adapter when the API could not do what was asked: unreachable, too slow,
 * an error status, or an answer it could not read. The message is safe to show a client
 * (status and Vonage's own title or detail, never credentials).
 */
export class VonageFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VonageFailure';
  }
}
