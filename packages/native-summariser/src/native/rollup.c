#include "rollup.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "hash64.h"
#include "hashset64.h"
#include "secmap.h"
#include "sketches.h"
#include "summarise.h"

#define MAX_INPUTS (1u << 20)
#define MAX_NAMES 64
#define VALUE_SLOTS 512
#define SAFE_INTEGER ((int64_t)9007199254740991)

/** The text of a JSON string as written (between its quotes, escapes kept). */
typedef struct {
  const uint8_t *data;
  uint32_t length;
} text_t;

static const uint8_t OTHER[] = OTHER_VALUE_TEXT;
static const text_t OTHER_TEXT = {OTHER, sizeof OTHER - 1};

static int same_text(text_t a, text_t b) {
  return a.length == b.length && !memcmp(a.data, b.data, a.length);
}

/* ----------------------------------------------------------- merged parts */

typedef struct {
  text_t text;
  int64_t count;
  /** The last summary (index + 1) that counted it under its own name. */
  uint32_t counted_by;
} value_count_t;

/** Events per value in first-seen order, at most 200 and `(other)` (`countValue`). */
typedef struct {
  text_t name;
  uint32_t count;
  uint16_t slots[VALUE_SLOTS]; /* value index + 1 */
  value_count_t values[MAX_DIMENSION_VALUES + 1];
} dimension_t;

typedef struct {
  text_t name;
  quantile_sketch_t sketch;
} measure_t;

/** A minute, or an event hour, of the rollup: what `mergeMinute` builds. */
typedef struct {
  int64_t sec; /* first: a sec_map_t item */
  int64_t count;
  /** The last summary (index + 1) merged into it. */
  uint32_t merged_from;
  uint8_t devices[HLL_REGISTERS];
  uint8_t customers[HLL_REGISTERS];
  uint32_t measure_count;
  measure_t measures[MAX_NAMES];
  uint32_t dimension_count;
  dimension_t *dimensions[MAX_NAMES];
} part_t;

/** The part of `sec`, made (empty) on first use; NULL when out of memory. */
static part_t *part_of(sec_map_t *parts, int64_t sec) {
  return sec_map_item(parts, sec, sizeof(part_t));
}

static void parts_free(sec_map_t *parts) {
  for (uint32_t i = 0; i < parts->count; i++) {
    part_t *p = parts->items[i];
    for (uint32_t j = 0; j < p->measure_count; j++) quantile_free(&p->measures[j].sketch);
    for (uint32_t j = 0; j < p->dimension_count; j++) free(p->dimensions[j]);
    free(p);
  }
  sec_map_free(parts);
}

static uint32_t text_slot(text_t t) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < t.length; i++) h = (h ^ t.data[i]) * 16777619u;
  return h & (VALUE_SLOTS - 1);
}

static value_count_t *value_find(dimension_t *d, text_t t, uint32_t *slot) {
  uint32_t s = text_slot(t);
  while (d->slots[s]) {
    value_count_t *v = &d->values[d->slots[s] - 1];
    if (same_text(v->text, t)) return v;
    s = (s + 1) & (VALUE_SLOTS - 1);
  }
  *slot = s;
  return NULL;
}

/**
 * `countValue(counts, value, n)` of summary.ts, for summary `input` (index
 * + 1; 0 where a summary may count a value more than once, as an hour's
 * minutes do). 0 when `input` counted the value already: a key written
 * twice in one JSON object, which JSON.parse would read as its last value.
 */
static int count_value(dimension_t *d, text_t t, int64_t n, uint32_t input) {
  uint32_t slot;
  value_count_t *v = value_find(d, t, &slot);
  if (v) {
    if (input && v->counted_by == input) return 0;
    v->counted_by = input;
    v->count += n;
    return 1;
  }
  if (d->count >= MAX_DIMENSION_VALUES && !same_text(t, OTHER_TEXT)) {
    v = value_find(d, OTHER_TEXT, &slot);
    if (v) {
      v->count += n;
      return 1;
    }
    t = OTHER_TEXT;
  }
  v = &d->values[d->count++];
  v->text = t;
  v->count = n;
  v->counted_by = same_text(t, OTHER_TEXT) ? 0 : input;
  d->slots[slot] = (uint16_t)d->count;
  return 1;
}

