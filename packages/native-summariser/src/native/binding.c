/*
 * N-API entry points (context-aware, so worker threads may load it):
 *   summarise(body: Uint8Array, spec: Uint8Array): Buffer | number
 *     the encoded summary, or the reason it was declined (outcome_t);
 *   jsLog(values: Float64Array): Float64Array — js_log, for the tests.
 */
#include <node_api.h>
#include <stdlib.h>

#include "jslog.h"
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
  napi_value result;
  if (outcome != SUMMARISED) {
    bytes_free(&out);
    napi_create_int32(env, (int32_t)outcome, &result);
    return result;
  }
  void *copy;
  napi_status status = napi_create_buffer_copy(env, out.size, out.data, &copy, &result);
  bytes_free(&out);
  if (status != napi_ok) {
    napi_throw_error(env, NULL, "summarise: could not allocate the result");
    return NULL;
  }
  return result;
}

static napi_value js_log_values(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *data;
  size_t length;
  if (argc < 1 || !typed_bytes(env, argv[0], &data, &length)) {
    napi_throw_type_error(env, NULL, "jsLog(values: Float64Array)");
    return NULL;
  }
  napi_value buffer;
  napi_value result;
  void *out;
  napi_create_arraybuffer(env, length * sizeof(double), &out, &buffer);
  for (size_t i = 0; i < length; i++) ((double *)out)[i] = js_log(((double *)data)[i]);
  napi_create_typedarray(env, napi_float64_array, length, buffer, 0, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"summarise", NULL, summarise, NULL, NULL, NULL, napi_enumerable, NULL},
      {"jsLog", NULL, js_log_values, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 2, properties);
  return exports;
}
