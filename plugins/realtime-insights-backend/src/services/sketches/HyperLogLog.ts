import { ByteReader, ByteWriter } from './binaryCodec';
import { hashString64 } from './hashString64';

const TAG = 0x48; // 'H'
const VERSION = 1;
const SPARSE = 0;
const DENSE = 1;
const MIN_PRECISION = 4;
const MAX_PRECISION = 18;

/**
 * A sketch stays a Map in memory until more than m/32 registers are set (512
 * at p = 14): a few dozen bytes per entry, so a sketch of tens to hundreds of
 * values costs kilobytes rather than m bytes.
 */
const SPARSE_FRACTION = 1 / 32;

/** Decoded and merged sparse sketches stay sorted lists up to m/8 registers. */
const LIST_FRACTION = 1 / 8;
const EMPTY_LIST = new Uint32Array(0);

/**
 * Linear counting is used while its estimate is at most m/2. Measured at
 * p = 14 (60 trials per n): it matches the improved estimator up to ~0.3 m
 * and falls behind from ~0.6 m (RMS 0.58 % vs 0.53 % at 0.9 m, 1.19 % vs
 * 0.76 % at 3 m).
 */
const LINEAR_COUNTING_LIMIT = 0.5;

const hash = new Uint32Array(2);
// Aliased: global lookups are slow inside vm contexts such as jest's.
const clz32 = Math.clz32;

/**
 * HyperLogLog distinct counter over strings, with a 64-bit hash.
 *
 * - Registers hold the position of the first 1-bit after the `precision`
 *   index bits (1..65-precision), so 6 bits each.
 * - Small sketches are sparse in memory (a Map of set registers) and in their
 *   encoding (delta-varint list); they turn dense past m/32 set registers in
 *   memory, and encode dense (6 bits per register) once that is smaller.
 * - `estimate()` uses linear counting while few registers are set (nearly
 *   exact for tiny sets) and otherwise Ertl's improved estimator
 *   ("New cardinality estimation algorithms for HyperLogLog sketches", 2017),
 *   which corrects the raw estimate's bias analytically, with no empirical
 *   tables. Standard error ~1.04/sqrt(2^precision): 0.81 % at precision 14.
 */
export class HyperLogLog {
  readonly precision: number;
  private readonly registerCount: number;
  private readonly sparseLimit: number;
  private readonly listLimit: number;
  private sparse: Map<number, number> | undefined = new Map();
  private dense: Uint8Array | undefined;
  /**
   * A decoded sparse sketch, until it is changed: its set registers as
   * `index * 64 + rank`, in index order. Decoding and merging such a
   * sketch (what queries do with cached summaries) then touches only a
   * typed array, not a Map.
   */
  private list: Uint32Array | undefined;

  constructor(precision = 14) {
    if (
      !Number.isInteger(precision) ||
      precision < MIN_PRECISION ||
      precision > MAX_PRECISION
    ) {
      throw new RangeError(
        `HyperLogLog precision must be an integer from ${MIN_PRECISION} to ${MAX_PRECISION}, got ${precision}`,
      );
    }
    this.precision = precision;
    this.registerCount = 1 << precision;
    this.sparseLimit = this.registerCount * SPARSE_FRACTION;
    this.listLimit = this.registerCount * LIST_FRACTION;
  }

  add(value: string): void {
    hashString64(value, hash);
    this.addHash(hash);
  }

  /**
   * Adds a value by its {@link hashString64} hash (as `add` does), for
   * callers that hash the value's bytes themselves.
   */
  addHash(hashed: Uint32Array): void {
    const high = hashed[0];
    const p = this.precision;
    const rest = high << p;
    // Leading zeros of the 64-p bits after the index, plus one; clz32(0) is
    // 32, so an all-zero suffix gives the maximum 65-p.
    const rank = rest !== 0 ? clz32(rest) + 1 : 33 - p + clz32(hashed[1]);
    this.setRegister(high >>> (32 - p), rank);
  }

  merge(other: HyperLogLog): void {
    if (other.precision !== this.precision) {
      throw new Error(
        `Cannot merge HyperLogLog sketches of different precision (${this.precision} and ${other.precision})`,
      );
    }
    if (other.sparse) {
      for (const [index, rank] of other.sparse) this.setRegister(index, rank);
      return;
    }
    if (other.list) {
      const list = other.list;
      const count = this.setCount() + list.length;
      // Lists merge into a list up to m/8 registers (a quarter of the dense
      // registers' memory, and encoded without scanning them).
      if ((this.list || this.sparse?.size === 0) && count <= this.listLimit) {
        this.list = mergeLists(this.list ?? EMPTY_LIST, list);
        this.sparse = undefined;
        return;
      }
      // Past m/32 registers this turns dense anyway: first, not entry by entry.
      if (count > this.sparseLimit) this.toDense();
      const dense = this.dense;
      if (!dense) {
        for (const entry of list) this.setRegister(entry >>> 6, entry & 63);
        return;
      }
      for (let i = 0; i < list.length; i++) {
        const index = list[i] >>> 6;
        const rank = list[i] & 63;
        if (rank > dense[index]) dense[index] = rank;
      }
      return;
    }
    const registers = this.toDense();
    const theirs = other.dense!;
    const words = wordsOf(theirs);
    for (let w = 0; w < words.length; w++) {
      if (words[w] === 0) continue; // four empty registers
      for (let i = w * 4; i < w * 4 + 4; i++) {
        if (theirs[i] > registers[i]) registers[i] = theirs[i];
      }
    }
  }

