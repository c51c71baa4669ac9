#include "secmap.h"

#include <stdlib.h>

static int64_t sec_of(const void *item) { return *(const int64_t *)item; }

static uint32_t slot_of(int64_t sec, uint32_t mask) {
  return (uint32_t)(((uint64_t)sec * 0x9e3779b97f4a7c15ull) >> 40) & mask;
}

int sec_map_grow(sec_map_t *m) {
  uint32_t capacity = m->capacity ? m->capacity * 2 : 16;
  void **items = realloc(m->items, capacity * sizeof(void *));
  if (!items) return 0;
  m->items = items;
  m->capacity = capacity;
  uint32_t mask = capacity * 2 - 1;
  int32_t *slots = calloc((size_t)mask + 1, sizeof(int32_t));
  if (!slots) return 0;
  for (uint32_t i = 0; i < m->count; i++) {
    uint32_t s = slot_of(sec_of(m->items[i]), mask);
    while (slots[s]) s = (s + 1) & mask;
    slots[s] = (int32_t)i + 1;
  }
  free(m->slots);
  m->slots = slots;
  m->mask = mask;
  return 1;
}

void *sec_map_item(sec_map_t *m, int64_t sec, size_t size) {
  uint32_t slot = slot_of(sec, m->mask);
  while (m->slots[slot]) {
    void *item = m->items[m->slots[slot] - 1];
    if (sec_of(item) == sec) return item;
    slot = (slot + 1) & m->mask;
  }
  if (m->count == m->capacity) {
    if (!sec_map_grow(m)) return NULL;
    slot = slot_of(sec, m->mask);
    while (m->slots[slot]) slot = (slot + 1) & m->mask;
  }
  int64_t *item = calloc(1, size);
  if (!item) return NULL;
  *item = sec;
  m->items[m->count++] = item;
  m->slots[slot] = (int32_t)m->count;
  return item;
}

void sec_map_free(sec_map_t *m) {
  free(m->items);
  free(m->slots);
  m->items = NULL;
  m->slots = NULL;
  m->count = m->capacity = 0;
}
