/* AF_XDP for the afxdp driver: opens an XDP socket with a UMEM, sets up its fill, completion, RX and
 * TX rings, and hands the UMEM and every ring's mmap'ed memory to JavaScript as external
 * ArrayBuffers, so TypeScript (src/runtime/io/afxdp.ts) moves whole bursts itself. Native calls are
 * per burst only: wakeups (when need_wakeup says so), a batched memcpy, statistics, and the XDP
 * program/XSKMAP/link plumbing from xdp-prog.c. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addon.h"
/* xdp-prog.c is compiled as part of this file (binding.gyp lists only afxdp.c): do not add it to
 * the sources list as well, or its functions would be defined twice. */
#include "xdp-prog.c"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef SO_BUSY_POLL
#define SO_BUSY_POLL 46
#endif
#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

/* One mmap'ed region lent to JS. The ArrayBuffer's finalizer unmaps it; close() first swaps ring
 * mappings for anonymous memory (so the socket is released at once while stale views stay safe). */
struct region {
  void *addr;
  size_t len;
  int ab_alive;     /* the external ArrayBuffer still exists */
  int owner_alive;  /* the socket handle still refers to this record */
};

enum { R_UMEM, R_FILL, R_COMP, R_RX, R_TX, R_COUNT };

struct xsk {
  int fd;
  struct region *reg[R_COUNT];
};

static void region_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  struct region *r = hint;
  if (r->addr && r->addr != MAP_FAILED) munmap(r->addr, r->len);
  r->ab_alive = 0;
  if (!r->owner_alive) free(r);
}

static void xsk_release(struct xsk *x, int remap) {
  for (int i = 0; i < R_COUNT; i++) {
    struct region *r = x->reg[i];
    if (!r) continue;
    /* Ring mappings hold a reference on the socket file: replace them with zero pages. */
    if (remap && i != R_UMEM && r->ab_alive)
      mmap(r->addr, r->len, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    r->owner_alive = 0;
    if (!r->ab_alive) free(r);
    x->reg[i] = NULL;
  }
  if (x->fd >= 0) close(x->fd);
  x->fd = -1;
}

static void xsk_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  struct xsk *x = data;
  /* Not closed by JS: close the fd but leave the mappings to their own finalizers. */
  xsk_release(x, 0);
  free(x);
}

