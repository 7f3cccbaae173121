/* xdp-fwd: the minimal C AF_XDP forwarder `npm run bench:io` measures p4tee against. Two interfaces,
 * one AF_XDP socket each on one queue (own UMEM, fill/completion/RX/TX rings, need_wakeup), the
 * project's hand-assembled XSKMAP redirect program (native/xdp-prog.c, included read-only) attached
 * to both; a busy loop forwards every packet received on one interface out of the other, unchanged,
 * in bursts (one memcpy per packet from the RX UMEM into a TX frame of the other socket's UMEM).
 * Prints its counters (JSON on stdout, text on stderr) on SIGINT/SIGTERM or after -d, and detaches.
 * Build: cc -O2 -o xdp-fwd xdp-fwd.c   (libc + kernel headers only) */
#include <getopt.h>
#include <linux/if_link.h>
#include <signal.h>
#include <sys/time.h>

#include "xsk-common.h"
/* The XSKMAP, the redirect program and rtnetlink attach/detach: the addon's own C file, compiled in. */
#include "../../../native/xdp-prog.c"

#define XDP_PASS_ACTION 2
/* RX frames go back to the fill ring in groups of this many: the kernel (on the CPU that receives)
 * then reads whole cache lines of fill entries at a time instead of one entry per packet. The fill
 * ring holds twice the RX ring, so holding back a few frames never starves it. */
#define FILL_BATCH 32

static volatile sig_atomic_t stop_flag = 0;
static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

struct side {
  struct xsk x;
  int map_fd, prog_fd;
  unsigned mode_flags; /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE, once attached */
  int attached;
  /* The direction from this side to the other: packets received here, sent out of the other side,
   * dropped because the other side's TX ring / frames were full, and bursts. */
  uint64_t rx, tx, drop_tx_full, bursts;
  /* Wakeup system calls made on this side's socket. */
  uint64_t rx_wakeups, tx_wakeups;
  /* RX frames on their way back to the fill ring: published FILL_BATCH at a time (see below). */
  uint64_t stash[FILL_BATCH];
  uint32_t nstash;
};

/* Returns the stashed RX frames to the fill ring (it holds every RX frame, so it always has room). */
static inline void fill_flush(struct side *s) {
  struct xsk *a = &s->x;
  uint64_t *fd = a->fill.desc;
  uint32_t fp = a->fill.head;
  for (uint32_t i = 0; i < s->nstash; i++, fp++) fd[fp & a->fill.mask] = s->stash[i];
  s->nstash = 0;
  a->fill.head = fp;
  ring_store(a->fill.producer, fp);
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: xdp-fwd [options] IFACE_A IFACE_B\n"
          "  forwards every packet received on IFACE_A out of IFACE_B and back, unchanged (AF_XDP)\n"
          "  -z           bind in zero-copy mode (default: copy mode)\n"
          "  -S / -N      attach the XDP program in generic (skb) / native (drv) mode (default: drv, else skb)\n"
          "  -q QUEUE     queue on both interfaces (default 0)\n"
          "  -b BURST     packets per burst (default 32)\n"
          "  -r RING      RX/TX ring size; fill/completion rings are twice that (default 1024)\n"
          "  -d SECONDS   stop after this long (default: until SIGINT/SIGTERM)\n"
          "  -W           do not use need_wakeup (wake the kernel every burst)\n"
          "  -P N         after a pass that found no packet, N pause instructions (default 0: pure busy loop)\n");
}

static int attach(struct side *s, int mode, char *err, size_t errlen) {
  s->map_fd = xdp_map_create(64, err, errlen);
  if (s->map_fd < 0) return s->map_fd;
  s->prog_fd = xdp_prog_load(s->map_fd, XDP_PASS_ACTION, err, errlen);
  if (s->prog_fd < 0) return s->prog_fd;
  unsigned tries[2] = {XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE};
  int ntries = 2, first = 0;
  if (mode == 1) ntries = 1;               /* -N: native only */
  if (mode == 2) first = 1, ntries = 2;    /* -S: generic only */
  int r = -EINVAL;
  for (int i = first; i < ntries; i++) {
    r = xdp_link_set(s->x.ifindex, s->prog_fd, tries[i] | XDP_FLAGS_UPDATE_IF_NOEXIST, -1, err, errlen);
    if (r == 0) {
      s->mode_flags = tries[i];
      s->attached = 1;
      break;
    }
    if (r != -EOPNOTSUPP && r != -EINVAL) break;
  }
  if (r < 0) {
    char m[256];
    snprintf(m, sizeof m, "%.200s", err);
    snprintf(err, errlen, "attaching XDP to %s: %s%s%s", s->x.ifname, strerror(-r), m[0] ? ": " : "", m);
    return r;
  }
  r = xdp_map_set(s->map_fd, (unsigned)s->x.queue, s->x.fd);
  if (r < 0) {
    snprintf(err, errlen, "XSKMAP update for %s: %s", s->x.ifname, strerror(-r));
    return r;
  }
  return 0;
}

