/** Public rooms (rooms API): join one by name, read its history and post live. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RoomMessage, RoomSocket } from '@parley/client';
import type { Session } from '../session.js';
import { go } from '../hooks.js';

const ROOM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function Rooms({ session, room }: { session: Session; room: string | undefined }) {
  const [messages, setMessages] = useState<RoomMessage[]>([]);
  const [live, setLive] = useState(false);
  const socket = useRef<RoomSocket | undefined>(undefined);

  useEffect(() => {
    if (!room) return;
    const add = (batch: RoomMessage[]) =>
      setMessages((old) => {
        const byId = new Map(old.map((m) => [m.id, m]));
        for (const m of batch) byId.set(m.id, m);
        return [...byId.values()].sort((a, b) => a.id - b.id);
      });
    const s = (socket.current = session.client.joinRoom(room));
    s.on('open', () => {
      setLive(true);
      // History after joining: whatever arrived meanwhile is merged by id.
      void session.client.roomMessages(room, { count: 50 }).then(add, () => undefined);
    });
    s.on('close', () => setLive(false));
    s.on('messages', add);
    return () => s.close();
  }, [room]);

  function join(event: Event) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget as HTMLFormElement).get('room') ?? '').trim();
    if (ROOM_NAME.test(name)) go('rooms', name);
  }
  function say(event: Event) {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('text') as HTMLInputElement;
    if (input.value.trim() && socket.current?.say(input.value.trim())) input.value = '';
  }

  return (
    <section class="page room">
      <header class="bar">
        <a href="#/chats" class="back" aria-label="Back to chats">
          ‹
        </a>
        <h2>{room ? `#${room}` : 'Rooms'}</h2>
        {room && <span class={`pill ${live ? 'online' : 'reconnecting'}`}>{live ? 'live' : 'connecting'}</span>}
      </header>
      <form class="inline" onSubmit={join}>
        <input name="room" placeholder="Room name, e.g. lobby" aria-label="Room name" pattern="[A-Za-z0-9_.\-]{1,64}" required />
        <button type="submit">Join</button>
      </form>
      {room && (
        <>
          <ol class="messages" data-testid="room-messages">
            {messages.map((m) => (
              <li key={m.id} class={`message ${m.sender.id === session.store.state.me?.id ? 'mine' : ''}`}>
                <span class="author">{m.sender.username}</span>
                <p class="text">{m.text}</p>
              </li>
            ))}
          </ol>
          <form class="composer" onSubmit={say}>
            <input name="text" class="text-input" aria-label="Room message" placeholder={`Message #${room}`} maxLength={2048} />
            <button type="submit" class="primary" disabled={!live}>
              Send
            </button>
          </form>
        </>
      )}
    </section>
  );
}
