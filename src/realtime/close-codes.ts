/**
 * Every WebSocket close code Parley sends, in one place (RFC 6455 §7.4 and the private
 * 4000–4999 range). Clients may rely on these.
 */
export const CloseCode = {
  /** The server is shutting down (SIGTERM); reconnect elsewhere or later. */
  GoingAway: 1001,
  /** A binary frame; every Parley protocol is JSON text. */
  UnsupportedData: 1003,
  /** A frame that is not valid JSON or not a valid action/message (rooms: malformed `{text}`). */
  InvalidPayload: 1007,
  /**
   * A write on a read-only (anonymous) room socket, or abuse past the hard cap on bytes of
   * frames read but not handled (frame-reader.ts). A mere flood is slowed, never closed.
   */
  PolicyViolation: 1008,
  /** A frame larger than WS_MAX_PAYLOAD_BYTES (sent by the ws library). */
  MessageTooBig: 1009,
  /** The client reads too slowly: its unsent data passed WS_MAX_BUFFERED_BYTES. */
  TryAgainLater: 1013,
  /** A newer native socket opened for the same device session. */
  Replaced: 4000,
  /** The session was revoked (logout, password change or reset, account deletion, re-login). */
  Revoked: 4001,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** What each close code means to a client, and whether reconnecting makes sense (the AsyncAPI document lists them). */
export const CLOSE_CODE_DOCS: Record<CloseCodeValue, { name: keyof typeof CloseCode; meaning: string; reconnect: boolean }> = {
  1001: { name: 'GoingAway', meaning: 'the server is shutting down; reconnect (elsewhere or later)', reconnect: true },
  1003: { name: 'UnsupportedData', meaning: 'a binary frame; every Parley protocol is JSON text', reconnect: true },
  1007: { name: 'InvalidPayload', meaning: 'a frame that is not valid JSON or not a valid action (rooms: malformed {text})', reconnect: true },
  1008: { name: 'PolicyViolation', meaning: 'a write on a read-only room socket, or abuse past the hard cap on unread frames', reconnect: false },
  1009: { name: 'MessageTooBig', meaning: 'a frame larger than WS_MAX_PAYLOAD_BYTES', reconnect: true },
  1013: { name: 'TryAgainLater', meaning: 'the client read too slowly (its unsent data passed WS_MAX_BUFFERED_BYTES); reconnect with ?since', reconnect: true },
  4000: { name: 'Replaced', meaning: 'a newer socket opened for the same device session', reconnect: false },
  4001: { name: 'Revoked', meaning: 'the session was revoked (logout, password change, account deletion, re-login)', reconnect: false },
};