  estimate(): number {
    const m = this.registerCount;
    const maxRank = 65 - this.precision;
    const histogram = new Float64Array(maxRank + 1);
    if (this.list) {
      histogram[0] = m - this.list.length;
      for (const entry of this.list) histogram[entry & 63]++;
    } else if (this.sparse) {
      histogram[0] = m - this.sparse.size;
      for (const rank of this.sparse.values()) histogram[rank]++;
    } else {
      for (const rank of this.dense!) histogram[rank]++;
    }
    const zeros = histogram[0];
    if (zeros === m) return 0;
    if (zeros > 0) {
      const linear = m * Math.log(m / zeros);
      if (linear <= LINEAR_COUNTING_LIMIT * m) return linear;
    }
    return improvedEstimate(histogram, m);
  }

  toBuffer(): Buffer {
    const entries = this.setRegisters();
    const writer = new ByteWriter(16 + entries.length * 3);
    writer.byte(TAG);
    writer.byte(VERSION);
    writer.byte(this.precision);
    const denseBytes = (this.registerCount * 6) / 8;
    const sparseStart = writer.size;
    writer.byte(SPARSE);
    writer.varint(entries.length / 2);
    // (index gap << 6 | rank): gaps shrink as the sketch fills, so entries
    // take ~2 bytes each at a few hundred values.
    let previous = -1;
    for (let i = 0; i < entries.length; i += 2) {
      writer.varint((entries[i] - previous) * 64 + entries[i + 1]);
      previous = entries[i];
      if (writer.size - sparseStart > denseBytes) break;
    }
    if (writer.size - sparseStart <= denseBytes) return writer.finish();

    const dense = new ByteWriter(8 + denseBytes);
    dense.byte(TAG);
    dense.byte(VERSION);
    dense.byte(this.precision);
    dense.byte(DENSE);
    const registers = this.registersSnapshot();
    for (let i = 0; i < registers.length; i += 4) {
      const packed =
        registers[i] |
        (registers[i + 1] << 6) |
        (registers[i + 2] << 12) |
        (registers[i + 3] << 18);
      dense.byte(packed & 0xff);
      dense.byte((packed >>> 8) & 0xff);
      dense.byte(packed >>> 16);
    }
    return dense.finish();
  }

  /**
   * Decodes {@link HyperLogLog.toBuffer} output; throws `SketchFormatError`
   * on anything else (checksum, version, precision, register values).
   */
  static fromBuffer(buffer: Buffer): HyperLogLog {
    const reader = new ByteReader(buffer, 'HyperLogLog', TAG, VERSION);
    const precision = reader.byte();
    if (precision < MIN_PRECISION || precision > MAX_PRECISION) {
      throw reader.fail(`precision ${precision} out of range`);
    }
    const sketch = new HyperLogLog(precision);
    const m = sketch.registerCount;
    const maxRank = 65 - precision;
    const representation = reader.byte();
    if (representation === SPARSE) {
      const count = reader.varint();
      if (count > m) throw reader.fail(`${count} registers for m=${m}`);
      const list = new Uint32Array(count);
      let index = -1;
      for (let i = 0; i < count; i++) {
        const entry = reader.varint();
        const rank = entry % 64;
        const gap = (entry - rank) / 64;
        index += gap;
        if (gap < 1 || index >= m || rank < 1 || rank > maxRank) {
          throw reader.fail(`invalid sparse register (${index}, ${rank})`);
        }
        list[i] = index * 64 + rank;
      }
      sketch.sparse = undefined;
      sketch.list = list;
    } else if (representation === DENSE) {
      const bytes = reader.bytes((m * 6) / 8);
      const registers = new Uint8Array(m);
      for (let i = 0, j = 0; i < m; i += 4, j += 3) {
        const packed = bytes[j] | (bytes[j + 1] << 8) | (bytes[j + 2] << 16);
        registers[i] = packed & 63;
        registers[i + 1] = (packed >>> 6) & 63;
        registers[i + 2] = (packed >>> 12) & 63;
        registers[i + 3] = packed >>> 18;
      }
      for (let i = 0; i < m; i++) {
        if (registers[i] > maxRank) {
          throw reader.fail(`register ${i} holds ${registers[i]}`);
        }
      }
      sketch.sparse = undefined;
      sketch.dense = registers;
    } else {
      throw reader.fail(`unknown representation ${representation}`);
    }
    reader.done();
    return sketch;
  }