/* --------------------------------------------------------------- reading */

typedef struct {
  const uint8_t *p;
  const uint8_t *end;
} reader_t;

static int expect(reader_t *r, const char *literal) {
  size_t n = strlen(literal);
  if ((size_t)(r->end - r->p) < n || memcmp(r->p, literal, n)) return 0;
  r->p += n;
  return 1;
}

static int next_is(const reader_t *r, uint8_t c) { return r->p < r->end && *r->p == c; }

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/** An integer as JSON.stringify writes a safe one; 0 for anything else. */
static int read_int(reader_t *r, int64_t *out) {
  const uint8_t *p = r->p;
  int negative = p < r->end && *p == '-';
  if (negative) p++;
  if (p >= r->end || !is_digit(*p)) return 0;
  if (*p == '0' && p + 1 < r->end && is_digit(p[1])) return 0;
  int64_t value = 0;
  int digits = 0;
  while (p < r->end && is_digit(*p)) {
    if (++digits > 16) return 0;
    value = value * 10 + (*p++ - '0');
  }
  if (p < r->end && (*p == '.' || *p == 'e' || *p == 'E')) return 0;
  if (value > SAFE_INTEGER || (negative && value == 0)) return 0;
  *out = negative ? -value : value;
  r->p = p;
  return 1;
}

static int read_count(reader_t *r, int64_t *out) { return read_int(r, out) && *out >= 0; }

/** null, or an integer (`has` says which). */
static int read_optional_int(reader_t *r, int *has, int64_t *out) {
  if (expect(r, "null")) {
    *has = 0;
    return 1;
  }
  *has = 1;
  return read_int(r, out);
}

