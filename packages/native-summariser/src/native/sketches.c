#include "sketches.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jslog.h"

/* ------------------------------------------------------------ HyperLogLog */

#define HLL_SPARSE 0
#define HLL_DENSE 1
#define HLL_SPARSE_LIMIT (HLL_REGISTERS / 32)
#define HLL_SPARSE_SLOTS (HLL_SPARSE_LIMIT * 2)

static int hll_to_dense(hll_t *h) {
  h->dense = calloc(HLL_REGISTERS, 1);
  if (!h->dense) return 0;
  for (uint32_t s = 0; s < HLL_SPARSE_SLOTS; s++) {
    if (h->sparse_keys[s]) h->dense[h->sparse_keys[s] - 1] = h->sparse_ranks[s];
  }
  free(h->sparse_keys);
  free(h->sparse_ranks);
  h->sparse_keys = NULL;
  h->sparse_ranks = NULL;
  return 1;
}

static int hll_set(hll_t *h, uint32_t index, uint8_t rank) {
  if (h->dense) {
    if (rank > h->dense[index]) h->dense[index] = rank;
    return 1;
  }
  if (!h->sparse_keys) {
    h->sparse_keys = calloc(HLL_SPARSE_SLOTS, sizeof(uint32_t));
    h->sparse_ranks = calloc(HLL_SPARSE_SLOTS, 1);
    if (!h->sparse_keys || !h->sparse_ranks) return 0;
  }
  uint32_t key = index + 1;
  uint32_t s = (index * 0x9e3779b1u) >> (32 - 10); /* 1024 slots */
  while (h->sparse_keys[s] && h->sparse_keys[s] != key) {
    s = (s + 1) & (HLL_SPARSE_SLOTS - 1);
  }
  if (h->sparse_keys[s]) {
    if (rank > h->sparse_ranks[s]) h->sparse_ranks[s] = rank;
    return 1;
  }
  h->sparse_keys[s] = key;
  h->sparse_ranks[s] = rank;
  if (++h->sparse_count > HLL_SPARSE_LIMIT) return hll_to_dense(h);
  return 1;
}

int hll_add(hll_t *h, const uint32_t hash[2]) {
  uint32_t high = hash[0];
  uint32_t rest = high << HLL_PRECISION;
  uint32_t rank = rest != 0 ? (uint32_t)__builtin_clz(rest) + 1
                            : 33 - HLL_PRECISION +
                                  (hash[1] ? (uint32_t)__builtin_clz(hash[1]) : 32);
  return hll_set(h, high >> (32 - HLL_PRECISION), (uint8_t)rank);
}