static void detach(struct side *s) {
  char err[256];
  if (s->attached) {
    if (xdp_link_set(s->x.ifindex, -1, s->mode_flags, s->prog_fd, err, sizeof err) < 0)
      xdp_link_set(s->x.ifindex, -1, s->mode_flags, -1, err, sizeof err); /* kernels without EXPECTED_FD */
    s->attached = 0;
  }
  if (s->prog_fd > 0) close(s->prog_fd);
  if (s->map_fd > 0) close(s->map_fd);
  s->prog_fd = s->map_fd = -1;
}

/* One burst from a's RX ring to b's TX ring. Returns the packets taken from a. */
static inline uint32_t forward(struct side *sa, struct side *sb, uint32_t burst, int need_wakeup) {
  struct xsk *a = &sa->x, *b = &sb->x;
  uint32_t cons = a->rx.head;
  uint32_t avail = ring_load(a->rx.producer) - cons;
  if (avail == 0) {
    if (sa->nstash) fill_flush(sa);
    /* The kernel stopped for want of fill-ring buffers: wake it (recvfrom). */
    if (!need_wakeup || (ring_load(a->fill.flags) & XDP_RING_NEED_WAKEUP)) {
      recvfrom(a->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
      sa->rx_wakeups++;
    }
    /* Completions still pending on b: keep the TX side moving. */
    if (xsk_tx_outstanding(b) != 0) {
      xsk_reap(b);
      if (b->tx.head != ring_load(b->tx.consumer) && xsk_kick_tx(b, need_wakeup)) sb->tx_wakeups++;
    }
    return 0;
  }
  uint32_t n = avail < burst ? avail : burst;
  xsk_reap(b);
  uint32_t room = b->tx.size - (b->tx.head - ring_load(b->tx.consumer));
  if (room > b->nfree) room = b->nfree;
  const struct xdp_desc *rd = a->rx.desc;
  struct xdp_desc *td = b->tx.desc;
  uint32_t tp = b->tx.head, sent = 0;
  for (uint32_t k = 0; k < n; k++) {
    const struct xdp_desc *d = &rd[(cons + k) & a->rx.mask];
    if (sent < room) {
      uint64_t to = b->free_frames[--b->nfree];
      memcpy(b->umem + to, a->umem + d->addr, d->len);
      struct xdp_desc *t = &td[tp & b->tx.mask];
      t->addr = to;
      t->len = d->len;
      t->options = 0;
      tp++;
      sent++;
    }
    /* The RX frame goes back to the fill ring (the copy is done). */
    sa->stash[sa->nstash++] = d->addr & ~(uint64_t)(XSK_FRAME_SIZE - 1);
    if (sa->nstash == FILL_BATCH) fill_flush(sa);
  }
  a->rx.head = cons + n;
  ring_store(a->rx.consumer, a->rx.head);
  if (sent) {
    b->tx.head = tp;
    ring_store(b->tx.producer, tp);
  }
  if (b->tx.head != ring_load(b->tx.consumer) && xsk_kick_tx(b, need_wakeup)) sb->tx_wakeups++;
  sa->rx += n;
  sa->tx += sent;
  sa->drop_tx_full += n - sent;
  sa->bursts++;
  return n;
}

static inline void cpu_relax(unsigned n) {
  for (unsigned i = 0; i < n; i++) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
  }
}

