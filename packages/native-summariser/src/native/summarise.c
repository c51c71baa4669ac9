#include "summarise.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "crc32.h"
#include "hash64.h"
#include "hashset64.h"
#include "secmap.h"
#include "sketches.h"

/* ------------------------------------------------------------------ spec */

static int read_u32(const uint8_t **p, const uint8_t *end, uint32_t *value) {
  if (end - *p < 4) return 0;
  *value = bytes_le32(*p);
  *p += 4;
  return 1;
}

static int read_span(const uint8_t **p, const uint8_t *end, span_t *span) {
  uint32_t length;
  if (!read_u32(p, end, &length) || (size_t)(end - *p) < length) return 0;
  span->data = *p;
  span->length = length;
  *p += length;
  return 1;
}

static int read_field(const uint8_t **p, const uint8_t *end, uint32_t fields,
                      int32_t *field) {
  uint32_t value;
  if (!read_u32(p, end, &value) || value >= fields) return 0;
  *field = (int32_t)value;
  return 1;
}

int spec_parse(const uint8_t *data, size_t length, spec_t *spec) {
  const uint8_t *p = data;
  const uint8_t *end = data + length;
  memset(spec, 0, sizeof *spec);
  if (!read_u32(&p, end, &spec->field_count) ||
      spec->field_count > MAX_SPEC_FIELDS) {
    return 0;
  }
  for (uint32_t i = 0; i < spec->field_count; i++) {
    if (!read_span(&p, end, &spec->keys[i])) return 0;
  }
  uint32_t n = spec->field_count;
  if (!read_field(&p, end, n, &spec->time_field) ||
      !read_field(&p, end, n, &spec->id_field) ||
      !read_field(&p, end, n, &spec->device_field) ||
      !read_field(&p, end, n, &spec->customer_field) ||
      !read_field(&p, end, n, &spec->arrived_field) ||
      !read_u32(&p, end, &spec->measure_count) ||
      spec->measure_count > MAX_SPEC_MEASURES) {
    return 0;
  }
  for (uint32_t i = 0; i < spec->measure_count; i++) {
    if (!read_field(&p, end, n, &spec->measure_fields[i]) ||
        !read_span(&p, end, &spec->measure_names[i])) {
      return 0;
    }
  }
  if (!read_u32(&p, end, &spec->dimension_count) ||
      spec->dimension_count > MAX_SPEC_DIMENSIONS) {
    return 0;
  }
  for (uint32_t i = 0; i < spec->dimension_count; i++) {
    if (!read_field(&p, end, n, &spec->dimension_fields[i]) ||
        !read_span(&p, end, &spec->dimension_names[i])) {
      return 0;
    }
  }
  return p == end;
}

/* ------------------------------------------------------------ gunzip */

/** Largest object summarised whole: the plugin's MAX_WHOLE_OBJECT_BYTES. */
#define MAX_WHOLE_BYTES ((size_t)256 * 1024 * 1024)
#define MAX_DEFLATE_RATIO 1032

/**
 * The length of a gzip member's header (RFC 1952), checked as zlib checks
 * it: method 8, no reserved flags, its optional fields whole, and its
 * header CRC when it has one. 0 when zlib would not read it.
 */
static size_t gzip_header_length(const uint8_t *b, size_t n) {
  if (n < 10 || b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 || (b[3] & 0xe0)) return 0;
  uint8_t flags = b[3];
  size_t p = 10;
  if (flags & 4) { /* FEXTRA */
    if (n - p < 2) return 0;
    size_t extra = (size_t)b[p] | (size_t)b[p + 1] << 8;
    if (n - p - 2 < extra) return 0;
    p += 2 + extra;
  }
  for (uint8_t field = 8; field <= 16; field *= 2) { /* FNAME, FCOMMENT */
    if (!(flags & field)) continue;
    const uint8_t *end = memchr(b + p, 0, n - p);
    if (!end) return 0;
    p = (size_t)(end - b) + 1;
  }
  if (flags & 2) { /* FHCRC */
    if (n - p < 2) return 0;
    if (((size_t)b[p] | (size_t)b[p + 1] << 8) != (fast_crc32(0, b, p) & 0xffff)) return 0;
    p += 2;
  }
  return p;
}

/**
 * One gzip member inflated into one buffer, sized from the trailer's
 * ISIZE as `decompressedWhole` sizes it. 0 for anything it would not read
 * the same way: corrupt or truncated data, further members or bytes after
 * the first, more than 256 MiB.
 */
