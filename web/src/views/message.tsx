/**
 * One message: the message it replies to (quoted), text, image previews, reactions (a click
 * adds or takes back one's own), time, read ticks; anyone may reply, react and pin (where the
 * chat lets them); the author may edit or delete it.
 */
import { useState } from 'preact/hooks';
import type { MessageInfo } from '@parley/client';
import type { Session } from '../session.js';
import { describe } from './auth.js';

/** The quick reactions the picker offers (any emoji works through the API). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮'];

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
  /** It is pinned in its chat. */
  pinned?: boolean;
  /** A member's name by id (for the quoted author). */
  nameOf?: (userId: number) => string;
  /** Starts a reply to it in the composer. */
  onReply?: (message: MessageInfo) => void;
}

export function Message({ session, message: m, mine, read, showAuthor, found = false, pinned = false, nameOf, onReply }: MessageProps) {
  const [editing, setEditing] = useState(false);
  const [picking, setPicking] = useState(false);
  const [error, setError] = useState('');
  const run = (work: Promise<void>) =>
    work.then(
      () => setError(''),
      (e: unknown) => setError(describe(e)),
    );
  const react = (emoji: string) => {
    setPicking(false);
    void run(session.toggleReaction(m, emoji));
  };
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
    <li class={`message ${mine ? 'mine' : ''} ${found ? 'found' : ''} ${pinned ? 'pinned' : ''}`} data-testid="message" data-id={m.id}>
      {!mine && showAuthor && <span class="author">{m.author.name}</span>}
      {pinned && (
        <span class="pin-mark" data-testid="pin-mark">
          Pinned
        </span>
      )}
      {m.replyTo && (
        <a class="quote" href={`#/chats/${m.chatId}/${m.replyTo.id}`} data-testid="quote">
          <strong>{nameOf?.(m.replyTo.authorId) ?? 'Someone'}</strong>
          <span>{m.replyTo.isVisible ? m.replyTo.text : 'Message deleted'}</span>
        </a>
      )}
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
      {m.reactions.length > 0 && (
        <span class="reactions" data-testid="reactions">
          {m.reactions.map((r) => (
            <button
              key={r.emoji}
              type="button"
              class={`reaction ${r.me ? 'me' : ''}`}
              aria-pressed={r.me}
              aria-label={`${r.emoji} ${r.count}`}
              data-testid="reaction"
              onClick={() => react(r.emoji)}
            >
              {r.emoji} <span class="count">{r.count}</span>
            </button>
          ))}
        </span>
      )}
      {picking && (
        <fieldset class="picker" aria-label="Pick a reaction">
          {QUICK_REACTIONS.map((emoji) => (
            <button key={emoji} type="button" aria-label={`React ${emoji}`} onClick={() => react(emoji)}>
              {emoji}
            </button>
          ))}
        </fieldset>
      )}
      <span class="meta">
        {time(m.createdAt)}
        {m.editedAt && !m.deletedAt && ' · edited'}
        {mine && (
          <span class={`ticks ${read ? 'read' : ''}`} role="img" aria-label={read ? 'read' : 'sent'}>
            {read ? ' ✓✓' : ' ✓'}
          </span>
        )}
        {!m.deletedAt && !editing && (
          <>
            <button type="button" class="link" onClick={() => setPicking(!picking)} aria-expanded={picking}>
              React
            </button>
            {onReply && (
              <button type="button" class="link" onClick={() => onReply(m)}>
                Reply
              </button>
            )}
            <button type="button" class="link" onClick={() => run(session.togglePin(m.chatId, m.id))}>
              {pinned ? 'Unpin' : 'Pin'}
            </button>
          </>
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