static napi_value throw_msg(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

static napi_value region_buffer(napi_env env, struct region *r) {
  napi_value ab;
  if (napi_create_external_arraybuffer(env, r->addr, r->len, region_finalize, r, &ab) != napi_ok) return NULL;
  r->ab_alive = 1;
  return ab;
}

static void set_ring_offsets(napi_env env, napi_value obj, const char *name, const struct xdp_ring_offset *o,
                             int64_t size) {
  napi_value ring;
  napi_create_object(env, &ring);
  p4_set_num(env, ring, "producer", (double)o->producer);
  p4_set_num(env, ring, "consumer", (double)o->consumer);
  p4_set_num(env, ring, "desc", (double)o->desc);
  p4_set_num(env, ring, "flags", (double)o->flags);
  p4_set_num(env, ring, "size", (double)size);
  napi_set_named_property(env, obj, name, ring);
}

static int pow2(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

/* xskOpen({ifindex, queue, frameSize, frameCount, umemHeadroom, fillSize, compSize, rxSize, txSize,
 *          mode: 0 any | 1 copy | 2 zerocopy, needWakeup, busyPoll, preferBusyPoll, busyBudget,
 *          bindBusyMs})
 * -> {fd, handle, zerocopy, umem, fill, comp, rx, tx, offsets: {fill, comp, rx, tx}}
 * bindBusyMs: how long bind() is retried (every 20 ms) while it says EBUSY; the kernel releases a
 * closed socket's queue a little after close() (deferred work). The retries reuse this socket and
 * its UMEM: a failed bind leaves the socket unbound and its rings in place. */
static napi_value xsk_open(napi_env env, napi_callback_info info) {
  P4_ARGS(1);
  napi_valuetype t;
  if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_object)
    return p4_throw_type(env, "xskOpen(options) needs an options object");
  napi_value o = argv[0];
  int64_t ifindex = 0, queue = 0, frame_size = 4096, frame_count = 4096, headroom = 0;
  int64_t fill_size = 2048, comp_size = 2048, rx_size = 2048, tx_size = 2048;
  int64_t mode = 0, need_wakeup = 1, busy_poll = 0, prefer_busy = 0, busy_budget = 0, busy_ms = 0;
  if (p4_prop_i64(env, o, "ifindex", &ifindex) || p4_prop_i64(env, o, "queue", &queue) ||
      p4_prop_i64(env, o, "frameSize", &frame_size) || p4_prop_i64(env, o, "frameCount", &frame_count) ||
      p4_prop_i64(env, o, "umemHeadroom", &headroom) || p4_prop_i64(env, o, "fillSize", &fill_size) ||
      p4_prop_i64(env, o, "compSize", &comp_size) || p4_prop_i64(env, o, "rxSize", &rx_size) ||
      p4_prop_i64(env, o, "txSize", &tx_size) || p4_prop_i64(env, o, "mode", &mode) ||
      p4_prop_i64(env, o, "needWakeup", &need_wakeup) || p4_prop_i64(env, o, "busyPoll", &busy_poll) ||
      p4_prop_i64(env, o, "preferBusyPoll", &prefer_busy) || p4_prop_i64(env, o, "busyBudget", &busy_budget) ||
      p4_prop_i64(env, o, "bindBusyMs", &busy_ms))
    return NULL;
  if (ifindex <= 0) return p4_throw_type(env, "xskOpen: ifindex must be a positive interface index");
  if (!pow2(frame_size) || frame_size < 2048 || frame_size > 65536)
    return p4_throw_type(env, "xskOpen: frameSize must be a power of two in [2048, 65536]");
  if (!pow2(fill_size) || !pow2(comp_size) || !pow2(rx_size) || !pow2(tx_size))
    return p4_throw_type(env, "xskOpen: ring sizes must be powers of two");
  if (frame_count <= 0 || frame_count * frame_size > ((int64_t)1 << 32))
    return p4_throw_type(env, "xskOpen: frameCount * frameSize must be in (0, 4 GiB]");

  struct xsk *x = calloc(1, sizeof *x);
  if (!x) return p4_throw_errno(env, "xskOpen", ENOMEM);
  x->fd = -1;
  char what[160];
  int e = 0;

  x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (x->fd < 0) {
    e = errno;
    snprintf(what, sizeof what, "socket(AF_XDP)");
    goto fail;
  }

  /* UMEM: anonymous memory aligned to 2 MiB and advised for transparent huge pages (best effort:
   * THP may be off), then populated, registered with the socket. Huge pages as DPDK uses them: the
   * UMEM of a 4096-slot port is tens of MiB, thousands of 4 KiB TLB entries after every switch of
   * address space (a secure pipeline's enclave process takes turns on the core), a handful in 2 MiB. */
  size_t umem_len = (size_t)(frame_count * frame_size);
  const size_t huge = (size_t)2 << 20;
  uint8_t *raw = mmap(NULL, umem_len + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    e = errno;
    snprintf(what, sizeof what, "mmap(UMEM, %zu bytes)", umem_len);
    goto fail;
  }
  uint8_t *umem = (uint8_t *)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
  size_t head = (size_t)(umem - raw);
  if (head > 0) munmap(raw, head);
  if (huge - head > 0) munmap(umem + umem_len, huge - head);
#ifdef MADV_HUGEPAGE
  madvise(umem, umem_len, MADV_HUGEPAGE);
#endif
  memset(umem, 0, umem_len); /* populate now (what MAP_POPULATE did), not on the first packets */
  x->reg[R_UMEM] = calloc(1, sizeof(struct region));
  if (!x->reg[R_UMEM]) {
    munmap(umem, umem_len);
    e = ENOMEM;
    snprintf(what, sizeof what, "xskOpen");
    goto fail;
  }
  *x->reg[R_UMEM] = (struct region){umem, umem_len, 0, 1};

  struct xdp_umem_reg ur;
  memset(&ur, 0, sizeof ur);
  ur.addr = (uint64_t)(uintptr_t)umem;
  ur.len = umem_len;
  ur.chunk_size = (uint32_t)frame_size;
  ur.headroom = (uint32_t)headroom;
  if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &ur, sizeof ur) < 0) {
    e = errno;
    snprintf(what, sizeof what, "setsockopt(XDP_UMEM_REG)");
    goto fail;
  }
  int sizes[R_COUNT] = {0, (int)fill_size, (int)comp_size, (int)rx_size, (int)tx_size};
  static const int opts[R_COUNT] = {0, XDP_UMEM_FILL_RING, XDP_UMEM_COMPLETION_RING, XDP_RX_RING, XDP_TX_RING};
  static const char *names[R_COUNT] = {"UMEM", "XDP_UMEM_FILL_RING", "XDP_UMEM_COMPLETION_RING", "XDP_RX_RING",
                                       "XDP_TX_RING"};
  for (int i = R_FILL; i < R_COUNT; i++) {
    if (sizes[i] == 0) continue; /* an RX-only or TX-only socket */
    if (setsockopt(x->fd, SOL_XDP, opts[i], &sizes[i], sizeof(int)) < 0) {
      e = errno;
      snprintf(what, sizeof what, "setsockopt(%s, %d)", names[i], sizes[i]);
      goto fail;
    }
  }
  struct xdp_mmap_offsets off;
  socklen_t ol = sizeof off;
  if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &ol) < 0) {
    e = errno;
    snprintf(what, sizeof what, "getsockopt(XDP_MMAP_OFFSETS)");
    goto fail;
  }
  const struct xdp_ring_offset *ro[R_COUNT] = {NULL, &off.fr, &off.cr, &off.rx, &off.tx};
  static const uint64_t pgoff[R_COUNT] = {0, XDP_UMEM_PGOFF_FILL_RING, XDP_UMEM_PGOFF_COMPLETION_RING,
                                          XDP_PGOFF_RX_RING, XDP_PGOFF_TX_RING};
  for (int i = R_FILL; i < R_COUNT; i++) {
    if (sizes[i] == 0) continue;
    size_t desc_size = (i == R_RX || i == R_TX) ? sizeof(struct xdp_desc) : sizeof(uint64_t);
    size_t len = ro[i]->desc + (size_t)sizes[i] * desc_size;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, x->fd, (off_t)pgoff[i]);
    if (p == MAP_FAILED) {
      e = errno;
      snprintf(what, sizeof what, "mmap(%s)", names[i]);
      goto fail;
    }
    x->reg[i] = calloc(1, sizeof(struct region));
    if (!x->reg[i]) {
      munmap(p, len);
      e = ENOMEM;
      snprintf(what, sizeof what, "xskOpen");
      goto fail;
    }
    *x->reg[i] = (struct region){p, len, 0, 1};
  }

  /* Busy polling (before bind so the first poll already uses it). */
  if (prefer_busy) {
    int v = 1;
    if (setsockopt(x->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &v, sizeof v) < 0) {
      e = errno;
      snprintf(what, sizeof what, "setsockopt(SO_PREFER_BUSY_POLL)");
      goto fail;
    }
  }
  if (busy_poll > 0) {
    int v = (int)busy_poll;
    if (setsockopt(x->fd, SOL_SOCKET, SO_BUSY_POLL, &v, sizeof v) < 0) {
      e = errno;
      snprintf(what, sizeof what, "setsockopt(SO_BUSY_POLL, %d)", v);
      goto fail;
    }
  }
  if (busy_budget > 0) {
    int v = (int)busy_budget;
    if (setsockopt(x->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &v, sizeof v) < 0) {
      e = errno;
      snprintf(what, sizeof what, "setsockopt(SO_BUSY_POLL_BUDGET, %d)", v);
      goto fail;
    }
  }

  struct sockaddr_xdp sx;
  memset(&sx, 0, sizeof sx);
  sx.sxdp_family = AF_XDP;
  sx.sxdp_ifindex = (uint32_t)ifindex;
  sx.sxdp_queue_id = (uint32_t)queue;
  sx.sxdp_flags = (uint16_t)((mode == 1 ? XDP_COPY : mode == 2 ? XDP_ZEROCOPY : 0) |
                             (need_wakeup ? XDP_USE_NEED_WAKEUP : 0));
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while (bind(x->fd, (struct sockaddr *)&sx, sizeof sx) < 0) {
    e = errno;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int64_t waited = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    if (e == EBUSY && waited < busy_ms) {
      struct timespec pause = {0, 20 * 1000 * 1000};
      nanosleep(&pause, NULL);
      continue;
    }
    snprintf(what, sizeof what, "bind(AF_XDP, ifindex %lld, queue %lld, %s)", (long long)ifindex, (long long)queue,
             mode == 1 ? "copy" : mode == 2 ? "zerocopy" : "any mode");
    goto fail;
  }
  int zc = 0;
  struct xdp_options xo;
  socklen_t xl = sizeof xo;
  if (getsockopt(x->fd, SOL_XDP, XDP_OPTIONS, &xo, &xl) == 0) zc = (xo.flags & XDP_OPTIONS_ZEROCOPY) != 0;

  napi_value res, v, offs;
  napi_create_object(env, &res);
  p4_set_num(env, res, "fd", x->fd);
  p4_set_num(env, res, "zerocopy", zc);
  napi_value handle;
  if (napi_create_external(env, x, xsk_finalize, NULL, &handle) != napi_ok) {
    e = ENOMEM;
    snprintf(what, sizeof what, "napi_create_external");
    goto fail;
  }
  napi_set_named_property(env, res, "handle", handle);
  static const char *keys[R_COUNT] = {"umem", "fill", "comp", "rx", "tx"};
  napi_create_object(env, &offs);
  for (int i = 0; i < R_COUNT; i++) {
    if (!x->reg[i]) continue;
    v = region_buffer(env, x->reg[i]);
    if (v) napi_set_named_property(env, res, keys[i], v);
    if (i != R_UMEM) set_ring_offsets(env, offs, keys[i], ro[i], sizes[i]);
  }
  napi_set_named_property(env, res, "offsets", offs);
  return res;

