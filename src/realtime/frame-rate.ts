/**
 * A per-socket token bucket for incoming frames (WS_MAX_FRAMES_PER_SECOND): `perSecond` frames
 * a second on average, in bursts of up to two seconds' worth, so that a client flushing a short
 * outbox is fine but one flooding the server is closed (1008) before its frames cost a query
 * each. The queue bound of `FrameQueue` still applies on top.
 */
export class FrameRate {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  /** `perSecond` 0 turns the limit off. */
  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = 2 * perSecond;
    this.tokens = this.capacity;
    this.last = now();
  }

  /** Takes one frame's token; false when the socket is over its rate. */
  take(): boolean {
    if (this.perSecond === 0) return true;
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
