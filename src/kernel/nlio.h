/*
 * nlio.h - netlink dumps from the kernel, or from a recording.
 *
 * Every netlink conversation the tool has is a dump request on one bus,
 * named by a short key ("sockdiag tcp 4", "route addr").  nlio sends it to
 * the live kernel through libmnl, or answers it from a file recorded by an
 * earlier run (`--record FILE` / `--replay FILE`), so tests can be
 * deterministic without a live kernel.  Replies always pass through
 * libmnl's mnl_cb_run(), which checks message lengths, port id, sequence
 * number and NLM_F_DUMP_INTR, before the caller's callback sees them.
 */
#ifndef PS_NLIO_H
#define PS_NLIO_H

#include <stddef.h>
#include <libmnl/libmnl.h>

struct nlio;

/* Live kernel.  record_path, if not NULL, receives every reply. */
struct nlio *nlio_open_live(const char *record_path, char **cause);
/*
 * Replies from a recording.  The file is read whole (at most 256 MiB) and
 * validated; a malformed file is an error with a message in *cause.
 */
struct nlio *nlio_open_replay(const char *path, char **cause);
/* Whether io talks to the live kernel (not a recording, not none). */
int nlio_is_live(const struct nlio *io);
/* Live, in the network namespace of netns_fd (kept open: the caller may
 * close its own); needs CAP_SYS_ADMIN for each dump's socket. */
struct nlio *nlio_open_live_netns(int netns_fd, char **cause);
/*
 * No netlink at all: every dump fails with ENXIO, so callers fall back to
 * files under the system root (a fixture tree without a recording).
 */
struct nlio *nlio_open_none(void);
/* Parse a recording already in memory (used by the replay loader and tests). */
struct nlio *nlio_open_buffer(const char *data, size_t len, char **cause);

/*
 * Safe to call from several threads at once on one nlio.
 *
 * Send the dump request req (nlmsg_seq and nlmsg_pid are set here) on bus
 * (NETLINK_SOCK_DIAG or NETLINK_ROUTE) and run cb on every reply message.
 * Returns 0 when the dump completed; -1 with errno set otherwise:
 * ENOENT/EOPNOTSUPP/EINVAL as the kernel said (no handler for the
 * request), EINTR when the dump was interrupted (NLM_F_DUMP_INTR; the
 * caller discards partial results and may retry), EBADMSG for a malformed
 * reply, ENODATA when a recording has no entry for key.
 */
int nlio_dump(struct nlio *io, int bus, const char *key, struct nlmsghdr *req,
    mnl_cb_t cb, void *data);

/* Finish the recording (atomic rename into place); 0 or -1 with *cause. */
int nlio_close(struct nlio *io, char **cause);

#endif
