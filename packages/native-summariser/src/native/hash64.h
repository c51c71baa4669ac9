/*
 * `hashBytes64` of the backend plugin (sketches/hashString64.ts): the same
 * two-lane 64-bit hash of the same bytes, word for word.
 */
#ifndef RTI_HASH64_H
#define RTI_HASH64_H

#include <stddef.h>
#include <stdint.h>

/** out[0] is the high word, out[1] the low one, as the JavaScript writes them. */
void hash_bytes64(const uint8_t *bytes, size_t length, uint32_t out[2]);

#endif
