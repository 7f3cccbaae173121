/* AF_PACKET driver support: a raw packet socket bound to one interface with a TPACKET_V3 block
 * RX ring and a TX ring in one mmap, exposed to JS as an external ArrayBuffer. TypeScript walks
 * RX blocks and fills TX frames itself; the native side only sets up, kicks TX (one sendto per
 * burst), polls, reads socket statistics and tears down. Errors are JS exceptions with errno text. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addon.h"

typedef struct {
  int fd;
  void *addr;
  size_t len;
  int mapped;
  int refs;
} afp_t;

static void afp_unmap(afp_t *a) {
  if (a->mapped) {
    munmap(a->addr, a->len);
    a->mapped = 0;
  }
  if (a->fd >= 0) {
    close(a->fd);
    a->fd = -1;
  }
}

static void afp_release(afp_t *a) {
  if (--a->refs == 0) {
    afp_unmap(a);
    free(a);
  }
}

static void buffer_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  afp_t *a = hint;
  afp_unmap(a);
  afp_release(a);
}

static void handle_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  afp_release(data);
}

static afp_t *get_handle(napi_env env, napi_value v) {
  afp_t *a = NULL;
  if (napi_get_value_external(env, v, (void **)&a) != napi_ok || a == NULL) {
    p4_throw_type(env, "bad AF_PACKET handle");
    return NULL;
  }
  return a;
}

/* ifIndex(name) -> number (throws ENODEV when there is no such interface). */
static napi_value if_index_js(napi_env env, napi_callback_info info) {
  P4_ARGS(1);
  char name[IF_NAMESIZE + 8];
  size_t n = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &n) != napi_ok)
    return p4_throw_type(env, "ifIndex(name: string)");
  if (n == 0 || n >= IF_NAMESIZE) return p4_throw_errno(env, "bad interface name", EINVAL);
  unsigned idx = if_nametoindex(name);
  if (idx == 0) return p4_throw_errno(env, "if_nametoindex", errno == 0 ? ENODEV : errno);
  napi_value r;
  napi_create_uint32(env, idx, &r);
  return r;
}

