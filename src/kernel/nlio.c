/*
 * nlio.c - live and recorded netlink dumps.
 *
 * Recording format (text headers, raw payloads), one entry per datagram:
 *
 *	PSNL 1\n
 *	D <key> <length>\n<length bytes of netlink messages>\n
 *	...
 *
 * Keys are at most 63 printable characters without spaces.  A recording is
 * written to a temporary file and renamed into place when the run ends, so
 * a crashed run never leaves half a file under the final name.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "kernel/nlio.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define NLIO_MAGIC		"PSNL 1\n"
#define NLIO_MAX_KEY		63
#define NLIO_MAX_FILE		(256u << 20)
#define NLIO_RECV_SIZE		32768
/* Seconds one recv may wait for the kernel before the dump is abandoned. */
#define NLIO_TIMEOUT_S		10
/* A dump that never says NLMSG_DONE is cut off after this many datagrams. */
#define NLIO_MAX_DATAGRAMS	(1u << 20)

struct nlio_entry {
	char		 key[NLIO_MAX_KEY + 1];
	const char	*data;
	size_t		 len;
};

struct nlio {
	int			 replay;
	int			 none;		/* no netlink source at all */
	int			 netns_fd;	/* live in that namespace, or -1 */
	/* replay */
	char			*file;
	struct nlio_entry	*ents;
	size_t			 nents, cap;
	/* live */
	unsigned int		 seq;		/* atomic */
	pthread_mutex_t		 rec_lock;	/* one dump's entries at a time */
	FILE			*rec;
	char			*rec_path, *rec_tmp;
};

static int
key_ok(const char *key)
{
	size_t n = strlen(key), i;

	if (n == 0 || n > NLIO_MAX_KEY)
		return 0;
	for (i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			if (key[i] != ' ')
				return 0;
	return 1;
}

struct nlio *
nlio_open_live(const char *record_path, char **cause)
{
	struct nlio *io = xcalloc(1, sizeof(*io));

	io->netns_fd = -1;
	io->seq = (unsigned int)time(NULL);
	pthread_mutex_init(&io->rec_lock, NULL);
	if (record_path != NULL) {
		int fd;

		io->rec_path = xstrdup(record_path);
		io->rec_tmp = xasprintf("%s.tmp.XXXXXX", record_path);
		fd = mkstemp(io->rec_tmp);
		if (fd < 0 || (io->rec = fdopen(fd, "w")) == NULL) {
			*cause = xasprintf("cannot create '%s': %s", io->rec_tmp,
			    strerror(errno));
			if (fd >= 0)
				close(fd);
			free(io->rec_tmp);
			io->rec_tmp = NULL;
			nlio_close(io, NULL);
			return NULL;
		}
		fputs(NLIO_MAGIC, io->rec);
	}
	return io;
}

int
nlio_is_live(const struct nlio *io)
{
	return io != NULL && !io->replay && !io->none;
}

struct nlio *
nlio_open_live_netns(int netns_fd, char **cause)
{
	struct nlio *io = nlio_open_live(NULL, cause);

	if (io && (io->netns_fd = fcntl(netns_fd, F_DUPFD_CLOEXEC, 3)) < 0) {
		*cause = xasprintf("cannot keep the namespace open: %s",
		    strerror(errno));
		nlio_close(io, NULL);
		return NULL;
	}
	return io;
}

struct nlio *
nlio_open_none(void)
{
	struct nlio *io = xcalloc(1, sizeof(*io));

	io->netns_fd = -1;
	io->replay = 1;
	io->none = 1;
	return io;
}

struct nlio *
nlio_open_buffer(const char *data, size_t len, char **cause)
{
	struct nlio *io = xcalloc(1, sizeof(*io));
	const char *p = data, *end = data + len;
	size_t mlen = strlen(NLIO_MAGIC);

	io->netns_fd = -1;
	io->replay = 1;
	io->file = xmalloc(len ? len : 1);
	memcpy(io->file, data, len);
	p = io->file;
	end = io->file + len;
	if (len < mlen || memcmp(p, NLIO_MAGIC, mlen) != 0) {
		*cause = xstrdup("not a portsleuth netlink recording (bad magic)");
		goto fail;
	}
	p += mlen;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *sp;
		struct nlio_entry *e;
		uint64_t dlen;

		if (nl == NULL || nl - p < 4 || p[0] != 'D' || p[1] != ' ') {
			*cause = xasprintf("malformed entry header at byte %zu",
			    (size_t)(p - io->file));
			goto fail;
		}
		for (sp = nl - 1; sp > p + 2 && *sp != ' '; sp--)
			;
		if (sp <= p + 2 || (size_t)(sp - (p + 2)) > NLIO_MAX_KEY ||
		    num_parse_u64(sp + 1, (size_t)(nl - sp - 1), 10, 0,
		    NLIO_MAX_FILE, &dlen) != 0) {
			*cause = xasprintf("malformed entry header at byte %zu",
			    (size_t)(p - io->file));
			goto fail;
		}
		if ((size_t)(end - (nl + 1)) < dlen + 1 || nl[1 + dlen] != '\n') {
			*cause = xasprintf("truncated entry at byte %zu",
			    (size_t)(p - io->file));
			goto fail;
		}
		xgrow((void **)&io->ents, &io->cap, io->nents + 1,
		    sizeof(*io->ents));
		e = &io->ents[io->nents++];
		memcpy(e->key, p + 2, (size_t)(sp - (p + 2)));
		e->key[sp - (p + 2)] = '\0';
		if (!key_ok(e->key)) {
			*cause = xasprintf("bad key at byte %zu",
			    (size_t)(p - io->file));
			goto fail;
		}
		e->data = nl + 1;
		e->len = (size_t)dlen;
		p = nl + 1 + dlen + 1;
	}
	return io;
fail:
	nlio_close(io, NULL);
	return NULL;
}

