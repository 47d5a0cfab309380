/**
 * A socket's incoming frames, run one after another in arrival order (two sends keep their
 * order and their seqs), with a bound: a client with more than `limit` frames waiting is
 * flooding, and `push` says so instead of queueing without end.
 */
export const MAX_QUEUED_FRAMES = 100;

export class FrameQueue {
  private tail: Promise<void> = Promise.resolve();
  private size = 0;

  constructor(
    private readonly onError: (error: unknown) => void,
    private readonly limit = MAX_QUEUED_FRAMES,
  ) {}

  /** Queues `task`; false (and nothing queued) when the queue is full. */
  push(task: () => Promise<void>): boolean {
    if (this.size >= this.limit) return false;
    this.size++;
    this.tail = this.tail
      .then(task)
      .catch(this.onError)
      .finally(() => this.size--);
    return true;
  }
}
