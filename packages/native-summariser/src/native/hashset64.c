#include "hashset64.h"

#include <stdlib.h>

int hash_set64_init(hash_set64_t *set, uint32_t slots_log2, uint32_t max_slots_log2) {
  set->slots = calloc((size_t)2 << slots_log2, sizeof(uint32_t));
  set->mask = (1u << slots_log2) - 1;
  set->slots_log2 = slots_log2;
  set->max_slots_log2 = max_slots_log2;
  set->size = 0;
  return set->slots != NULL;
}

int hash_set64_grow(hash_set64_t *set) {
  hash_set64_t grown;
  if (!hash_set64_init(&grown, set->slots_log2 + 1, set->max_slots_log2)) return 0;
  for (uint32_t s = 0; s <= set->mask; s++) {
    uint32_t h = set->slots[2 * s];
    uint32_t l = set->slots[2 * s + 1];
    if (h != 0 || l != 0) {
      uint32_t j = hash_set64_slot(&grown, h, l);
      grown.slots[2 * j] = h;
      grown.slots[2 * j + 1] = l;
      grown.size++;
    }
  }
  free(set->slots);
  *set = grown;
  return 1;
}

void hash_set64_free(hash_set64_t *set) {
  free(set->slots);
  set->slots = NULL;
}