  private setRegister(index: number, rank: number): void {
    if (this.list) this.fromList();
    const dense = this.dense;
    if (dense) {
      if (rank > dense[index]) dense[index] = rank;
      return;
    }
    const sparse = this.sparse!;
    const current = sparse.get(index);
    if (current === undefined) {
      sparse.set(index, rank);
      if (sparse.size > this.sparseLimit) this.toDense();
    } else if (rank > current) {
      sparse.set(index, rank);
    }
  }

  private toDense(): Uint8Array {
    if (this.dense) return this.dense;
    const dense = new Uint8Array(this.registerCount);
    if (this.list) {
      for (const entry of this.list) dense[entry >>> 6] = entry & 63;
    } else {
      for (const [index, rank] of this.sparse!) dense[index] = rank;
    }
    this.dense = dense;
    this.sparse = undefined;
    this.list = undefined;
    return dense;
  }

  /** A decoded sketch about to change: into a Map, or dense past m/32. */
  private fromList() {
    const list = this.list!;
    if (list.length > this.sparseLimit) {
      this.toDense();
      return;
    }
    this.list = undefined;
    this.sparse = new Map();
    for (const entry of list) this.sparse.set(entry >>> 6, entry & 63);
  }

  /** Set registers (a bound for a dense sketch). */
  private setCount(): number {
    if (this.list) return this.list.length;
    if (this.sparse) return this.sparse.size;
    return this.registerCount;
  }

  /** Set registers as [index, rank, index, rank, ...] in index order. */
  private setRegisters(): Uint32Array {
    if (this.list) {
      const list = this.list;
      const out = new Uint32Array(list.length * 2);
      for (let i = 0; i < list.length; i++) {
        out[2 * i] = list[i] >>> 6;
        out[2 * i + 1] = list[i] & 63;
      }
      return out;
    }
    if (this.sparse) {
      const indexes = Uint32Array.from(this.sparse.keys()).sort();
      const out = new Uint32Array(indexes.length * 2);
      for (let i = 0; i < indexes.length; i++) {
        out[2 * i] = indexes[i];
        out[2 * i + 1] = this.sparse.get(indexes[i])!;
      }
      return out;
    }
    const dense = this.dense!;
    const words = wordsOf(dense);
    let out = new Uint32Array(1024);
    let j = 0;
    for (let w = 0; w < words.length; w++) {
      if (words[w] === 0) continue; // four empty registers
      if (j + 8 > out.length) {
        const grown = new Uint32Array(out.length * 2);
        grown.set(out);
        out = grown;
      }
      for (let i = w * 4; i < w * 4 + 4; i++) {
        if (dense[i] !== 0) {
          out[j++] = i;
          out[j++] = dense[i];
        }
      }
    }
    return out.subarray(0, j);
  }

  private registersSnapshot(): Uint8Array {
    if (this.dense) return this.dense;
    const registers = new Uint8Array(this.registerCount);
    if (this.list) {
      for (const entry of this.list) registers[entry >>> 6] = entry & 63;
    } else {
      for (const [index, rank] of this.sparse!) registers[index] = rank;
    }
    return registers;
  }
}

/**
 * The union of two sorted register lists (`index * 64 + rank`): for an
 * index in both, the larger entry, which holds the larger rank.
 */
function mergeLists(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    const ix = x >>> 6;
    const iy = y >>> 6;
    if (ix < iy) {
      out[k++] = x;
      i++;
    } else if (iy < ix) {
      out[k++] = y;
      j++;
    } else {
      out[k++] = x > y ? x : y;
      i++;
      j++;
    }
  }
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return k === out.length ? out : out.slice(0, k);
}

/** Dense registers four at a time (registers are a multiple of 16). */
function wordsOf(registers: Uint8Array): Uint32Array {
  return new Uint32Array(
    registers.buffer,
    registers.byteOffset,
    registers.length / 4,
  );
}

/**
 * Ertl's improved estimator: m^2 / (2 ln 2 · z), where z replaces the raw
 * estimator's sum of 2^-register with a form whose terms for empty (k = 0) and
 * saturated (k = q+1) registers are corrected through the sigma and tau
 * series, removing the bias at both ends of the range.
 */
function improvedEstimate(histogram: Float64Array, m: number): number {
  const q = histogram.length - 2;
  let z = m * tau(1 - histogram[q + 1] / m);
  for (let k = q; k >= 1; k--) z = 0.5 * (z + histogram[k]);
  z += m * sigma(histogram[0] / m);
  return (m * m) / (2 * Math.LN2 * z);
}

/** sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1), summed until it stops moving. */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let power = x;
  let weight = 1;
  let sum = x;
  for (;;) {
    power *= power;
    const next = sum + power * weight;
    if (next === sum) return sum;
    sum = next;
    weight += weight;
  }
}

/** tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let root = x;
  let weight = 1;
  let sum = 1 - x;
  for (;;) {
    root = Math.sqrt(root);
    weight *= 0.5;
    const next = sum - (1 - root) * (1 - root) * weight;
    if (next === sum) return sum / 3;
    sum = next;
  }
}