struct nlio *
nlio_open_replay(const char *path, char **cause)
{
	struct strbuf sb;
	struct nlio *io;
	int fd;

	fd = open_regular_at(AT_FDCWD, path, 0);
	if (fd < 0) {
		*cause = xasprintf("cannot open '%s': %s", path,
		    errno == EINVAL ? "not a regular file" : strerror(errno));
		return NULL;
	}
	strbuf_init(&sb, NLIO_MAX_FILE);
	if (read_fd_capped(fd, NLIO_MAX_FILE, &sb) < 0) {
		*cause = xasprintf("cannot read '%s': %s", path, strerror(errno));
		close(fd);
		strbuf_release(&sb);
		return NULL;
	}
	close(fd);
	if (sb.truncated) {
		*cause = xasprintf("'%s' is larger than %u bytes", path,
		    NLIO_MAX_FILE);
		strbuf_release(&sb);
		return NULL;
	}
	io = nlio_open_buffer(sb.buf ? sb.buf : "", sb.len, cause);
	if (io == NULL) {
		char *c = xasprintf("'%s': %s", path, *cause);

		free(*cause);
		*cause = c;
	}
	strbuf_release(&sb);
	return io;
}

/*
 * NLMSG_DONE of a dump may carry the dump's error as an int (the kernel
 * answers an unknown sock_diag protocol this way, with -ENOENT); libmnl's
 * default handler ignores it, so check it here.
 */
static int
done_cb(const struct nlmsghdr *nlh, void *data)
{
	int err;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		if (err < 0) {
			errno = err > -4096 ? -err : EBADMSG;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

/* NLMSG_ERROR: an error code, or 0 for an acknowledgement. */
static int
error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error < 0) {
		/* errno values are small; anything else is a forged reply */
		errno = e->error > -4096 ? -e->error : EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/*
 * Check every message length of a datagram before libmnl walks it:
 * libmnl 1.0.4's mnl_nlmsg_ok() compares nlmsg_len as a signed int, so a
 * length near 2^32 passes and the walk jumps outside the buffer.
 */
static int
datagram_ok(const void *buf, size_t len)
{
	const char *p = buf;
	size_t rem = len;

	if (len > INT_MAX)
		return 0;
	while (rem >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const void *)p;
		size_t step;

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > rem)
			return 0;
		step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (step >= rem)
			return 1;
		p += step;
		rem -= step;
	}
	return rem == 0;
}

/* Control messages: errors and the end of a dump (libmnl's signature is
 * not const, the table is never written). */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
};

