import { HashSet64 } from '../events/HashSet64';

/**
 * Event ids seen within a window of object (arrival) time, for exports:
 * duplicates that land within the window of each other count once, as
 * Firehose re-deliveries and device retries do. Two generations: an id is
 * remembered for at least one window and at most two; a generation that
 * reaches its size limit (about 2 M ids) starts the next one early, so
 * memory stays bounded on any stream.
 *
 * Ids are compared by a 64-bit hash: two different ids of one window
 * collide with a probability of about n²/2⁶⁵ (1e-7 for 2 M ids).
 */
export class RecentEventIds {
  private current = new HashSet64(12);
  private previous = new HashSet64(4);
  private generationStart = -Infinity;

  constructor(private readonly windowMs: number) {}

  /** Moves the window to an object that arrived at `time`. */
  advance(time: number) {
    const elapsed = time - this.generationStart;
    if (elapsed < this.windowMs) return;
    this.rotate(elapsed < 2 * this.windowMs);
    this.generationStart = time;
  }

  /**
   * True the first time an id is seen in the window. The id comes as its
   * 64-bit `hashString64` (high and low word), as `ObjectRows` carry it.
   */
  addHash(hi: number, lo: number): boolean {
    if (this.previous.size > 0 && this.previous.has(hi, lo)) return false;
    if (this.current.full) this.rotate(true);
    return this.current.add(hi, lo);
  }

  /** A new generation, sized like the last; the last one kept or dropped. */
  private rotate(keepCurrent: boolean) {
    const sized = new HashSet64(this.current.slotsLog2);
    this.previous = keepCurrent ? this.current : new HashSet64(4);
    this.current = sized;
  }
}
