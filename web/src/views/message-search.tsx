/**
 * Message search (`GET /search/messages`) as the caller types: each result shows its chat,
 * author and text with the matched words marked, and opens the message in its chat.
 */
import { useEffect, useState } from 'preact/hooks';
import type { MessageSearchResult } from '@parley/client';
import type { Session } from '../session.js';
import { useStore } from '../hooks.js';
import { chatName } from '../store.js';
import { describe } from './auth.js';

export function MessageSearch({ session }: { session: Session }) {
  const state = useStore(session.store);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<MessageSearchResult[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) return setFound([]);
    const timer = setTimeout(() => {
      session.client.searchMessages({ q, limit: 20 }).then(
        (page) => {
          setFound(page.results);
          setError('');
        },
        (e: unknown) => {
          setFound([]);
          setError(describe(e));
        },
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [query]);
  // The found message goes into the chat's messages, so the chat can show it even when it is older than the first page.
  const open = (r: MessageSearchResult) => session.store.putMessages(r.chatId, [r.message]);
  return (
    <section class="message-search" aria-label="Search messages">
      <header class="bar">
        <input
          type="search"
          placeholder='Search messages: words, prefix*, "a phrase", -not'
          aria-label="Search messages"
          value={query}
          onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
        />
      </header>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ul class="results" data-testid="search-results">
        {found.map((r) => {
          const chat = state.chats.get(r.chatId);
          return (
            <li key={r.message.id}>
              <a href={`#/chats/${r.chatId}/${r.message.id}`} onClick={() => open(r)} data-testid="search-result">
                <small>
                  {chat ? chatName(chat, state.me?.id) : 'Chat'} · {r.message.author.name}
                </small>
                <span class="found-text">{r.highlight.map((h, i) => (h.match ? <mark key={i}>{h.text}</mark> : h.text))}</span>
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