fail:
  /* Nothing was lent to JS yet: unmap and free everything here. */
  for (int i = 0; i < R_COUNT; i++) {
    if (x->reg[i]) {
      munmap(x->reg[i]->addr, x->reg[i]->len);
      free(x->reg[i]);
    }
  }
  if (x->fd >= 0) close(x->fd);
  free(x);
  return p4_throw_errno(env, what, e);
}

static struct xsk *get_xsk(napi_env env, napi_value v) {
  void *p = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &p) != napi_ok) {
    p4_throw_type(env, "expected an AF_XDP socket handle");
    return NULL;
  }
  return p;
}

/* xskClose(handle): releases the socket now; the ArrayBuffers stay valid (zero pages) until GC. */
static napi_value xsk_close(napi_env env, napi_callback_info info) {
  P4_ARGS(1);
  if (argc < 1) return p4_throw_type(env, "xskClose(handle)");
  struct xsk *x = get_xsk(env, argv[0]);
  if (!x) return NULL;
  xsk_release(x, 1);
  return NULL;
}

static int arg_int(napi_env env, napi_value *argv, size_t argc, size_t i, int64_t *out, const char *name) {
  if (i >= argc) {
    char m[96];
    snprintf(m, sizeof m, "missing argument %s", name);
    p4_throw_type(env, m);
    return -1;
  }
  return p4_arg_i64(env, argv[i], out, name);
}

