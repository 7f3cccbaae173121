/* Shared-memory regions for the shm driver: shm_open + mmap(MAP_SHARED), handed to JS as an
 * external ArrayBuffer so TypeScript lays out rings and packet buffers on it; close munmaps and
 * detaches the buffer. Also the burst copier used by the shm, afpacket and pcap ports.
 * Exports: shmOpen(name, size, mode), shmClose(handle, buffer), shmUnlink(name),
 * copyBatch(src, dst, plan, n), clockRealtime(out), clockMonotonic(out). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addon.h"

/* One mapping, owned jointly by the ArrayBuffer and the JS handle: freed when both are gone,
 * unmapped at close or when the buffer is collected, whichever comes first. */
typedef struct {
  void *addr;
  size_t len;
  int mapped;
  int refs;
} mapping_t;

static void mapping_release(mapping_t *m) {
  if (--m->refs == 0) {
    if (m->mapped) munmap(m->addr, m->len);
    free(m);
  }
}

static void buffer_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  mapping_t *m = hint;
  if (m->mapped) {
    munmap(m->addr, m->len);
    m->mapped = 0;
  }
  mapping_release(m);
}

static void handle_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  mapping_release(data);
}

static int get_name(napi_env env, napi_value v, char *buf, size_t cap) {
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, buf, cap, &n) != napi_ok) {
    p4_throw_type(env, "shm region name must be a string");
    return -1;
  }
  if (n == 0 || n >= cap - 1) {
    p4_throw_type(env, "shm region name must be 1 to 200 characters");
    return -1;
  }
  return 0;
}

/* shmOpen(name: string, size: number, mode: 0 create | 1 attach | 2 auto)
 *   -> {buffer: ArrayBuffer, handle: External, created: boolean, size: number} */
static napi_value shm_open_js(napi_env env, napi_callback_info info) {
  P4_ARGS(3);
  if (argc < 3) return p4_throw_type(env, "shmOpen(name, size, mode)");
  char name[256];
  name[0] = '/';
  if (get_name(env, argv[0], name + 1, 201) < 0) return NULL;
  int64_t size, mode;
  if (p4_arg_i64(env, argv[1], &size, "size") < 0 || p4_arg_i64(env, argv[2], &mode, "mode") < 0) return NULL;
  int fd = -1, created = 0;
  if (mode == 0 || mode == 2) {
    fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) created = 1;
    else if (!(mode == 2 && errno == EEXIST)) return p4_throw_errno(env, "shm_open (create)", errno);
  }
  if (fd < 0) {
    fd = shm_open(name, O_RDWR, 0600);
    if (fd < 0) return p4_throw_errno(env, "shm_open (attach)", errno);
  }
  if (created) {
    if (size <= 0) {
      close(fd);
      shm_unlink(name);
      return p4_throw_type(env, "shm region size must be positive");
    }
    if (ftruncate(fd, (off_t)size) < 0) {
      int e = errno;
      close(fd);
      shm_unlink(name);
      return p4_throw_errno(env, "ftruncate", e);
    }
  } else {
    struct stat st;
    if (fstat(fd, &st) < 0) {
      int e = errno;
      close(fd);
      return p4_throw_errno(env, "fstat", e);
    }
    size = st.st_size;
    if (size <= 0) {
      close(fd);
      return p4_throw_errno(env, "shm region is empty (not initialised yet)", EAGAIN);
    }
  }
  void *addr = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int e = errno;
  close(fd);
  if (addr == MAP_FAILED) {
    if (created) shm_unlink(name);
    return p4_throw_errno(env, "mmap", e);
  }
  mapping_t *m = calloc(1, sizeof *m);
  if (m == NULL) {
    munmap(addr, (size_t)size);
    return p4_throw_errno(env, "calloc", ENOMEM);
  }
  m->addr = addr;
  m->len = (size_t)size;
  m->mapped = 1;
  m->refs = 2;
  napi_value result, buffer, handle, b;
  if (napi_create_external_arraybuffer(env, addr, (size_t)size, buffer_finalize, m, &buffer) != napi_ok) {
    munmap(addr, (size_t)size);
    free(m);
    return p4_throw_errno(env, "napi_create_external_arraybuffer (external buffers not allowed?)", ENOTSUP);
  }
  napi_create_external(env, m, handle_finalize, NULL, &handle);
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "buffer", buffer);
  napi_set_named_property(env, result, "handle", handle);
  napi_get_boolean(env, created != 0, &b);
  napi_set_named_property(env, result, "created", b);
  p4_set_num(env, result, "size", (double)size);
  return result;
}

/* shmClose(handle, buffer): detaches the buffer (later access sees length 0) and unmaps. */
static napi_value shm_close_js(napi_env env, napi_callback_info info) {
  P4_ARGS(2);
  mapping_t *m = NULL;
  if (argc < 1 || napi_get_value_external(env, argv[0], (void **)&m) != napi_ok || m == NULL)
    return p4_throw_type(env, "shmClose(handle, buffer): bad handle");
  if (argc >= 2) {
    bool is_ab = false;
    napi_is_arraybuffer(env, argv[1], &is_ab);
    if (is_ab) napi_detach_arraybuffer(env, argv[1]);
  }
  if (m->mapped) {
    munmap(m->addr, m->len);
    m->mapped = 0;
  }
  return NULL;
}

