/**
 * How many `?since=` replays (and catch-ups after a bus outage) run at once: at most
 * `perNode` on this node (REPLAY_CONCURRENCY) and `perUser` for one user (REPLAY_PER_USER).
 * The others wait their turn, first come first served, so a storm of reconnecting sockets
 * reads the event log a few pages at a time instead of all at once.
 */
export class ReplayGate {
  private running = 0;
  private readonly byUser = new Map<number, number>();
  private readonly waiting: Array<{ userId: number; admit: () => void }> = [];

  constructor(
    private readonly perNode: number,
    private readonly perUser: number,
  ) {}

  /** Resolves when `userId` may replay; call the function it gives once the replay is over. */
  enter(userId: number): Promise<() => void> {
    return new Promise((resolve) => {
      this.waiting.push({ userId, admit: () => resolve(this.releaser(userId)) });
      this.admit();
    });
  }

  /** Replays running now, and waiting. */
  get counts(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private releaser(userId: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      const left = (this.byUser.get(userId) ?? 1) - 1;
      if (left === 0) this.byUser.delete(userId);
      else this.byUser.set(userId, left);
      this.admit();
    };
  }

  /** Admits waiters in order while there is room; one whose user is at its cap lets later users pass. */
  private admit(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.perNode; ) {
      const next = this.waiting[i]!;
      const mine = this.byUser.get(next.userId) ?? 0;
      if (mine >= this.perUser) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.running++;
      this.byUser.set(next.userId, mine + 1);
      next.admit();
    }
  }
}