static napi_value num(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

/* xskKick(fd, dir): dir 0 = RX (recvfrom, MSG_DONTWAIT), 1 = TX (sendto, MSG_DONTWAIT).
 * Returns 0 or -errno (EAGAIN/EBUSY/ENOBUFS/ENETDOWN are transient: try again next burst). */
static napi_value xsk_kick(napi_env env, napi_callback_info info) {
  P4_ARGS(2);
  int64_t fd, dir;
  if (arg_int(env, argv, argc, 0, &fd, "fd") || arg_int(env, argv, argc, 1, &dir, "dir")) return NULL;
  ssize_t r = dir == 1 ? sendto((int)fd, NULL, 0, MSG_DONTWAIT, NULL, 0)
                       : recvfrom((int)fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
  return num(env, r < 0 ? -errno : 0);
}

/* xskPoll(fd, events (1 = in, 4 = out), timeoutMs) -> revents or -errno. */
static napi_value xsk_poll(napi_env env, napi_callback_info info) {
  P4_ARGS(3);
  int64_t fd, ev, to;
  if (arg_int(env, argv, argc, 0, &fd, "fd") || arg_int(env, argv, argc, 1, &ev, "events") ||
      arg_int(env, argv, argc, 2, &to, "timeoutMs"))
    return NULL;
  struct pollfd p = {.fd = (int)fd, .events = (short)ev, .revents = 0};
  int r = poll(&p, 1, (int)to);
  return num(env, r < 0 ? -errno : p.revents);
}

/* xskStats(fd, out: Float64Array(6)): rx_dropped, rx_invalid_descs, tx_invalid_descs,
 * rx_ring_full, rx_fill_ring_empty_descs, tx_ring_empty_descs. Returns 0 or -errno. */
static napi_value xsk_stats(napi_env env, napi_callback_info info) {
  P4_ARGS(2);
  int64_t fd;
  if (arg_int(env, argv, argc, 0, &fd, "fd")) return NULL;
  napi_typedarray_type tt;
  size_t n = 0;
  void *data = NULL;
  if (argc < 2 || napi_get_typedarray_info(env, argv[1], &tt, &n, &data, NULL, NULL) != napi_ok ||
      tt != napi_float64_array || n < 6)
    return p4_throw_type(env, "xskStats(fd, out): out must be a Float64Array of at least 6");
  struct xdp_statistics st;
  memset(&st, 0, sizeof st);
  socklen_t sl = sizeof st;
  if (getsockopt((int)fd, SOL_XDP, XDP_STATISTICS, &st, &sl) < 0) return num(env, -errno);
  double *d = data;
  d[0] = (double)st.rx_dropped;
  d[1] = (double)st.rx_invalid_descs;
  d[2] = (double)st.tx_invalid_descs;
  /* The last three fields arrived in 5.9; older kernels return the short struct. */
  d[3] = sl >= sizeof st ? (double)st.rx_ring_full : 0;
  d[4] = sl >= sizeof st ? (double)st.rx_fill_ring_empty_descs : 0;
  d[5] = sl >= sizeof st ? (double)st.tx_ring_empty_descs : 0;
  return num(env, 0);
}

static int get_bytes(napi_env env, napi_value v, uint8_t **p, size_t *len) {
  napi_typedarray_type tt;
  void *data = NULL;
  if (napi_get_typedarray_info(env, v, &tt, len, &data, NULL, NULL) != napi_ok || tt != napi_uint8_array) return -1;
  *p = data;
  return 0;
}

/* memcpyBatch(src: Uint8Array, dst: Uint8Array, plan: Int32Array, n): for k < n copies
 * plan[3k+2] bytes from src[plan[3k]] to dst[plan[3k+1]]. Entries out of bounds are skipped and
 * their length set to -1. Returns the number copied. One native call per burst. */
static napi_value memcpy_batch(napi_env env, napi_callback_info info) {
  P4_ARGS(4);
  uint8_t *src, *dst;
  size_t slen, dlen, plen = 0;
  int64_t n;
  napi_typedarray_type tt;
  void *pd = NULL;
  if (argc < 4 || get_bytes(env, argv[0], &src, &slen) || get_bytes(env, argv[1], &dst, &dlen) ||
      napi_get_typedarray_info(env, argv[2], &tt, &plen, &pd, NULL, NULL) != napi_ok || tt != napi_int32_array)
    return p4_throw_type(env, "memcpyBatch(src: Uint8Array, dst: Uint8Array, plan: Int32Array, n)");
  if (p4_arg_i64(env, argv[3], &n, "n")) return NULL;
  int32_t *plan = pd;
  if (n < 0) n = 0;
  if ((size_t)n * 3 > plen) n = (int64_t)(plen / 3);
  int64_t done = 0;
  for (int64_t k = 0; k < n; k++) {
    int64_t so = plan[3 * k], d = plan[3 * k + 1], l = plan[3 * k + 2];
    if (so < 0 || d < 0 || l < 0 || (size_t)(so + l) > slen || (size_t)(d + l) > dlen) {
      plan[3 * k + 2] = -1;
      continue;
    }
    memcpy(dst + d, src + so, (size_t)l);
    done++;
  }
  return num(env, (double)done);
}

/* ifNameToIndex(name) -> index, 0 when there is no such interface. */
static napi_value if_index(napi_env env, napi_callback_info info) {
  P4_ARGS(1);
  char name[IF_NAMESIZE + 1];
  size_t l = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &l) != napi_ok)
    return p4_throw_type(env, "ifNameToIndex(name: string)");
  return num(env, if_nametoindex(name));
}

