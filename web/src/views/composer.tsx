/**
 * The message box: text and an optional image (uploaded first, previewed before sending).
 * Typing sends `typing_started` at most every 3 s, and `typing_stopped` after a pause.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { newLocalId, type MediaRef, type MessageInfo } from '@parley/client';
import type { Session } from '../session.js';
import { describe } from './auth.js';

const TYPING_EVERY_MS = 3000;
const TYPING_IDLE_MS = 4000;

export interface ComposerProps {
  session: Session;
  chatId: string;
  onError: (e: string) => void;
  /** The message this one will reply to (quoted above the box), if any. */
  replyTo?: MessageInfo | undefined;
  onCancelReply?: () => void;
}

export function Composer({ session, chatId, onError, replyTo, onCancelReply }: ComposerProps) {
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | undefined>();
  const [busy, setBusy] = useState(false);
  const lastTyping = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const preview = file ? URL.createObjectURL(file) : undefined;
  useEffect(() => () => preview && URL.revokeObjectURL(preview), [preview]);

  const notify = (name: string) => session.client.notify(chatId, { name }).catch(() => undefined);
  function onInput(value: string) {
    setText(value);
    const now = Date.now();
    if (now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      void notify('typing_started');
    }
    clearTimeout(idle.current);
    idle.current = setTimeout(() => {
      lastTyping.current = 0;
      void notify('typing_stopped');
    }, TYPING_IDLE_MS);
  }

  async function send(event: Event) {
    event.preventDefault();
    if (!text.trim() && !file) return;
    setBusy(true);
    clearTimeout(idle.current);
    lastTyping.current = 0;
    try {
      let attachment: MediaRef | undefined;
      if (file) {
        const up = await session.client.upload(file, { contentType: file.type || 'application/octet-stream' });
        attachment = { id: up.id, fileType: up.name.split('.').pop() ?? '', fileSize: file.size };
      }
      // One localId per message: a retried send can never post it twice.
      const body = {
        localId: newLocalId(),
        ...(text.trim() ? { text: text.trim() } : {}),
        ...(attachment ? { attachment } : {}),
        ...(replyTo ? { replyTo: replyTo.id } : {}),
      };
      const sent = await session.client.sendMessage(chatId, body);
      session.store.putMessages(chatId, [sent]);
      setText('');
      setFile(undefined);
      onCancelReply?.();
      onError('');
    } catch (e) {
      onError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="composer" onSubmit={send}>
      {replyTo && (
        <div class="replying" data-testid="replying">
          <span>
            Replying to <strong>{replyTo.author.name}</strong>: {replyTo.text.slice(0, 80)}
          </span>
          <button type="button" class="link" onClick={onCancelReply} aria-label="Cancel reply">
            ✕
          </button>
        </div>
      )}
      {preview && (
        <div class="pending">
          <img src={preview} alt="Attachment to send" />
          <button type="button" class="link" onClick={() => setFile(undefined)}>
            Remove
          </button>
        </div>
      )}
      <label class="attach" title="Attach an image">
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <path
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            d="M21 11.5l-8.5 8.5a5 5 0 01-7-7l9-9a3.3 3.3 0 014.7 4.7l-9 9a1.7 1.7 0 01-2.4-2.4l8.3-8.3"
          />
        </svg>
        <input type="file" accept="image/*" aria-label="Attach an image" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0])} />
      </label>
      <input
        class="text-input"
        aria-label="Message"
        placeholder="Message"
        value={text}
        maxLength={2048}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit" class="primary" disabled={busy}>
        Send
      </button>
    </form>
  );
}
