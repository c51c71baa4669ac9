/** Default largest table: 2^22 slots (32 MiB), half of them used. */
const MAX_SLOTS_LOG2 = 22;

/**
 * A set of 64-bit hashes: open addressing with linear probing, the two
 * halves of a hash side by side in one typed array (0/0 marks a free slot,
 * so a zero hash is stored as 0/1). Numbers, not id strings: millions of
 * live strings would keep the garbage collector busier than the export.
 */
export class HashSet64 {
  private slots: Uint32Array;
  private mask: number;
  size = 0;

  /**
   * @param slotsLog2 - the table's initial size (log2 of its slots)
   * @param maxSlotsLog2 - the size it grows to at most; beyond half of it
   *   the table still fills, and once full it remembers nothing more
   */
  constructor(
    readonly slotsLog2: number,
    private readonly maxSlotsLog2 = MAX_SLOTS_LOG2,
  ) {
    this.slots = new Uint32Array(2 << slotsLog2);
    this.mask = (1 << slotsLog2) - 1;
  }

  /** True when the table is at its size limit and half full. */
  get full(): boolean {
    return this.slotsLog2 >= this.maxSlotsLog2 && this.size * 2 >= this.mask;
  }

  /**
   * Adds the hash; false when it was there already. A full table (see the
   * constructor) answers true for every hash it does not hold.
   */
  add(hi: number, low: number): boolean {
    const lo = hi === 0 && low === 0 ? 1 : low;
    const i = this.slotOf(hi, lo);
    const slots = this.slots;
    if (slots[2 * i] !== 0 || slots[2 * i + 1] !== 0) return false;
    if (this.size === this.mask) return true; // one slot left, kept free
    slots[2 * i] = hi;
    slots[2 * i + 1] = lo;
    this.size++;
    if (this.size * 2 > this.mask && this.slotsLog2 < this.maxSlotsLog2) {
      this.grow();
    }
    return true;
  }

  has(hi: number, low: number): boolean {
    const lo = hi === 0 && low === 0 ? 1 : low;
    const i = this.slotOf(hi, lo);
    return this.slots[2 * i] !== 0 || this.slots[2 * i + 1] !== 0;
  }

  /** The slot holding `hi`/`lo`, or the free one where it would go. */
  private slotOf(hi: number, lo: number): number {
    const slots = this.slots;
    let i = (lo ^ hi) & this.mask;
    for (;;) {
      const h = slots[2 * i];
      const l = slots[2 * i + 1];
      if ((h === 0 && l === 0) || (h === hi && l === lo)) return i;
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
