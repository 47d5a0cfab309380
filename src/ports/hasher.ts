/** Password and account-key hashing. Implementations must not block the event loop. */
export interface Hasher {
  /** A self-describing hash (PHC string) of `secret`. */
  hash(secret: string): Promise<string>;
  /** True when `secret` matches `hash`; false (never a throw) for a malformed hash. */
  verify(hash: string, secret: string): Promise<boolean>;
  /** Releases threads or other resources; the hasher is not used afterwards. */
  close?(): Promise<void>;
}
