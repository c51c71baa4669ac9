/*
 * The summary of one Firehose object (gzip NDJSON of flat events), encoded
 * exactly as the backend plugin's `encodeSummary(summariseBytes(...))`
 * encodes it. Only the common case is handled here: one gzip member (or
 * plain NDJSON), every line a flat object the plugin's `EventLine` reads in
 * place, canonical UTC timestamps, ASCII dimension values. Anything else
 * is declined, and the JavaScript summarises the object — it is the
 * reference, and a declined object costs only the time spent here.
 */
#ifndef RTI_SUMMARISE_H
#define RTI_SUMMARISE_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/** Values kept per dimension and minute (`countValue` of summary.ts); the rest count as OTHER_VALUE. */
#define MAX_DIMENSION_VALUES 200
#define OTHER_VALUE_TEXT "(other)"

#define MAX_SPEC_FIELDS 256
#define MAX_SPEC_MEASURES 64
#define MAX_SPEC_DIMENSIONS 64

typedef struct {
  const uint8_t *data;
  uint32_t length;
} span_t;

/** What to read of each event: the plugin's `summaryFields(shape)`. */
typedef struct {
  uint32_t field_count;
  span_t keys[MAX_SPEC_FIELDS];
  int32_t time_field;
  int32_t id_field;
  int32_t device_field;
  int32_t customer_field;
  int32_t arrived_field;
  uint32_t measure_count;
  int32_t measure_fields[MAX_SPEC_MEASURES];
  /** Each name as JSON text (`JSON.stringify(name)`). */
  span_t measure_names[MAX_SPEC_MEASURES];
  uint32_t dimension_count;
  int32_t dimension_fields[MAX_SPEC_DIMENSIONS];
  span_t dimension_names[MAX_SPEC_DIMENSIONS];
} spec_t;

/**
 * Parses the spec the TypeScript writes (`nativeSummaries.ts`); 0 when it
 * is malformed.
 */
int spec_parse(const uint8_t *data, size_t length, spec_t *spec);

typedef enum {
  SUMMARISED = 0,
  DECLINED_COMPRESSION, /* corrupt, truncated, several members, too large */
  DECLINED_LINE,        /* not a flat object, or a value read differently */
  DECLINED_TIME,        /* a timestamp that is not YYYY-MM-DDTHH:MM:SS.sssZ */
  DECLINED_VALUE,       /* a number or dimension text JavaScript formats */
  DECLINED_SKETCH,      /* a quantile sketch that would fold bins */
  DECLINED_MEMORY
} outcome_t;

/** Summarises `body` into `out` (appended); SUMMARISED, or why not. */
outcome_t summarise_object(const uint8_t *body, size_t length,
                           const spec_t *spec, bytes_t *out);

#endif
