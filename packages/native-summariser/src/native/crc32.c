#include "crc32.h"

#include <zlib.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define RTI_CLMUL 1
#endif

#ifdef RTI_CLMUL

/*
 * Folding (Gopal et al., "Fast CRC Computation for Generic Polynomials
 * Using PCLMULQDQ Instruction", Intel, 2009), for the bit-reflected
 * polynomial 0x04C11DB7: four 128-bit lanes are folded forward 512 bits
 * at a time, then into one lane, then 128 to 64 bits, and a Barrett
 * reduction gives the 32-bit remainder. The constants are x^k mod P(x)
 * for the fold distances, bit-reflected; `poly` holds P(x) and the
 * Barrett quotient u = floor(x^64 / P(x)).
 *
 * `crc` is the running CRC before its final inversion (what zlib keeps
 * internally); `length` is at least 64 and a multiple of 16.
 */
__attribute__((target("pclmul,sse4.1"))) static uint32_t
crc32_folded(uint32_t crc, const uint8_t *p, size_t length) {
  const __m128i fold512 = _mm_set_epi64x(0x01c6e41596LL, 0x0154442bd4LL);
  const __m128i fold128 = _mm_set_epi64x(0x00ccaa009eLL, 0x01751997d0LL);
  const __m128i fold64 = _mm_set_epi64x(0, 0x0163cd6124LL);
  const __m128i poly = _mm_set_epi64x(0x01f7011641LL, 0x01db710641LL);
  const __m128i low32 = _mm_setr_epi32(-1, 0, -1, 0);

  __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 0));
  __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 16));
  __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 32));
  __m128i x4 = _mm_loadu_si128((const __m128i *)(p + 48));
  x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
  p += 64;
  length -= 64;

  while (length >= 64) {
    __m128i h1 = _mm_clmulepi64_si128(x1, fold512, 0x11);
    __m128i h2 = _mm_clmulepi64_si128(x2, fold512, 0x11);
    __m128i h3 = _mm_clmulepi64_si128(x3, fold512, 0x11);
    __m128i h4 = _mm_clmulepi64_si128(x4, fold512, 0x11);
    x1 = _mm_clmulepi64_si128(x1, fold512, 0x00);
    x2 = _mm_clmulepi64_si128(x2, fold512, 0x00);
    x3 = _mm_clmulepi64_si128(x3, fold512, 0x00);
    x4 = _mm_clmulepi64_si128(x4, fold512, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, h1), _mm_loadu_si128((const __m128i *)(p + 0)));
    x2 = _mm_xor_si128(_mm_xor_si128(x2, h2), _mm_loadu_si128((const __m128i *)(p + 16)));
    x3 = _mm_xor_si128(_mm_xor_si128(x3, h3), _mm_loadu_si128((const __m128i *)(p + 32)));
    x4 = _mm_xor_si128(_mm_xor_si128(x4, h4), _mm_loadu_si128((const __m128i *)(p + 48)));
    p += 64;
    length -= 64;
  }

  /* Four lanes into one, then the remaining 16-byte blocks. */
  __m128i lanes[3] = {x2, x3, x4};
  for (int i = 0; i < 3; i++) {
    __m128i high = _mm_clmulepi64_si128(x1, fold128, 0x11);
    x1 = _mm_clmulepi64_si128(x1, fold128, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, high), lanes[i]);
  }
  while (length >= 16) {
    __m128i high = _mm_clmulepi64_si128(x1, fold128, 0x11);
    x1 = _mm_clmulepi64_si128(x1, fold128, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, high), _mm_loadu_si128((const __m128i *)p));
    p += 16;
    length -= 16;
  }

  /* 128 bits to 64. */
  __m128i folded = _mm_clmulepi64_si128(x1, fold128, 0x10);
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), folded);
  folded = _mm_srli_si128(x1, 4);
  x1 = _mm_clmulepi64_si128(_mm_and_si128(x1, low32), fold64, 0x00);
  x1 = _mm_xor_si128(x1, folded);

  /* Barrett reduction to 32 bits. */
  __m128i t = _mm_clmulepi64_si128(_mm_and_si128(x1, low32), poly, 0x10);
  t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), poly, 0x00);
  x1 = _mm_xor_si128(x1, t);
  return (uint32_t)_mm_extract_epi32(x1, 1);
}

#endif

uint32_t fast_crc32(uint32_t crc, const uint8_t *bytes, size_t length) {
#ifdef RTI_CLMUL
  /* Reads a constant set before main: safe from any thread. */
  if (length >= 64 && __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1")) {
    size_t folded = length & ~(size_t)15;
    crc = ~crc32_folded(~crc, bytes, folded);
    bytes += folded;
    length -= folded;
  }
#endif
  return (uint32_t)crc32(crc, bytes, (uInt)length);
}
