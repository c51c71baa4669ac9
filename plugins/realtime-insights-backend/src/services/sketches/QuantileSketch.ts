import { ByteReader, ByteWriter } from './binaryCodec';

const TAG = 0x51; // 'Q'
const VERSION = 1;
const DEFAULT_MAX_BINS = 2048;
const MAX_MAX_BINS = 1 << 20;
// Aliased for the hot path: global lookups are slow inside vm contexts such
// as jest's.
const { ceil, log } = Math;
const { isFinite: isFiniteNumber, isSafeInteger } = Number;

/**
 * Counts per bin key over a window of at most `maxBins` consecutive keys.
 * When a key would stretch the window further, the lowest keys fold into the
 * lowest key that still fits ("collapsing lowest"), so memory stays bounded
 * and the high end keeps its accuracy.
 */
class BinStore {
  /** counts[key - offset]; the array may be larger than [minKey, maxKey]. */
  counts = new Float64Array(0);
  offset = 0;
  minKey = Infinity;
  maxKey = -Infinity;
  total = 0;

  constructor(private readonly maxBins: number) {}

  add(key: number, count: number): void {
    const k = key < this.minKey || key > this.maxKey ? this.extend(key) : key;
    this.counts[k - this.offset] += count;
    this.total += count;
  }

  /**
   * Adds every bin of `other`: what adding them one by one in ascending
   * order does, with the window widened once rather than bin by bin
   * (unless the union would fold bins; then one by one).
   */
  addAll(other: BinStore): void {
    let first = other.minKey;
    let last = other.maxKey;
    while (first <= last && other.counts[first - other.offset] === 0) first++;
    while (last >= first && other.counts[last - other.offset] === 0) last--;
    if (first > last) return;
    const span = Math.max(this.maxKey, last) - Math.min(this.minKey, first);
    if (span + 1 > this.maxBins) {
      other.forEach((key, count) => this.add(key, count));
      return;
    }
    this.add(first, 0);
    this.add(last, 0);
    const { counts, offset } = this;
    let total = 0;
    for (let key = first; key <= last; key++) {
      const count = other.counts[key - other.offset];
      counts[key - offset] += count;
      total += count;
    }
    this.total += total;
  }

  /** Calls `visit` for each non-empty bin in ascending key order. */
  forEach(visit: (key: number, count: number) => void): void {
    for (let key = this.minKey; key <= this.maxKey; key++) {
      const count = this.counts[key - this.offset];
      if (count !== 0) visit(key, count);
    }
  }

  get binCount(): number {
    let bins = 0;
    this.forEach(() => bins++);
    return bins;
  }

  /** Widens the window to hold `key`; returns the key the count goes to. */
  private extend(key: number): number {
    let target = key;
    let newMin = Math.min(this.minKey, key);
    const newMax = Math.max(this.maxKey, key);
    let collapsed = 0;
    if (newMax - newMin + 1 > this.maxBins) {
      newMin = newMax - this.maxBins + 1;
      for (let k = this.minKey; k < newMin && k <= this.maxKey; k++) {
        collapsed += this.counts[k - this.offset];
        this.counts[k - this.offset] = 0;
      }
      if (target < newMin) target = newMin;
    }
    if (newMin < this.offset || newMax >= this.offset + this.counts.length) {
      // Room for the window plus as much again (within the cap), centred, so
      // a drifting window does not reallocate on every new key.
      const span = newMax - newMin + 1;
      const capacity = Math.max(span, Math.min(span * 2, this.maxBins) + 8);
      const counts = new Float64Array(capacity);
      const offset = newMin - Math.floor((capacity - span) / 2);
      for (let k = Math.max(this.minKey, newMin); k <= this.maxKey; k++) {
        counts[k - offset] = this.counts[k - this.offset];
      }
      this.counts = counts;
      this.offset = offset;
    }
    this.counts[newMin - this.offset] += collapsed;
    this.minKey = newMin;
    this.maxKey = newMax;
    return target;
  }
}

/**
 * DDSketch (Masson, Rim & Lee, VLDB 2019): a mergeable quantile sketch with
 * relative-accuracy guarantees.
 *
 * - A positive value x goes to bin ceil(log_gamma(x)) with
 *   gamma = (1 + alpha) / (1 - alpha), and a bin reports 2·gamma^i/(gamma+1),
 *   within alpha of every value in it. Negative values go to a second store by
 *   their magnitude; exact zeros (±0) are counted apart. Every other finite
 *   value is indexed, down to subnormals. NaN and ±Infinity are ignored.
 * - `quantile(q)` is the lower quantile: the value of rank floor(q·(n-1)) in
 *   the sorted data (0-based), returned within relative error alpha, clamped to the
 *   exact [min, max]; the first and last ranks return min and max exactly.
 * - Memory is bounded: each store (positive, negative) keeps at most
 *   `maxBins` consecutive bins (2048 by default, which at alpha = 1 % spans
 *   17 orders of magnitude). Beyond that the bins nearest the low end of the
 *   data — the smallest positive magnitudes, the most negative values — are
 *   folded together, losing accuracy only there.
 * - count, min and max are exact; sum is a float64 running sum (exact for
 *   integer data below 2^53, otherwise subject to rounding that may differ
 *   with merge order).
 */
