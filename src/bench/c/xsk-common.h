/* Shared by the benchmark's two minimal AF_XDP tools (xdp-fwd.c, xdp-send.c): one AF_XDP socket with
 * its own UMEM and rings, opened with plain system calls (libc + kernel headers, no libbpf/libxdp),
 * plus the ring accessors both tools use in their busy loops. Input: interface name, queue, ring
 * sizes, bind mode. Output: a struct xsk with mmap'ed rings and a stack of free UMEM frames. */
#ifndef P4TEE_BENCH_XSK_COMMON_H
#define P4TEE_BENCH_XSK_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define XSK_FRAME_SIZE 2048u

/* One ring. `head` is our private index: the producer index for fill/TX, the consumer index for
 * RX/completion; it is published with a release store once per burst. */
struct xsk_ring {
  uint32_t *producer;
  uint32_t *consumer;
  uint32_t *flags;
  void *desc;
  uint32_t size;
  uint32_t mask;
  uint32_t head;
  void *map;
  size_t maplen;
};

struct xsk {
  int fd;
  int ifindex;
  int queue;
  int zerocopy; /* what the kernel actually bound */
  char ifname[IF_NAMESIZE];
  uint8_t *umem;
  size_t umem_len;
  uint32_t nframes;
  struct xsk_ring fill, comp, rx, tx;
  /* Free UMEM frames (byte offsets) for TX, a stack. */
  uint64_t *free_frames;
  uint32_t nfree;
};

struct xsk_config {
  int queue;
  uint32_t rx_size;   /* 0: no RX ring (a TX-only socket) */
  uint32_t tx_size;
  uint32_t fill_size; /* the RX frames: fill_size frames go into the fill ring at open */
  uint32_t comp_size;
  uint32_t tx_frames; /* UMEM frames for TX (0: tx_size) */
  int zerocopy;       /* 0: XDP_COPY, 1: XDP_ZEROCOPY */
  int need_wakeup;
};

