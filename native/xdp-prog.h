/* The XDP side of AF_XDP without libbpf: an XSKMAP, a hand-assembled redirect program loaded
 * with the bpf() system call, and attaching/detaching it on an interface over rtnetlink.
 * Input: interface index, queue ids, socket fds. Output: file descriptors, or -1 with a message
 * (the verifier log or the netlink extended-ack text) written into the caller's buffer. Attaching
 * goes through a BPF link where the kernel has them (detached by the kernel when the process dies),
 * else through rtnetlink. */
#ifndef P4TEE_XDP_PROG_H
#define P4TEE_XDP_PROG_H

#include <stddef.h>

/* Creates a BPF_MAP_TYPE_XSKMAP with max_entries slots (queue id -> AF_XDP socket). */
int xdp_map_create(unsigned max_entries, char *err, size_t errlen);
/* Loads "return bpf_redirect_map(&map, ctx->rx_queue_index, fallback)"; returns the program fd. */
int xdp_prog_load(int map_fd, int fallback_action, char *err, size_t errlen);
/* map[key] = value_fd (an AF_XDP socket that is already bound). 0 or -errno. */
int xdp_map_set(int map_fd, unsigned key, int value_fd);
/* Removes map[key]. 0 or -errno. */
int xdp_map_delete(int map_fd, unsigned key);
/* RTM_SETLINK with IFLA_XDP: attaches prog_fd (or detaches when prog_fd is -1). expected_fd >= 0
 * asks the kernel to act only if that program is the one attached (XDP_FLAGS_REPLACE).
 * 0 or -errno, with the kernel's message in err. */
int xdp_link_set(int ifindex, int prog_fd, unsigned flags, int expected_fd, char *err, size_t errlen);
/* bpf(BPF_LINK_CREATE, attach type BPF_XDP; kernel >= 5.9): attaches prog_fd to ifindex through a
 * BPF link. flags: XDP_FLAGS_SKB_MODE or XDP_FLAGS_DRV_MODE only. The kernel detaches the program
 * when the last fd of the link is closed, so a killed process leaves no program behind. Returns the
 * link fd, or -errno (EINVAL/ENOSYS on kernels without XDP links: use xdp_link_set instead). */
int xdp_bpf_link_create(int prog_fd, int ifindex, unsigned flags);
/* RTM_GETLINK: id of the XDP program attached to ifindex (0 if none) and the attach mode
 * (XDP_ATTACHED_*). 0 or -errno. */
int xdp_link_query(int ifindex, unsigned *prog_id, unsigned *attach_mode);

#endif