export class QuantileSketch {
  readonly relativeAccuracy: number;
  readonly maxBins: number;
  private readonly gamma: number;
  private readonly keyMultiplier: number;
  private readonly positive: BinStore;
  /** Keyed by -key(|x|), so ascending keys are ascending values. */
  private readonly negative: BinStore;
  private zeroCount = 0;
  private total = 0;
  private minimum = Infinity;
  private maximum = -Infinity;
  private runningSum = 0;

  constructor(relativeAccuracy = 0.01, maxBins = DEFAULT_MAX_BINS) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
      throw new RangeError(
        `QuantileSketch relative accuracy must be in (0, 1), got ${relativeAccuracy}`,
      );
    }
    if (!Number.isInteger(maxBins) || maxBins < 1 || maxBins > MAX_MAX_BINS) {
      throw new RangeError(
        `QuantileSketch maxBins must be an integer from 1 to ${MAX_MAX_BINS}, got ${maxBins}`,
      );
    }
    this.relativeAccuracy = relativeAccuracy;
    this.maxBins = maxBins;
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.keyMultiplier = 1 / Math.log(this.gamma);
    this.positive = new BinStore(maxBins);
    this.negative = new BinStore(maxBins);
  }

  get count(): number {
    return this.total;
  }

  /** NaN when empty. */
  get min(): number {
    return this.total === 0 ? NaN : this.minimum;
  }

  /** NaN when empty. */
  get max(): number {
    return this.total === 0 ? NaN : this.maximum;
  }

  get sum(): number {
    return this.runningSum;
  }

  /**
   * Records `value` `count` times (a non-negative integer; 0 is a no-op).
   * NaN and ±Infinity are ignored: they have no bin and would poison sum.
   */
  add(value: number, count = 1): void {
    if (!isFiniteNumber(value)) return;
    if (!(isSafeInteger(count) && count >= 0)) {
      throw new RangeError(
        `QuantileSketch count must be a non-negative integer, got ${count}`,
      );
    }
    if (count === 0) return;
    if (value > 0) {
      this.positive.add(ceil(log(value) * this.keyMultiplier), count);
    } else if (value < 0) {
      // `0 -` rather than unary minus: key 0 must not become -0.
      this.negative.add(0 - ceil(log(-value) * this.keyMultiplier), count);
    } else {
      this.zeroCount += count;
    }
    this.total += count;
    this.runningSum += count === 1 ? value : value * count;
    if (value < this.minimum) this.minimum = value;
    if (value > this.maximum) this.maximum = value;
  }

  merge(other: QuantileSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) {
      throw new Error(
        `Cannot merge QuantileSketches of different relative accuracy (${this.relativeAccuracy} and ${other.relativeAccuracy})`,
      );
    }
    if (other.total === 0) return;
    this.positive.addAll(other.positive);
    this.negative.addAll(other.negative);
    this.zeroCount += other.zeroCount;
    this.total += other.total;
    this.runningSum += other.runningSum;
    if (other.minimum < this.minimum) this.minimum = other.minimum;
    if (other.maximum > this.maximum) this.maximum = other.maximum;
  }

  /** The value of rank floor(q·(count-1)), within relative accuracy; NaN when empty. */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) {
      throw new RangeError(`Quantile must be in [0, 1], got ${q}`);
    }
    if (this.total === 0) return NaN;
    const rank = Math.floor(q * (this.total - 1));
    // The extreme ranks are tracked exactly.
    if (rank === 0) return this.minimum;
    if (rank === this.total - 1) return this.maximum;
    let seen = 0;
    const negative = this.negative;
    for (let key = negative.minKey; key <= negative.maxKey; key++) {
      seen += negative.counts[key - negative.offset];
      if (seen > rank) return this.clamp(-this.binValue(-key));
    }
    seen += this.zeroCount;
    if (seen > rank) return this.clamp(0);
    const positive = this.positive;
    for (let key = positive.minKey; key <= positive.maxKey; key++) {
      seen += positive.counts[key - positive.offset];
      if (seen > rank) return this.clamp(this.binValue(key));
    }
    return this.maximum;
  }

  /** Non-empty bins across both stores plus the zero bin, for size checks. */
  get binCount(): number {
    return (
      this.positive.binCount +
      this.negative.binCount +
      (this.zeroCount > 0 ? 1 : 0)
    );
  }

  /**
   * Layout: tag 'Q', version, alpha (float64), maxBins, zero count, the
   * negative then positive store (bin count, first key as zigzag varint and
   * count, then key gap - 1 and count as varints per further bin), then min,
   * max, sum as float64 when not empty, and a CRC-32.
   */
  toBuffer(): Buffer {
    const writer = new ByteWriter(256);
    writer.byte(TAG);
    writer.byte(VERSION);
    writer.float64(this.relativeAccuracy);
    writer.varint(this.maxBins);
    writer.varint(this.zeroCount);
    writeStore(writer, this.negative);
    writeStore(writer, this.positive);
    if (this.total > 0) {
      writer.float64(this.minimum);
      writer.float64(this.maximum);
      writer.float64(this.runningSum);
    }
    return writer.finish();
  }

  /**
   * Decodes {@link QuantileSketch.toBuffer} output; throws `SketchFormatError`
   * on anything else.
   */
  static fromBuffer(buffer: Buffer): QuantileSketch {
    const reader = new ByteReader(buffer, 'QuantileSketch', TAG, VERSION);
    const relativeAccuracy = reader.float64();
    const maxBins = reader.varint();
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
      throw reader.fail(`relative accuracy ${relativeAccuracy} out of range`);
    }
    if (maxBins < 1 || maxBins > MAX_MAX_BINS) {
      throw reader.fail(`maxBins ${maxBins} out of range`);
    }
    const sketch = new QuantileSketch(relativeAccuracy, maxBins);
    sketch.zeroCount = reader.varint();
    // No finite double has |ln x| above 745, so no genuine key is beyond this.
    const keyLimit = Math.ceil(745 * sketch.keyMultiplier) + 1;
    readStore(reader, sketch.negative, maxBins, keyLimit);
    readStore(reader, sketch.positive, maxBins, keyLimit);
    sketch.total =
      sketch.zeroCount + sketch.negative.total + sketch.positive.total;
    if (!Number.isSafeInteger(sketch.total))
      throw reader.fail('count overflow');
    if (sketch.total > 0) {
      sketch.minimum = reader.float64();
      sketch.maximum = reader.float64();
      sketch.runningSum = reader.float64();
      if (
        !(sketch.minimum <= sketch.maximum) ||
        !Number.isFinite(sketch.minimum) ||
        !Number.isFinite(sketch.maximum) ||
        Number.isNaN(sketch.runningSum)
      ) {
        throw reader.fail('inconsistent min/max/sum');
      }
    }
    reader.done();
    return sketch;
  }

  private binValue(key: number): number {
    // gamma^key · 2/(gamma+1) = gamma^key · (1 - alpha)
    return Math.exp(key / this.keyMultiplier) * (1 - this.relativeAccuracy);
  }

  private clamp(value: number): number {
    if (value < this.minimum) return this.minimum;
    if (value > this.maximum) return this.maximum;
    return value;
  }
}

