/**
 * The embedded store's read cache: the two lists every authenticated `GET /users/me` reads
 * (the caller's device sessions and photos) are answered from memory while nothing that
 * could change them has been written. Running them took more CPU than everything else of
 * the request (SQLite 27% of a profile under load).
 *
 * Correct by construction rather than by expiry:
 * - Every write goes through this process's repositories (one SQLite file, one process), so
 *   each write method of the sessions or media repository, and every user deletion (which
 *   cascades to both), moves that group's epoch on; an entry read at an older epoch is not
 *   used. The epoch moves before and after each write, and a read remembers the epoch from
 *   before it was issued, so a read that overlaps a write is never kept.
 * - Writes of other processes (the admin CLI, a restore) are seen through SQLite's
 *   `PRAGMA data_version`, which changes when another connection commits: the adapter
 *   polls it (`watchOtherWriters`) and then every entry goes. It is not asked on every
 *   read because in WAL mode each statement takes the shared-memory read locks, which
 *   cost as much as the queries saved.
 * Only for SQLite: on PostgreSQL other nodes write too, and their writes would not be seen.
 */
import type { MediaRecord, Repositories, SessionRecord, Store } from '../../ports/store.js';

/** Distinct users whose lists are kept (oldest dropped first); a few hundred bytes each. */
export const READ_CACHE_SIZE = 20_000;

/** One cached list per user. `invalidate` empties it; a read started before then is not kept. */
class Group<V> {
  epoch = 0;
  private readonly entries = new Map<number, V>();

  get(key: number): V | undefined {
    return this.entries.get(key);
  }

  /** Keeps `value`, read from the database at `epoch`, unless a write has come since. */
  set(key: number, epoch: number, value: V): void {
    if (epoch !== this.epoch) return;
    if (this.entries.size >= READ_CACHE_SIZE) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }

  invalidate(): void {
    this.epoch++;
    this.entries.clear();
  }

  /** The list of `key`: from memory, else from `load`, kept frozen; a fresh array either way. */
  async read<T extends object>(this: Group<T[]>, key: number, load: () => Promise<T[]>): Promise<T[]> {
    const cached = this.get(key);
    if (cached) return cached.slice();
    const epoch = this.epoch;
    const list = (await load()).map((record) => Object.freeze(record));
    this.set(key, epoch, list);
    return list.slice();
  }
}

/** Wraps each method of `repo` that `isWrite` names so that it invalidates `groups` before and after. */
function invalidating<R extends object>(repo: R, isWrite: (name: string) => boolean, groups: Array<Group<unknown>>): R {
  const bump = () => {
    for (const g of groups) g.invalidate();
  };
  const wrapped = { ...repo } as Record<string, unknown>;
  for (const [name, method] of Object.entries(repo)) {
    if (typeof method !== 'function' || !isWrite(name)) continue;
    wrapped[name] = async (...args: unknown[]) => {
      bump();
      try {
        return await (method as (...a: unknown[]) => Promise<unknown>).apply(repo, args);
      } finally {
        bump();
      }
    };
  }
  return wrapped as R;
}

// Every method but these reads is taken for a write, so a write method added later invalidates too.
const SESSION_READS = new Set(['findById', 'findByDevice', 'listByUser']);
const MEDIA_READS = new Set(['findById', 'chatImagesOf', 'attachmentsOf', 'linkedToChats', 'listAttached', 'listByOwner']);
// Deleting a user cascades to its sessions and media.
const USER_CASCADES = new Set(['delete']);

/**
 * `store` with the read cache in front. `otherWriters` registers a listener for commits of
 * other processes; the cache empties when it fires. Records handed out from the cache are
 * frozen, since every caller shares them.
 */
export function withReadCache(store: Store & Required<Pick<Store, 'onOtherWriters'>>): Store {
  const sessions = new Group<SessionRecord[]>();
  const photos = new Group<MediaRecord[]>();
  const all = [sessions, photos] as Array<Group<unknown>>;
  store.onOtherWriters(() => {
    for (const g of all) g.invalidate();
  });

  const wrap = (repos: Repositories): Repositories => {
    return {
      ...repos,
      users: invalidating(repos.users, (name) => USER_CASCADES.has(name), all),
      sessions: invalidating(repos.sessions, (name) => !SESSION_READS.has(name), [sessions]),
      media: invalidating(repos.media, (name) => !MEDIA_READS.has(name), [photos]),
    };
  };
  const base = wrap(store);

  return {
    ...store,
    ...base,
    sessions: {
      ...base.sessions,
      listByUser: (userId) => sessions.read(userId, () => base.sessions.listByUser(userId)),
    },
    media: {
      ...base.media,
      listAttached(ownerIds, use) {
        const owner = ownerIds[0];
        if (use !== 'photo' || ownerIds.length !== 1 || owner === undefined) return base.media.listAttached(ownerIds, use);
        return photos.read(owner, () => base.media.listAttached(ownerIds, use));
      },
    },
    // Reads inside a transaction go to the database; its writes invalidate like any other,
    // and once more when it ends, committed or not.
    async transaction(work) {
      try {
        return await store.transaction((tx) => work(wrap(tx)));
      } finally {
        for (const g of all) g.invalidate();
      }
    },
  };
}
