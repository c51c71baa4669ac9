#include "bytes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"

void bytes_free(bytes_t *b) {
  free(b->data);
  b->data = NULL;
  b->size = b->capacity = 0;
}

int bytes_reserve(bytes_t *b, size_t extra) {
  if (b->failed) return 0;
  if (b->size + extra <= b->capacity) return 1;
  size_t capacity = b->capacity ? b->capacity * 2 : 256;
  while (capacity < b->size + extra) capacity *= 2;
  uint8_t *data = realloc(b->data, capacity);
  if (!data) {
    b->failed = 1;
    return 0;
  }
  b->data = data;
  b->capacity = capacity;
  return 1;
}

void bytes_put(bytes_t *b, const void *data, size_t length) {
  if (!bytes_reserve(b, length)) return;
  memcpy(b->data + b->size, data, length);
  b->size += length;
}

void bytes_byte(bytes_t *b, uint8_t value) {
  if (!bytes_reserve(b, 1)) return;
  b->data[b->size++] = value;
}

void bytes_u32(bytes_t *b, uint32_t value) {
  uint8_t le[4] = {(uint8_t)value, (uint8_t)(value >> 8),
                   (uint8_t)(value >> 16), (uint8_t)(value >> 24)};
  bytes_put(b, le, 4);
}

void bytes_varint(bytes_t *b, uint64_t value) {
  if (!bytes_reserve(b, 10)) return;
  b->size = (size_t)(bytes_put_varint(b->data + b->size, value) - b->data);
}

void bytes_zigzag(bytes_t *b, int64_t value) {
  bytes_varint(b, value >= 0 ? (uint64_t)value * 2
                             : (uint64_t)(-(value + 1)) * 2 + 1);
}

void bytes_f64(bytes_t *b, double value) {
  uint64_t bits;
  memcpy(&bits, &value, 8);
  uint8_t le[8];
  for (int i = 0; i < 8; i++) le[i] = (uint8_t)(bits >> (8 * i));
  bytes_put(b, le, 8);
}

size_t bytes_blob_start(bytes_t *b) {
  size_t start = b->size;
  bytes_u32(b, 0);
  return start;
}

void bytes_blob_end(bytes_t *b, size_t start) {
  if (b->failed) return;
  uint32_t length = (uint32_t)(b->size - start - 4);
  for (int i = 0; i < 4; i++) b->data[start + i] = (uint8_t)(length >> (8 * i));
}

void bytes_int(bytes_t *b, int64_t value) {
  char text[24];
  int length = snprintf(text, sizeof text, "%lld", (long long)value);
  bytes_put(b, text, (size_t)length);
}

void bytes_str(bytes_t *b, const char *text) {
  bytes_put(b, text, strlen(text));
}

void bytes_optional_int(bytes_t *b, int has, int64_t value) {
  if (has) bytes_int(b, value);
  else bytes_str(b, "null");
}

void bytes_summary_header(bytes_t *b, int version, int64_t events, int64_t bad_lines,
                          int64_t duplicate_events, int has_max_ts, int64_t max_ts,
                          int has_max_arrival, int64_t max_arrival) {
  bytes_str(b, "{\"v\":");
  bytes_int(b, version);
  bytes_str(b, ",\"e\":");
  bytes_int(b, events);
  bytes_str(b, ",\"b\":");
  bytes_int(b, bad_lines);
  bytes_str(b, ",\"d\":");
  bytes_int(b, duplicate_events);
  bytes_str(b, ",\"c\":0,\"t\":");
  bytes_optional_int(b, has_max_ts, max_ts);
  bytes_str(b, ",\"a\":");
  bytes_optional_int(b, has_max_arrival, max_arrival);
}

void bytes_summary_join(bytes_t *out, bytes_t *header, bytes_t *blobs) {
  if (header->failed || blobs->failed) {
    out->failed = 1;
  } else {
    bytes_u32(out, (uint32_t)header->size);
    bytes_put(out, header->data, header->size);
    bytes_put(out, blobs->data, blobs->size);
  }
  bytes_free(header);
  bytes_free(blobs);
}

void bytes_crc_from(bytes_t *b, size_t from) {
  if (b->failed) return;
  bytes_u32(b, fast_crc32(0, b->data + from, b->size - from));
}
