declare module 'http_ece' {
  /** Decrypts an RFC 8188 body; for Web Push pass `{version: 'aes128gcm', privateKey: ECDH, authSecret}`. */
  export function decrypt(buffer: Buffer, params: Record<string, unknown>): Buffer;
}
