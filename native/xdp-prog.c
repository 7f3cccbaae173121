/* The XDP redirect program and its XSKMAP, loaded with the raw bpf() system call, and attached
 * to an interface through a BPF link (BPF_LINK_CREATE) or with rtnetlink RTM_SETLINK (IFLA_XDP). No libbpf: the five
 * instructions are assembled here by hand. Input: map size, fallback action, interface index.
 * Output: fds or -errno, with the verifier log / netlink error text copied into err. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "xdp-prog.h"

/* The helper id of bpf_redirect_map in enum bpf_func_id (stable ABI). */
#define HELPER_REDIRECT_MAP 51

static int sys_bpf(int cmd, union bpf_attr *attr) {
  return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

int xdp_map_create(unsigned max_entries, char *err, size_t errlen) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_type = BPF_MAP_TYPE_XSKMAP;
  a.key_size = 4;
  a.value_size = 4;
  a.max_entries = max_entries;
  strncpy(a.map_name, "p4tee_xsks", sizeof a.map_name - 1);
  int fd = sys_bpf(BPF_MAP_CREATE, &a);
  if (fd < 0 && errno == EINVAL) {
    /* Kernels before 4.15 reject map_name: retry without it. */
    memset(a.map_name, 0, sizeof a.map_name);
    fd = sys_bpf(BPF_MAP_CREATE, &a);
  }
  if (fd < 0) {
    int e = errno;
    snprintf(err, errlen, "bpf(BPF_MAP_CREATE, XSKMAP): %s", strerror(e));
    return -e;
  }
  return fd;
}

/* One struct bpf_insn, spelled out field by field. */
static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  struct bpf_insn i;
  memset(&i, 0, sizeof i);
  i.code = code;
  i.dst_reg = dst;
  i.src_reg = src;
  i.off = off;
  i.imm = imm;
  return i;
}

int xdp_prog_load(int map_fd, int fallback_action, char *err, size_t errlen) {
  /* r1 = ctx (struct xdp_md *) on entry.
   *   r2 = *(u32 *)(r1 + offsetof(struct xdp_md, rx_queue_index))    key
   *   r1 = map_fd (ld_imm64, src = BPF_PSEUDO_MAP_FD: the verifier swaps in the map)
   *   r3 = fallback_action                                            flags: action when no socket
   *   call bpf_redirect_map
   *   exit                                                            r0 = XDP_REDIRECT or fallback */
  struct bpf_insn prog[6];
  prog[0] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 16, 0);
  prog[1] = insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd);
  prog[2] = insn(0, 0, 0, 0, 0); /* upper 32 bits of the 64-bit immediate */
  prog[3] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, fallback_action);
  prog[4] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, HELPER_REDIRECT_MAP);
  prog[5] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

  static const char *licenses[] = {"GPL", "Dual BSD/GPL"};
  union bpf_attr a;
  int fd = -1, e = 0;
  for (int li = 0; li < 2 && fd < 0; li++) {
    memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_XDP;
    a.insns = (uint64_t)(uintptr_t)prog;
    a.insn_cnt = 6;
    a.license = (uint64_t)(uintptr_t)licenses[li];
    strncpy(a.prog_name, "p4tee_xsk", sizeof a.prog_name - 1);
    fd = sys_bpf(BPF_PROG_LOAD, &a);
    if (fd < 0 && errno == EINVAL) {
      memset(a.prog_name, 0, sizeof a.prog_name); /* pre-4.15 kernels */
      fd = sys_bpf(BPF_PROG_LOAD, &a);
    }
    e = errno;
  }
  if (fd >= 0) return fd;

  /* Load again with the verifier log on, to say why. */
  size_t logsz = 64 * 1024;
  char *log = calloc(1, logsz);
  if (log) {
    memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_XDP;
    a.insns = (uint64_t)(uintptr_t)prog;
    a.insn_cnt = 6;
    a.license = (uint64_t)(uintptr_t)"GPL";
    a.log_buf = (uint64_t)(uintptr_t)log;
    a.log_size = (uint32_t)logsz;
    a.log_level = 1;
    int fd2 = sys_bpf(BPF_PROG_LOAD, &a);
    if (fd2 >= 0) return fd2; /* succeeded this time: keep it */
  }
  snprintf(err, errlen, "bpf(BPF_PROG_LOAD, XDP): %s%s%s", strerror(e), log && log[0] ? "; verifier log:\n" : "",
           log ? log : "");
  free(log);
  return -e;
}