/* xdpMapCreate(maxEntries) -> fd (throws with the reason). */
static napi_value map_create(napi_env env, napi_callback_info info) {
  P4_ARGS(1);
  int64_t n;
  if (arg_int(env, argv, argc, 0, &n, "maxEntries")) return NULL;
  char err[256];
  int fd = xdp_map_create((unsigned)n, err, sizeof err);
  if (fd < 0) return throw_msg(env, "EBPF", err);
  return num(env, fd);
}

/* xdpProgLoad(mapFd, fallbackAction) -> fd (throws with the verifier log on failure). */
static napi_value prog_load(napi_env env, napi_callback_info info) {
  P4_ARGS(2);
  int64_t mfd, act;
  if (arg_int(env, argv, argc, 0, &mfd, "mapFd") || arg_int(env, argv, argc, 1, &act, "fallbackAction")) return NULL;
  size_t errlen = 70 * 1024;
  char *err = malloc(errlen);
  if (!err) return p4_throw_errno(env, "xdpProgLoad", ENOMEM);
  int fd = xdp_prog_load((int)mfd, (int)act, err, errlen);
  if (fd < 0) {
    throw_msg(env, "EBPF", err);
    free(err);
    return NULL;
  }
  free(err);
  return num(env, fd);
}

/* xdpMapSet(mapFd, key, fd) / xdpMapDelete(mapFd, key) -> 0 or -errno. */
static napi_value map_set(napi_env env, napi_callback_info info) {
  P4_ARGS(3);
  int64_t m, k, f;
  if (arg_int(env, argv, argc, 0, &m, "mapFd") || arg_int(env, argv, argc, 1, &k, "key") ||
      arg_int(env, argv, argc, 2, &f, "fd"))
    return NULL;
  return num(env, xdp_map_set((int)m, (unsigned)k, (int)f));
}

