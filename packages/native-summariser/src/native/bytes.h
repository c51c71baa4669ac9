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

void bytes_free(bytes_t *b);
/** Room for `extra` more bytes; 0 (and `failed`) when out of memory. */
int bytes_reserve(bytes_t *b, size_t extra);
void bytes_put(bytes_t *b, const void *data, size_t length);
void bytes_byte(bytes_t *b, uint8_t value);
void bytes_u32(bytes_t *b, uint32_t value);
void bytes_varint(bytes_t *b, uint64_t value);
void bytes_zigzag(bytes_t *b, int64_t value);
void bytes_f64(bytes_t *b, double value);
/** Decimal text of an integer, as JavaScript prints one below 2^53. */
void bytes_int(bytes_t *b, int64_t value);
void bytes_str(bytes_t *b, const char *text);
/** Appends the CRC-32 of the bytes from `from` on (`ByteWriter.finish`). */
void bytes_crc_from(bytes_t *b, size_t from);

#endif
