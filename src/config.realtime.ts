/** Sockets (`WS_*`, `EVENT_RETENTION_SECONDS`) and HTTP connection timeouts, read through `loadConfig`'s readers. */
import type { Readers } from './config.readers.js';

export interface RealtimeConfig {
  /** How long the event log keeps events for reconnecting clients. */
  eventRetentionSeconds: number;
  pingIntervalSeconds: number;
  /** A socket whose unsent data passes this is closed with 1013 (slow reader). */
  maxBufferedBytes: number;
  /** Largest frame a client may send. */
  maxPayloadBytes: number;
  /** Allowed `Origin`s for WebSocket upgrades; empty allows any. */
  origins: string[];
  /** Frames a socket may send per second on average (bursts of twice that); 0 = no limit. */
  maxFramesPerSecond: number;
  /** `?since=` replays (and catch-ups after a bus outage) running at once on a node; the rest wait. */
  replayConcurrency: number;
  /** Replays one user may run at once (the rest of theirs wait). */
  replayPerUser: number;
  /** Events a replay reads from the log at a time (all it holds in memory). */
  replayPageEvents: number;
  /** A user whose sockets sent no frame for this long is shown `away`. */
  presenceAwaySeconds: number;
  /** How often a node refreshes its sockets' presence rows; three missed: its sockets count as gone. */
  presenceHeartbeatSeconds: number;
}

export interface HttpConfig {
  /** A connection that has not sent its request headers within this is closed (slowloris, half-open upgrades). */
  headersTimeoutMs: number;
  /** A request whose body has not arrived within this is closed; 0 = no limit. */
  requestTimeoutMs: number;
}

/** `rateLimitsOff` (RATE_LIMITS=off, for load tests) lifts the frame rate too, unless it is set explicitly. */
export function readRealtimeConfig(r: Readers, rateLimitsOff: boolean): RealtimeConfig {
  return {
    eventRetentionSeconds: r.int('EVENT_RETENTION_SECONDS', 7 * 24 * 3600, 60, 365 * 24 * 3600),
    pingIntervalSeconds: r.int('WS_PING_INTERVAL_SECONDS', 30, 1, 3600),
    maxBufferedBytes: r.int('WS_MAX_BUFFERED_BYTES', 1024 * 1024, 1024, 1024 ** 3),
    maxPayloadBytes: r.int('WS_MAX_PAYLOAD_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
    origins: r.origins('WS_ORIGINS', false),
    maxFramesPerSecond: r.int('WS_MAX_FRAMES_PER_SECOND', rateLimitsOff ? 0 : 50, 0, 100_000),
    replayConcurrency: r.int('REPLAY_CONCURRENCY', 8, 1, 1000),
    replayPerUser: r.int('REPLAY_PER_USER', 2, 1, 100),
    replayPageEvents: r.int('REPLAY_PAGE_EVENTS', 200, 10, 10_000),
    presenceAwaySeconds: r.int('PRESENCE_AWAY_SECONDS', 300, 1, 7 * 24 * 3600),
    presenceHeartbeatSeconds: r.int('PRESENCE_HEARTBEAT_SECONDS', 20, 1, 3600),
  };
}

export function readHttpConfig(r: Readers): HttpConfig {
  const http = {
    headersTimeoutMs: r.int('HTTP_HEADERS_TIMEOUT_SECONDS', 20, 1, 600) * 1000,
    requestTimeoutMs: r.int('HTTP_REQUEST_TIMEOUT_SECONDS', 600, 0, 86_400) * 1000,
  };
  if (http.requestTimeoutMs !== 0 && http.requestTimeoutMs < http.headersTimeoutMs) {
    r.problems.push('HTTP_REQUEST_TIMEOUT_SECONDS must be 0 or at least HTTP_HEADERS_TIMEOUT_SECONDS');
  }
  return http;
}
