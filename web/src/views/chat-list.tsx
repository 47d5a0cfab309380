/** The caller's chats, newest activity first, with unread counts. */
import type { Session } from '../session.js';
import { useStore } from '../hooks.js';
import { chatName, sortedChats } from '../store.js';
import { Avatar } from './avatar.js';
import { PresenceDot } from './presence-dot.js';

export function ChatList({ session, activeId }: { session: Session; activeId: string | undefined }) {
  const state = useStore(session.store);
  const chats = sortedChats(state);
  if (chats.length === 0) return <p class="empty">No chats yet.</p>;
  return (
    <ul class="chat-list" aria-label="Chats">
      {chats.map((chat) => {
        const other = chat.isPersonal ? chat.allUsers.find((u) => u.id !== state.me?.id) : undefined;
        const last = chat.lastMessage;
        const preview = last ? (last.deletedAt ? 'deleted' : last.text || (last.attachments.length ? '📷 Photo' : '')) : 'No messages yet';
        return (
          <li key={chat.id}>
            <a href={`#/chats/${chat.id}`} class={chat.id === activeId ? 'active' : ''} data-testid="chat-item">
              {other ? (
                <span class="avatar-with-dot">
                  <Avatar user={other} />
                  <PresenceDot session={session} userId={other.id} />
                </span>
              ) : (
                <span class="avatar initials group" aria-hidden="true">
                  #
                </span>
              )}
              <span class="chat-line">
                <span class="chat-name">{chatName(chat, state.me?.id)}</span>
                <span class="chat-preview">{preview}</span>
              </span>
              {chat.unreadCount > 0 && (
                <span class="badge" data-testid="unread" role="img" aria-label={`${chat.unreadCount} unread`}>
                  {chat.unreadCount}
                </span>
              )}
            </a>
          </li>
        );
      })}
    </ul>
  );
}