/** The length of the well-formed UTF-8 sequence at `p` (not ASCII); 0 for an ill-formed one. */
static size_t utf8_sequence(const uint8_t *p, const uint8_t *end) {
  uint8_t c = p[0];
  size_t length;
  uint32_t code;
  uint32_t least;
  if (c >= 0xc2 && c <= 0xdf) {
    length = 2, code = c & 0x1f, least = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    length = 3, code = c & 0x0f, least = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    length = 4, code = c & 0x07, least = 0x10000;
  } else {
    return 0;
  }
  if ((size_t)(end - p) < length) return 0;
  for (size_t i = 1; i < length; i++) {
    if ((p[i] & 0xc0) != 0x80) return 0;
    code = code << 6 | (p[i] & 0x3f);
  }
  if (code < least || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return length;
}

static int lower_hex(uint8_t c) { return is_digit(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

/**
 * The length of the escape at `p` when JSON.stringify writes that
 * character so (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00xx` for
 * the other controls); 0 otherwise — JSON.parse would read it, but the
 * JavaScript would write it back another way.
 */
static size_t canonical_escape(const uint8_t *p, const uint8_t *end) {
  if (end - p < 2) return 0;
  switch (p[1]) {
  case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
    return 2;
  case 'u': {
    if (end - p < 6 || p[2] != '0' || p[3] != '0') return 0;
    int high = lower_hex(p[4]);
    int low = lower_hex(p[5]);
    if (high < 0 || low < 0) return 0;
    int code = high * 16 + low;
    return code < 0x20 && code != 8 && code != 9 && code != 10 && code != 12 && code != 13 ? 6 : 0;
  }
  default:
    return 0;
  }
}

/**
 * A JSON string as JSON.stringify writes one, kept as its text: canonical
 * escapes and well-formed UTF-8 only, so that the text read is the text
 * the JavaScript would write back. 0 for anything else.
 */
static int read_string(reader_t *r, text_t *out, int *escaped) {
  if (!expect(r, "\"")) return 0;
  const uint8_t *start = r->p;
  const uint8_t *p = r->p;
  *escaped = 0;
  while (p < r->end && *p != '"') {
    size_t length = 1;
    if (*p < 0x20) return 0;
    if (*p == '\\') {
      length = canonical_escape(p, r->end);
      *escaped = 1;
    } else if (*p >= 0x80) {
      length = utf8_sequence(p, r->end);
    }
    if (!length) return 0;
    p += length;
  }
  if (p >= r->end) return 0;
  out->data = start;
  out->length = (uint32_t)(p - start);
  r->p = p + 1;
  return 1;
}

/** Keys that a JavaScript object orders before the others (array indexes). */
static int all_digits(text_t t) {
  if (!t.length) return 0;
  for (uint32_t i = 0; i < t.length; i++) {
    if (!is_digit(t.data[i])) return 0;
  }
  return 1;
}

static int is_proto(text_t t) {
  return t.length == 9 && !memcmp(t.data, "__proto__", 9);
}

/** The next blob of a summary (u32 LE length, bytes); 0 past its end. */
static int next_blob(const uint8_t **p, const uint8_t *end, const uint8_t **blob,
                     size_t *length) {
  if (end - *p < 4) return 0;
  uint32_t n = bytes_le32(*p);
  if ((size_t)(end - *p - 4) < n) return 0;
  *blob = *p + 4;
  *length = n;
  *p += 4 + (size_t)n;
  return 1;
}

/**
 * A sketch's bytes between its version and its checksum, when the tag,
 * version and CRC-32 are right (`ByteReader`'s constructor).
 */
static int sketch_body(const uint8_t *blob, size_t length, uint8_t tag, uint8_t version,
                       reader_t *r) {
  if (length < 6 || blob[0] != tag || blob[1] != version) return 0;
  if (fast_crc32(0, blob, length - 4) != bytes_le32(blob + length - 4)) return 0;
  r->p = blob + 2;
  r->end = blob + length - 4;
  return 1;
}

/** `ByteReader.varint`: at most 8 bytes, a safe integer. */
static int read_varint(reader_t *r, uint64_t *out) {
  uint64_t value = 0;
  for (int i = 0; i < 8; i++) {
    if (r->p >= r->end) return 0;
    uint8_t b = *r->p++;
    value |= (uint64_t)(b & 0x7f) << (7 * i);
    if (b < 0x80) {
      if (value > (uint64_t)SAFE_INTEGER) return 0;
      *out = value;
      return 1;
    }
  }
  return 0;
}

static int read_f64(reader_t *r, double *out) {
  if (r->end - r->p < 8) return 0;
  uint64_t bits = 0;
  for (int i = 0; i < 8; i++) bits |= (uint64_t)r->p[i] << (8 * i);
  memcpy(out, &bits, 8);
  r->p += 8;
  return 1;
}

/* --------------------------------------------------------------- sketches */

/**
 * Merges an encoded HyperLogLog (`HyperLogLog.fromBuffer`'s checks) into
 * the registers of `targets` (register-wise maximum, as `merge` does).
 */
static int merge_hll(const uint8_t *blob, size_t length, uint8_t *targets[], int target_count) {
  reader_t r;
  if (!sketch_body(blob, length, HLL_TAG, HLL_VERSION, &r)) return 0;
  if (r.end - r.p < 2 || r.p[0] != HLL_PRECISION) return 0;
  uint8_t representation = r.p[1];
  r.p += 2;
  if (representation == 0) {
    uint64_t count;
    if (!read_varint(&r, &count) || count > HLL_REGISTERS) return 0;
    int64_t index = -1;
    for (uint64_t i = 0; i < count; i++) {
      uint64_t entry;
      if (!read_varint(&r, &entry)) return 0;
      uint64_t rank = entry % 64;
      uint64_t gap = entry / 64;
      index += (int64_t)gap;
      if (gap < 1 || index >= HLL_REGISTERS || rank < 1 || rank > HLL_MAX_RANK) return 0;
      for (int t = 0; t < target_count; t++) {
        if (rank > targets[t][index]) targets[t][index] = (uint8_t)rank;
      }
    }
  } else if (representation == 1) {
    if (r.end - r.p < HLL_DENSE_BYTES) return 0;
    const uint8_t *b = r.p;
    for (uint32_t i = 0; i < HLL_REGISTERS; i += 4, b += 3) {
      uint32_t packed = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
      for (uint32_t k = 0; k < 4; k++) {
        uint8_t rank = (uint8_t)((packed >> (6 * k)) & 63);
        if (rank > HLL_MAX_RANK) return 0;
        for (int t = 0; t < target_count; t++) {
          if (rank > targets[t][i + k]) targets[t][i + k] = rank;
        }
      }
    }
    r.p += HLL_DENSE_BYTES;
  } else {
    return 0;
  }
  return r.p == r.end;
}

/** A decoded quantile sketch's bins: [0] the negative store, [1] the positive. */
typedef struct {
  uint64_t zero_count;
  uint64_t total;
  double minimum;
  double maximum;
  double sum;
  uint32_t bins[2];
  int64_t keys[2][QUANTILE_MAX_BINS];
  uint64_t counts[2][QUANTILE_MAX_BINS];
} quantile_bins_t;

/** `readStore` of QuantileSketch.ts, with its checks. */
static int read_store(reader_t *r, int64_t key_limit, uint32_t *bins, int64_t *keys,
                      uint64_t *counts, uint64_t *total) {
  uint64_t n;
  if (!read_varint(r, &n) || n > QUANTILE_MAX_BINS) return 0;
  int64_t key = 0;
  *total = 0;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t raw;
    if (!read_varint(r, &raw)) return 0;
    if (i == 0) {
      key = raw % 2 == 0 ? (int64_t)(raw / 2) : -(int64_t)((raw + 1) / 2);
    } else {
      key += (int64_t)raw + 1;
    }
    uint64_t count;
    if (!read_varint(r, &count)) return 0;
    if (count == 0 || llabs(key) > key_limit || (i > 0 && key - keys[0] >= QUANTILE_MAX_BINS)) return 0;
    keys[i] = key;
    counts[i] = count;
    *total += count;
    if (*total > (uint64_t)SAFE_INTEGER) return 0;
  }
  *bins = (uint32_t)n;
  return 1;
}

/** `QuantileSketch.fromBuffer`, declining what may not merge into a default sketch. */
static int read_quantile(const uint8_t *blob, size_t length, int64_t key_limit,
                         quantile_bins_t *q) {
  reader_t r;
  if (!sketch_body(blob, length, QUANTILE_TAG, QUANTILE_VERSION, &r)) return 0;
  double accuracy;
  uint64_t max_bins;
  if (!read_f64(&r, &accuracy) || accuracy != QUANTILE_RELATIVE_ACCURACY) return 0;
  if (!read_varint(&r, &max_bins) || max_bins != QUANTILE_MAX_BINS) return 0;
  if (!read_varint(&r, &q->zero_count)) return 0;
  uint64_t negative, positive;
  if (!read_store(&r, key_limit, &q->bins[0], q->keys[0], q->counts[0], &negative) ||
      !read_store(&r, key_limit, &q->bins[1], q->keys[1], q->counts[1], &positive)) {
    return 0;
  }
  q->total = q->zero_count + negative + positive;
  if (q->total > (uint64_t)SAFE_INTEGER) return 0;
  if (q->total > 0) {
    if (!read_f64(&r, &q->minimum) || !read_f64(&r, &q->maximum) || !read_f64(&r, &q->sum)) {
      return 0;
    }
    if (!(q->minimum <= q->maximum) || !isfinite(q->minimum) || !isfinite(q->maximum) ||
        isnan(q->sum)) {
      return 0;
    }
  }
  return r.p == r.end;
}

/** `QuantileSketch.merge`; 0 when the merged sketch would fold bins. */
static int merge_quantile(quantile_sketch_t *into, const quantile_bins_t *from) {
  if (from->total == 0) return 1;
  for (int store = 0; store < 2; store++) {
    for (uint32_t i = 0; i < from->bins[store]; i++) {
      if (!quantile_add_bin(into, store == 0, from->keys[store][i], from->counts[store][i])) {
        return 0;
      }
    }
  }
  into->zero_count += from->zero_count;
  into->total += from->total;
  into->sum += from->sum;
  if (from->minimum < into->minimum) into->minimum = from->minimum;
  if (from->maximum > into->maximum) into->maximum = from->maximum;
  return 1;
}

/* ----------------------------------------------------------------- rollup */

typedef struct {
  sec_map_t minutes; /* of part_t */
  sec_map_t hours;
  int64_t events, bad_lines, duplicate_events;
  int64_t objects, corrupt_objects, duplicate_objects;
  int has_max_ts, has_max_arrival;
  int64_t max_ts, max_arrival;
  /** The kept objects' fingerprint hashes, high and low word (u32 LE). */
  bytes_t fingerprints;
  /** Fingerprint hashes seen (`fingerprintSet` of rollup.ts). */
  hash_set64_t seen;
  int64_t key_limit;
  quantile_bins_t bins;
} rollup_t;

static measure_t *measure_of(part_t *p, text_t name) {
  for (uint32_t i = 0; i < p->measure_count; i++) {
    if (same_text(p->measures[i].name, name)) return &p->measures[i];
  }
  if (p->measure_count == MAX_NAMES) return NULL;
  measure_t *m = &p->measures[p->measure_count++];
  m->name = name;
  quantile_init(&m->sketch);
  return m;
}

static dimension_t *dimension_of(part_t *p, text_t name) {
  for (uint32_t i = 0; i < p->dimension_count; i++) {
    if (same_text(p->dimensions[i]->name, name)) return p->dimensions[i];
  }
  if (p->dimension_count == MAX_NAMES) return NULL;
  dimension_t *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->name = name;
  p->dimensions[p->dimension_count++] = d;
  return d;
}

/**
 * Reads one minute of a summary's header and its blobs, merging it into
 * `targets` (its minute and its event hour; none for a re-delivered object).
 */
static rollup_outcome_t read_minute(rollup_t *R, reader_t *h, const uint8_t **blobs,
                                    const uint8_t *end, part_t *targets[2], int merge) {
  int64_t sec, count;
  int escaped;
  if (!expect(h, "[") || !read_int(h, &sec) || !expect(h, ",") || !read_count(h, &count) ||
      !expect(h, ",[")) {
    return ROLLUP_DECLINED_FORMAT;
  }
  int target_count = 0;
  if (merge) {
    targets[0] = part_of(&R->minutes, sec);
    int64_t hour = sec / 3600 - (sec % 3600 < 0);
    targets[1] = targets[0] ? part_of(&R->hours, hour * 3600) : NULL;
    if (!targets[1]) return ROLLUP_DECLINED_MEMORY;
    if (R->minutes.count + R->hours.count > MAX_PARTS) return ROLLUP_DECLINED_SPREAD;
    /* A minute twice in one summary: JSON.parse's Map would keep the last. */
    if (targets[0]->merged_from == (uint32_t)R->objects) return ROLLUP_DECLINED_FORMAT;
    targets[0]->merged_from = (uint32_t)R->objects;
    target_count = 2;
    for (int t = 0; t < 2; t++) targets[t]->count += count;
  }
  const uint8_t *blob;
  size_t length;
  uint8_t *devices[2] = {merge ? targets[0]->devices : NULL, merge ? targets[1]->devices : NULL};
  uint8_t *customers[2] = {merge ? targets[0]->customers : NULL,
                           merge ? targets[1]->customers : NULL};
  if (!next_blob(blobs, end, &blob, &length) || !merge_hll(blob, length, devices, target_count) ||
      !next_blob(blobs, end, &blob, &length) ||
      !merge_hll(blob, length, customers, target_count)) {
    return ROLLUP_DECLINED_FORMAT;
  }
  text_t names[MAX_NAMES];
  uint32_t name_count = 0;
  while (!next_is(h, ']')) {
    text_t name;
    if ((name_count && !expect(h, ",")) || name_count == MAX_NAMES ||
        !read_string(h, &name, &escaped)) {
      return ROLLUP_DECLINED_FORMAT;
    }
    for (uint32_t i = 0; i < name_count; i++) {
      if (same_text(names[i], name)) return ROLLUP_DECLINED_FORMAT;
    }
    names[name_count++] = name;
    if (!next_blob(blobs, end, &blob, &length) ||
        !read_quantile(blob, length, R->key_limit, &R->bins)) {
      return ROLLUP_DECLINED_FORMAT;
    }
    for (int t = 0; t < target_count; t++) {
      measure_t *m = measure_of(targets[t], name);
      if (!m) return ROLLUP_DECLINED_FORMAT;
      if (!merge_quantile(&m->sketch, &R->bins)) return ROLLUP_DECLINED_SKETCH;
    }
  }
  if (!expect(h, "],{")) return ROLLUP_DECLINED_FORMAT;
  text_t dimension_names[MAX_NAMES];
  uint32_t dimension_count = 0;
  while (!next_is(h, '}')) {
    text_t name;
    if ((dimension_count && !expect(h, ",")) || dimension_count == MAX_NAMES ||
        !read_string(h, &name, &escaped) || all_digits(name) || is_proto(name) ||
        !expect(h, ":{")) {
      return ROLLUP_DECLINED_FORMAT;
    }
    for (uint32_t i = 0; i < dimension_count; i++) {
      if (same_text(dimension_names[i], name)) return ROLLUP_DECLINED_FORMAT;
    }
    dimension_names[dimension_count++] = name;
    dimension_t *into[2];
    for (int t = 0; t < target_count; t++) {
      into[t] = dimension_of(targets[t], name);
      if (!into[t]) return ROLLUP_DECLINED_MEMORY;
    }
    int first = 1;
    while (!next_is(h, '}')) {
      text_t value;
      int64_t n;
      if ((!first && !expect(h, ",")) || !read_string(h, &value, &escaped) ||
          all_digits(value) || !expect(h, ":") || !read_count(h, &n)) {
        return ROLLUP_DECLINED_FORMAT;
      }
      first = 0;
      for (int t = 0; t < target_count; t++) {
        /* A value twice in one minute's counts is declined (see count_value). */
        if (!count_value(into[t], value, n, t == 0 ? (uint32_t)R->objects : 0)) {
          return ROLLUP_DECLINED_FORMAT;
        }
      }
    }
    h->p++;
  }
  return expect(h, "}]") ? ROLLED_UP : ROLLUP_DECLINED_FORMAT;
}

/** `dedupeSummaries` then the merge of `rollUp`, for one object summary. */
static rollup_outcome_t read_summary(rollup_t *R, const uint8_t *bytes, size_t length) {
  if (length < 4) return ROLLUP_DECLINED_FORMAT;
  uint32_t header_length = bytes_le32(bytes);
  if (length - 4 < header_length) return ROLLUP_DECLINED_FORMAT;
  reader_t h = {bytes + 4, bytes + 4 + header_length};
  const uint8_t *blobs = h.end;
  const uint8_t *end = bytes + length;
  int64_t events, bad_lines, duplicate_events, corrupt, max_ts, max_arrival;
  int has_max_ts, has_max_arrival, escaped;
  text_t fingerprint;
  if (!expect(&h, "{\"v\":1,\"e\":") || !read_count(&h, &events) || !expect(&h, ",\"b\":") ||
      !read_count(&h, &bad_lines) || !expect(&h, ",\"d\":") ||
      !read_count(&h, &duplicate_events) || !expect(&h, ",\"c\":") ||
      !read_count(&h, &corrupt) || corrupt > 1 || !expect(&h, ",\"t\":") ||
      !read_optional_int(&h, &has_max_ts, &max_ts) || !expect(&h, ",\"a\":") ||
      !read_optional_int(&h, &has_max_arrival, &max_arrival) || !expect(&h, ",\"f\":") ||
      !read_string(&h, &fingerprint, &escaped) || escaped || !expect(&h, ",\"m\":[")) {
    return ROLLUP_DECLINED_FORMAT;
  }
  R->objects++;
  R->corrupt_objects += corrupt;
  R->bad_lines += bad_lines;
  R->duplicate_events += duplicate_events;
  int merge = 1;
  if (fingerprint.length) {
    uint32_t hash[2];
    hash_bytes64(fingerprint.data, fingerprint.length, hash);
    int added = hash_set64_add(&R->seen, hash[0], hash[1]);
    if (added < 0) return ROLLUP_DECLINED_MEMORY;
    if (added) {
      bytes_u32(&R->fingerprints, hash[0]);
      bytes_u32(&R->fingerprints, hash[1]);
    } else {
      R->duplicate_objects++;
      merge = 0;
    }
  }
  if (merge) {
    R->events += events;
    if (has_max_ts && (!R->has_max_ts || max_ts > R->max_ts)) {
      R->max_ts = max_ts;
      R->has_max_ts = 1;
    }
    if (has_max_arrival && (!R->has_max_arrival || max_arrival > R->max_arrival)) {
      R->max_arrival = max_arrival;
      R->has_max_arrival = 1;
    }
  }
  int first = 1;
  while (!next_is(&h, ']')) {
    if (!first && !expect(&h, ",")) return ROLLUP_DECLINED_FORMAT;
    first = 0;
    part_t *targets[2];
    rollup_outcome_t outcome = read_minute(R, &h, &blobs, end, targets, merge);
    if (outcome != ROLLED_UP) return outcome;
  }
  /* As JSON.parse: nothing after the header's object. */
  if (!expect(&h, "]}") || h.p != h.end) return ROLLUP_DECLINED_FORMAT;
  return R->fingerprints.failed ? ROLLUP_DECLINED_MEMORY : ROLLED_UP;
}

/* --------------------------------------------------------------- encoding */

static void put_text(bytes_t *b, text_t t) {
  bytes_byte(b, '"');
  bytes_put(b, t.data, t.length);
  bytes_byte(b, '"');
}

/** `encodeMinutes` of summary.ts; 0 for a count JavaScript would not print exactly. */
static int encode_parts(const sec_map_t *parts, bytes_t *header, bytes_t *blobs) {
  bytes_byte(header, '[');
  for (uint32_t i = 0; i < parts->count; i++) {
    const part_t *p = parts->items[i];
    if (p->count > SAFE_INTEGER) return 0;
    if (i) bytes_byte(header, ',');
    bytes_byte(header, '[');
    bytes_int(header, p->sec);
    bytes_byte(header, ',');
    bytes_int(header, p->count);
    bytes_str(header, ",[");
    hll_t devices = {.dense = (uint8_t *)p->devices};
    hll_t customers = {.dense = (uint8_t *)p->customers};
    size_t start = bytes_blob_start(blobs);
    hll_encode(&devices, blobs);
    bytes_blob_end(blobs, start);
    start = bytes_blob_start(blobs);
    hll_encode(&customers, blobs);
    bytes_blob_end(blobs, start);
    for (uint32_t j = 0; j < p->measure_count; j++) {
      if (j) bytes_byte(header, ',');
      put_text(header, p->measures[j].name);
      start = bytes_blob_start(blobs);
      quantile_encode(&p->measures[j].sketch, blobs);
      bytes_blob_end(blobs, start);
    }
    bytes_str(header, "],{");
    for (uint32_t j = 0; j < p->dimension_count; j++) {
      const dimension_t *d = p->dimensions[j];
      if (j) bytes_byte(header, ',');
      put_text(header, d->name);
      bytes_str(header, ":{");
      for (uint32_t k = 0; k < d->count; k++) {
        if (d->values[k].count > SAFE_INTEGER) return 0;
        if (k) bytes_byte(header, ',');
        put_text(header, d->values[k].text);
        bytes_byte(header, ':');
        bytes_int(header, d->values[k].count);
      }
      bytes_byte(header, '}');
    }
    bytes_str(header, "}]");
  }
  bytes_byte(header, ']');
  return 1;
}

/** `encodeSummary` of the rollup (version 2). */
static rollup_outcome_t encode_rollup(const rollup_t *R, bytes_t *out) {
  bytes_t header = {0};
  bytes_t blobs = {0};
  rollup_outcome_t outcome = ROLLED_UP;
  bytes_summary_header(&header, 2, R->events, R->bad_lines, R->duplicate_events, R->has_max_ts,
                       R->max_ts, R->has_max_arrival, R->max_arrival);
  bytes_str(&header, ",\"f\":\"\",\"m\":");
  if (!encode_parts(&R->minutes, &header, &blobs)) outcome = ROLLUP_DECLINED_FORMAT;
  bytes_str(&header, ",\"h\":");
  if (!encode_parts(&R->hours, &header, &blobs)) outcome = ROLLUP_DECLINED_FORMAT;
  bytes_str(&header, ",\"r\":[");
  bytes_int(&header, R->objects);
  bytes_byte(&header, ',');
  bytes_int(&header, R->corrupt_objects);
  bytes_byte(&header, ',');
  bytes_int(&header, R->duplicate_objects);
  bytes_str(&header, "]}");
  bytes_u32(&blobs, (uint32_t)R->fingerprints.size);
  bytes_put(&blobs, R->fingerprints.data, R->fingerprints.size);
  if (R->events > SAFE_INTEGER || R->bad_lines > SAFE_INTEGER ||
      R->duplicate_events > SAFE_INTEGER) {
    outcome = ROLLUP_DECLINED_FORMAT;
  }
  if (outcome == ROLLED_UP) {
    bytes_summary_join(out, &header, &blobs);
    return out->failed ? ROLLUP_DECLINED_MEMORY : ROLLED_UP;
  }
  bytes_free(&header);
  bytes_free(&blobs);
  return outcome;
}

/* `fingerprintSet(objects)` of rollup.ts: sized for them, at most 2^22 slots. */
#define FINGERPRINT_MAX_SLOTS_LOG2 22

static uint32_t fingerprint_slots_log2(uint32_t objects) {
  uint32_t log2 = 0;
  while (log2 < 32 && ((uint64_t)1 << log2) < (uint64_t)objects + 1) log2++;
  log2++;
  return log2 < 6 ? 6 : log2 > FINGERPRINT_MAX_SLOTS_LOG2 ? FINGERPRINT_MAX_SLOTS_LOG2 : log2;
}

rollup_outcome_t rollup_summaries(const uint8_t *packed, size_t length, bytes_t *out) {
  /* The inputs: counted, and checked to fill the packing exactly. */
  uint32_t inputs = 0;
  for (size_t at = 0; at < length; inputs++) {
    if (length - at < 4 || length - at - 4 < bytes_le32(packed + at) || inputs == MAX_INPUTS) {
      return ROLLUP_DECLINED_FORMAT;
    }
    at += 4 + (size_t)bytes_le32(packed + at);
  }
  rollup_t *R = calloc(1, sizeof *R);
  if (!R) return ROLLUP_DECLINED_MEMORY;
  rollup_outcome_t outcome = ROLLUP_DECLINED_MEMORY;
  if (!hash_set64_init(&R->seen, fingerprint_slots_log2(inputs), FINGERPRINT_MAX_SLOTS_LOG2) ||
      !sec_map_grow(&R->minutes) || !sec_map_grow(&R->hours)) {
    goto done;
  }
  /* As `readStore`: no finite double has |ln x| above 745. */
  quantile_sketch_t reference;
  quantile_init(&reference);
  R->key_limit = (int64_t)ceil(745 * reference.key_multiplier) + 1;
  outcome = ROLLED_UP;
  for (size_t at = 0; at < length && outcome == ROLLED_UP;) {
    uint32_t n = bytes_le32(packed + at);
    outcome = read_summary(R, packed + at + 4, n);
    at += 4 + (size_t)n;
  }
  if (outcome == ROLLED_UP) outcome = encode_rollup(R, out);
done:
  parts_free(&R->minutes);
  parts_free(&R->hours);
  bytes_free(&R->fingerprints);
  hash_set64_free(&R->seen);
  free(R);
  return outcome;
}
