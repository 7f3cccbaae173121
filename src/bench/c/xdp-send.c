/* xdp-send: the minimal C AF_XDP sender, the baseline load generator of `npm run bench:io` (and the
 * reference p4tee's own generator is compared to). One TX-only AF_XDP socket; every UMEM TX frame is
 * filled once at start with the same Ethernet/IPv4/UDP frame (to UDP 7777 with the 16-byte study
 * header of examples/study-forward: seq = frame number, secret, reserved 0); per packet only a TX
 * descriptor is written; completed frames are recycled from the completion ring. Sends as fast as
 * it can (or at -r PPS) for -d seconds and prints packets sent and the rate (JSON on stdout).
 * Build: cc -O2 -o xdp-send xdp-send.c   (libc + kernel headers only) */
#include <arpa/inet.h>
#include <getopt.h>
#include <signal.h>

#include "xsk-common.h"

static volatile sig_atomic_t stop_flag = 0;
static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: xdp-send [options] IFACE\n"
          "  sends one fixed UDP frame (10.111.0.1 -> 10.111.1.1, UDP 7777, study header) over AF_XDP\n"
          "  -s BYTES     frame size without FCS, 60..2048 (default 1500)\n"
          "  -d SECONDS   how long to send (default 5)\n"
          "  -r PPS       target rate (default 0: as fast as possible)\n"
          "  -b BURST     descriptors per burst (default 32)\n"
          "  -q QUEUE     queue (default 0)\n"
          "  -R RING      TX ring size, a power of two (default 2048)\n"
          "  -p PORT      UDP destination port (default 7777)\n"
          "  -z           zero-copy bind (default: copy mode)\n"
          "  -W           do not use need_wakeup (sendto every burst)\n"
          "  -v           a progress line per second on stderr\n");
}