int xdp_map_set(int map_fd, unsigned key, int value_fd) {
  uint32_t k = key, v = (uint32_t)value_fd;
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_fd = (uint32_t)map_fd;
  a.key = (uint64_t)(uintptr_t)&k;
  a.value = (uint64_t)(uintptr_t)&v;
  a.flags = BPF_ANY;
  return sys_bpf(BPF_MAP_UPDATE_ELEM, &a) < 0 ? -errno : 0;
}

int xdp_map_delete(int map_fd, unsigned key) {
  uint32_t k = key;
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_fd = (uint32_t)map_fd;
  a.key = (uint64_t)(uintptr_t)&k;
  return sys_bpf(BPF_MAP_DELETE_ELEM, &a) < 0 ? -errno : 0;
}

/* ---- BPF link ---- */

/* The command and attach type numbers are stable ABI; spelled as numbers so that older kernel
 * headers (without BPF_XDP or link_create.target_ifindex) still compile this file. */
#define CMD_LINK_CREATE 28
#define ATTACH_TYPE_XDP 37

int xdp_bpf_link_create(int prog_fd, int ifindex, unsigned flags) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  /* link_create: prog_fd, target_ifindex, attach_type, flags (four u32 at the start of the union). */
  uint32_t w[4] = {(uint32_t)prog_fd, (uint32_t)ifindex, ATTACH_TYPE_XDP, flags};
  memcpy(&a, w, sizeof w);
  int fd = sys_bpf(CMD_LINK_CREATE, &a);
  return fd < 0 ? -errno : fd;
}

/* ---- rtnetlink ---- */

struct nl_buf {
  char data[512];
  size_t len;
};

static struct nlattr *nl_put(struct nl_buf *b, uint16_t type, const void *val, size_t len) {
  struct nlattr *at = (struct nlattr *)(b->data + b->len);
  at->nla_type = type;
  at->nla_len = (uint16_t)(NLA_HDRLEN + len);
  if (len) memcpy((char *)at + NLA_HDRLEN, val, len);
  b->len += NLA_ALIGN(at->nla_len);
  return at;
}

/* Sends one request and reads until its ACK / error (and, for GETLINK, the reply into out). */
static int nl_talk(struct nl_buf *req, char *reply, size_t replylen, ssize_t *got, char *err, size_t errlen) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -errno;
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one); /* best effort: error text */
  struct timeval tv = {.tv_sec = 5, .tv_usec = 0}; /* never hang on a lost reply */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof sa);
  sa.nl_family = AF_NETLINK;
  if (sendto(fd, req->data, req->len, 0, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  char buf[8192];
  int rc = -EIO;
  for (int tries = 0; tries < 16; tries++) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      rc = -errno;
      break;
    }
    int done = 0;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *me = (struct nlmsgerr *)NLMSG_DATA(h);
        rc = me->error; /* 0 = ACK, else -errno */
        if (rc != 0 && err && errlen && (h->nlmsg_flags & NLM_F_ACK_TLVS)) {
          /* Extended ack: find NLMSGERR_ATTR_MSG after the (capped) echoed request. */
          size_t off = sizeof(*me);
          if (!(h->nlmsg_flags & NLM_F_CAPPED)) off += me->msg.nlmsg_len - NLMSG_HDRLEN;
          char *p = (char *)me + off, *end = (char *)h + h->nlmsg_len;
          while (p + NLA_HDRLEN <= end) {
            struct nlattr *at = (struct nlattr *)p;
            if (at->nla_len < NLA_HDRLEN || p + at->nla_len > end) break;
            if ((at->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
              snprintf(err, errlen, "%.*s", (int)(at->nla_len - NLA_HDRLEN), p + NLA_HDRLEN);
              break;
            }
            p += NLA_ALIGN(at->nla_len);
          }
        }
        done = 1;
        break;
      }
      if (h->nlmsg_type == NLMSG_DONE) {
        done = 1;
        break;
      }
      if (reply && got && h->nlmsg_len <= replylen) {
        memcpy(reply, h, h->nlmsg_len);
        *got = h->nlmsg_len;
        rc = 0;
        done = 1; /* a GETLINK for one index answers with one message and no ACK */
        break;
      }
    }
    if (done) break;
  }
  close(fd);
  return rc;
}