static inline uint32_t ring_load(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void ring_store(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

static inline double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int is_pow2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

static int map_ring(struct xsk *x, struct xsk_ring *r, uint32_t size, const struct xdp_ring_offset *o, uint64_t pgoff,
                    size_t desc_size) {
  r->maplen = o->desc + (size_t)size * desc_size;
  r->map = mmap(NULL, r->maplen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, x->fd, (off_t)pgoff);
  if (r->map == MAP_FAILED) {
    r->map = NULL;
    return -errno;
  }
  r->producer = (uint32_t *)((char *)r->map + o->producer);
  r->consumer = (uint32_t *)((char *)r->map + o->consumer);
  r->flags = (uint32_t *)((char *)r->map + o->flags);
  r->desc = (char *)r->map + o->desc;
  r->size = size;
  r->mask = size - 1;
  return 0;
}

static void xsk_close(struct xsk *x) {
  struct xsk_ring *rings[4] = {&x->fill, &x->comp, &x->rx, &x->tx};
  for (int i = 0; i < 4; i++)
    if (rings[i]->map) munmap(rings[i]->map, rings[i]->maplen), rings[i]->map = NULL;
  if (x->fd >= 0) close(x->fd);
  x->fd = -1;
  if (x->umem) munmap(x->umem, x->umem_len);
  x->umem = NULL;
  free(x->free_frames);
  x->free_frames = NULL;
}

/* Opens and binds one socket. The UMEM holds fill_size RX frames (all put into the fill ring now)
 * and tx_frames TX frames (on the free stack). 0, or -errno with the failing step in err. */
static int xsk_open(struct xsk *x, const char *ifname, const struct xsk_config *c, char *err, size_t errlen) {
  memset(x, 0, sizeof *x);
  x->fd = -1;
  x->queue = c->queue;
  snprintf(x->ifname, sizeof x->ifname, "%s", ifname);
  int e;
#define FAIL(...)                           \
  do {                                      \
    e = errno ? errno : EINVAL;             \
    snprintf(err, errlen, __VA_ARGS__);     \
    xsk_close(x);                           \
    return -e;                              \
  } while (0)
  errno = 0;
  if (!is_pow2(c->tx_size) || !is_pow2(c->fill_size) || !is_pow2(c->comp_size) || (c->rx_size && !is_pow2(c->rx_size))) {
    errno = EINVAL;
    FAIL("ring sizes must be powers of two");
  }
  x->ifindex = (int)if_nametoindex(ifname);
  if (x->ifindex == 0) FAIL("no interface named '%s'", ifname);
  x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (x->fd < 0) FAIL("socket(AF_XDP): %s", strerror(errno));

  uint32_t tx_frames = c->tx_frames ? c->tx_frames : c->tx_size;
  x->nframes = c->fill_size + tx_frames;
  x->umem_len = (size_t)x->nframes * XSK_FRAME_SIZE;
  void *um = mmap(NULL, x->umem_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (um == MAP_FAILED) FAIL("mmap(UMEM, %zu bytes): %s", x->umem_len, strerror(errno));
  x->umem = um;
  struct xdp_umem_reg ur;
  memset(&ur, 0, sizeof ur);
  ur.addr = (uint64_t)(uintptr_t)x->umem;
  ur.len = x->umem_len;
  ur.chunk_size = XSK_FRAME_SIZE;
  ur.headroom = 0;
  if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &ur, sizeof ur) < 0) FAIL("setsockopt(XDP_UMEM_REG): %s", strerror(errno));
  int fs = (int)c->fill_size, cs = (int)c->comp_size, rs = (int)c->rx_size, ts = (int)c->tx_size;
  if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &fs, sizeof fs) < 0) FAIL("setsockopt(FILL_RING): %s", strerror(errno));
  if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &cs, sizeof cs) < 0)
    FAIL("setsockopt(COMPLETION_RING): %s", strerror(errno));
  if (rs && setsockopt(x->fd, SOL_XDP, XDP_RX_RING, &rs, sizeof rs) < 0) FAIL("setsockopt(RX_RING): %s", strerror(errno));
  if (setsockopt(x->fd, SOL_XDP, XDP_TX_RING, &ts, sizeof ts) < 0) FAIL("setsockopt(TX_RING): %s", strerror(errno));
  struct xdp_mmap_offsets off;
  socklen_t ol = sizeof off;
  if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &ol) < 0) FAIL("getsockopt(XDP_MMAP_OFFSETS): %s", strerror(errno));
  int r;
  if ((r = map_ring(x, &x->fill, c->fill_size, &off.fr, XDP_UMEM_PGOFF_FILL_RING, 8)) < 0) FAIL("mmap(fill ring): %s", strerror(-r));
  if ((r = map_ring(x, &x->comp, c->comp_size, &off.cr, XDP_UMEM_PGOFF_COMPLETION_RING, 8)) < 0)
    FAIL("mmap(completion ring): %s", strerror(-r));
  if (rs && (r = map_ring(x, &x->rx, c->rx_size, &off.rx, XDP_PGOFF_RX_RING, sizeof(struct xdp_desc))) < 0)
    FAIL("mmap(RX ring): %s", strerror(-r));
  if ((r = map_ring(x, &x->tx, c->tx_size, &off.tx, XDP_PGOFF_TX_RING, sizeof(struct xdp_desc))) < 0)
    FAIL("mmap(TX ring): %s", strerror(-r));

  /* RX frames [0, fill_size) into the fill ring (an RX-less socket still needs a fill ring to
   * bind; its frames then just sit there); TX frames on the free stack. */
  uint64_t *fd = x->fill.desc;
  for (uint32_t f = 0; f < c->fill_size; f++) fd[f] = (uint64_t)f * XSK_FRAME_SIZE;
  x->fill.head = c->fill_size;
  ring_store(x->fill.producer, x->fill.head);
  x->free_frames = calloc(tx_frames, sizeof(uint64_t));
  if (!x->free_frames) FAIL("out of memory");
  for (uint32_t f = 0; f < tx_frames; f++) x->free_frames[x->nfree++] = (uint64_t)(c->fill_size + f) * XSK_FRAME_SIZE;
  x->rx.head = 0;
  x->tx.head = 0;
  x->comp.head = 0;

  struct sockaddr_xdp sx;
  memset(&sx, 0, sizeof sx);
  sx.sxdp_family = AF_XDP;
  sx.sxdp_ifindex = (uint32_t)x->ifindex;
  sx.sxdp_queue_id = (uint32_t)c->queue;
  sx.sxdp_flags = (uint16_t)((c->zerocopy ? XDP_ZEROCOPY : XDP_COPY) | (c->need_wakeup ? XDP_USE_NEED_WAKEUP : 0));
  if (bind(x->fd, (struct sockaddr *)&sx, sizeof sx) < 0)
    FAIL("bind(AF_XDP, %s queue %d, %s): %s", ifname, c->queue, c->zerocopy ? "zero-copy" : "copy", strerror(errno));
  struct xdp_options xo;
  socklen_t xl = sizeof xo;
  if (getsockopt(x->fd, SOL_XDP, XDP_OPTIONS, &xo, &xl) == 0) x->zerocopy = (xo.flags & XDP_OPTIONS_ZEROCOPY) != 0;
  return 0;
#undef FAIL
}

/* Moves every completed TX frame back onto the free stack; returns how many. */
static inline uint32_t xsk_reap(struct xsk *x) {
  uint32_t prod = ring_load(x->comp.producer);
  uint32_t c = x->comp.head, n = prod - c;
  if (n == 0) return 0;
  const uint64_t *cd = x->comp.desc;
  for (; c != prod; c++) x->free_frames[x->nfree++] = cd[c & x->comp.mask];
  x->comp.head = c;
  ring_store(x->comp.consumer, c);
  return n;
}

/* Descriptors put into the TX ring that the kernel has not completed yet. */
static inline uint32_t xsk_tx_outstanding(const struct xsk *x) { return x->tx.head - x->comp.head; }

/* sendto() wakeup when the kernel asks for one (copy mode sends only inside it). 1 if made. */
static inline int xsk_kick_tx(struct xsk *x, int need_wakeup) {
  if (need_wakeup && !(ring_load(x->tx.flags) & XDP_RING_NEED_WAKEUP)) return 0;
  sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
  return 1;
}

#endif