static napi_value map_delete(napi_env env, napi_callback_info info) {
  P4_ARGS(2);
  int64_t m, k;
  if (arg_int(env, argv, argc, 0, &m, "mapFd") || arg_int(env, argv, argc, 1, &k, "key")) return NULL;
  return num(env, xdp_map_delete((int)m, (unsigned)k));
}

/* xdpAttach(ifindex, progFd (-1 detaches), flags, expectedFd (-1: none)) -> 0; throws with the
 * kernel's extended-ack message on failure. */
static napi_value attach(napi_env env, napi_callback_info info) {
  P4_ARGS(4);
  int64_t ifx, pfd, fl, ex = -1;
  if (arg_int(env, argv, argc, 0, &ifx, "ifindex") || arg_int(env, argv, argc, 1, &pfd, "progFd") ||
      arg_int(env, argv, argc, 2, &fl, "flags"))
    return NULL;
  if (argc > 3 && p4_arg_i64(env, argv[3], &ex, "expectedFd")) return NULL;
  char err[256], msg[400];
  int r = xdp_link_set((int)ifx, (int)pfd, (unsigned)fl, (int)ex, err, sizeof err);
  if (r < 0) {
    snprintf(msg, sizeof msg, "rtnetlink RTM_SETLINK IFLA_XDP (%s ifindex %lld): %s%s%s", pfd >= 0 ? "attach to" : "detach from",
             (long long)ifx, strerror(-r), err[0] ? ": " : "", err);
    napi_value m, e, c;
    napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
    napi_create_string_utf8(env, "ENETLINK", NAPI_AUTO_LENGTH, &c);
    napi_create_error(env, c, m, &e);
    p4_set_num(env, e, "errno", -r);
    napi_throw(env, e);
    return NULL;
  }
  return num(env, 0);
}

