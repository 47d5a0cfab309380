/**
 * A message's thread beside (on phones: over) the chat: the root, its replies oldest first
 * (live: replies arrive as `message` events with `threadId`), and a composer that replies in
 * the thread.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatInfo } from '@parley/client';
import type { Session } from '../session.js';
import { useStore } from '../hooks.js';
import { threadOf } from '../store.js';
import { describe } from './auth.js';
import { Composer } from './composer.js';
import { Message } from './message.js';

export function ThreadPanel({ session, chat, rootId, onClose }: { session: Session; chat: ChatInfo; rootId: string; onClose: () => void }) {
  const state = useStore(session.store);
  const [error, setError] = useState('');
  const list = useRef<HTMLOListElement>(null);
  const meId = state.me?.id;
  const root = state.messages.get(chat.id)?.get(rootId);
  const replies = threadOf(state, rootId);
  const nameOf = (id: number) => chat.allUsers.find((u) => u.id === id)?.name ?? 'Someone';

  useEffect(() => {
    session.loadThread(chat.id, rootId).catch((e: unknown) => setError(describe(e)));
  }, [chat.id, rootId]);
  useLayoutEffect(() => list.current?.lastElementChild?.scrollIntoView({ block: 'end' }), [replies.length]);

  return (
    <section class="thread card" aria-label="Thread" data-testid="thread">
      <header class="bar">
        <h3>Thread</h3>
        <button type="button" class="link" onClick={onClose} aria-label="Close thread">
          ✕
        </button>
      </header>
      {root && (
        <div class="thread-root">
          <Message session={session} message={root} mine={root.author.id === meId} read={false} showAuthor nameOf={nameOf} />
        </div>
      )}
      <p class="thread-count">
        {replies.length} {replies.length === 1 ? 'reply' : 'replies'}
      </p>
      <ol class="messages" ref={list} data-testid="thread-replies">
        {replies.map((m) => (
          <Message key={m.id} session={session} message={m} mine={m.author.id === meId} read={false} showAuthor nameOf={nameOf} />
        ))}
      </ol>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <Composer session={session} chatId={chat.id} threadId={rootId} onError={setError} label="Reply in thread" />
    </section>
  );
}
