/** The V-app's one user shape: `{id, name, display_name, image_url}` (seed 000). */
import { vappIdOf, type VappUser } from '../../core/vapp.service.js';
import type { ConversationView } from '../../core/vapp-conversations.service.js';
import { avatarUrl } from './vapp.avatars.js';

/** A user as the V-app shows them; without a photo, `image_url` is their default avatar (never null). */
export function presentVappUser({ user, imageUrl }: VappUser, publicBase: string) {
  return { id: vappIdOf(user), name: user.username, display_name: user.displayName, image_url: imageUrl ?? avatarUrl(publicBase, user.username) };
}

/** The sign-up and log-in answer: the caller, their token, everyone else. */
export function presentSession(session: { self: VappUser; token: string; users: VappUser[] }, publicBase: string) {
  return { user: presentVappUser(session.self, publicBase), token: session.token, users: session.users.map((u) => presentVappUser(u, publicBase)) };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A conversation as the original backend's `GET /conversations` listed it. */
export function presentConversationSummary(view: ConversationView, publicBase: string) {
  return {
    id: view.id,
    name: view.users.map((u) => u.user.displayName).join(', '),
    state: 'ACTIVE',
    created_at: iso(view.chat.createdAt),
    users: view.users.map((u) => ({ ...presentVappUser(u, publicBase), state: 'JOINED' })),
  };
}

/** One conversation with its messages, as `GET /conversations/<id>` answered it. */
export function presentConversation(view: ConversationView, publicBase: string) {
  return {
    ...presentConversationSummary(view, publicBase),
    joined_at: iso(view.joinedAt),
    events: (view.events ?? []).map((e) => ({ id: e.id, from: e.from, type: e.type, content: e.content, timestamp: iso(e.timestamp) })),
  };
}
