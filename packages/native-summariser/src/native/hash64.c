#include "hash64.h"

#define SEED_1 0x9747b28cu
#define SEED_2 0x3c6ef372u
#define C1 0xcc9e2d51u
#define C2 0x1b873593u
#define C3 0x239b961bu
#define C4 0xab0e9789u

static inline uint32_t rotate_left(uint32_t x, int r) {
  return (x << r) | (x >> (32 - r));
}

static inline uint32_t avalanche(uint32_t x) {
  x ^= x >> 16;
  x *= 0x85ebca6bu;
  x ^= x >> 13;
  x *= 0xc2b2ae35u;
  x ^= x >> 16;
  return x;
}

void hash_bytes64(const uint8_t *b, size_t length, uint32_t out[2]) {
  uint32_t h1 = SEED_1;
  uint32_t h2 = SEED_2;
  size_t blocks_end = length & ~(size_t)3;
  size_t i = 0;
  for (; i < blocks_end; i += 4) {
    uint32_t k = (uint32_t)b[i] | (uint32_t)b[i + 1] << 8 |
                 (uint32_t)b[i + 2] << 16 | (uint32_t)b[i + 3] << 24;
    h1 ^= rotate_left(k * C1, 15) * C2;
    h1 = rotate_left(h1, 13) * 5 + 0xe6546b64u;
    h2 ^= rotate_left(k * C3, 16) * C4;
    h2 = rotate_left(h2, 17) * 5 + 0x561ccd1bu;
  }
  size_t tail = length - blocks_end;
  if (tail > 0) {
    uint32_t k = b[i];
    if (tail > 1) k |= (uint32_t)b[i + 1] << 8;
    if (tail > 2) k |= (uint32_t)b[i + 2] << 16;
    h1 ^= rotate_left(k * C1, 15) * C2;
    h2 ^= rotate_left(k * C3, 16) * C4;
  }
  h1 ^= (uint32_t)length;
  h2 ^= (uint32_t)length;
  h1 += h2;
  h2 += h1;
  h1 = avalanche(h1);
  h2 = avalanche(h2);
  h1 += h2;
  h2 += h1;
  out[0] = h1;
  out[1] = h2;
}
