/** The caller's profile: name, about, and a photo (uploaded, then attached). */
import { useState } from 'preact/hooks';
import type { Session } from '../session.js';
import { useStore } from '../hooks.js';
import { describe } from './auth.js';
import { Avatar } from './avatar.js';

export function Profile({ session }: { session: Session }) {
  const { me } = useStore(session.store);
  const [status, setStatus] = useState('');
  if (!me) return null;
  const refresh = async () => {
    const fresh = await session.client.me();
    session.store.update((s) => (s.me = fresh));
  };

  async function save(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    try {
      await session.client.updateMe({ name: String(form.get('name') ?? ''), about: String(form.get('about') ?? '') });
      await refresh();
      setStatus('Saved.');
    } catch (e) {
      setStatus(describe(e));
    }
  }

  async function upload(file: File | undefined) {
    if (!file) return;
    setStatus('Uploading…');
    try {
      const up = await session.client.upload(file, { contentType: file.type || 'application/octet-stream' });
      await session.client.addPhoto(up.id);
      await refresh();
      setStatus('Photo updated.');
    } catch (e) {
      setStatus(describe(e));
    }
  }

  return (
    <section class="page">
      <header class="bar">
        <a href="#/chats" class="back" aria-label="Back to chats">
          ‹
        </a>
        <h2>Profile</h2>
      </header>
      <div class="profile-photo">
        <Avatar user={me} size={96} />
        <label class="button">
          Change photo
          <input type="file" accept="image/*" aria-label="Profile photo" onChange={(e) => upload((e.currentTarget as HTMLInputElement).files?.[0])} />
        </label>
      </div>
      <form onSubmit={save}>
        <p>@{me.username}</p>
        <label>
          Display name
          <input name="name" value={me.name} required maxLength={64} />
        </label>
        <label>
          About
          <textarea name="about" value={me.about ?? ''} maxLength={512} />
        </label>
        <button type="submit" class="primary">
          Save
        </button>
      </form>
      {status && <p role="status">{status}</p>}
      <button type="button" class="link danger" onClick={() => session.logout()}>
        Log out
      </button>
    </section>
  );
}