/* shmUnlink(name): removes the region's name (mappings stay valid); true when it existed. */
static napi_value shm_unlink_js(napi_env env, napi_callback_info info) {
  P4_ARGS(1);
  char name[256];
  name[0] = '/';
  if (argc < 1 || get_name(env, argv[0], name + 1, 201) < 0) return NULL;
  napi_value r;
  if (shm_unlink(name) < 0) {
    if (errno != ENOENT) return p4_throw_errno(env, "shm_unlink", errno);
    napi_get_boolean(env, false, &r);
  } else {
    napi_get_boolean(env, true, &r);
  }
  return r;
}

/* Base pointer and length of a Uint8Array (also one over a SharedArrayBuffer); -1 otherwise. */
static int u8_info(napi_env env, napi_value v, uint8_t **p, size_t *len) {
  napi_typedarray_type tt;
  void *data = NULL;
  if (napi_get_typedarray_info(env, v, &tt, len, &data, NULL, NULL) != napi_ok || tt != napi_uint8_array) return -1;
  if (data == NULL && *len != 0) return -1;
  *p = data;
  return 0;
}

/* copyBatch(src: Uint8Array, dst: Uint8Array, plan: Int32Array, n) -> copied: for k < n moves
 * plan[3k+2] bytes from src[plan[3k]] to dst[plan[3k+1]] (memmove: src and dst may be views of one
 * buffer). An entry out of bounds of either array is skipped and its length set to -1. One native
 * call per burst replaces one view (allocation) plus one TypedArray.set per packet. */
static napi_value copy_batch_js(napi_env env, napi_callback_info info) {
  P4_ARGS(4);
  uint8_t *src = NULL, *dst = NULL;
  size_t slen = 0, dlen = 0, plen = 0;
  napi_typedarray_type tt;
  void *pd = NULL;
  int64_t n = 0;
  if (argc < 4 || u8_info(env, argv[0], &src, &slen) < 0 || u8_info(env, argv[1], &dst, &dlen) < 0 ||
      napi_get_typedarray_info(env, argv[2], &tt, &plen, &pd, NULL, NULL) != napi_ok || tt != napi_int32_array)
    return p4_throw_type(env, "copyBatch(src: Uint8Array, dst: Uint8Array, plan: Int32Array, n)");
  if (p4_arg_i64(env, argv[3], &n, "n") < 0) return NULL;
  int32_t *plan = pd;
  if (n < 0) n = 0;
  if ((uint64_t)n * 3 > plen) n = (int64_t)(plen / 3);
  int64_t done = 0;
  for (int64_t k = 0; k < n; k++) {
    int64_t so = plan[3 * k], d = plan[3 * k + 1], l = plan[3 * k + 2];
    if (so < 0 || d < 0 || l < 0 || (uint64_t)(so + l) > slen || (uint64_t)(d + l) > dlen) {
      plan[3 * k + 2] = -1;
      continue;
    }
    memmove(dst + d, src + so, (size_t)l);
    done++;
  }
  napi_value r;
  napi_create_int64(env, done, &r);
  return r;
}

/* The data of argument 0 when it is a typed array of the given type and at least min elements, else NULL. */
static void *typed_out(napi_env env, napi_callback_info info, napi_typedarray_type want, size_t min) {
  P4_ARGS(1);
  napi_typedarray_type tt;
  size_t len = 0;
  void *data = NULL;
  if (argc < 1 || napi_get_typedarray_info(env, argv[0], &tt, &len, &data, NULL, NULL) != napi_ok || tt != want || len < min) return NULL;
  return data;
}

/* clockRealtime(out: Int32Array) -> undefined: out[0] = seconds (low 32 bits), out[1] = nanoseconds
 * of CLOCK_REALTIME. Date.now() returns a fresh heap number per call; this allocates nothing. */
static napi_value clock_realtime_js(napi_env env, napi_callback_info info) {
  int32_t *o = typed_out(env, info, napi_int32_array, 2);
  if (o == NULL) return p4_throw_type(env, "clockRealtime(out: Int32Array of 2)");
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  o[0] = (int32_t)(uint32_t)ts.tv_sec;
  o[1] = (int32_t)ts.tv_nsec;
  return NULL;
}

/* clockMonotonic(out: Float64Array) -> undefined: out[0] = CLOCK_MONOTONIC in ns, as a double (exact
 * to well under 1 ns for ~100 days of uptime). performance.now() and Date.now() return a fresh heap
 * number per call (16 bytes, ~1 million a second from a busy poll loop); this allocates nothing. */
static napi_value clock_monotonic_js(napi_env env, napi_callback_info info) {
  double *o = typed_out(env, info, napi_float64_array, 1);
  if (o == NULL) return p4_throw_type(env, "clockMonotonic(out: Float64Array of 1)");
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  o[0] = (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
  return NULL;
}

void register_shm(napi_env env, napi_value exports) {
  p4_set_fn(env, exports, "copyBatch", copy_batch_js);
  p4_set_fn(env, exports, "clockRealtime", clock_realtime_js);
  p4_set_fn(env, exports, "clockMonotonic", clock_monotonic_js);
  p4_set_fn(env, exports, "shmOpen", shm_open_js);
  p4_set_fn(env, exports, "shmClose", shm_close_js);
  p4_set_fn(env, exports, "shmUnlink", shm_unlink_js);
}