int xdp_link_set(int ifindex, int prog_fd, unsigned flags, int expected_fd, char *err, size_t errlen) {
  struct nl_buf b;
  memset(&b, 0, sizeof b);
  struct nlmsghdr *h = (struct nlmsghdr *)b.data;
  h->nlmsg_type = RTM_SETLINK;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  h->nlmsg_seq = 1;
  b.len = NLMSG_HDRLEN;
  struct ifinfomsg *ifi = (struct ifinfomsg *)(b.data + b.len);
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  b.len += NLMSG_ALIGN(sizeof *ifi);
  struct nlattr *nest = nl_put(&b, IFLA_XDP | NLA_F_NESTED, NULL, 0);
  int32_t fd = prog_fd;
  nl_put(&b, IFLA_XDP_FD, &fd, 4);
  uint32_t fl = flags;
  if (expected_fd >= 0) {
    int32_t ex = expected_fd;
    fl |= XDP_FLAGS_REPLACE;
    nl_put(&b, IFLA_XDP_EXPECTED_FD, &ex, 4);
  }
  if (fl) nl_put(&b, IFLA_XDP_FLAGS, &fl, 4);
  nest->nla_len = (uint16_t)((b.data + b.len) - (char *)nest);
  h->nlmsg_len = (uint32_t)b.len;
  if (err && errlen) err[0] = 0;
  return nl_talk(&b, NULL, 0, NULL, err, errlen);
}

int xdp_link_query(int ifindex, unsigned *prog_id, unsigned *attach_mode) {
  struct nl_buf b;
  memset(&b, 0, sizeof b);
  struct nlmsghdr *h = (struct nlmsghdr *)b.data;
  h->nlmsg_type = RTM_GETLINK;
  h->nlmsg_flags = NLM_F_REQUEST;
  h->nlmsg_seq = 2;
  b.len = NLMSG_HDRLEN;
  struct ifinfomsg *ifi = (struct ifinfomsg *)(b.data + b.len);
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  b.len += NLMSG_ALIGN(sizeof *ifi);
  h->nlmsg_len = (uint32_t)b.len;
  static char reply[16384];
  ssize_t got = 0;
  int rc = nl_talk(&b, reply, sizeof reply, &got, NULL, 0);
  if (rc < 0) return rc;
  *prog_id = 0;
  *attach_mode = 0;
  if (got < (ssize_t)(NLMSG_HDRLEN + sizeof(struct ifinfomsg))) return -EIO;
  struct nlmsghdr *r = (struct nlmsghdr *)reply;
  char *p = reply + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg)), *end = reply + r->nlmsg_len;
  while (p + NLA_HDRLEN <= end) {
    struct nlattr *at = (struct nlattr *)p;
    if (at->nla_len < NLA_HDRLEN || p + at->nla_len > end) break;
    if ((at->nla_type & NLA_TYPE_MASK) == IFLA_XDP) {
      char *q = p + NLA_HDRLEN, *qend = p + at->nla_len;
      while (q + NLA_HDRLEN <= qend) {
        struct nlattr *in = (struct nlattr *)q;
        if (in->nla_len < NLA_HDRLEN || q + in->nla_len > qend) break;
        uint32_t v = 0;
        if (in->nla_len >= NLA_HDRLEN + 1) memcpy(&v, q + NLA_HDRLEN, in->nla_len - NLA_HDRLEN >= 4 ? 4 : 1);
        if (in->nla_type == IFLA_XDP_PROG_ID) *prog_id = v;
        if (in->nla_type == IFLA_XDP_ATTACHED) *attach_mode = v & 0xff;
        q += NLA_ALIGN(in->nla_len);
      }
    }
    p += NLA_ALIGN(at->nla_len);
  }
  return 0;
}
