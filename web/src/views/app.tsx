/** The shell: sign-in until there is a user, then the chat list beside the current page. */
import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../session.js';
import { go, useRoute, useStore } from '../hooks.js';
import { Auth } from './auth.js';
import { ChatList } from './chat-list.js';
import { ChatView } from './chat-view.js';
import { MessageSearch } from './message-search.js';
import { NewChat } from './new-chat.js';
import { Profile } from './profile.js';
import { Rooms } from './rooms.js';

export function App({ session }: { session: Session }) {
  const state = useStore(session.store);
  const route = useRoute();
  const [starting, setStarting] = useState(session.signedIn);
  useEffect(() => {
    if (session.signedIn) void session.begin().finally(() => setStarting(false));
  }, [session]);

  if (starting) return <p class="splash">Loading…</p>;
  if (!state.me) return <Auth session={session} onDone={() => go('chats')} />;

  const [page, id, messageId] = route;
  const main =
    page === 'chats' && id ? (
      <ChatView session={session} chatId={id} focusId={messageId || undefined} key={id} />
    ) : page === 'search' ? (
      <MessageSearch session={session} />
    ) : page === 'new' ? (
      <NewChat session={session} />
    ) : page === 'profile' ? (
      <Profile session={session} />
    ) : page === 'rooms' ? (
      <Rooms session={session} room={id} key={id ?? ''} />
    ) : undefined;
  return (
    <div class={`layout ${main ? 'has-main' : ''}`}>
      <aside class="sidebar">
        <header class="bar">
          <strong class="brand">Parley</strong>
          <span class={`pill ${state.connection}`} data-testid="connection">
            {state.connection}
          </span>
          <nav>
            <a href="#/new" aria-label="New chat">
              ＋
            </a>
            <a href="#/search" aria-label="Search messages">
              🔍
            </a>
            <a href="#/rooms">Rooms</a>
            <a href="#/profile" aria-label="Profile">
              {state.me.name}
            </a>
          </nav>
        </header>
        <ChatList session={session} activeId={page === 'chats' ? id : undefined} />
      </aside>
      <main class="main">
        {state.connection !== 'online' && (
          <p class={`banner ${state.connection}`} role="status">
            {state.connection === 'offline' ? 'You are offline. Messages will arrive when you are back.' : 'Connecting…'}
          </p>
        )}
        {main ?? <p class="empty">Pick a chat, or start one with ＋.</p>}
      </main>
    </div>
  );
}
