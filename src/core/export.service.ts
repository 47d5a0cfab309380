/**
 * Data export (issue 21): a user's own data as JSON Lines, one record a line: the profile, the
 * device sessions (never their tokens), contacts, chats, the user's own messages and uploads
 * (metadata and URL). `startExport` begins it on this node in the background; the file goes
 * to the blob store and its state to the store, so any node answers `GET /users/me/export`.
 * An export expires a day after it is ready; a running one holds a lease, so that a node
 * crashing mid-export leaves one that may simply be started again.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { conflict, notFound } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { ExportRecord, Store, UserRecord } from '../ports/store.js';
import { fileNameOf } from './media-names.js';

const DAY_MS = 24 * 3600 * 1000;
const LEASE_MS = 10 * 60_000;
const PAGE = 500;
const MAX_BYTES = 4 * 1024 ** 3;
const SWEEP_INTERVAL_MS = 10 * 60_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Where an export stands: running, or ready to download until `expiresAt`. */
export type ExportState =
  | { status: 'running'; startedAt: number }
  | { status: 'ready'; startedAt: number; expiresAt: number; blobKey: string; fileSize: number };

export type ExportService = ReturnType<typeof createExportService>;

export function createExportService(deps: { store: Store; blobs: BlobStore; clock: Clock; publicUrl: string; onError?: (error: unknown) => void }) {
  const { store, blobs, clock, publicUrl } = deps;
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;

  /** The export's lines, read page by page so that a long history never sits in memory. */
  async function* lines(user: UserRecord): AsyncGenerator<string> {
    const line = (type: string, record: Record<string, unknown>) => `${JSON.stringify({ type, ...record })}\n`;
    yield line('export', { version: 1, userId: user.id, createdAt: iso(clock.now()) });
    yield line('profile', {
      id: user.id,
      uid: user.uid,
      username: user.username,
      name: user.displayName,
      email: user.email,
      about: user.about,
      role: user.role,
      createdAt: iso(user.createdAt),
      lastSeen: iso(user.lastSeenAt),
    });
    for (const s of await store.sessions.listByUser(user.id)) {
      yield line('session', {
        id: s.id,
        createdAt: iso(s.createdAt),
        updatedAt: iso(s.updatedAt),
        ipAddress: s.ipAddress,
        device: { id: s.deviceId, name: s.deviceName, model: s.deviceModel, transport: s.pushTransport },
      });
    }
    for (const c of await store.contacts.listByOwner(user.id)) {
      yield line('contact', { id: c.id, userId: c.userId, name: c.name, isFavorite: c.isFavorite, isBlocked: c.isBlocked, createdAt: iso(c.createdAt) });
    }
    for (const { chat, member } of await store.exports.chatsOf(user.id)) {
      yield line('chat', {
        id: chat.id,
        title: chat.title,
        isPersonal: chat.isPersonal,
        isOwner: chat.ownerId === user.id,
        isMember: member.isMember,
        joinedAt: iso(member.addedAt),
        leftAt: iso(member.removedAt),
        createdAt: iso(chat.createdAt),
      });
    }
    for (let after = 0; ; ) {
      const page = await store.exports.messagesBy(user.id, after, PAGE);
      for (const m of page) {
        yield line('message', {
          id: m.uuid,
          chatId: m.chatId,
          text: m.text,
          isVisible: m.isVisible,
          createdAt: iso(m.createdAt),
          editedAt: iso(m.editedAt),
          deletedAt: iso(m.deletedAt),
        });
      }
      if (page.length < PAGE) break;
      after = page.at(-1)!.id;
    }
    for (const u of await store.media.listByOwner(user.id)) {
      yield line('upload', {
        id: u.id,
        fileType: u.fileType,
        mime: u.mime,
        fileSize: u.fileSize,
        attachedAs: u.attachedAs,
        createdAt: iso(u.createdAt),
        url: `${publicUrl}/uploads/${fileNameOf(u)}`,
      });
    }
  }

  async function build(user: UserRecord, startedAt: number): Promise<void> {
    const blobKey = `export-${randomUUID()}.jsonl`;
    try {
      const info = await blobs.write(blobKey, Readable.from(lines(user)), { maxBytes: MAX_BYTES });
      const now = clock.now();
      const kept = await store.exports.finish(user.id, { status: 'ready', blobKey, fileSize: info.size, finishedAt: now, expiresAt: now + DAY_MS });
      // The account went meanwhile: nothing may keep its data.
      if (!kept) await blobs.delete([blobKey]);
    } catch (error) {
      await blobs.delete([blobKey]).catch(() => {});
      await store.exports
        .finish(user.id, { status: 'failed', blobKey: null, fileSize: null, finishedAt: clock.now(), expiresAt: startedAt + DAY_MS })
        .catch(() => {});
      deps.onError?.(error);
    }
  }

  const state = (r: ExportRecord, now: number): ExportState | 'failed' | undefined => {
    if (r.status === 'running') return r.leaseUntil > now ? { status: 'running', startedAt: r.startedAt } : 'failed';
    if (r.status === 'failed') return 'failed';
    if (r.expiresAt === null || r.expiresAt <= now || r.blobKey === null) return undefined;
    return { status: 'ready', startedAt: r.startedAt, expiresAt: r.expiresAt, blobKey: r.blobKey, fileSize: r.fileSize ?? 0 };
  };

  async function sweepExpired(): Promise<number> {
    let removed = 0;
    for (;;) {
      const expired = await store.exports.deleteExpired(clock.now(), 100);
      await blobs.delete(expired.flatMap((e) => (e.blobKey ? [e.blobKey] : [])));
      removed += expired.length;
      if (expired.length < 100) return removed;
    }
  }

  return {
    /** Starts an export of the user's data, unless one is running (then that one is the answer). */
    async startExport(user: UserRecord): Promise<ExportState> {
      const now = clock.now();
      const record: ExportRecord = {
        userId: user.id,
        status: 'running',
        blobKey: null,
        fileSize: null,
        startedAt: now,
        leaseUntil: now + LEASE_MS,
        finishedAt: null,
        expiresAt: null,
      };
      const { started, replacedKey } = await store.exports.begin(record, now);
      if (!started) {
        const current = await store.exports.find(user.id);
        return { status: 'running', startedAt: current?.startedAt ?? now };
      }
      if (replacedKey) await blobs.delete([replacedKey]);
      const job = build(user, now).finally(() => inFlight.delete(job));
      inFlight.add(job);
      return { status: 'running', startedAt: now };
    },

    /** Where the user's export stands: 404 when there is none (or it expired), 409 when it failed. */
    async exportState(user: UserRecord): Promise<ExportState> {
      const record = await store.exports.find(user.id);
      const current = record && state(record, clock.now());
      if (current === 'failed') throw conflict('export', 'The export failed; start a new one.');
      if (!current) throw notFound('Export');
      return current;
    },

    /** The bytes of a ready export. */
    read: (blobKey: string) => blobs.read(blobKey),

    sweepExpired,

    /** Removes expired exports every 10 minutes (an unref'd timer). */
    start(onError: (error: unknown) => void = () => {}) {
      if (timer) return;
      timer = setInterval(() => sweepExpired().catch(onError), SWEEP_INTERVAL_MS);
      timer.unref();
    },

    /** Stops the timer and waits for exports being written on this node. */
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await Promise.all([...inFlight]);
    },
  };
}