static int inflate_whole(const uint8_t *body, size_t length, uint8_t **out,
                         size_t *out_length) {
  /*
   * The deflate data is inflated raw and the trailer checked here: the
   * CRC-32 of the bytes (`fast_crc32`, several times zlib's speed) and
   * their length, as zlib checks them in gzip mode.
   */
  size_t header = gzip_header_length(body, length);
  if (!header) return 0;
  size_t size = length >= 18 ? bytes_le32(body + length - 4) : 0;
  size_t capacity = size + 1;
  if (capacity > length * MAX_DEFLATE_RATIO) capacity = length * MAX_DEFLATE_RATIO;
  if (capacity > MAX_WHOLE_BYTES + 1) capacity = MAX_WHOLE_BYTES + 1;
  if (capacity < 64 * 1024) capacity = 64 * 1024;
  uint8_t *buffer = malloc(capacity);
  if (!buffer) return 0;
  z_stream stream;
  memset(&stream, 0, sizeof stream);
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) {
    free(buffer);
    return 0;
  }
  stream.next_in = (Bytef *)body + header;
  stream.avail_in = (uInt)(length - header);
  size_t have = 0;
  int result;
  for (;;) {
    stream.next_out = buffer + have;
    stream.avail_out = (uInt)(capacity - have);
    result = inflate(&stream, Z_NO_FLUSH);
    have = capacity - stream.avail_out;
    if (result == Z_STREAM_END) break;
    if (result != Z_OK && result != Z_BUF_ERROR) break;
    if (stream.avail_out != 0) { /* input used up before the end: truncated */
      result = Z_DATA_ERROR;
      break;
    }
    if (capacity > MAX_WHOLE_BYTES) {
      result = Z_MEM_ERROR;
      break;
    }
    size_t grown = capacity * 2 > MAX_WHOLE_BYTES + 1 ? MAX_WHOLE_BYTES + 1
                                                      : capacity * 2;
    uint8_t *next = realloc(buffer, grown);
    if (!next) {
      result = Z_MEM_ERROR;
      break;
    }
    buffer = next;
    capacity = grown;
  }
  /* The trailer, and nothing after it: a further member is declined. */
  int whole = result == Z_STREAM_END && stream.avail_in == 8 && have <= MAX_WHOLE_BYTES &&
              bytes_le32(stream.next_in) == fast_crc32(0, buffer, have) &&
              bytes_le32(stream.next_in + 4) == (uint32_t)have;
  inflateEnd(&stream);
  if (!whole) {
    free(buffer);
    return 0;
  }
  *out = buffer;
  *out_length = have;
  return 1;
}

/* ---------------------------------------------------------- line scanning */

enum { KIND_MISSING = 0, KIND_STRING = 1, KIND_LITERAL = 2, KIND_NULL = 3 };

