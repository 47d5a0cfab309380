/** Start a chat: one person makes a personal chat; several (or a title) make a group. */
import { useState } from 'preact/hooks';
import type { UserInfo } from '@parley/client';
import type { Session } from '../session.js';
import { go } from '../hooks.js';
import { describe } from './auth.js';
import { UserSearch } from './user-search.js';

export function NewChat({ session }: { session: Session }) {
  const [picked, setPicked] = useState<UserInfo[]>([]);
  const [title, setTitle] = useState('');
  const [error, setError] = useState('');
  const group = picked.length > 1 || title.trim() !== '';

  async function create() {
    try {
      const chat = await session.client.createChat({
        participants: picked.map((u) => u.id),
        ...(group ? { isPersonal: false, title: title.trim() || picked.map((u) => u.name).join(', ') } : {}),
      });
      session.store.putChat(chat);
      go('chats', chat.id);
    } catch (e) {
      setError(describe(e));
    }
  }

  return (
    <section class="page">
      <header class="bar">
        <a href="#/chats" class="back" aria-label="Back to chats">
          ‹
        </a>
        <h2>New chat</h2>
      </header>
      <UserSearch session={session} exclude={picked.map((u) => u.id)} action="Add" onPick={(u) => setPicked([...picked, u])} />
      {picked.length > 0 && (
        <ul class="picked" aria-label="Chosen people">
          {picked.map((u) => (
            <li key={u.id}>
              {u.name}{' '}
              <button type="button" class="link" aria-label={`Remove ${u.name}`} onClick={() => setPicked(picked.filter((p) => p.id !== u.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <label>
        Group title (optional)
        <input value={title} maxLength={128} onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)} />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="button" class="primary" disabled={picked.length === 0} onClick={create}>
        {group ? 'Create group' : 'Start chat'}
      </button>
    </section>
  );
}
