/*
 * `HashSet64` of the backend plugin (events/HashSet64.ts): a set of 64-bit
 * hashes (high and low word side by side) by open addressing, with the
 * same first slot, probing, growth and size limit, so the same answers —
 * a full table answers "added" for every hash it does not hold. 0/0 marks
 * a free slot, so a zero hash is kept as 0/1. Event ids within an object,
 * object fingerprints within a rollup.
 */
#ifndef RTI_HASHSET64_H
#define RTI_HASHSET64_H

#include <stdint.h>

typedef struct {
  uint32_t *slots;
  uint32_t mask;
  uint32_t slots_log2;
  uint32_t max_slots_log2;
  uint32_t size;
} hash_set64_t;

/** An empty set of 2^`slots_log2` slots, growing to 2^`max_slots_log2`; 0 when out of memory. */
int hash_set64_init(hash_set64_t *set, uint32_t slots_log2, uint32_t max_slots_log2);
/** Doubles the table (`grow`); 0 when out of memory. */
int hash_set64_grow(hash_set64_t *set);
void hash_set64_free(hash_set64_t *set);

/** The slot holding `hi`/`lo`, or the free one where it would go. */
static inline uint32_t hash_set64_slot(const hash_set64_t *set, uint32_t hi, uint32_t lo) {
  uint32_t i = (lo ^ hi) & set->mask;
  for (;;) {
    uint32_t h = set->slots[2 * i];
    uint32_t l = set->slots[2 * i + 1];
    if ((h == 0 && l == 0) || (h == hi && l == lo)) return i;
    i = (i + 1) & set->mask;
  }
}

/** 1 when added (or full), 0 when there already; -1 when out of memory. */
static inline int hash_set64_add(hash_set64_t *set, uint32_t hi, uint32_t low) {
  uint32_t lo = hi == 0 && low == 0 ? 1 : low;
  uint32_t i = hash_set64_slot(set, hi, lo);
  if (set->slots[2 * i] != 0 || set->slots[2 * i + 1] != 0) return 0;
  if (set->size == set->mask) return 1; /* one slot left, kept free */
  set->slots[2 * i] = hi;
  set->slots[2 * i + 1] = lo;
  set->size++;
  if (set->size * 2 > set->mask && set->slots_log2 < set->max_slots_log2) {
    return hash_set64_grow(set) ? 1 : -1;
  }
  return 1;
}

#endif
