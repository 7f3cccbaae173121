/* Futex wait/wake on an int32 of a shared mapping (the process backend of the TEE runtime: its ring
 * lives in an shm region, where Atomics.wait cannot be used). No FUTEX_PRIVATE_FLAG: the waiter and
 * the waker are different processes mapping the same pages. Exports:
 *   futexWait(i32: Int32Array, index, expected, timeoutMs) -> 0 woken, 1 value differed, 2 timed out, 3 interrupted
 *   futexWake(i32: Int32Array, index, count) -> number of waiters woken */
#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "addon.h"

/* Address of i32[index] after bounds checks, or NULL (with a pending exception). */
static int32_t *word_at(napi_env env, napi_value arr, napi_value idx) {
  bool is_ta = false;
  if (napi_is_typedarray(env, arr, &is_ta) != napi_ok || !is_ta) {
    p4_throw_type(env, "futex: first argument must be an Int32Array");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, arr, &type, &length, &data, &ab, &offset) != napi_ok || type != napi_int32_array || data == NULL) {
    p4_throw_type(env, "futex: first argument must be an Int32Array");
    return NULL;
  }
  int64_t i;
  if (p4_arg_i64(env, idx, &i, "index") < 0) return NULL;
  if (i < 0 || (uint64_t)i >= length) {
    p4_throw_type(env, "futex: index out of range");
    return NULL;
  }
  return (int32_t *)data + i;
}

static napi_value futex_wait_js(napi_env env, napi_callback_info info) {
  P4_ARGS(4);
  if (argc < 4) return p4_throw_type(env, "futexWait(i32, index, expected, timeoutMs)");
  int32_t *addr = word_at(env, argv[0], argv[1]);
  if (addr == NULL) return NULL;
  int64_t expected;
  double ms;
  if (p4_arg_i64(env, argv[2], &expected, "expected") < 0) return NULL;
  if (napi_get_value_double(env, argv[3], &ms) != napi_ok) return p4_throw_type(env, "timeoutMs must be a number");
  struct timespec ts, *tsp = NULL;
  if (ms >= 0) {
    int64_t ns = (int64_t)(ms * 1e6);
    ts.tv_sec = ns / 1000000000;
    ts.tv_nsec = ns % 1000000000;
    tsp = &ts;
  }
  long r = syscall(SYS_futex, addr, FUTEX_WAIT, (int32_t)expected, tsp, NULL, 0);
  int code = 0;
  if (r < 0) {
    if (errno == EAGAIN) code = 1;
    else if (errno == ETIMEDOUT) code = 2;
    else if (errno == EINTR) code = 3;
    else return p4_throw_errno(env, "futex wait", errno);
  }
  napi_value out;
  napi_create_int32(env, code, &out);
  return out;
}

static napi_value futex_wake_js(napi_env env, napi_callback_info info) {
  P4_ARGS(3);
  if (argc < 3) return p4_throw_type(env, "futexWake(i32, index, count)");
  int32_t *addr = word_at(env, argv[0], argv[1]);
  if (addr == NULL) return NULL;
  int64_t count;
  if (p4_arg_i64(env, argv[2], &count, "count") < 0) return NULL;
  if (count < 1) count = 1;
  if (count > INT32_MAX) count = INT32_MAX;
  long r = syscall(SYS_futex, addr, FUTEX_WAKE, (int32_t)count, NULL, NULL, 0);
  if (r < 0) return p4_throw_errno(env, "futex wake", errno);
  napi_value out;
  napi_create_int32(env, (int32_t)r, &out);
  return out;
}

void register_futex(napi_env env, napi_value exports) {
  p4_set_fn(env, exports, "futexWait", futex_wait_js);
  p4_set_fn(env, exports, "futexWake", futex_wake_js);
}
