/*
 * N-API entry points (context-aware, so worker threads may load it):
 *   summarise(body: Uint8Array, spec: Uint8Array): Buffer | number
 *     the encoded summary, or the reason it was declined (outcome_t);
 *   rollUp(packed: Uint8Array): Buffer | number
 *     a closed hour's rollup of object summaries, each packed as a u32 LE
 *     length and its bytes, or the reason it was declined (rollup_outcome_t);
 *   jsLog(values: Float64Array): Float64Array — js_log, for the tests;
 *   crc32(bytes: Uint8Array): number — fast_crc32, for the tests.
 */
#include <node_api.h>
#include <stdlib.h>

#include "crc32.h"
#include "jslog.h"
#include "rollup.h"
#include "summarise.h"

static int typed_bytes(napi_env env, napi_value value, void **data, size_t *length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok) {
    return 0;
  }
  return type == napi_uint8_array || type == napi_float64_array;
}

/**
 * `out` as a new Buffer when `outcome` is 0 (made), else the outcome (why
 * it was declined); `out` is freed either way. NULL, with `error` thrown,
 * when the Buffer cannot be made.
 */
static napi_value made_or_declined(napi_env env, int outcome, bytes_t *out, const char *error) {
  napi_value result;
  if (outcome != 0) {
    bytes_free(out);
    napi_create_int32(env, (int32_t)outcome, &result);
    return result;
  }
  void *copy;
  napi_status status = napi_create_buffer_copy(env, out->size, out->data, &copy, &result);
  bytes_free(out);
  if (status != napi_ok) {
    napi_throw_error(env, NULL, error);
    return NULL;
  }
  return result;
}

/** The typed array that is a function's one argument; 0, with `usage` thrown, when there is none. */
static int typed_argument(napi_env env, napi_callback_info info, void **data, size_t *length,
                          const char *usage) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !typed_bytes(env, argv[0], data, length)) {
    napi_throw_type_error(env, NULL, usage);
    return 0;
  }
  return 1;
}

static napi_value summarise(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *body;
  void *spec_bytes;
  size_t body_length;
  size_t spec_length;
  if (argc < 2 || !typed_bytes(env, argv[0], &body, &body_length) ||
      !typed_bytes(env, argv[1], &spec_bytes, &spec_length)) {
    napi_throw_type_error(env, NULL, "summarise(body: Uint8Array, spec: Uint8Array)");
    return NULL;
  }
  spec_t *spec = malloc(sizeof *spec);
  if (!spec) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  if (!spec_parse(spec_bytes, spec_length, spec)) {
    free(spec);
    napi_throw_range_error(env, NULL, "summarise: malformed spec");
    return NULL;
  }
  bytes_t out = {0};
  outcome_t outcome = summarise_object(body, body_length, spec, &out);
  free(spec);
  return made_or_declined(env, outcome, &out, "summarise: could not allocate the result");
}

static napi_value roll_up(napi_env env, napi_callback_info info) {
  void *packed;
  size_t length;
  if (!typed_argument(env, info, &packed, &length, "rollUp(packed: Uint8Array)")) return NULL;
  bytes_t out = {0};
  rollup_outcome_t outcome = rollup_summaries(packed, length, &out);
  return made_or_declined(env, outcome, &out, "rollUp: could not allocate the result");
}

static napi_value js_log_values(napi_env env, napi_callback_info info) {
  void *data;
  size_t length;
  if (!typed_argument(env, info, &data, &length, "jsLog(values: Float64Array)")) return NULL;
  napi_value buffer;
  napi_value result;
  void *out;
  napi_create_arraybuffer(env, length * sizeof(double), &out, &buffer);
  for (size_t i = 0; i < length; i++) ((double *)out)[i] = js_log(((double *)data)[i]);
  napi_create_typedarray(env, napi_float64_array, length, buffer, 0, &result);
  return result;
}

static napi_value crc32_of(napi_env env, napi_callback_info info) {
  void *data;
  size_t length;
  if (!typed_argument(env, info, &data, &length, "crc32(bytes: Uint8Array)")) return NULL;
  napi_value result;
  napi_create_uint32(env, fast_crc32(0, data, length), &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"summarise", NULL, summarise, NULL, NULL, NULL, napi_enumerable, NULL},
      {"rollUp", NULL, roll_up, NULL, NULL, NULL, napi_enumerable, NULL},
      {"jsLog", NULL, js_log_values, NULL, NULL, NULL, napi_enumerable, NULL},
      {"crc32", NULL, crc32_of, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 4, properties);
  return exports;
}
