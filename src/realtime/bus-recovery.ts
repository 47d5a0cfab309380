/**
 * What a node does when it loses the bus and hears it again (issue 24). While the bus is lost
 * the events other nodes publish never reach this node, and neither do their revocations: so
 * once it is back, every socket catches up from the event log (the native socket replays what
 * it missed, or gets `resync`; see HubConnection.busBack), and every socket's device session
 * is checked against the store, those revoked meanwhile closing with 4001 as the fan-out
 * would have closed them.
 */
import type { Bus } from '../ports/bus.js';
import { CloseCode } from './close-codes.js';
import type { Hub } from './hub.js';

export interface BusRecoveryDeps {
  /** True when the device session still exists (it is deleted when revoked). */
  sessionExists(sessionId: string): Promise<boolean>;
  log: { warn(details: object, message: string): void; info(details: object, message: string): void };
}

/** Sessions checked at once after an outage. */
const CHECKS_AT_ONCE = 8;

/** Closes, with 4001, every socket of the sessions in `hub` that no longer exist; returns how many sessions. */
export async function closeRevokedSessions(hub: Hub, sessionExists: (id: string) => Promise<boolean>): Promise<number> {
  const ids = hub.sessionIds();
  let closed = 0;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      if (await sessionExists(id)) continue;
      closed++;
      hub.noteRevoked(id);
      for (const conn of [...hub.ofSession(id)]) conn.close(CloseCode.Revoked, 'session revoked');
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHECKS_AT_ONCE, ids.length) }, worker));
  return closed;
}

/** Watches `bus`'s connection for `hub`; returns the function that stops watching. */
export function startBusRecovery(bus: Bus, hub: Hub, deps: BusRecoveryDeps): () => void {
  if (!bus.onConnection) return () => {};
  const { log } = deps;
  let lostAt = 0;
  return bus.onConnection((state) => {
    if (state === 'down') {
      lostAt = Date.now();
      hub.busLost();
      log.warn({}, 'lost the bus: sockets here miss what other nodes publish until it is back, then catch up from the event log');
      return;
    }
    const sockets = hub.all().length;
    hub.busBack();
    log.info({ sockets, lostMs: Date.now() - lostAt }, 'the bus is back: sockets catch up from the event log and their sessions are re-checked');
    closeRevokedSessions(hub, deps.sessionExists).then(
      (closed) => closed > 0 && log.info({ sessions: closed }, 'closed the sockets of sessions revoked while the bus was lost'),
      (err: unknown) => log.warn({ err }, 're-checking socket sessions after the bus came back failed'),
    );
  });
}