#define SETOPT(opt, val)                                                          \
  do {                                                                            \
    if (setsockopt(fd, SOL_PACKET, (opt), &(val), sizeof(val)) < 0) {             \
      int e_ = errno;                                                             \
      close(fd);                                                                  \
      return p4_throw_errno(env, "setsockopt(" #opt ")", e_);                     \
    }                                                                             \
  } while (0)

/* afpOpen(ifindex, {rxBlockSize, rxBlockCount, rxFrameSize, txFrameSize, txFrameCount,
 *                    blockTimeoutMs, qdiscBypass})
 *   -> {buffer, handle, rxOffset, rxBlockSize, rxBlockCount, txOffset, txFrameSize, txFrameCount,
 *       txDataOffset, sllOffset} */
static napi_value afp_open_js(napi_env env, napi_callback_info info) {
  P4_ARGS(2);
  if (argc < 2) return p4_throw_type(env, "afpOpen(ifindex, options)");
  int64_t ifindex;
  if (p4_arg_i64(env, argv[0], &ifindex, "ifindex") < 0) return NULL;
  int64_t rx_bs = 1 << 16, rx_bn = 32, rx_fs = 2048, tx_fs = 2048, tx_fn = 1024, tov = 1, bypass = 1;
  if (p4_prop_i64(env, argv[1], "rxBlockSize", &rx_bs) < 0 || p4_prop_i64(env, argv[1], "rxBlockCount", &rx_bn) < 0 ||
      p4_prop_i64(env, argv[1], "rxFrameSize", &rx_fs) < 0 || p4_prop_i64(env, argv[1], "txFrameSize", &tx_fs) < 0 ||
      p4_prop_i64(env, argv[1], "txFrameCount", &tx_fn) < 0 || p4_prop_i64(env, argv[1], "blockTimeoutMs", &tov) < 0 ||
      p4_prop_i64(env, argv[1], "qdiscBypass", &bypass) < 0)
    return NULL;
  long page = sysconf(_SC_PAGESIZE);
  if (rx_bs <= 0 || rx_bs % page != 0 || rx_bn <= 0 || rx_fs < TPACKET_ALIGNMENT || rx_bs % rx_fs != 0)
    return p4_throw_errno(env, "AF_PACKET RX ring shape (block size a multiple of the page and frame size)", EINVAL);
  /* TX frames lie back to back (frame i at i * tx_fs): a block is one page or one frame, whichever
   * is larger, and holds a whole number of frames. */
  int64_t tx_bs = tx_fs > page ? tx_fs : page;
  if (tx_fs < 128 || tx_fs % TPACKET_ALIGNMENT != 0 || tx_bs % tx_fs != 0 || tx_bs % page != 0 || tx_fn <= 0 ||
      tx_fn % (tx_bs / tx_fs) != 0)
    return p4_throw_errno(env, "AF_PACKET TX ring shape (frame size a divisor or multiple of the page size)", EINVAL);

  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return p4_throw_errno(env, "socket(AF_PACKET, SOCK_RAW)", errno);
  int v3 = TPACKET_V3, one = 1;
  SETOPT(PACKET_VERSION, v3);
  /* Malformed TX frames are skipped rather than stalling the ring. */
  SETOPT(PACKET_LOSS, one);
  if (bypass) setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
#ifdef PACKET_IGNORE_OUTGOING
  /* Our own transmissions must not come back on the RX ring (TS also filters PACKET_OUTGOING). */
  setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
#endif
  struct tpacket_req3 rx;
  memset(&rx, 0, sizeof rx);
  rx.tp_block_size = (unsigned)rx_bs;
  rx.tp_block_nr = (unsigned)rx_bn;
  rx.tp_frame_size = (unsigned)rx_fs;
  rx.tp_frame_nr = (unsigned)(rx_bs / rx_fs * rx_bn);
  rx.tp_retire_blk_tov = (unsigned)(tov > 0 ? tov : 1);
  SETOPT(PACKET_RX_RING, rx);
  struct tpacket_req3 tx;
  memset(&tx, 0, sizeof tx);
  tx.tp_block_size = (unsigned)tx_bs;
  tx.tp_block_nr = (unsigned)(tx_fn / (tx_bs / tx_fs));
  tx.tp_frame_size = (unsigned)tx_fs;
  tx.tp_frame_nr = (unsigned)tx_fn;
  SETOPT(PACKET_TX_RING, tx);

  size_t rx_len = (size_t)rx_bs * (size_t)rx_bn, tx_len = (size_t)tx_fs * (size_t)tx_fn;
  void *addr = mmap(NULL, rx_len + tx_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) {
    int e = errno;
    close(fd);
    return p4_throw_errno(env, "mmap(AF_PACKET rings)", e);
  }
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = (int)ifindex;
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
    int e = errno;
    munmap(addr, rx_len + tx_len);
    close(fd);
    return p4_throw_errno(env, "bind(AF_PACKET)", e);
  }
  afp_t *a = calloc(1, sizeof *a);
  if (a == NULL) {
    munmap(addr, rx_len + tx_len);
    close(fd);
    return p4_throw_errno(env, "calloc", ENOMEM);
  }
  a->fd = fd;
  a->addr = addr;
  a->len = rx_len + tx_len;
  a->mapped = 1;
  a->refs = 2;
  napi_value result, buffer, handle;
  if (napi_create_external_arraybuffer(env, addr, a->len, buffer_finalize, a, &buffer) != napi_ok) {
    afp_unmap(a);
    free(a);
    return p4_throw_errno(env, "napi_create_external_arraybuffer (external buffers not allowed?)", ENOTSUP);
  }
  napi_create_external(env, a, handle_finalize, NULL, &handle);
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "buffer", buffer);
  napi_set_named_property(env, result, "handle", handle);
  p4_set_num(env, result, "fd", fd);
  p4_set_num(env, result, "rxOffset", 0);
  p4_set_num(env, result, "rxBlockSize", (double)rx_bs);
  p4_set_num(env, result, "rxBlockCount", (double)rx_bn);
  p4_set_num(env, result, "txOffset", (double)rx_len);
  p4_set_num(env, result, "txFrameSize", (double)tx_fs);
  p4_set_num(env, result, "txFrameCount", (double)tx_fn);
  p4_set_num(env, result, "txDataOffset", (double)TPACKET_ALIGN(sizeof(struct tpacket3_hdr)));
  p4_set_num(env, result, "sllOffset", (double)TPACKET_ALIGN(sizeof(struct tpacket3_hdr)));
  return result;
}

