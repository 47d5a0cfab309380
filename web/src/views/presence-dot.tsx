/** A dot beside a user: green online, amber away, red busy (dnd), grey offline. */
import type { Session } from '../session.js';

export function PresenceDot({ session, userId }: { session: Session; userId: number }) {
  const status = session.store.state.presence.get(userId) ?? 'offline';
  const label = status === 'dnd' ? 'do not disturb' : status;
  return <span class={`presence-dot ${status}`} role="img" aria-label={label} title={label} data-testid="presence" data-user={userId} data-status={status} />;
}
