/*
 * Items kept in first-seen order and found by their second — the minutes
 * of an object's summary, the minutes and event hours of a rollup — by
 * open addressing over the items' indexes. An item is a struct whose
 * first member is its `int64_t sec`.
 */
#ifndef RTI_SECMAP_H
#define RTI_SECMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  void **items; /* first-seen order */
  uint32_t count;
  uint32_t capacity;
  int32_t *slots; /* item index + 1 */
  uint32_t mask;
} sec_map_t;

/** Doubles the room for items (16 at first); 0 when out of memory. */
int sec_map_grow(sec_map_t *m);
/**
 * The item of `sec`; when there is none, a new one appended — `size`
 * bytes, zeroed but for its `sec` — that the caller frees. NULL when out
 * of memory.
 */
void *sec_map_item(sec_map_t *m, int64_t sec, size_t size);
/** Frees the map's arrays (not the items). */
void sec_map_free(sec_map_t *m);

#endif