static int
run_cb(const void *buf, size_t len, unsigned int seq, unsigned int portid,
    mnl_cb_t cb, void *data)
{
	if (!datagram_ok(buf, len)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return mnl_cb_run2(buf, len, seq, portid, cb, data, ctl_cbs,
	    NLMSG_MIN_TYPE);
}

static int
dump_replay(struct nlio *io, const char *key, mnl_cb_t cb, void *data)
{
	size_t i;
	int found = 0, rc = MNL_CB_OK;
	void *aligned;

	for (i = 0; i < io->nents; i++) {
		if (strcmp(io->ents[i].key, key) != 0)
			continue;
		found = 1;
		/*
		 * Entries sit at any offset in the file; netlink headers are
		 * read as structs, so give each datagram an aligned copy.
		 * seq and portid 0: the recording's own values are not checked.
		 */
		aligned = xmalloc(io->ents[i].len);
		memcpy(aligned, io->ents[i].data, io->ents[i].len);
		rc = run_cb(aligned, io->ents[i].len, 0, 0, cb, data);
		free(aligned);
		if (rc <= MNL_CB_STOP)
			break;
	}
	if (!found) {
		errno = ENODATA;
		return -1;
	}
	if (rc == MNL_CB_ERROR)
		return -1;
	if (rc != MNL_CB_STOP) {
		/* the recording ends before NLMSG_DONE */
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/*
 * A socket of its own for every dump: dumps may run on several threads at
 * once, and a dump cut short cannot leave replies behind for the next.
 */
/*
 * A netlink socket answers for the network namespace it was made in.
 * For another namespace, this thread enters it just long enough to make
 * the socket (setns changes the calling thread's namespace only), then
 * returns to its own; a thread that could not return must not go on.
 */
static struct mnl_socket *
socket_in(int netns_fd, int bus)
{
	struct mnl_socket *nl;
	int self, saved;

	if (netns_fd < 0)
		return mnl_socket_open2(bus, SOCK_CLOEXEC);
	if ((self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		saved = errno;
		close(self);
		errno = saved;
		return NULL;
	}
	nl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	saved = errno;
	if (setns(self, CLONE_NEWNET) < 0) {
		fprintf(stderr, "portsleuth: cannot return to its own network "
		    "namespace: %s\n", strerror(errno));
		_exit(2);
	}
	close(self);
	errno = saved;
	return nl;
}

static struct mnl_socket *
live_socket(int netns_fd, int bus)
{
	static const struct timeval timeout = { NLIO_TIMEOUT_S, 0 };
	struct mnl_socket *nl = socket_in(netns_fd, bus);

	if (nl == NULL)
		return NULL;
	/* the kernel always answers, but no wait is unbounded */
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO,
	    &timeout, sizeof(timeout)) < 0 ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int saved = errno;

		mnl_socket_close(nl);
		errno = saved;
		return NULL;
	}
	return nl;
}

static int
dump_live(struct nlio *io, int bus, const char *key, struct nlmsghdr *req,
    mnl_cb_t cb, void *data)
{
	struct mnl_socket *nl = live_socket(io->netns_fd, bus);
	struct strbuf rec;
	char *buf;
	unsigned int portid, seq, n = 0;
	int rc = MNL_CB_OK, saved = 0;

	if (nl == NULL)
		return -1;
	portid = mnl_socket_get_portid(nl);
	seq = __atomic_add_fetch(&io->seq, 1, __ATOMIC_RELAXED);
	req->nlmsg_seq = seq;
	req->nlmsg_pid = 0;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0) {
		saved = errno;
		mnl_socket_close(nl);
		errno = saved;
		return -1;
	}
	buf = xmalloc(NLIO_RECV_SIZE);
	strbuf_init(&rec, NLIO_MAX_FILE);
	while (rc > MNL_CB_STOP) {
		ssize_t len = mnl_socket_recvfrom(nl, buf, NLIO_RECV_SIZE);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			rc = MNL_CB_ERROR;
			saved = errno;
			break;
		}
		if (++n > NLIO_MAX_DATAGRAMS) {
			rc = MNL_CB_ERROR;
			saved = EBADMSG;
			break;
		}
		if (io->rec != NULL) {
			strbuf_addf(&rec, "D %s %zd\n", key, len);
			strbuf_add(&rec, buf, (size_t)len);
			strbuf_addch(&rec, '\n');
		}
		rc = run_cb(buf, (size_t)len, seq, portid, cb, data);
		if (rc == MNL_CB_ERROR)
			saved = errno;
	}
	mnl_socket_close(nl);
	/* Record what the kernel said, errors included, for faithful replay. */
	if (io->rec != NULL && (rc != MNL_CB_ERROR || saved != EINTR)) {
		pthread_mutex_lock(&io->rec_lock);
		fwrite(rec.buf ? rec.buf : "", 1, rec.len, io->rec);
		pthread_mutex_unlock(&io->rec_lock);
	}
	strbuf_release(&rec);
	free(buf);
	if (rc == MNL_CB_ERROR) {
		errno = saved;
		return -1;
	}
	return 0;
}

int
nlio_dump(struct nlio *io, int bus, const char *key, struct nlmsghdr *req,
    mnl_cb_t cb, void *data)
{
	if (!key_ok(key)) {
		errno = EINVAL;
		return -1;
	}
	if (io->none) {
		errno = ENXIO;
		return -1;
	}
	if (io->replay)
		return dump_replay(io, key, cb, data);
	return dump_live(io, bus, key, req, cb, data);
}

int
nlio_close(struct nlio *io, char **cause)
{
	int rc = 0;

	if (io == NULL)
		return 0;
	if (io->rec != NULL) {
		int bad = fflush(io->rec) != 0 || fsync(fileno(io->rec)) != 0;

		if (fclose(io->rec) != 0)
			bad = 1;
		if (!bad && rename(io->rec_tmp, io->rec_path) != 0)
			bad = 1;
		if (bad) {
			if (cause != NULL)
				*cause = xasprintf("cannot write '%s': %s",
				    io->rec_path, strerror(errno));
			unlink(io->rec_tmp);
			rc = -1;
		}
	}
	if (io->netns_fd >= 0)
		close(io->netns_fd);
	free(io->rec_path);
	free(io->rec_tmp);
	if (!io->replay)
		pthread_mutex_destroy(&io->rec_lock);
	free(io->ents);
	free(io->file);
	free(io);
	return rc;
}