int main(int argc, char **argv) {
  int zerocopy = 0, xdp_mode = 0, queue = 0, need_wakeup = 1;
  unsigned idle_pause = 0;
  uint32_t burst = 32, ring = 1024;
  double duration = 0;
  int opt;
  while ((opt = getopt(argc, argv, "zSNq:b:r:d:WP:h")) != -1) {
    switch (opt) {
      case 'z': zerocopy = 1; break;
      case 'S': xdp_mode = 2; break;
      case 'N': xdp_mode = 1; break;
      case 'q': queue = atoi(optarg); break;
      case 'b': burst = (uint32_t)atoi(optarg); break;
      case 'r': ring = (uint32_t)atoi(optarg); break;
      case 'd': duration = atof(optarg); break;
      case 'W': need_wakeup = 0; break;
      case 'P': idle_pause = (unsigned)atoi(optarg); break;
      case 'h': usage(stdout); return 0;
      default: usage(stderr); return 2;
    }
  }
  if (argc - optind != 2 || burst < 1 || burst > 1024 || !is_pow2(ring) || ring < 64) {
    usage(stderr);
    return 2;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: the loop sees the flag at once */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGALRM, &sa, NULL);

  static struct side sides[2];
  char err[70 * 1024];
  int rc = 0;
  struct xsk_config cfg = {.queue = queue, .rx_size = ring, .tx_size = ring, .fill_size = 2 * ring,
                           .comp_size = 2 * ring, .zerocopy = zerocopy, .need_wakeup = need_wakeup};
  for (int i = 0; i < 2; i++) sides[i].map_fd = sides[i].prog_fd = -1, sides[i].x.fd = -1;
  for (int i = 0; i < 2; i++) {
    if (xsk_open(&sides[i].x, argv[optind + i], &cfg, err, sizeof err) < 0 || attach(&sides[i], xdp_mode, err, sizeof err) < 0) {
      fprintf(stderr, "xdp-fwd: %s\n", err);
      rc = 1;
      goto out;
    }
  }
  fprintf(stderr, "xdp-fwd: ready %s <-> %s (queue %d, %s, xdp %s/%s, burst %u, ring %u%s)\n", sides[0].x.ifname,
          sides[1].x.ifname, queue, sides[0].x.zerocopy && sides[1].x.zerocopy ? "zero-copy" : "copy",
          sides[0].mode_flags == XDP_FLAGS_DRV_MODE ? "drv" : "skb", sides[1].mode_flags == XDP_FLAGS_DRV_MODE ? "drv" : "skb",
          burst, ring, need_wakeup ? ", need_wakeup" : "");
  if (duration > 0) {
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = (time_t)duration;
    it.it_value.tv_usec = (suseconds_t)((duration - (double)(time_t)duration) * 1e6);
    if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0) it.it_value.tv_usec = 1;
    setitimer(ITIMER_REAL, &it, NULL);
  }
  double t0 = now_s();
  while (!stop_flag) {
    uint32_t got = forward(&sides[0], &sides[1], burst, need_wakeup);
    got += forward(&sides[1], &sides[0], burst, need_wakeup);
    if (got == 0) cpu_relax(idle_pause);
  }
  double secs = now_s() - t0;
  struct xdp_statistics st[2];
  memset(st, 0, sizeof st);
  for (int i = 0; i < 2; i++) {
    socklen_t sl = sizeof st[i];
    getsockopt(sides[i].x.fd, SOL_XDP, XDP_STATISTICS, &st[i], &sl);
  }
  struct side *A = &sides[0], *B = &sides[1];
  fprintf(stderr,
          "xdp-fwd: stopped after %.2f s: %s->%s rx %llu tx %llu tx-full %llu; %s->%s rx %llu tx %llu tx-full %llu; "
          "kernel rx-dropped %llu/%llu rx-ring-full %llu/%llu\n",
          secs, A->x.ifname, B->x.ifname, (unsigned long long)A->rx, (unsigned long long)A->tx,
          (unsigned long long)A->drop_tx_full, B->x.ifname, A->x.ifname, (unsigned long long)B->rx,
          (unsigned long long)B->tx, (unsigned long long)B->drop_tx_full, (unsigned long long)st[0].rx_dropped,
          (unsigned long long)st[1].rx_dropped, (unsigned long long)st[0].rx_ring_full,
          (unsigned long long)st[1].rx_ring_full);
  printf("{\"seconds\":%.6f,\"rx\":[%llu,%llu],\"tx\":[%llu,%llu],\"txFull\":[%llu,%llu],\"bursts\":[%llu,%llu],"
         "\"rxWakeups\":[%llu,%llu],\"txWakeups\":[%llu,%llu],\"kernelRxDropped\":[%llu,%llu],\"kernelRxRingFull\":[%llu,%llu]}\n",
         secs, (unsigned long long)A->rx, (unsigned long long)B->rx, (unsigned long long)A->tx, (unsigned long long)B->tx,
         (unsigned long long)A->drop_tx_full, (unsigned long long)B->drop_tx_full, (unsigned long long)A->bursts,
         (unsigned long long)B->bursts, (unsigned long long)A->rx_wakeups, (unsigned long long)B->rx_wakeups,
         (unsigned long long)A->tx_wakeups, (unsigned long long)B->tx_wakeups, (unsigned long long)st[0].rx_dropped,
         (unsigned long long)st[1].rx_dropped, (unsigned long long)st[0].rx_ring_full, (unsigned long long)st[1].rx_ring_full);
  fflush(stdout);
out:
  for (int i = 0; i < 2; i++) detach(&sides[i]);
  for (int i = 0; i < 2; i++) xsk_close(&sides[i].x);
  return rc;
}