static uint16_t ip_checksum(const uint8_t *h, int len) {
  uint32_t sum = 0;
  for (int i = 0; i < len; i += 2) sum += (uint32_t)(h[i] << 8 | h[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

/* Ethernet / IPv4 / UDP / study header / zero payload, `size` bytes, into f. */
static void build_frame(uint8_t *f, uint32_t size, uint16_t dport, uint32_t seq) {
  memset(f, 0, size);
  static const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x02}, src[6] = {0x02, 0, 0, 0, 0, 0x01};
  memcpy(f, dst, 6);
  memcpy(f + 6, src, 6);
  f[12] = 0x08, f[13] = 0x00;
  uint8_t *ip = f + 14;
  ip[0] = 0x45;
  uint16_t tot = htons((uint16_t)(size - 14));
  memcpy(ip + 2, &tot, 2);
  ip[8] = 64;
  ip[9] = 17;
  uint32_t sa = htonl(0x0a6f0001), da = htonl(0x0a6f0101); /* 10.111.0.1 -> 10.111.1.1 */
  memcpy(ip + 12, &sa, 4);
  memcpy(ip + 16, &da, 4);
  uint16_t ck = htons(ip_checksum(ip, 20));
  memcpy(ip + 10, &ck, 2);
  uint8_t *udp = ip + 20;
  uint16_t sp = htons(12345), dp = htons(dport), ul = htons((uint16_t)(size - 34));
  memcpy(udp, &sp, 2);
  memcpy(udp + 2, &dp, 2);
  memcpy(udp + 4, &ul, 2); /* checksum 0: none (IPv4) */
  uint8_t *study = udp + 8;  /* frame offset 42 */
  uint32_t s = htonl(seq), secret = htonl(0x5A5AA5A5 ^ 41);
  memcpy(study, &s, 4);
  memcpy(study + 4, &secret, 4);
}

int main(int argc, char **argv) {
  uint32_t size = 1500, burst = 32, ring = 2048;
  double duration = 5, rate = 0;
  int queue = 0, zerocopy = 0, need_wakeup = 1, verbose = 0, dport = 7777;
  int opt;
  while ((opt = getopt(argc, argv, "s:d:r:b:q:R:p:zWvh")) != -1) {
    switch (opt) {
      case 's': size = (uint32_t)atoi(optarg); break;
      case 'd': duration = atof(optarg); break;
      case 'r': rate = atof(optarg); break;
      case 'b': burst = (uint32_t)atoi(optarg); break;
      case 'q': queue = atoi(optarg); break;
      case 'R': ring = (uint32_t)atoi(optarg); break;
      case 'p': dport = atoi(optarg); break;
      case 'z': zerocopy = 1; break;
      case 'W': need_wakeup = 0; break;
      case 'v': verbose = 1; break;
      case 'h': usage(stdout); return 0;
      default: usage(stderr); return 2;
    }
  }
  if (argc - optind != 1 || size < 60 || size > XSK_FRAME_SIZE || burst < 1 || burst > 4096 || !is_pow2(ring) ||
      ring < 64 || duration <= 0 || rate < 0 || dport < 1 || dport > 65535) {
    usage(stderr);
    return 2;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  static struct xsk x;
  char err[512];
  /* TX only: no RX ring; the fill ring exists because bind() wants one. TX frames: twice the ring,
   * so a full TX ring still leaves frames for the next bursts while completions come back. */
  struct xsk_config cfg = {.queue = queue, .rx_size = 0, .tx_size = ring, .fill_size = 64, .comp_size = 2 * ring,
                           .tx_frames = 2 * ring, .zerocopy = zerocopy, .need_wakeup = need_wakeup};
  if (xsk_open(&x, argv[optind], &cfg, err, sizeof err) < 0) {
    fprintf(stderr, "xdp-send: %s\n", err);
    return 1;
  }
  for (uint32_t i = 0; i < x.nfree; i++) build_frame(x.umem + x.free_frames[i], size, (uint16_t)dport, i);
  fprintf(stderr, "xdp-send: %s queue %d (%s), %u-byte frames, %s for %.1f s\n", x.ifname, queue,
          x.zerocopy ? "zero-copy" : "copy", size, rate > 0 ? "paced" : "as fast as possible", duration);
  if (rate > 0) fprintf(stderr, "xdp-send: target %.0f pps\n", rate);

  uint64_t queued = 0, completed = 0, wakeups = 0;
  double t0 = now_s(), t = t0, tend = t0 + duration, next_report = t0 + 1;
  uint64_t last_completed = 0;
  struct xdp_desc *td = x.tx.desc;
  while (!stop_flag) {
    t = now_s();
    if (t >= tend) break;
    completed += xsk_reap(&x);
    uint32_t n = burst;
    if (rate > 0) {
      double due = (t - t0) * rate - (double)queued;
      if (due < 1) continue;
      if (due < n) n = (uint32_t)due;
    }
    uint32_t room = x.tx.size - (x.tx.head - ring_load(x.tx.consumer));
    if (n > room) n = room;
    if (n > x.nfree) n = x.nfree;
    uint32_t p = x.tx.head;
    for (uint32_t k = 0; k < n; k++, p++) {
      struct xdp_desc *d = &td[p & x.tx.mask];
      d->addr = x.free_frames[--x.nfree];
      d->len = size;
      d->options = 0;
    }
    if (n) {
      x.tx.head = p;
      ring_store(x.tx.producer, p);
      queued += n;
    }
    if (x.tx.head != ring_load(x.tx.consumer)) wakeups += (uint64_t)xsk_kick_tx(&x, need_wakeup);
    if (verbose && t >= next_report) {
      fprintf(stderr, "xdp-send: %.0f s: %.3f Mpps\n", t - t0, (double)(completed - last_completed) / 1e6);
      last_completed = completed;
      next_report += 1;
    }
  }
  double secs = t - t0;
  uint64_t completed_in_window = completed;
  /* Drain: let the kernel finish what is queued (bounded). */
  for (double d0 = now_s(); xsk_tx_outstanding(&x) != 0 && now_s() - d0 < 0.2;) {
    if (x.tx.head != ring_load(x.tx.consumer)) xsk_kick_tx(&x, 0);
    completed += xsk_reap(&x);
  }
  struct xdp_statistics st;
  memset(&st, 0, sizeof st);
  socklen_t sl = sizeof st;
  getsockopt(x.fd, SOL_XDP, XDP_STATISTICS, &st, &sl);
  double pps = secs > 0 ? (double)completed_in_window / secs : 0;
  fprintf(stderr, "xdp-send: %llu packets in %.3f s: %.3f Mpps, %.2f Gbit/s (%u-byte frames, no FCS/preamble)\n",
          (unsigned long long)completed_in_window, secs, pps / 1e6, pps * size * 8 / 1e9, size);
  printf("{\"iface\":\"%s\",\"size\":%u,\"seconds\":%.6f,\"queued\":%llu,\"sent\":%llu,\"sentAfterDrain\":%llu,"
         "\"pps\":%.1f,\"gbps\":%.4f,\"txWakeups\":%llu,\"txInvalidDescs\":%llu,\"zerocopy\":%d}\n",
         x.ifname, size, secs, (unsigned long long)queued, (unsigned long long)completed_in_window,
         (unsigned long long)completed, pps, pps * size * 8 / 1e9, (unsigned long long)wakeups,
         (unsigned long long)st.tx_invalid_descs, x.zerocopy);
  fflush(stdout);
  xsk_close(&x);
  return 0;
}
