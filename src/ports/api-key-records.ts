/** Store records of bots' API keys. Part of the Store port (`store.ts` gathers them). */

export interface ApiKeyRecord {
  /** The key's public id (the part before its secret). */
  id: string;
  /** The bot it acts as. */
  userId: number;
  /** The device session the key acts in (its sockets, its revocation). */
  sessionId: string;
  /** Hex SHA-256 of the key's secret. */
  keyHash: string;
  scopes: string[];
  createdAt: number;
}

export interface ApiKeysRepository {
  insert(key: ApiKeyRecord): Promise<void>;
  findById(id: string): Promise<ApiKeyRecord | undefined>;
  listByUser(userId: number): Promise<ApiKeyRecord[]>;
  delete(id: string): Promise<boolean>;
}
