/** One chat: live messages, who is typing, read marks, pins, replies, the composer, and members. */
import type { MessageInfo } from '@parley/client';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Session } from '../session.js';
import { typingIn } from '../session.js';
import { useStore } from '../hooks.js';
import { chatName, messagesOf } from '../store.js';
import { describe } from './auth.js';
import { Composer } from './composer.js';
import { Members } from './members.js';
import { Message } from './message.js';
import { Pinned } from './pinned.js';
import { PresenceDot } from './presence-dot.js';

/** `focusId`: a message to bring into view and mark (a search result opened). */
export function ChatView({ session, chatId, focusId }: { session: Session; chatId: string; focusId?: string | undefined }) {
  const state = useStore(session.store);
  const [error, setError] = useState('');
  const [showMembers, setShowMembers] = useState(false);
  const [showPins, setShowPins] = useState(false);
  const [replyTo, setReplyTo] = useState<MessageInfo | undefined>();
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
  const nameOf = (id: number) => chat.allUsers.find((u) => u.id === id)?.name ?? 'Someone';
  const other = chat.isPersonal ? chat.allUsers.find((u) => u.id !== meId) : undefined;
  const pinned = chat.pinned ?? [];

  return (
    <section class="chat" aria-label={chatName(chat, meId)}>
      <header class="bar">
        <a href="#/chats" class="back" aria-label="Back to chats">
          ‹
        </a>
        {other && <PresenceDot session={session} userId={other.id} />}
        <h2 data-testid="chat-title">{chatName(chat, meId)}</h2>
        <button type="button" onClick={() => setShowPins(!showPins)} aria-expanded={showPins} data-testid="pins-toggle">
          Pins ({pinned.length})
        </button>
        {!chat.isPersonal && (
          <button type="button" onClick={() => setShowMembers(!showMembers)} aria-expanded={showMembers}>
            Members ({chat.allUsers.length})
          </button>
        )}
      </header>
      {showMembers && <Members session={session} chat={chat} />}
      {showPins && <Pinned session={session} chatId={chatId} pinned={pinned} nameOf={nameOf} />}
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
            pinned={pinned.includes(m.id)}
            nameOf={nameOf}
            onReply={setReplyTo}
          />
        ))}
      </ol>
      <p class="typing" data-testid="typing" aria-live="polite">
        {typing.length > 0 ? `${typing.join(', ')} ${typing.length > 1 ? 'are' : 'is'} typing…` : ' '}
      </p>
      <Composer session={session} chatId={chatId} onError={setError} replyTo={replyTo} onCancelReply={() => setReplyTo(undefined)} />
    </section>
  );
}