function writeStore(writer: ByteWriter, store: BinStore): void {
  writer.varint(store.binCount);
  let previous: number | undefined;
  store.forEach((key, count) => {
    if (previous === undefined) writer.zigzag(key);
    else writer.varint(key - previous - 1);
    writer.varint(count);
    previous = key;
  });
}

function readStore(
  reader: ByteReader,
  store: BinStore,
  maxBins: number,
  keyLimit: number,
): void {
  const bins = reader.varint();
  if (bins > maxBins) throw reader.fail(`${bins} bins exceed maxBins`);
  const keys = new Float64Array(bins);
  const counts = new Float64Array(bins);
  let key = 0;
  for (let i = 0; i < bins; i++) {
    key = i === 0 ? reader.zigzag() : key + reader.varint() + 1;
    const count = reader.varint();
    // A decoded store must fit its window as written: nothing to collapse.
    if (
      count === 0 ||
      Math.abs(key) > keyLimit ||
      (i > 0 && key - keys[0] >= maxBins)
    ) {
      throw reader.fail(`invalid bin (key ${key}, count ${count})`);
    }
    keys[i] = key;
    counts[i] = count;
  }
  if (bins === 0) return;
  // The window at once, then the bins (they fit it: checked above).
  store.add(keys[0], 0);
  store.add(keys[bins - 1], 0);
  for (let i = 0; i < bins; i++) store.add(keys[i], counts[i]);
  if (!Number.isSafeInteger(store.total)) throw reader.fail('count overflow');
}
