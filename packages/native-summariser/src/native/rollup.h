/*
 * The rollup of a closed hour from its objects' encoded summaries, encoded
 * exactly as the backend plugin's `encodeSummary(rollUp(summaries))`
 * encodes it (rollup.ts, summary.ts): re-delivered objects dropped by
 * fingerprint, minutes and event hours merged in first-seen order, the
 * same sketches, dimension counts and JSON header. Summaries the plugin
 * may write but this code does not read as JavaScript would (escaped
 * fingerprints, dimension values that JavaScript objects order first, a
 * quantile sketch that would fold bins, a key order or number form other
 * than `encodeSummary`'s) are declined, and the JavaScript rolls them up.
 */
#ifndef RTI_ROLLUP_H
#define RTI_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

typedef enum {
  ROLLED_UP = 0,
  ROLLUP_DECLINED_FORMAT = 1, /* not an object summary read as JavaScript reads it */
  ROLLUP_DECLINED_SKETCH = 2, /* a merged quantile sketch would fold bins */
  ROLLUP_DECLINED_MEMORY = 3,
  ROLLUP_DECLINED_SPREAD = 4 /* events over more minutes than MAX_PARTS */
} rollup_outcome_t;

/**
 * Minutes and event hours a rollup holds here at most: each keeps its
 * registers dense (32 KiB), where the TypeScript keeps small sketches
 * sparse, so an hour whose events spread over more (clocks far off) is
 * left to it.
 */
#define MAX_PARTS 1024

/**
 * Rolls up the object summaries packed in `packed` (each as a u32 LE
 * length and the summary's bytes, earliest first) into `out` (appended).
 */
rollup_outcome_t rollup_summaries(const uint8_t *packed, size_t length, bytes_t *out);

#endif