/* Constant tables: worker threads share them, so nothing is set up at run time. */
static const uint8_t SPACE[256] = {[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1};
/** Bytes that end a number or literal: comma, whitespace, closing brace. */
static const uint8_t LITERAL_END[256] = {[','] = 1, [' '] = 1, ['\t'] = 1,
                                         ['\r'] = 1, ['\n'] = 1, ['}'] = 1};

/** A byte that may stand in a string as it is: not `"`, `\\` or a control. */
static inline int is_plain(uint8_t c) { return c >= 32 && c != '"' && c != '\\'; }

static inline int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/**
 * The high bit of each byte of `x` (eight bytes, little-endian) that may
 * not stand in a string as it is — `"`, `\\` or a control character —
 * and possibly of bytes above such a one (a borrow only carries upwards),
 * so the lowest flag is exact, and no flag lies below a byte that is.
 */
static inline uint64_t unplain_flags(uint64_t x) {
  uint64_t quote = x ^ (ONES * '"');
  uint64_t backslash = x ^ (ONES * '\\');
  return (((x - ONES * 0x20) & ~x) | ((quote - ONES) & ~quote) |
          ((backslash - ONES) & ~backslash)) &
         HIGHS;
}

/**
 * The first position from `p` on whose byte may not stand in a string as
 * it is (`"`, `\\` or a control character), or `end`: eight bytes at a
 * time. The lowest flagged byte of each test is exact (a borrow only
 * flags bytes above a flagged one), and that is the one taken.
 */
static inline size_t plain_end(const uint8_t *b, size_t p, size_t end) {
  while (p + 8 <= end) {
    uint64_t x;
    memcpy(&x, b + p, 8);
    uint64_t found = unplain_flags(x);
    if (found) return p + ((size_t)__builtin_ctzll(found) >> 3);
    p += 8;
  }
  while (p < end && is_plain(b[p])) p++;
  return p;
}

/**
 * Whether text[0, length) holds only bytes that may stand in a string as
 * they are; `room` bytes are readable from `text` on. Eight bytes at a
 * time, and the flags of bytes past `length` are masked off (a borrow
 * only flags bytes above the one it comes from, so none reach below).
 */
static inline int all_plain(const uint8_t *text, size_t length, size_t room) {
  uint64_t found = 0;
  size_t k = 0;
  for (; k + 8 <= length; k += 8) {
    uint64_t x;
    memcpy(&x, text + k, 8);
    found |= unplain_flags(x);
  }
  if (k == length) return found == 0;
  if (room < k + 8) {
    for (; k < length; k++) {
      if (!is_plain(text[k])) return 0;
    }
    return found == 0;
  }
  uint64_t x;
  memcpy(&x, text + k, 8);
  found |= unplain_flags(x) & ((1ull << (8 * (length - k))) - 1);
  return found == 0;
}

/** memcmp for the short keys and values compared here, without a call. */
static inline int same_bytes(const uint8_t *a, const uint8_t *b, size_t length) {
  while (length >= 8) {
    uint64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    if (x != y) return 0;
    a += 8;
    b += 8;
    length -= 8;
  }
  while (length > 0) {
    if (*a++ != *b++) return 0;
    length--;
  }
  return 1;
}

/** `literalKind` of EventLine.ts: the kind of b[from, to), or -1. */
static int literal_kind(const uint8_t *b, size_t from, size_t to) {
  size_t length = to - from;
  if (length == 0) return -1;
  uint8_t c = b[from];
  if (c == 't') return length == 4 && !memcmp(b + from, "true", 4) ? KIND_LITERAL : -1;
  if (c == 'f') return length == 5 && !memcmp(b + from, "false", 5) ? KIND_LITERAL : -1;
  if (c == 'n') return length == 4 && !memcmp(b + from, "null", 4) ? KIND_NULL : -1;
  size_t p = from;
  if (b[p] == '-') p++;
  if (p >= to || !is_digit(b[p])) return -1;
  if (b[p] == '0') p++;
  else while (p < to && is_digit(b[p])) p++;
  if (p < to && b[p] == '.') {
    p++;
    if (p >= to || !is_digit(b[p])) return -1;
    while (p < to && is_digit(b[p])) p++;
  }
  if (p < to && (b[p] == 'e' || b[p] == 'E')) {
    p++;
    if (p < to && (b[p] == '+' || b[p] == '-')) p++;
    if (p >= to || !is_digit(b[p])) return -1;
    while (p < to && is_digit(b[p])) p++;
  }
  return p == to ? KIND_LITERAL : -1;
}

#define MAX_PREDICTED 64

typedef struct {
  const uint8_t *bytes;
  uint8_t kind[MAX_SPEC_FIELDS];
  size_t from[MAX_SPEC_FIELDS];
  size_t to[MAX_SPEC_FIELDS];
  /*
   * The previous line's layout, key by key (the events of an object share
   * one): where its key was in `bytes`, its length and field, and the
   * length of its string value (-1: not a string). A line that repeats it
   * is checked against it, with few of the mispredicted branches a scan
   * for each closing quote costs; anything else is scanned.
   */
  uint32_t keys;
  size_t key_at[MAX_PREDICTED];
  uint32_t key_length[MAX_PREDICTED];
  int16_t key_field[MAX_PREDICTED];
  int64_t value_length[MAX_PREDICTED];
} line_t;

/**
 * The first (up to) eight bytes of `text` as a number, for hashing and a
 * first comparison; `room` bytes are readable from `text` on.
 */
static inline uint64_t prefix_of(const uint8_t *text, size_t length, size_t room) {
  uint64_t x = 0;
  if (room >= 8) {
    memcpy(&x, text, 8);
    if (length < 8) x &= (1ull << (8 * length)) - 1;
    return x;
  }
  for (size_t i = 0; i < length && i < 8; i++) x |= (uint64_t)text[i] << (8 * i);
  return x;
}

static inline uint32_t slot_of(uint64_t prefix, size_t length, int bits) {
  return (uint32_t)(((prefix ^ length) * 0x9e3779b97f4a7c15ull) >> (64 - bits));
}

#define FIELD_SLOT_BITS 10
#define FIELD_SLOTS (1u << FIELD_SLOT_BITS)

/** The fields by their key: an open-addressing table on the key's first bytes. */
typedef struct {
  uint64_t prefix[FIELD_SLOTS];
  uint32_t length[FIELD_SLOTS];
  int16_t field[FIELD_SLOTS]; /* -1: free */
} field_index_t;

static void field_index_init(field_index_t *index, const spec_t *spec) {
  for (uint32_t s = 0; s < FIELD_SLOTS; s++) index->field[s] = -1;
  for (uint32_t i = 0; i < spec->field_count; i++) {
    const span_t *key = &spec->keys[i];
    uint64_t prefix = prefix_of(key->data, key->length, key->length);
    uint32_t s = slot_of(prefix, key->length, FIELD_SLOT_BITS);
    while (index->field[s] >= 0) s = (s + 1) & (FIELD_SLOTS - 1);
    index->prefix[s] = prefix;
    index->length[s] = key->length;
    index->field[s] = (int16_t)i;
  }
}

/** The field whose key is key[0, length), or -1; `room` as for prefix_of. */
static inline int lookup(const field_index_t *index, const spec_t *spec,
                         const uint8_t *key, size_t length, size_t room) {
  uint64_t prefix = prefix_of(key, length, room);
  uint32_t s = slot_of(prefix, length, FIELD_SLOT_BITS);
  for (;;) {
    int field = index->field[s];
    if (field < 0) return -1;
    if (index->prefix[s] == prefix && index->length[s] == length &&
        (length <= 8 || same_bytes(spec->keys[field].data + 8, key + 8, length - 8))) {
      return field;
    }
    s = (s + 1) & (FIELD_SLOTS - 1);
  }
}

/** `EventLine.scan`: 1 when b[start, end) is a flat object, spans set. */
static int scan_line(line_t *line, const spec_t *spec, const field_index_t *index,
                     const uint8_t *b, size_t start, size_t end) {
  memset(line->kind, KIND_MISSING, spec->field_count);
  line->bytes = b;
  size_t p = start;
  size_t e = end;
  while (e > p && SPACE[b[e - 1]]) e--;
  while (p < e && SPACE[b[p]]) p++;
  if (e - p < 2 || b[p] != '{' || b[e - 1] != '}') return 0;
  size_t last = e - 1;
  p++;
  while (p < last && SPACE[b[p]]) p++;
  uint32_t predicted = line->keys;
  line->keys = 0;
  if (p == last) return 1;
  for (uint32_t i = 0;; i++) {
    if (b[p] != '"') return 0;
    size_t key_from = ++p;
    int field;
    uint32_t key_length = i < predicted ? line->key_length[i] : 0;
    if (i < predicted && key_from + key_length < last && b[key_from + key_length] == '"' &&
        same_bytes(b + line->key_at[i], b + key_from, key_length)) {
      p = key_from + key_length; /* the previous line's key: plain, known */
      field = line->key_field[i];
    } else {
      p = plain_end(b, p, end);
      if (!(p < last && b[p] == '"')) return 0;
      key_length = (uint32_t)(p - key_from);
      field = lookup(index, spec, b + key_from, key_length, end - key_from);
    }
    int64_t value_length = -1;
    p++;
    while (p < last && SPACE[b[p]]) p++;
    if (b[p] != ':') return 0;
    p++;
    while (p < last && SPACE[b[p]]) p++;
    if (b[p] == '"') {
      size_t value_from = ++p;
      int64_t expected = i < predicted ? line->value_length[i] : -1;
      if (expected >= 0 && value_from + (size_t)expected < last &&
          b[value_from + expected] == '"' &&
          all_plain(b + value_from, (size_t)expected, end - value_from)) {
        p = value_from + (size_t)expected;
      } else {
        p = plain_end(b, p, end);
        if (!(p < last && b[p] == '"')) return 0;
      }
      value_length = (int64_t)(p - value_from);
      if (field >= 0) {
        line->kind[field] = KIND_STRING;
        line->from[field] = value_from;
        line->to[field] = p;
      }
      p++;
    } else {
      size_t value_from = p;
      while (!LITERAL_END[b[p]]) p++; /* stops at the closing brace */
      int kind = literal_kind(b, value_from, p);
      if (kind < 0) return 0;
      if (field >= 0) {
        line->kind[field] = (uint8_t)kind;
        line->from[field] = value_from;
        line->to[field] = p;
      }
    }
    if (i < MAX_PREDICTED) {
      line->key_at[i] = key_from;
      line->key_length[i] = key_length;
      line->key_field[i] = (int16_t)field;
      line->value_length[i] = value_length;
      line->keys = i + 1;
    }
    while (p < last && SPACE[b[p]]) p++;
    if (p == last) return 1;
    if (b[p] != ',') return 0;
    p++;
    while (p < last && SPACE[b[p]]) p++;
  }
}

/* ---------------------------------------------------------------- values */

static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/**
 * `jsonNumber` of EventLine.ts where it computes the value itself (up to
 * 15 significant digits, no exponent); 0 where it would call `Number`.
 */
static int json_number(const uint8_t *b, size_t from, size_t to, double *out) {
  size_t p = from;
  int negative = b[p] == '-';
  if (negative) p++;
  double mantissa = 0;
  int digits = 0;
  int decimals = -1;
  for (; p < to; p++) {
    uint8_t c = b[p];
    if (c == '.') {
      decimals = 0;
      continue;
    }
    if (!is_digit(c)) return 0;
    mantissa = mantissa * 10 + (c - '0');
    if (mantissa > 0) digits++;
    if (decimals >= 0) decimals++;
    if (digits > 15 || decimals > 22) return 0;
  }
  double value = decimals > 0 ? mantissa / POW10[decimals] : mantissa;
  *out = negative ? -value : value;
  return 1;
}

/**
 * Whether a number's JSON text is what `String(value)` gives for it: an
 * integer of up to 15 digits, not -0.
 */
static int is_plain_integer(const uint8_t *b, size_t from, size_t to) {
  size_t p = from;
  if (b[p] == '-') p++;
  if (to - p > 15) return 0;
  for (size_t i = p; i < to; i++) {
    if (!is_digit(b[i])) return 0;
  }
  return !(b[from] == '-' && to - p == 1 && b[p] == '0');
}

/* ------------------------------------------------------------------ time */

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t year_of_era = y - era * 400;
  int64_t day_of_year = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

typedef struct {
  uint8_t day[10];
  int has_day;
  int64_t day_ms;
} time_parser_t;

static inline unsigned digit_at(const uint8_t *b, size_t i) {
  return (unsigned)(b[i] - '0');
}

/**
 * `IsoTimeParser.parseBytes` for YYYY-MM-DDTHH:MM:SS.sssZ, which it reads
 * itself (the day as `Date.parse` reads it: a month of 1-12 and a day of
 * 1-31, past the month's end counting on into the next); 0 for any other
 * text, which it leaves to `Date.parse`.
 */
static int parse_time(time_parser_t *t, const uint8_t *b, size_t from, size_t to,
                      int64_t *ms) {
  const uint8_t *p = b + from;
  if (to - from != 24 || p[10] != 'T' || p[13] != ':' || p[16] != ':' ||
      p[19] != '.' || p[23] != 'Z') {
    return 0;
  }
  unsigned h1 = digit_at(p, 11), h2 = digit_at(p, 12), m1 = digit_at(p, 14),
           m2 = digit_at(p, 15), s1 = digit_at(p, 17), s2 = digit_at(p, 18),
           f1 = digit_at(p, 20), f2 = digit_at(p, 21), f3 = digit_at(p, 22);
  unsigned hour = h1 * 10 + h2;
  if (h1 > 2 || h2 > 9 || hour > 23 || m1 > 5 || m2 > 9 || s1 > 5 || s2 > 9 ||
      f1 > 9 || f2 > 9 || f3 > 9) {
    return 0;
  }
  if (!t->has_day || !same_bytes(t->day, p, 10)) {
    for (int i = 0; i < 10; i++) {
      int dash = i == 4 || i == 7;
      if (dash ? p[i] != '-' : !is_digit(p[i])) return 0;
    }
    int64_t year = digit_at(p, 0) * 1000 + digit_at(p, 1) * 100 + digit_at(p, 2) * 10 + digit_at(p, 3);
    int64_t month = digit_at(p, 5) * 10 + digit_at(p, 6);
    int64_t day = digit_at(p, 8) * 10 + digit_at(p, 9);
    if (month < 1 || month > 12 || day < 1 || day > 31) return 0;
    memcpy(t->day, p, 10);
    t->has_day = 1;
    t->day_ms = (days_from_civil(year, month, 1) + day - 1) * 86400000LL;
  }
  *ms = t->day_ms + hour * 3600000LL + (m1 * 10 + m2) * 60000LL +
        (s1 * 10 + s2) * 1000LL + f1 * 100 + f2 * 10 + f3;
  return 1;
}

/* ------------------------------------------------------------- event ids */

/* --------------------------------------------------------------- minutes */

#define DIMENSION_SLOTS 512
static const uint8_t OTHER_VALUE[] = OTHER_VALUE_TEXT;
#define OTHER_LENGTH (sizeof OTHER_VALUE - 1)

typedef struct {
  const uint8_t *text;
  uint32_t length;
  uint64_t count;
} dimension_value_t;

/** Events per value, in first-seen order (`countValue` of summary.ts). */
typedef struct {
  uint32_t count;
  uint16_t slots[DIMENSION_SLOTS]; /* value index + 1 */
  dimension_value_t values[MAX_DIMENSION_VALUES + 1];
} dimension_counts_t;

static dimension_value_t *dimension_find(dimension_counts_t *d, const uint8_t *text,
                                         uint32_t length, size_t room, uint32_t *slot) {
  uint64_t key = prefix_of(text, length, room);
  if (length > 8) key ^= prefix_of(text + length - 8, 8, 8) * 31;
  uint32_t s = slot_of(key, length, 9);
  while (d->slots[s]) {
    dimension_value_t *v = &d->values[d->slots[s] - 1];
    if (v->length == length && same_bytes(v->text, text, length)) return v;
    s = (s + 1) & (DIMENSION_SLOTS - 1);
  }
  *slot = s;
  return NULL;
}

/** Counts one event of the value text[0, length); `room` as for prefix_of. */
static void dimension_count(dimension_counts_t *d, const uint8_t *text, uint32_t length,
                            size_t room) {
  uint32_t slot;
  dimension_value_t *v = dimension_find(d, text, length, room, &slot);
  if (v) {
    v->count++;
    return;
  }
  int other = length == OTHER_LENGTH && !memcmp(text, OTHER_VALUE, OTHER_LENGTH);
  if (d->count >= MAX_DIMENSION_VALUES && !other) {
    v = dimension_find(d, OTHER_VALUE, OTHER_LENGTH, sizeof OTHER_VALUE, &slot);
    if (v) {
      v->count++;
      return;
    }
    text = OTHER_VALUE;
    length = OTHER_LENGTH;
  }
  v = &d->values[d->count++];
  v->text = text;
  v->length = length;
  v->count = 1;
  d->slots[slot] = (uint16_t)d->count;
}

typedef struct {
  int64_t sec; /* first: a sec_map_t item */
  uint64_t count;
  hll_t devices;
  hll_t customers;
  quantile_sketch_t measures[MAX_SPEC_MEASURES];
  uint8_t measure_seen[MAX_SPEC_MEASURES];
  uint8_t measure_order[MAX_SPEC_MEASURES];
  uint32_t measure_order_count;
  dimension_counts_t *dimensions[MAX_SPEC_DIMENSIONS];
  uint8_t dimension_order[MAX_SPEC_DIMENSIONS];
  uint32_t dimension_order_count;
} minute_t;

static void minute_free(minute_t *m) {
  hll_free(&m->devices);
  hll_free(&m->customers);
  for (uint32_t i = 0; i < m->measure_order_count; i++) {
    quantile_free(&m->measures[m->measure_order[i]]);
  }
  for (uint32_t i = 0; i < m->dimension_order_count; i++) {
    free(m->dimensions[m->dimension_order[i]]);
  }
  free(m);
}

/* ------------------------------------------------------------- summariser */

/* The event ids' set, as `summariseObject`'s: 2^10 slots, growing to 2^26. */
#define ID_SET_FIRST_LOG2 10
#define ID_SET_MAX_LOG2 26

typedef struct {
  const spec_t *spec;
  field_index_t index;
  line_t line;
  time_parser_t times;
  time_parser_t arrivals;
  hash_set64_t seen;
  uint32_t xor1, xor2, sum1;
  sec_map_t minutes; /* of minute_t, first-seen order */
  minute_t *minute;  /* the last event's */
  uint64_t events, bad_lines, duplicate_events;
  int has_max_ts, has_max_arrival;
  int64_t max_ts, max_arrival;
} summariser_t;

static minute_t *minute_of(summariser_t *s, int64_t ts_ms) {
  int64_t quotient = ts_ms / 60000;
  if (ts_ms % 60000 < 0) quotient--;
  int64_t sec = quotient * 60;
  minute_t *m = s->minute;
  if (!m || m->sec != sec) {
    m = sec_map_item(&s->minutes, sec, sizeof *m);
    if (!m) return NULL;
    s->minute = m;
  }
  m->count++;
  s->events++;
  if (!s->has_max_ts || ts_ms > s->max_ts) {
    s->max_ts = ts_ms;
    s->has_max_ts = 1;
  }
  return m;
}

/** Hashes what `String(value)` gives; 0 missing, -1 declined. */
static int hash_text(const line_t *line, int field, uint32_t hash[2]) {
  uint8_t kind = line->kind[field];
  if (kind == KIND_MISSING) return 0;
  const uint8_t *b = line->bytes;
  size_t from = line->from[field];
  size_t to = line->to[field];
  if (kind == KIND_LITERAL && b[from] != 't' && b[from] != 'f' &&
      !is_plain_integer(b, from, to)) {
    return -1;
  }
  hash_bytes64(b + from, to - from, hash);
  return 1;
}

static outcome_t summarise_line(summariser_t *s, const uint8_t *b, size_t start,
                                size_t end) {
  const spec_t *spec = s->spec;
  line_t *line = &s->line;
  if (!scan_line(line, spec, &s->index, b, start, end)) return DECLINED_LINE;
  int64_t ts_ms;
  int time_field = spec->time_field;
  if (line->kind[time_field] != KIND_STRING) {
    s->bad_lines++;
    return SUMMARISED;
  }
  if (!parse_time(&s->times, b, line->from[time_field], line->to[time_field], &ts_ms)) {
    return DECLINED_TIME;
  }
  uint32_t hash[2];
  int id_field = spec->id_field;
  if (line->kind[id_field] == KIND_STRING) {
    hash_bytes64(b + line->from[id_field], line->to[id_field] - line->from[id_field], hash);
    int added = hash_set64_add(&s->seen, hash[0], hash[1]);
    if (added < 0) return DECLINED_MEMORY;
    if (!added) {
      s->duplicate_events++;
      return SUMMARISED;
    }
    s->xor1 ^= hash[0];
    s->xor2 ^= hash[1];
    s->sum1 += hash[0];
  }
  minute_t *m = minute_of(s, ts_ms);
  if (!m) return DECLINED_MEMORY;
  int hashed = hash_text(line, spec->device_field, hash);
  if (hashed < 0) return DECLINED_VALUE;
  if (hashed && !hll_add(&m->devices, hash)) return DECLINED_MEMORY;
  hashed = hash_text(line, spec->customer_field, hash);
  if (hashed < 0) return DECLINED_VALUE;
  if (hashed && !hll_add(&m->customers, hash)) return DECLINED_MEMORY;
  for (uint32_t i = 0; i < spec->measure_count; i++) {
    int field = spec->measure_fields[i];
    size_t from = line->from[field];
    if (line->kind[field] != KIND_LITERAL || b[from] == 't' || b[from] == 'f') continue;
    double value;
    if (!json_number(b, from, line->to[field], &value)) return DECLINED_VALUE;
    if (!m->measure_seen[i]) {
      m->measure_seen[i] = 1;
      quantile_init(&m->measures[i]);
      m->measure_order[m->measure_order_count++] = (uint8_t)i;
    }
    if (!quantile_add(&m->measures[i], value)) return DECLINED_SKETCH;
  }
  for (uint32_t i = 0; i < spec->dimension_count; i++) {
    int field = spec->dimension_fields[i];
    uint8_t kind = line->kind[field];
    if (kind == KIND_MISSING || kind == KIND_NULL) continue;
    size_t from = line->from[field];
    size_t to = line->to[field];
    if (kind == KIND_LITERAL && b[from] != 't' && b[from] != 'f') return DECLINED_VALUE;
    /* ASCII only, and not an array index (which JavaScript objects order first). */
    int digits = to > from;
    for (size_t j = from; j < to; j++) {
      if (b[j] >= 0x80) return DECLINED_VALUE;
      digits &= is_digit(b[j]);
    }
    if (digits) return DECLINED_VALUE;
    dimension_counts_t *counts = m->dimensions[i];
    if (!counts) {
      counts = calloc(1, sizeof *counts);
      if (!counts) return DECLINED_MEMORY;
      m->dimensions[i] = counts;
      m->dimension_order[m->dimension_order_count++] = (uint8_t)i;
    }
    dimension_count(counts, b + from, (uint32_t)(to - from), end - from);
  }
  int arrived_field = spec->arrived_field;
  if (line->kind[arrived_field] == KIND_STRING) {
    int64_t arrived;
    if (!parse_time(&s->arrivals, b, line->from[arrived_field], line->to[arrived_field],
                    &arrived)) {
      return DECLINED_TIME;
    }
    if (!s->has_max_arrival || arrived > s->max_arrival) {
      s->max_arrival = arrived;
      s->has_max_arrival = 1;
    }
  }
  return SUMMARISED;
}

/* -------------------------------------------------------------- encoding */

static void put_hex(bytes_t *b, uint32_t value) {
  static const char HEX[] = "0123456789abcdef";
  char text[8];
  int n = 0;
  do {
    text[7 - n++] = HEX[value & 15];
    value >>= 4;
  } while (value);
  bytes_put(b, text + 8 - n, (size_t)n);
}

/** `encodeSummary` of the summary (version 1, an object's). */
static void encode(const summariser_t *s, bytes_t *out) {
  const spec_t *spec = s->spec;
  bytes_t header = {0};
  bytes_t blobs = {0};
  bytes_summary_header(&header, 1, (int64_t)s->events, (int64_t)s->bad_lines,
                       (int64_t)s->duplicate_events, s->has_max_ts, s->max_ts, s->has_max_arrival,
                       s->max_arrival);
  bytes_str(&header, ",\"f\":\"");
  if (s->seen.size) {
    bytes_int(&header, s->seen.size);
    bytes_byte(&header, ':');
    put_hex(&header, s->xor1);
    bytes_byte(&header, ':');
    put_hex(&header, s->xor2);
    bytes_byte(&header, ':');
    put_hex(&header, s->sum1);
  }
  bytes_str(&header, "\",\"m\":[");
  for (uint32_t i = 0; i < s->minutes.count; i++) {
    const minute_t *m = s->minutes.items[i];
    if (i) bytes_byte(&header, ',');
    bytes_byte(&header, '[');
    bytes_int(&header, m->sec);
    bytes_byte(&header, ',');
    bytes_int(&header, (int64_t)m->count);
    bytes_str(&header, ",[");
    size_t start = bytes_blob_start(&blobs);
    hll_encode(&m->devices, &blobs);
    bytes_blob_end(&blobs, start);
    start = bytes_blob_start(&blobs);
    hll_encode(&m->customers, &blobs);
    bytes_blob_end(&blobs, start);
    for (uint32_t j = 0; j < m->measure_order_count; j++) {
      uint8_t measure = m->measure_order[j];
      if (j) bytes_byte(&header, ',');
      bytes_put(&header, spec->measure_names[measure].data, spec->measure_names[measure].length);
      start = bytes_blob_start(&blobs);
      quantile_encode(&m->measures[measure], &blobs);
      bytes_blob_end(&blobs, start);
    }
    bytes_str(&header, "],{");
    for (uint32_t j = 0; j < m->dimension_order_count; j++) {
      uint8_t dimension = m->dimension_order[j];
      const dimension_counts_t *counts = m->dimensions[dimension];
      if (j) bytes_byte(&header, ',');
      bytes_put(&header, spec->dimension_names[dimension].data,
                spec->dimension_names[dimension].length);
      bytes_str(&header, ":{");
      for (uint32_t k = 0; k < counts->count; k++) {
        if (k) bytes_byte(&header, ',');
        bytes_byte(&header, '"');
        bytes_put(&header, counts->values[k].text, counts->values[k].length);
        bytes_str(&header, "\":");
        bytes_int(&header, (int64_t)counts->values[k].count);
      }
      bytes_byte(&header, '}');
    }
    bytes_str(&header, "}]");
  }
  bytes_str(&header, "]}");
  bytes_summary_join(out, &header, &blobs);
}

/* ------------------------------------------------------------------ main */

outcome_t summarise_object(const uint8_t *body, size_t length, const spec_t *spec,
                           bytes_t *out) {
  const uint8_t *bytes = body;
  uint8_t *inflated = NULL;
  size_t size = length;
  if (length >= 2 && body[0] == 0x1f && body[1] == 0x8b) {
    if (!inflate_whole(body, length, &inflated, &size)) return DECLINED_COMPRESSION;
    bytes = inflated;
  }
  summariser_t *s = calloc(1, sizeof *s);
  outcome_t outcome = DECLINED_MEMORY;
  if (!s) goto done;
  s->spec = spec;
  field_index_init(&s->index, spec);
  if (!hash_set64_init(&s->seen, ID_SET_FIRST_LOG2, ID_SET_MAX_LOG2) ||
      !sec_map_grow(&s->minutes)) {
    goto done;
  }
  outcome = SUMMARISED;
  for (size_t pos = 0; pos < size && outcome == SUMMARISED;) {
    const uint8_t *newline = memchr(bytes + pos, '\n', size - pos);
    size_t end = newline ? (size_t)(newline - bytes) : size;
    if (end > pos) outcome = summarise_line(s, bytes, pos, end);
    pos = end + 1;
  }
  if (outcome == SUMMARISED) {
    encode(s, out);
    if (out->failed) outcome = DECLINED_MEMORY;
  }
done:
  if (s) {
    for (uint32_t i = 0; i < s->minutes.count; i++) minute_free(s->minutes.items[i]);
    sec_map_free(&s->minutes);
    hash_set64_free(&s->seen);
    free(s);
  }
  free(inflated);
  return outcome;
}
