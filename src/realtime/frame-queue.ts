/**
 * A socket's incoming frames, run one after another in arrival order (two sends keep their
 * order and their seqs), with a bound: a client with more than `limit` frames waiting is
 * flooding, and `push` says so instead of queueing without end.
 */
export const MAX_QUEUED_FRAMES = 100;

interface Task {
  run: () => Promise<void>;
  /** Answers the frame as abandoned (shutdown), instead of running it. */
  abandoned?: (() => void) | undefined;
}

export class FrameQueue {
  private readonly waiting: Task[] = [];
  private running = false;
  private abandoning = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly onError: (error: unknown) => void,
    private readonly limit = MAX_QUEUED_FRAMES,
  ) {}

  /** Queues `task`; false (and nothing queued) when the queue is full. */
  push(task: () => Promise<void>, abandoned?: () => void): boolean {
    if (this.waiting.length + (this.running ? 1 : 0) >= this.limit) return false;
    this.waiting.push({ run: task, abandoned });
    // Run later, never inside the caller's turn (as a promise chain would).
    queueMicrotask(() => void this.pump());
    return true;
  }

  /** Resolves once no frame is waiting or running (shutdown waits for it before the store closes). */
  idle(): Promise<void> {
    if (!this.running && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** From now on frames are answered as abandoned, not run (shutdown); returns how many waited. */
  abandon(): number {
    this.abandoning = true;
    return this.waiting.length;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.waiting.length > 0) {
      const task = this.waiting.shift()!;
      try {
        if (this.abandoning) task.abandoned?.();
        else await task.run();
      } catch (error) {
        this.onError(error);
      }
    }
    this.running = false;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
