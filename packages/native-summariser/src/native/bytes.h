/*
 * A growable byte buffer, and the encodings the backend plugin's
 * `binaryCodec.ts` writes: LEB128 varints, zigzag varints, little-endian
 * float64 and u32, and the CRC-32 that ends every encoded sketch.
 */
#ifndef RTI_BYTES_H
#define RTI_BYTES_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint8_t *data;
  size_t size;
  size_t capacity;
  /** Set once an allocation failed; every later write is dropped. */
  int failed;
} bytes_t;

/** The little-endian u32 at `p`. */
static inline uint32_t bytes_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/** Writes `value` as a varint at `p` (room for 10 bytes); returns the byte after it. */
static inline uint8_t *bytes_put_varint(uint8_t *p, uint64_t value) {
  while (value >= 0x80) {
    *p++ = (uint8_t)(value | 0x80);
    value >>= 7;
  }
  *p++ = (uint8_t)value;
  return p;
}

void bytes_free(bytes_t *b);
/** Room for `extra` more bytes; 0 (and `failed`) when out of memory. */
int bytes_reserve(bytes_t *b, size_t extra);
void bytes_put(bytes_t *b, const void *data, size_t length);
void bytes_byte(bytes_t *b, uint8_t value);
void bytes_u32(bytes_t *b, uint32_t value);
void bytes_varint(bytes_t *b, uint64_t value);
void bytes_zigzag(bytes_t *b, int64_t value);
void bytes_f64(bytes_t *b, double value);
/** Starts a blob: a u32 LE length, filled in by `bytes_blob_end`, then its bytes. */
size_t bytes_blob_start(bytes_t *b);
void bytes_blob_end(bytes_t *b, size_t start);
/** Decimal text of an integer, as JavaScript prints one below 2^53. */
void bytes_int(bytes_t *b, int64_t value);
void bytes_str(bytes_t *b, const char *text);
/** An integer, or null when there is none (`has` 0), as JSON. */
void bytes_optional_int(bytes_t *b, int has, int64_t value);
/**
 * The start of a summary's JSON header as the plugin's `encodeSummary`
 * writes it, through the newest arrival time: `{"v":…,"e":…,"b":…,"d":…,
 * "c":0,"t":…,"a":…` (times null when there are none).
 */
void bytes_summary_header(bytes_t *b, int version, int64_t events, int64_t bad_lines,
                          int64_t duplicate_events, int has_max_ts, int64_t max_ts,
                          int has_max_arrival, int64_t max_arrival);
/**
 * Appends a summary to `out` as `encodeSummary` lays it out — its JSON
 * header's length, the header, the blobs — and frees `header` and
 * `blobs`; `out` fails when either of them did.
 */
void bytes_summary_join(bytes_t *out, bytes_t *header, bytes_t *blobs);
/** Appends the CRC-32 of the bytes from `from` on (`ByteWriter.finish`). */
void bytes_crc_from(bytes_t *b, size_t from);

#endif
