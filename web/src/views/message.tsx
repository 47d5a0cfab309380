/** One message: text, image previews, time, read ticks; the author may edit or delete it. */
import { useState } from 'preact/hooks';
import type { MessageInfo } from '@parley/client';
import type { Session } from '../session.js';
import { describe } from './auth.js';

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export interface MessageProps {
  session: Session;
  message: MessageInfo;
  mine: boolean;
  /** Someone else has read it (shown as ✓✓ on one's own messages). */
  read: boolean;
  /** Name the author (in groups). */
  showAuthor: boolean;
  /** The message a search result opened: marked until another is. */
  found?: boolean;
}

export function Message({ session, message: m, mine, read, showAuthor, found = false }: MessageProps) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState('');
  const act = (work: Promise<MessageInfo>) =>
    work.then(
      (updated) => session.store.putMessages(updated.chatId, [updated]),
      (e: unknown) => setError(describe(e)),
    );

  async function saveEdit(event: Event) {
    event.preventDefault();
    const text = String(new FormData(event.currentTarget as HTMLFormElement).get('text') ?? '');
    setEditing(false);
    if (text && text !== m.text) await act(session.client.editMessage(m.chatId, m.id, { text }));
  }

  return (
    <li class={`message ${mine ? 'mine' : ''} ${found ? 'found' : ''}`} data-testid="message" data-id={m.id}>
      {!mine && showAuthor && <span class="author">{m.author.name}</span>}
      {m.deletedAt ? (
        <p class="text deleted">Message deleted</p>
      ) : editing ? (
        <form onSubmit={saveEdit} class="edit">
          <input name="text" value={m.text} maxLength={2048} aria-label="Edit message" />
          <button type="submit">Save</button>
        </form>
      ) : (
        <>
          {m.attachments.map((a) => (
            <a key={a.id} href={a.url} target="_blank" rel="noopener" class="attachment">
              <img src={a.previewUrl ?? a.url} width={a.previewWidth} height={a.previewHeight} alt="Attachment" loading="lazy" />
            </a>
          ))}
          {m.text && <p class="text">{m.text}</p>}
        </>
      )}
      <span class="meta">
        {time(m.createdAt)}
        {m.editedAt && !m.deletedAt && ' · edited'}
        {mine && (
          <span class={`ticks ${read ? 'read' : ''}`} role="img" aria-label={read ? 'read' : 'sent'}>
            {read ? ' ✓✓' : ' ✓'}
          </span>
        )}
        {mine && !m.deletedAt && !editing && (
          <>
            <button type="button" class="link" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button type="button" class="link" onClick={() => act(session.client.deleteMessage(m.chatId, m.id))}>
              Delete
            </button>
          </>
        )}
      </span>
      {error && <span class="error">{error}</span>}
    </li>
  );
}
