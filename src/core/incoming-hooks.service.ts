/**
 * Incoming webhooks (issue 22): an admin makes a secret URL for a chat; whoever holds it
 * posts `{text}` into that chat as a named integration, a bot user made for the hook and
 * added to the chat. Only the token's SHA-256 is stored; the URL is shown once.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { notFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { MessageView } from '../ports/events.js';
import type { IncomingHookRecord, Store } from '../ports/store.js';
import type { BotsService } from './bots.service.js';
import type { ChatsService } from './chats.service.js';
import type { MessagesService } from './messages.service.js';
import { loadProfiles, profileOf } from './profiles.js';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export type IncomingHooksService = ReturnType<typeof createIncomingHooksService>;

export function createIncomingHooksService(deps: { store: Store; clock: Clock; bots: BotsService; chats: ChatsService; messages: MessagesService }) {
  const { store, clock, bots, chats, messages } = deps;

  async function chatOf(chatId: string) {
    const chat = await store.chats.findById(chatId);
    if (!chat || chat.roomName !== null) throw notFound('Chat');
    return chat;
  }

  return {
    /** Makes a hook for `chatId` named `name`; answers the record and its token (shown once). */
    async create(chatId: string, name: string): Promise<{ hook: IncomingHookRecord; token: string }> {
      const chat = await chatOf(chatId);
      const id = randomUUID();
      const bot = await bots.createBot({ username: `hook-${id.slice(0, 8)}-${randomBytes(3).toString('hex')}`, name });
      // The bot joins through the usual path (the chat's members see `addedUsers`), added by the owner or else any member.
      const memberIds = await store.chats.listMemberIds(chat.id);
      const adderId = chat.ownerId !== null && memberIds.includes(chat.ownerId) ? chat.ownerId : memberIds[0];
      const adder = adderId === undefined ? undefined : (await loadProfiles(store, [adderId])).get(adderId);
      if (!adder) throw notFound('Chat member');
      await chats.addUsers(adder, chat.id, [bot.id]);
      const token = randomBytes(32).toString('base64url');
      const hook: IncomingHookRecord = { id, chatId: chat.id, botId: bot.id, tokenHash: hashOf(token), name, createdAt: clock.now() };
      await store.incomingHooks.insert(hook);
      return { hook, token };
    },

    async list(chatId: string): Promise<IncomingHookRecord[]> {
      await chatOf(chatId);
      return store.incomingHooks.listByChat(chatId);
    },

    /** Removes a hook: its URL stops working; its bot and what it posted stay. */
    async delete(chatId: string, hookId: string): Promise<void> {
      const hook = await store.incomingHooks.findById(hookId);
      if (!hook || hook.chatId !== chatId) throw notFound('Hook');
      await store.incomingHooks.delete(hookId);
    },

    /** Posts `text` as the hook's integration; 404 for an unknown token. */
    async post(token: string, text: string): Promise<MessageView> {
      const hook = await store.incomingHooks.findByTokenHash(hashOf(token));
      const bot = hook && (await store.users.findById(hook.botId));
      if (!hook || !bot || bot.disabledAt !== null) throw notFound('Hook');
      return messages.sendMessage(profileOf(bot), hook.chatId, { localId: randomUUID(), text });
    },
  };
}