/** Entries (index << 6 | rank) sorted by index: two passes of a radix sort. */
static void sort_entries(uint32_t *entries, uint32_t *scratch, uint32_t count) {
  for (int shift = 6; shift < 6 + HLL_PRECISION; shift += 7) {
    uint32_t offsets[129] = {0};
    for (uint32_t i = 0; i < count; i++) offsets[((entries[i] >> shift) & 127) + 1]++;
    for (int b = 0; b < 128; b++) offsets[b + 1] += offsets[b];
    for (uint32_t i = 0; i < count; i++) scratch[offsets[(entries[i] >> shift) & 127]++] = entries[i];
    memcpy(entries, scratch, count * sizeof *entries);
  }
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "the register scan reads registers eight at a time, little-endian"
#endif

/** The high bit of each byte of `w` that is not zero, the others clear. */
static inline uint64_t nonzero_bytes(uint64_t w) {
  const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
  return (((w & low7) + low7) | w) & ~low7;
}

/** Room for an encoding of `count` set registers, sparse or dense, and its checksum. */
static uint8_t *reserve_encoding(bytes_t *out, uint32_t count) {
  size_t sparse = (size_t)count * 3 + 8;
  size_t room = 8 + (sparse > HLL_DENSE_BYTES ? sparse : HLL_DENSE_BYTES) + 4;
  return bytes_reserve(out, room) ? out->data + out->size : NULL;
}

static uint8_t *put_head(uint8_t *p) {
  *p++ = HLL_TAG;
  *p++ = HLL_VERSION;
  *p++ = HLL_PRECISION;
  return p;
}

/**
 * A sparse sketch: at most m/32 registers, whose list (at most 3 bytes a
 * register) is always smaller than the dense form.
 */
static void hll_encode_sparse(const hll_t *h, bytes_t *out) {
  uint32_t entries[HLL_SPARSE_LIMIT];
  uint32_t scratch[HLL_SPARSE_LIMIT];
  uint32_t count = 0;
  for (uint32_t s = 0; h->sparse_keys && s < HLL_SPARSE_SLOTS; s++) {
    if (h->sparse_keys[s]) entries[count++] = (h->sparse_keys[s] - 1) << 6 | h->sparse_ranks[s];
  }
  sort_entries(entries, scratch, count);
  size_t start = out->size;
  uint8_t *p = reserve_encoding(out, count);
  if (!p) return;
  p = put_head(p);
  *p++ = HLL_SPARSE;
  p = bytes_put_varint(p, count);
  uint32_t next = 0; /* previous index + 1 */
  for (uint32_t i = 0; i < count; i++) {
    uint32_t index = entries[i] >> 6;
    p = bytes_put_varint(p, (index + 1 - next) * 64 + (entries[i] & 63));
    next = index + 1;
  }
  out->size = (size_t)(p - out->data);
  bytes_crc_from(out, start);
}

/**
 * A dense sketch: the list of its set registers (index gap << 6 | rank,
 * found eight registers at a time) while that is at most the 12 KiB of
 * the dense form, else six bits a register, four registers in three bytes.
 */
void hll_encode(const hll_t *h, bytes_t *out) {
  if (!h->dense) {
    hll_encode_sparse(h, out);
    return;
  }
  const uint8_t *dense = h->dense;
  uint32_t count = 0;
  for (uint32_t i = 0; i < HLL_REGISTERS; i += 8) {
    uint64_t word;
    memcpy(&word, dense + i, 8);
    count += (uint32_t)__builtin_popcountll(nonzero_bytes(word));
  }
  size_t start = out->size;
  uint8_t *p = reserve_encoding(out, count);
  if (!p) return;
  p = put_head(p);
  uint8_t *representation = p;
  *p++ = HLL_SPARSE;
  p = bytes_put_varint(p, count);
  uint32_t next = 0; /* previous index + 1 */
  for (uint32_t i = 0; i < HLL_REGISTERS; i += 8) {
    uint64_t word;
    memcpy(&word, dense + i, 8);
    for (uint64_t set = nonzero_bytes(word); set; set &= set - 1) {
      uint32_t index = i + ((uint32_t)__builtin_ctzll(set) >> 3);
      p = bytes_put_varint(p, (index + 1 - next) * 64 + dense[index]);
      next = index + 1;
    }
  }
  if ((size_t)(p - representation) > HLL_DENSE_BYTES) {
    p = representation;
    *p++ = HLL_DENSE;
    for (uint32_t i = 0; i < HLL_REGISTERS; i += 4) {
      uint32_t packed = (uint32_t)dense[i] | (uint32_t)dense[i + 1] << 6 |
                        (uint32_t)dense[i + 2] << 12 | (uint32_t)dense[i + 3] << 18;
      *p++ = (uint8_t)packed;
      *p++ = (uint8_t)(packed >> 8);
      *p++ = (uint8_t)(packed >> 16);
    }
  }
  out->size = (size_t)(p - out->data);
  bytes_crc_from(out, start);
}

void hll_free(hll_t *h) {
  free(h->sparse_keys);
  free(h->sparse_ranks);
  free(h->dense);
  memset(h, 0, sizeof *h);
}

/* --------------------------------------------------------- QuantileSketch */

void quantile_init(quantile_sketch_t *q) {
  memset(q, 0, sizeof *q);
  q->positive.empty = 1;
  q->negative.empty = 1;
  q->minimum = INFINITY;
  q->maximum = -INFINITY;
  /* As the JavaScript sketch computes it, per sketch (no state shared by threads). */
  double gamma = (1 + QUANTILE_RELATIVE_ACCURACY) / (1 - QUANTILE_RELATIVE_ACCURACY);
  q->key_multiplier = 1 / js_log(gamma);
}

static int store_add(bin_store_t *s, int64_t key, uint64_t count) {
  if (s->empty || key < s->min_key || key > s->max_key) {
    int64_t min_key = s->empty || key < s->min_key ? key : s->min_key;
    int64_t max_key = s->empty || key > s->max_key ? key : s->max_key;
    if (max_key - min_key + 1 > QUANTILE_MAX_BINS) return 0;
    if (min_key < s->offset || max_key >= s->offset + s->capacity) {
      int64_t span = max_key - min_key + 1;
      int64_t capacity = span * 2 + 8;
      uint64_t *counts = calloc((size_t)capacity, sizeof(uint64_t));
      if (!counts) return 0;
      int64_t offset = min_key - (capacity - span) / 2;
      if (!s->empty) {
        for (int64_t k = s->min_key; k <= s->max_key; k++) {
          counts[k - offset] = s->counts[k - s->offset];
        }
      }
      free(s->counts);
      s->counts = counts;
      s->offset = offset;
      s->capacity = capacity;
    }
    s->min_key = min_key;
    s->max_key = max_key;
    s->empty = 0;
  }
  s->counts[key - s->offset] += count;
  return 1;
}

int quantile_add(quantile_sketch_t *q, double value) {
  double multiplier = q->key_multiplier;
  if (value > 0) {
    if (!store_add(&q->positive, (int64_t)ceil(js_log(value) * multiplier), 1)) return 0;
  } else if (value < 0) {
    if (!store_add(&q->negative, -(int64_t)ceil(js_log(-value) * multiplier), 1)) return 0;
  } else {
    q->zero_count++;
  }
  q->total++;
  q->sum += value;
  if (value < q->minimum) q->minimum = value;
  if (value > q->maximum) q->maximum = value;
  return 1;
}

int quantile_add_bin(quantile_sketch_t *q, int negative, int64_t key, uint64_t count) {
  return store_add(negative ? &q->negative : &q->positive, key, count);
}

static void store_encode(const bin_store_t *s, bytes_t *out) {
  uint64_t bins = 0;
  if (!s->empty) {
    for (int64_t k = s->min_key; k <= s->max_key; k++) bins += s->counts[k - s->offset] != 0;
  }
  bytes_varint(out, bins);
  if (s->empty) return;
  int first = 1;
  int64_t previous = 0;
  for (int64_t k = s->min_key; k <= s->max_key; k++) {
    uint64_t count = s->counts[k - s->offset];
    if (!count) continue;
    if (first) bytes_zigzag(out, k);
    else bytes_varint(out, (uint64_t)(k - previous - 1));
    bytes_varint(out, count);
    previous = k;
    first = 0;
  }
}

void quantile_encode(const quantile_sketch_t *q, bytes_t *out) {
  size_t start = out->size;
  bytes_byte(out, QUANTILE_TAG);
  bytes_byte(out, QUANTILE_VERSION);
  bytes_f64(out, QUANTILE_RELATIVE_ACCURACY);
  bytes_varint(out, QUANTILE_MAX_BINS);
  bytes_varint(out, q->zero_count);
  store_encode(&q->negative, out);
  store_encode(&q->positive, out);
  if (q->total > 0) {
    bytes_f64(out, q->minimum);
    bytes_f64(out, q->maximum);
    bytes_f64(out, q->sum);
  }
  bytes_crc_from(out, start);
}

void quantile_free(quantile_sketch_t *q) {
  free(q->positive.counts);
  free(q->negative.counts);
  memset(q, 0, sizeof *q);
}