/* afpSend(handle) -> bytes queued (>= 0) or -errno: asks the kernel to send every TX frame
 * marked TP_STATUS_SEND_REQUEST, without waiting. One call per burst. */
static napi_value afp_send_js(napi_env env, napi_callback_info info) {
  P4_ARGS(1);
  afp_t *a = argc >= 1 ? get_handle(env, argv[0]) : NULL;
  if (a == NULL) return NULL;
  ssize_t r = a->fd < 0 ? -EBADF : sendto(a->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
  if (r < 0 && a->fd >= 0) r = -errno;
  napi_value v;
  napi_create_int64(env, (int64_t)r, &v);
  return v;
}

/* afpPoll(handle, timeoutMs, wantTx) -> revents (POLLIN 1, POLLOUT 4, POLLERR 8) or -errno. */
static napi_value afp_poll_js(napi_env env, napi_callback_info info) {
  P4_ARGS(3);
  afp_t *a = argc >= 1 ? get_handle(env, argv[0]) : NULL;
  if (a == NULL) return NULL;
  int64_t tmo = 0, want_tx = 0;
  if (argc >= 2 && p4_arg_i64(env, argv[1], &tmo, "timeoutMs") < 0) return NULL;
  if (argc >= 3) {
    bool b = false;
    if (napi_get_value_bool(env, argv[2], &b) == napi_ok) want_tx = b;
  }
  struct pollfd p = {.fd = a->fd, .events = (short)(POLLIN | (want_tx ? POLLOUT : 0)), .revents = 0};
  int r = a->fd < 0 ? -EBADF : poll(&p, 1, (int)tmo);
  napi_value v;
  napi_create_int32(env, r < 0 ? (a->fd < 0 ? r : -errno) : p.revents, &v);
  return v;
}

/* afpStats(handle) -> [packets, drops, freezes] since the last call (the kernel resets them). */
static napi_value afp_stats_js(napi_env env, napi_callback_info info) {
  P4_ARGS(1);
  afp_t *a = argc >= 1 ? get_handle(env, argv[0]) : NULL;
  if (a == NULL) return NULL;
  struct tpacket_stats_v3 st;
  memset(&st, 0, sizeof st);
  socklen_t len = sizeof st;
  if (a->fd < 0) return p4_throw_errno(env, "afpStats", EBADF);
  if (getsockopt(a->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0) return p4_throw_errno(env, "getsockopt(PACKET_STATISTICS)", errno);
  napi_value arr, n;
  napi_create_array_with_length(env, 3, &arr);
  napi_create_uint32(env, st.tp_packets, &n);
  napi_set_element(env, arr, 0, n);
  napi_create_uint32(env, st.tp_drops, &n);
  napi_set_element(env, arr, 1, n);
  napi_create_uint32(env, st.tp_freeze_q_cnt, &n);
  napi_set_element(env, arr, 2, n);
  return arr;
}

/* afpClose(handle, buffer): detaches the buffer, unmaps the rings and closes the socket. */
static napi_value afp_close_js(napi_env env, napi_callback_info info) {
  P4_ARGS(2);
  afp_t *a = argc >= 1 ? get_handle(env, argv[0]) : NULL;
  if (a == NULL) return NULL;
  if (argc >= 2) {
    bool is_ab = false;
    napi_is_arraybuffer(env, argv[1], &is_ab);
    if (is_ab) napi_detach_arraybuffer(env, argv[1]);
  }
  afp_unmap(a);
  return NULL;
}

void register_afpacket(napi_env env, napi_value exports) {
  p4_set_fn(env, exports, "ifIndex", if_index_js);
  p4_set_fn(env, exports, "afpOpen", afp_open_js);
  p4_set_fn(env, exports, "afpSend", afp_send_js);
  p4_set_fn(env, exports, "afpPoll", afp_poll_js);
  p4_set_fn(env, exports, "afpStats", afp_stats_js);
  p4_set_fn(env, exports, "afpClose", afp_close_js);
  p4_set_num(env, exports, "TPACKET_V3", TPACKET_V3);
}
