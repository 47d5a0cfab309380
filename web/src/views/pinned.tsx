/** A chat's pinned messages (oldest pin first), read again whenever the pins change; a click opens one. */
import { useEffect, useState } from 'preact/hooks';
import type { MessageInfo } from '@parley/client';
import type { Session } from '../session.js';
import { describe } from './auth.js';

export interface PinnedProps {
  session: Session;
  chatId: string;
  /** The chat's `pinned` ids: the list is fetched again when they change. */
  pinned: string[];
  nameOf: (userId: number) => string;
}

export function Pinned({ session, chatId, pinned, nameOf }: PinnedProps) {
  const [list, setList] = useState<MessageInfo[] | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    session.client.pins(chatId).then(setList, (e: unknown) => setError(describe(e)));
  }, [chatId, pinned.join(',')]);

  return (
    <section class="pins card" aria-label="Pinned messages" data-testid="pinned">
      <h3>Pinned</h3>
      {error && <p class="error">{error}</p>}
      {list?.length === 0 && <p class="empty">Nothing pinned yet.</p>}
      <ul>
        {list?.map((m) => (
          <li key={m.id} data-testid="pinned-item">
            <a href={`#/chats/${chatId}/${m.id}`}>
              <strong>{nameOf(m.author.id)}</strong> {m.deletedAt ? 'Message deleted' : m.text || '📷 Photo'}
            </a>
            <button type="button" class="link" onClick={() => session.togglePin(chatId, m.id).catch((e: unknown) => setError(describe(e)))}>
              Unpin
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
