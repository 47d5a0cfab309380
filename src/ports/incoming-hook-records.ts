/** Store records of incoming webhooks. Part of the Store port (`store.ts` gathers them). */

export interface IncomingHookRecord {
  id: string;
  chatId: string;
  /** The bot user the hook posts as (named after the hook). */
  botId: number;
  /** Hex SHA-256 of the secret URL's token. */
  tokenHash: string;
  name: string;
  createdAt: number;
}

export interface IncomingHooksRepository {
  insert(hook: IncomingHookRecord): Promise<void>;
  findById(id: string): Promise<IncomingHookRecord | undefined>;
  findByTokenHash(tokenHash: string): Promise<IncomingHookRecord | undefined>;
  listByChat(chatId: string): Promise<IncomingHookRecord[]>;
  delete(id: string): Promise<boolean>;
}
