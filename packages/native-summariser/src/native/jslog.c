/*
 * fdlibm's method (Sun Microsystems, 1993), which V8 follows:
 *   1. x = 2^k * (1 + f), with sqrt(2)/2 < 1 + f < sqrt(2);
 *   2. log(1 + f) = 2s + 2/3 s^3 + 2/5 s^5 + ... with s = f / (2 + f),
 *      the series after 2s approximated by a degree-14 polynomial R(z),
 *      z = s^2, and evaluated as f - (hfsq - s * (hfsq + R)) for accuracy;
 *   3. log(x) = k * ln2_hi + (log(1 + f) + k * ln2_lo).
 * Each operation below is the same IEEE double operation in the same
 * order, so the results agree bit for bit (checked in the tests).
 */
#include "jslog.h"

#include <stdint.h>
#include <string.h>

static const double ln2_hi = 6.93147180369123816490e-01;
static const double ln2_lo = 1.90821492927058770002e-10;
static const double two54 = 1.80143985094819840000e+16;
static const double Lg1 = 6.666666666666735130e-01;
static const double Lg2 = 3.999999999940941908e-01;
static const double Lg3 = 2.857142874366239149e-01;
static const double Lg4 = 2.222219843214978396e-01;
static const double Lg5 = 1.818357216161805012e-01;
static const double Lg6 = 1.531383769920937332e-01;
static const double Lg7 = 1.479819860511658591e-01;

static inline int32_t high_word(double x) {
  uint64_t bits;
  memcpy(&bits, &x, 8);
  return (int32_t)(bits >> 32);
}

static inline uint32_t low_word(double x) {
  uint64_t bits;
  memcpy(&bits, &x, 8);
  return (uint32_t)bits;
}

static inline double with_high_word(double x, int32_t high) {
  uint64_t bits;
  memcpy(&bits, &x, 8);
  bits = (bits & 0xffffffffu) | ((uint64_t)(uint32_t)high << 32);
  memcpy(&x, &bits, 8);
  return x;
}

double js_log(double x) {
  int32_t hx = high_word(x);
  uint32_t lx = low_word(x);
  int32_t k = 0;
  if (hx < 0x00100000) { /* x < 2^-1022: zero, negative or subnormal */
    if (((hx & 0x7fffffff) | lx) == 0) return -two54 / 0.0;
    if (hx < 0) return (x - x) / 0.0;
    k -= 54;
    x *= two54;
    hx = high_word(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  int32_t i = (hx + 0x95f64) & 0x100000;
  x = with_high_word(x, hx | (i ^ 0x3ff00000)); /* x or x/2 into [sqrt(2)/2, sqrt(2)) */
  k += i >> 20;
  double f = x - 1.0;
  double dk;
  if ((0x000fffff & (2 + hx)) < 3) { /* -2^-20 <= f < 2^-20 */
    if (f == 0.0) {
      if (k == 0) return 0.0;
      dk = (double)k;
      return dk * ln2_hi + dk * ln2_lo;
    }
    double r = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - r;
    dk = (double)k;
    return dk * ln2_hi - ((r - dk * ln2_lo) - f);
  }
  double s = f / (2.0 + f);
  dk = (double)k;
  double z = s * s;
  i = hx - 0x6147a;
  double w = z * z;
  int32_t j = 0x6b851 - hx;
  double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  i |= j;
  double r = t2 + t1;
  if (i > 0) {
    double hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + r));
    return dk * ln2_hi - ((hfsq - (s * (hfsq + r) + dk * ln2_lo)) - f);
  }
  if (k == 0) return f - s * (f - r);
  return dk * ln2_hi - ((s * (f - r) - dk * ln2_lo) - f);
}
