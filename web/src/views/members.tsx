/** A group's members: anyone may add people; the owner may remove them; anyone may leave. */
import { useState } from 'preact/hooks';
import type { ChatInfo } from '@parley/client';
import type { Session } from '../session.js';
import { go } from '../hooks.js';
import { describe } from './auth.js';
import { Avatar } from './avatar.js';
import { PresenceDot } from './presence-dot.js';
import { UserSearch } from './user-search.js';

export function Members({ session, chat }: { session: Session; chat: ChatInfo }) {
  const [error, setError] = useState('');
  const meId = session.store.state.me?.id;
  const isOwner = chat.owner.id === meId;
  const run = (work: Promise<ChatInfo | undefined>) =>
    work.then(
      (c) => c && session.store.putChat(c),
      (e: unknown) => setError(describe(e)),
    );

  return (
    <section class="members card" aria-label="Members">
      <ul>
        {chat.allUsers.map((u) => (
          <li key={u.id}>
            <Avatar user={u} size={28} />
            {u.id !== meId && <PresenceDot session={session} userId={u.id} />}
            <span class="who">
              {u.name}
              {u.id === chat.owner.id && <small> owner</small>}
            </span>
            {isOwner && u.id !== meId && (
              <button type="button" class="link" onClick={() => run(session.client.removeChatUsers(chat.id, [u.id]))}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <UserSearch session={session} exclude={chat.allUsers.map((u) => u.id)} action="Add" onPick={(u) => run(session.client.addChatUsers(chat.id, [u.id]))} />
      <button
        type="button"
        class="link danger"
        onClick={() =>
          session.client.leaveChat(chat.id).then(
            () => {
              session.store.removeChat(chat.id);
              go('chats');
            },
            (e: unknown) => setError(describe(e)),
          )
        }
      >
        Leave group
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
