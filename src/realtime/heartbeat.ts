/**
 * Heartbeats: every interval each socket gets a ping; one that has not answered the
 * previous ping with a pong is cut off (a half-open connection frees its memory).
 */
import type { WebSocket, WebSocketServer } from 'ws';

export function startHeartbeat(server: WebSocketServer, intervalMs: number): () => void {
  const alive = new WeakMap<WebSocket, boolean>();
  server.on('connection', (socket: WebSocket) => {
    alive.set(socket, true);
    socket.on('pong', () => alive.set(socket, true));
  });
  const timer = setInterval(() => {
    for (const socket of server.clients) {
      if (alive.get(socket) === false) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
