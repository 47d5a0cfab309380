/**
 * The event bus port: how a node tells every node (itself included) that something
 * happened. The in-process adapter serves one node; the Redis adapter fans out across
 * nodes. Publish only after the change is committed ("store first, then publish").
 */

import type { ChatEvent, PresenceEvent, RoomMessage } from './events.js';

/** Topics and their payloads. Later capabilities add topics here. */
export interface BusTopics {
  /** A message was posted in a public room (stored first); every node sends it to its room sockets. */
  'room.message': { room: string; message: RoomMessage };
  /** Something happened in a chat; delivered to its `recipients` (stored first, then published). */
  'chat.event': ChatEvent;
  /** Sessions that must stop working at once: their sockets close on every node. */
  'sessions.revoked': { userId: number; sessionIds: string[] };
  /** A user's presence as others see it changed (never stored); delivered to its `recipients`. */
  'user.presence': PresenceEvent;
  /** A user's public profile changed (name, about, photos). */
  'user.updated': { userId: number };
  /** An account was deleted with everything it owned. */
  'user.deleted': { userId: number };
  /** A new token signing key was stored (admin rotation): every node re-reads its keys and signs with it. */
  'signing-keys.rotated': { kid: string };
}

export type BusTopic = keyof BusTopics;
export type BusHandler<K extends BusTopic> = (payload: BusTopics[K]) => void;

export interface Bus {
  /**
   * `process`: handlers have run when `publish` resolves (one node, in-process). `cluster`:
   * other nodes hear of it shortly after. Caches that must never serve a revoked session
   * are only kept on a `process` bus.
   */
  readonly scope: 'process' | 'cluster';
  publish<K extends BusTopic>(topic: K, payload: BusTopics[K]): Promise<void>;
  /** Returns a function that removes the handler. Handlers must not throw. */
  subscribe<K extends BusTopic>(topic: K, handler: BusHandler<K>): () => void;
  /** Resolves when the bus can carry messages (for `/readyz`). */
  ping(): Promise<void>;
  /**
   * Told when this node stops hearing the bus (`down`: its connection was lost, so events
   * other nodes publish meanwhile never reach it) and when it hears it again (`up`: from
   * then on nothing published is missed). Returns the function that stops telling. A bus
   * that cannot be lost (in-process) has none.
   */
  onConnection?(handler: (state: 'down' | 'up') => void): () => void;
  close(): Promise<void>;
}