/* xdpLinkCreate(progFd, ifindex, flags) -> link fd; throws (with .errno) when the kernel refuses.
 * Closing the fd (closeFd) detaches the program; so does the death of the process. */
static napi_value link_create(napi_env env, napi_callback_info info) {
  P4_ARGS(3);
  int64_t pfd, ifx, fl;
  if (arg_int(env, argv, argc, 0, &pfd, "progFd") || arg_int(env, argv, argc, 1, &ifx, "ifindex") ||
      arg_int(env, argv, argc, 2, &fl, "flags"))
    return NULL;
  int r = xdp_bpf_link_create((int)pfd, (int)ifx, (unsigned)fl);
  if (r < 0) {
    char what[96];
    snprintf(what, sizeof what, "bpf(BPF_LINK_CREATE, BPF_XDP, ifindex %lld)", (long long)ifx);
    return p4_throw_errno(env, what, -r);
  }
  return num(env, r);
}

/* xdpQuery(ifindex) -> {progId, mode} (mode: XDP_ATTACHED_NONE 0, DRV 1, SKB 2, HW 3, MULTI 4). */
static napi_value query(napi_env env, napi_callback_info info) {
  P4_ARGS(1);
  int64_t ifx;
  if (arg_int(env, argv, argc, 0, &ifx, "ifindex")) return NULL;
  unsigned id = 0, mode = 0;
  int r = xdp_link_query((int)ifx, &id, &mode);
  if (r < 0) return p4_throw_errno(env, "rtnetlink RTM_GETLINK", -r);
  napi_value o;
  napi_create_object(env, &o);
  p4_set_num(env, o, "progId", id);
  p4_set_num(env, o, "mode", mode);
  return o;
}

/* closeFd(fd): for program and map fds. */
static napi_value close_fd(napi_env env, napi_callback_info info) {
  P4_ARGS(1);
  int64_t fd;
  if (arg_int(env, argv, argc, 0, &fd, "fd")) return NULL;
  return num(env, close((int)fd) < 0 ? -errno : 0);
}

void register_afxdp(napi_env env, napi_value exports) {
  napi_value o;
  napi_create_object(env, &o);
  p4_set_fn(env, o, "xskOpen", xsk_open);
  p4_set_fn(env, o, "xskClose", xsk_close);
  p4_set_fn(env, o, "xskKick", xsk_kick);
  p4_set_fn(env, o, "xskPoll", xsk_poll);
  p4_set_fn(env, o, "xskStats", xsk_stats);
  p4_set_fn(env, o, "memcpyBatch", memcpy_batch);
  p4_set_fn(env, o, "ifNameToIndex", if_index);
  p4_set_fn(env, o, "xdpMapCreate", map_create);
  p4_set_fn(env, o, "xdpProgLoad", prog_load);
  p4_set_fn(env, o, "xdpMapSet", map_set);
  p4_set_fn(env, o, "xdpMapDelete", map_delete);
  p4_set_fn(env, o, "xdpAttach", attach);
  p4_set_fn(env, o, "xdpLinkCreate", link_create);
  p4_set_fn(env, o, "xdpQuery", query);
  p4_set_fn(env, o, "closeFd", close_fd);
  napi_set_named_property(env, exports, "afxdp", o);
}
