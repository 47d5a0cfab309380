/** One chat: live messages, who is typing, read marks, the composer, and members. */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Session } from '../session.js';
import { typingIn } from '../session.js';
import { useStore } from '../hooks.js';
import { chatName, messagesOf } from '../store.js';
import { describe } from './auth.js';
import { Composer } from './composer.js';
import { Members } from './members.js';
import { Message } from './message.js';

/** `focusId`: a message to bring into view and mark (a search result opened). */
export function ChatView({ session, chatId, focusId }: { session: Session; chatId: string; focusId?: string | undefined }) {
  const state = useStore(session.store);
  const [error, setError] = useState('');
  const [showMembers, setShowMembers] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const chat = state.chats.get(chatId);
  const messages = messagesOf(state, chatId);
  const meId = state.me?.id;

  useEffect(() => {
    session.store.update((s) => (s.openChatId = chatId));
    session.loadHistory(chatId).then(
      () => session.markRead(chatId),
      (e: unknown) => setError(describe(e)),
    );
    return () => session.store.update((s) => (s.openChatId = undefined));
  }, [chatId]);
  // Keep the newest message in view, or the one a search result opened.
  useLayoutEffect(() => {
    const focused = focusId === undefined ? null : list.current?.querySelector(`[data-id="${focusId}"]`);
    if (focused) focused.scrollIntoView({ block: 'center' });
    else list.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [messages.length, focusId]);

  if (!chat) return <p class="empty">{error || 'Loading…'}</p>;
  // Others have read my messages up to the newest one carrying their read mark.
  const readByOthers = Math.max(0, ...messages.filter((m) => m.readMarks.some((r) => r.user.id !== meId)).map((m) => m.seq));
  const typing = typingIn(session, chatId).map((id) => chat.allUsers.find((u) => u.id === id)?.name ?? 'Someone');

  return (
    <section class="chat" aria-label={chatName(chat, meId)}>
      <header class="bar">
        <a href="#/chats" class="back" aria-label="Back to chats">
          ‹
        </a>
        <h2 data-testid="chat-title">{chatName(chat, meId)}</h2>
        {!chat.isPersonal && (
          <button type="button" onClick={() => setShowMembers(!showMembers)} aria-expanded={showMembers}>
            Members ({chat.allUsers.length})
          </button>
        )}
      </header>
      {showMembers && <Members session={session} chat={chat} />}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ol class="messages" ref={list} data-testid="messages">
        {messages.map((m) => (
          <Message
            key={m.id}
            session={session}
            message={m}
            mine={m.author.id === meId}
            read={m.seq <= readByOthers}
            showAuthor={!chat.isPersonal}
            found={m.id === focusId}
          />
        ))}
      </ol>
      <p class="typing" data-testid="typing" aria-live="polite">
        {typing.length > 0 ? `${typing.join(', ')} ${typing.length > 1 ? 'are' : 'is'} typing…` : ' '}
      </p>
      <Composer session={session} chatId={chatId} onError={setError} />
    </section>
  );
}
