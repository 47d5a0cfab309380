/** Finds users by name or username (`GET /users?s=`), as the caller types. */
import { useEffect, useState } from 'preact/hooks';
import type { UserInfo } from '@parley/client';
import type { Session } from '../session.js';
import { Avatar } from './avatar.js';

export function UserSearch({
  session,
  exclude = [],
  action,
  onPick,
}: {
  session: Session;
  exclude?: number[];
  action: string;
  onPick: (user: UserInfo) => void;
}) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<UserInfo[]>([]);
  useEffect(() => {
    const s = query.trim();
    if (s.length < 2) return setFound([]);
    const timer = setTimeout(() => void session.client.searchUsers(s, { limit: 20 }).then(setFound, () => setFound([])), 200);
    return () => clearTimeout(timer);
  }, [query]);
  const shown = found.filter((u) => u.id !== session.store.state.me?.id && !exclude.includes(u.id));
  return (
    <div class="user-search">
      <input
        type="search"
        placeholder="Search people"
        aria-label="Search people"
        value={query}
        onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
      />
      <ul>
        {shown.map((u) => (
          <li key={u.id}>
            <Avatar user={u} size={28} />
            <span class="who">
              {u.name} <small>@{u.username}</small>
            </span>
            <button type="button" onClick={() => onPick(u)}>
              {action}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
