/*
 * The two sketches of a minute summary, as the backend plugin's
 * `HyperLogLog` (precision 14) and `QuantileSketch` (alpha 1 %, 2048 bins)
 * build and encode them: the same registers and bins for the same input,
 * and byte-identical `toBuffer()` output.
 */
#ifndef RTI_SKETCHES_H
#define RTI_SKETCHES_H

#include <stdint.h>

#include "bytes.h"

#define HLL_PRECISION 14
#define HLL_REGISTERS (1u << HLL_PRECISION)
/* The encodings: type tag and version, then the sketch, then a CRC-32. */
#define HLL_TAG 0x48
#define HLL_VERSION 1
/** Registers hold 1..65-p, six bits each in the dense form. */
#define HLL_MAX_RANK (65 - HLL_PRECISION)
#define HLL_DENSE_BYTES (HLL_REGISTERS * 6 / 8)
#define QUANTILE_TAG 0x51
#define QUANTILE_VERSION 1
#define QUANTILE_RELATIVE_ACCURACY 0.01
#define QUANTILE_MAX_BINS 2048

/** Sparse (a small hash table of set registers) until m/32 are set. */
typedef struct {
  uint32_t sparse_count;
  uint32_t *sparse_keys; /* register index + 1; 0 = free */
  uint8_t *sparse_ranks;
  uint8_t *dense;
} hll_t;

/** 0 when out of memory. */
int hll_add(hll_t *h, const uint32_t hash[2]);
void hll_encode(const hll_t *h, bytes_t *out);
void hll_free(hll_t *h);

/** Counts over the window [min_key, max_key] of consecutive bin keys. */
typedef struct {
  uint64_t *counts; /* counts[key - offset] */
  int64_t offset;
  int64_t capacity;
  int64_t min_key;
  int64_t max_key;
  int empty;
} bin_store_t;

typedef struct {
  bin_store_t positive;
  bin_store_t negative; /* keyed by -key(|x|) */
  uint64_t zero_count;
  uint64_t total;
  double minimum;
  double maximum;
  double sum;
  /** 1 / ln(gamma), gamma = (1 + alpha) / (1 - alpha): a value's bin key is ceil(ln(x) * this). */
  double key_multiplier;
} quantile_sketch_t;

void quantile_init(quantile_sketch_t *q);
/**
 * Adds a finite value once. 0 when the sketch would need to fold bins
 * (more than 2048 keys apart: left to the JavaScript) or memory ran out.
 */
int quantile_add(quantile_sketch_t *q, double value);
/**
 * Adds `count` to the bin `key` of the positive or negative store (as
 * `BinStore.add` does when a sketch is merged), leaving count, min, max
 * and sum to the caller. 0 when the store would fold bins or memory ran out.
 */
int quantile_add_bin(quantile_sketch_t *q, int negative, int64_t key, uint64_t count);
void quantile_encode(const quantile_sketch_t *q, bytes_t *out);
void quantile_free(quantile_sketch_t *q);

#endif
