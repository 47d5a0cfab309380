/**
 * A per-socket token bucket for incoming frames (WS_MAX_FRAMES_PER_SECOND): `perSecond` frames
 * a second on average, in bursts of up to two seconds' worth. A socket over its rate is not
 * closed: its reader (frame-reader.ts) waits `msUntilToken()` before handling the next frame
 * and stops reading the socket meanwhile, so the average holds and nothing is dropped.
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

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
  }

  /** Takes one frame's token; false when the socket is over its rate. */
  take(): boolean {
    if (this.perSecond === 0) return true;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until `take()` will succeed; 0 when it would now. */
  msUntilToken(): number {
    if (this.perSecond === 0) return 0;
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
  }
}
