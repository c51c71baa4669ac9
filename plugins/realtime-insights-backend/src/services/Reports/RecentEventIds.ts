import { hashBytes64, hashString64 } from '../sketches/hashString64';

/** Largest table of one generation: 2^22 slots (32 MiB), half of them used. */
const MAX_SLOTS_LOG2 = 22;

/**
 * A set of 64-bit hashes: open addressing with linear probing, the two
 * halves of a hash side by side in one typed array (0/0 marks a free slot,
 * so a zero hash is stored as 0/1). Numbers, not id strings: millions of
 * live strings would keep the garbage collector busier than the export.
 */
class HashSet64 {
  private slots: Uint32Array;
  private mask: number;
  size = 0;

  constructor(readonly slotsLog2: number) {
    this.slots = new Uint32Array(2 << slotsLog2);
    this.mask = (1 << slotsLog2) - 1;
  }

  /** True when the table is at its size limit and half full. */
  get full(): boolean {
    return this.slotsLog2 >= MAX_SLOTS_LOG2 && this.size * 2 >= this.mask;
  }

  /** Adds the hash; false when it was there already. */
  add(hi: number, low: number): boolean {
    const lo = hi === 0 && low === 0 ? 1 : low;
    const slots = this.slots;
    let i = (lo ^ hi) & this.mask;
    for (;;) {
      const h = slots[2 * i];
      const l = slots[2 * i + 1];
      if (h === 0 && l === 0) break;
      if (h === hi && l === lo) return false;
      i = (i + 1) & this.mask;
    }
    slots[2 * i] = hi;
    slots[2 * i + 1] = lo;
    this.size++;
    if (this.size * 2 > this.mask && this.slotsLog2 < MAX_SLOTS_LOG2) {
      this.grow();
    }
    return true;
  }

  has(hi: number, low: number): boolean {
    const lo = hi === 0 && low === 0 ? 1 : low;
    const slots = this.slots;
    let i = (lo ^ hi) & this.mask;
    for (;;) {
      const h = slots[2 * i];
      const l = slots[2 * i + 1];
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
      i = (i + 1) & this.mask;
    }
  }

  private grow() {
    const old = this.slots;
    (this as { slotsLog2: number }).slotsLog2++;
    this.slots = new Uint32Array(2 << this.slotsLog2);
    this.mask = (1 << this.slotsLog2) - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.add(old[i], old[i + 1]);
    }
  }
}

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
  private readonly hash = new Uint32Array(2);
  private scratch = new Uint8Array(256);

  constructor(private readonly windowMs: number) {}

  /** Moves the window to an object that arrived at `time`. */
  advance(time: number) {
    const elapsed = time - this.generationStart;
    if (elapsed < this.windowMs) return;
    this.rotate(elapsed < 2 * this.windowMs);
    this.generationStart = time;
  }

  /** True the first time an id is seen in the window. */
  add(id: string): boolean {
    hashString64(id, this.hash);
    return this.addHash();
  }

  /** `add` of the id whose UTF-8 bytes are `bytes[from, to)` (same hash). */
  addBytes(bytes: Uint8Array, from: number, to: number): boolean {
    const length = to - from;
    if (this.scratch.length < length) this.scratch = new Uint8Array(length * 2);
    const scratch = this.scratch;
    for (let i = 0; i < length; i++) scratch[i] = bytes[from + i];
    hashBytes64(scratch, length, this.hash);
    return this.addHash();
  }

  private addHash(): boolean {
    const hi = this.hash[0];
    const lo = this.hash[1];
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
