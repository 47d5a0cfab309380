/**
 * Removes uploads never attached (as a photo, chat image or attachment) once they are
 * older than UPLOAD_UNATTACHED_TTL_SECONDS, with their files. Runs on an unref'd timer, so
 * it never keeps the process alive, and in bounded batches, so one run never holds the
 * store for long. Rows still waiting for their bytes (`ready` false) count as unattached
 * too: past the TTL they are the leftovers of a crash, and their upload fails cleanly.
 *
 * Uploads a crash interrupted are found sooner (issue 24): an upload in progress holds a
 * lease it renews while it runs (UPLOAD_LEASE_SECONDS). At start-up and then every lease
 * period, rows whose lease ran out are removed (or, for placeholders, released) with
 * whatever bytes they had, and partial writes idle for a lease are removed from the blob
 * store: after a crash the name is free again within about one lease, not after a day.
 */
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { blobKeysOf } from './media-names.js';

const BATCH = 200;
/** At most this many batches a run; what is left waits for the next run. */
const MAX_BATCHES = 50;
/** How often the sweep runs: often enough to honour the TTL roughly, at most every 10 minutes. */
const sweepIntervalMs = (ttlMs: number) => Math.min(Math.max(ttlMs / 4, 15_000), 10 * 60_000);

export function createMediaSweeper(deps: { store: Store; blobs: BlobStore; clock: Clock; ttlMs: number; leaseMs: number }) {
  const { store, blobs, clock, ttlMs, leaseMs } = deps;
  let timer: NodeJS.Timeout | undefined;
  let leaseTimer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let recovering: Promise<number> | undefined;

  /** Removes what interrupted uploads left: their rows (or claims) and their partial bytes. */
  async function recover(): Promise<number> {
    let taken = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const interrupted = await store.media.takeInterrupted(clock.now(), BATCH);
      await blobs.delete(interrupted.flatMap(blobKeysOf));
      taken += interrupted.length;
      if (interrupted.length < BATCH) break;
    }
    await blobs.removeAbandonedWrites(leaseMs);
    return taken;
  }

  /** Runs one recovery now (or joins the one running); resolves to the uploads taken. */
  function sweepInterrupted(): Promise<number> {
    recovering ??= recover().finally(() => {
      recovering = undefined;
    });
    return recovering;
  }

  async function run(): Promise<number> {
    const cutoff = clock.now() - ttlMs;
    let removed = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      // Rows go first (store first), then their files: a file without a row is never served.
      const expired = await store.media.deleteUnattached(cutoff, BATCH);
      await blobs.delete(expired.flatMap(blobKeysOf));
      removed += expired.length;
      if (expired.length < BATCH) break;
    }
    return removed;
  }

  /** Runs one sweep now (or joins the one running); resolves to the number of uploads removed. */
  function sweep(): Promise<number> {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    sweep,
    sweepInterrupted,
    /**
     * Starts the periodic sweeps, and recovers interrupted uploads at once (start-up); errors
     * are passed to `onError` and the timers keep going.
     */
    start(onError: (error: unknown) => void = () => {}) {
      if (timer) return;
      timer = setInterval(() => sweep().catch(onError), sweepIntervalMs(ttlMs));
      timer.unref();
      sweepInterrupted().catch(onError);
      leaseTimer = setInterval(() => sweepInterrupted().catch(onError), Math.min(leaseMs, 60_000));
      leaseTimer.unref();
    },
    /** Stops the timers and waits for sweeps in progress. */
    async stop() {
      clearInterval(timer);
      clearInterval(leaseTimer);
      timer = undefined;
      leaseTimer = undefined;
      await Promise.all([running?.catch(() => {}), recovering?.catch(() => {})]);
    },
  };
}
