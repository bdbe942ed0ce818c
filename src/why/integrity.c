/*
 * integrity.c - the running executable against its package.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "why/integrity.h"
#include "util/dl.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define HASH_CAP	(1ull << 30)	/* executables past 1 GiB: unverified */

/* libcrypto, opened for the first digest (util/dl.h) */
static struct {
	__typeof__(EVP_MD_CTX_new)	*EVP_MD_CTX_new;
	__typeof__(EVP_MD_CTX_free)	*EVP_MD_CTX_free;
	__typeof__(EVP_DigestInit_ex)	*EVP_DigestInit_ex;
	__typeof__(EVP_DigestUpdate)	*EVP_DigestUpdate;
	__typeof__(EVP_DigestFinal_ex)	*EVP_DigestFinal_ex;
	__typeof__(EVP_md5)		*EVP_md5;
	__typeof__(EVP_sha1)		*EVP_sha1;
	__typeof__(EVP_sha224)		*EVP_sha224;
	__typeof__(EVP_sha256)		*EVP_sha256;
	__typeof__(EVP_sha384)		*EVP_sha384;
	__typeof__(EVP_sha512)		*EVP_sha512;
} crypto;
static const struct dl_sym crypto_syms[] = {
	DL_SYM(crypto, EVP_MD_CTX_new), DL_SYM(crypto, EVP_MD_CTX_free),
	DL_SYM(crypto, EVP_DigestInit_ex), DL_SYM(crypto, EVP_DigestUpdate),
	DL_SYM(crypto, EVP_DigestFinal_ex), DL_SYM(crypto, EVP_md5),
	DL_SYM(crypto, EVP_sha1), DL_SYM(crypto, EVP_sha224),
	DL_SYM(crypto, EVP_sha256), DL_SYM(crypto, EVP_sha384),
	DL_SYM(crypto, EVP_sha512),
};
static struct dl_lib crypto_lib = DL_LIB(PS_SONAME_CRYPTO, crypto_syms);

static const EVP_MD *
evp_of(enum digest_algo a)
{
	switch (a) {
	case DIGEST_MD5:
		return crypto.EVP_md5();
	case DIGEST_SHA1:
		return crypto.EVP_sha1();
	case DIGEST_SHA224:
		return crypto.EVP_sha224();
	case DIGEST_SHA256:
		return crypto.EVP_sha256();
	case DIGEST_SHA384:
		return crypto.EVP_sha384();
	case DIGEST_SHA512:
		return crypto.EVP_sha512();
	default:
		return NULL;
	}
}

int
integrity_digest_fd(int fd, enum digest_algo algo, char hex[DIGEST_HEX_MAX])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned long long total = 0;
	EVP_MD_CTX *ctx;
	int rc = -1;

	if (dl_load(&crypto_lib, NULL) != 0) {
		errno = ELIBACC;	/* the reason: dl_load's cause */
		return -1;
	}
	if ((ctx = crypto.EVP_MD_CTX_new()) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (evp_of(algo) == NULL ||
	    crypto.EVP_DigestInit_ex(ctx, evp_of(algo), NULL) != 1) {
		errno = ENOSYS;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		total += (unsigned long long)n;
		if (total > HASH_CAP) {
			errno = EFBIG;
			goto out;
		}
		crypto.EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	if (crypto.EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 ||
	    mdlen * 2 >= DIGEST_HEX_MAX) {
		errno = ENOSYS;
		goto out;
	}
	for (unsigned int i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * mdlen] = '\0';
	rc = 0;
out:
	crypto.EVP_MD_CTX_free(ctx);
	return rc;
}

static int
in_temp_dir(const char *exe)
{
	static const char *const dirs[] = {
		"/tmp/", "/var/tmp/", "/dev/shm/", "/run/shm/", "/var/crash/",
		"/dev/mqueue/"
	};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strncmp(exe, dirs[i], strlen(dirs[i])) == 0)
			return 1;
	return 0;
}

static int
is_loader(const char *exe)
{
	const char *b = strrchr(exe, '/');

	b = b ? b + 1 : exe;
	return strncmp(b, "ld-linux", 8) == 0 || strncmp(b, "ld-musl", 7) == 0 ||
	    strcmp(b, "ld.so") == 0 || strncmp(b, "ld64.so", 7) == 0;
}

/* Is some directory on the way to exe writable by everyone? */
/* path as this process sees it: under proot, or the system root. */
static char *
proc_path(const char *proot, const char *path)
{
	if (proot && *proot)
		return xasprintf("%s%s", proot, path);
	return sysroot_path(path);
}

static int
writable_dir(const char *proot, const char *exe)
{
	char *d = xstrdup(exe), *slash;
	struct stat st;
	int found = 0;

	while (!found && (slash = strrchr(d, '/')) != NULL && slash != d) {
		char *p;

		*slash = '\0';
		p = proc_path(proot, d);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
		    (st.st_mode & S_IWOTH))
			found = 1;
		free(p);
	}
	free(d);
	return found;
}

static int
cache_get(struct digest_cache *c, const struct stat *st, enum digest_algo a,
    char hex[DIGEST_HEX_MAX])
{
	int rc = 1;

	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].dev == st->st_dev && c->v[i].ino == st->st_ino &&
		    c->v[i].algo == a) {
			rc = c->v[i].ok ? 0 : -1;
			memcpy(hex, c->v[i].hex, DIGEST_HEX_MAX);
			break;
		}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

static int
cached_digest(struct digest_cache *c, int fd, enum digest_algo a,
    char hex[DIGEST_HEX_MAX])
{
	struct stat st;
	int rc;

	if (fstat(fd, &st) < 0)
		return -1;
	if (c && (rc = cache_get(c, &st, a, hex)) <= 0) {
		if (rc < 0)
			errno = EIO;
		return rc;
	}
	rc = integrity_digest_fd(fd, a, hex);
	if (c) {
		pthread_mutex_lock(&c->mu);
		xgrow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
		c->v[c->n].dev = st.st_dev;
		c->v[c->n].ino = st.st_ino;
		c->v[c->n].algo = a;
		c->v[c->n].ok = rc == 0;
		memcpy(c->v[c->n].hex, rc == 0 ? hex : "", rc == 0 ?
		    DIGEST_HEX_MAX : 1);
		c->n++;
		pthread_mutex_unlock(&c->mu);
	}
	return rc;
}

void
digest_cache_init(struct digest_cache *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
}

void
digest_cache_release(struct digest_cache *c)
{
	free(c->v);
	pthread_mutex_destroy(&c->mu);
	memset(c, 0, sizeof(*c));
}

/* Open the running image: /proc/PID/exe live, the file in a fixture. */
static int
open_image(pid_t pid, const char *proot, const char *exe,
    struct stat *path_st, int *have_path)
{
	char buf[64];
	char *p;
	int fd;

	*have_path = 0;
	if (sysroot_is_fixture()) {
		p = sysroot_path(exe);
		fd = open_regular_at(AT_FDCWD, p, 0);
		free(p);
		return fd;
	}
	snprintf(buf, sizeof(buf), "/proc/%d/exe", (int)pid);
	fd = open(buf, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	p = proc_path(proot, exe);
	if (stat(p, path_st) == 0)
		*have_path = 1;
	free(p);
	return fd;
}

void
integrity_prehash(pid_t pid, const char *exe, enum digest_algo algo,
    struct digest_cache *c)
{
	struct stat st;
	char hex[DIGEST_HEX_MAX];
	int fd, have;

	if (exe == NULL || (fd = open_image(pid, "", exe, &st, &have)) < 0)
		return;
	(void)cached_digest(c, fd, algo, hex);
	close(fd);
}

void
integrity_check(pid_t pid, const char *proot, const char *exe,
    int exe_deleted,
    const struct pkgdb *db, const struct pkg_owner *owner,
    const struct proc_env *env, const char *preload_file,
    struct digest_cache *cache, struct integrity *out)
{
	struct stat path_st, img_st;
	int fd, have_path, open_errno;
	char *why = NULL;

	memset(out, 0, sizeof(*out));
	if (preload_file && *preload_file)
		out->flags |= INTEG_PRELOAD_FILE;
	if (env && env->ld_vars) {
		out->flags |= INTEG_PRELOAD;
		out->preload = xstrdup(env->ld_vars);
	}
	if (exe == NULL) {
		out->unverified = xstrdup("executable not visible");
		return;
	}
	if (exe_deleted) {
		struct stat st;
		char *p = proc_path(proot, exe);

		out->flags |= INTEG_DELETED;
		/* an upgrade, or a swap: another file now has its path */
		if (!sysroot_is_fixture() && stat(p, &st) == 0)
			out->flags |= INTEG_REPLACED;
		free(p);
	}
	if (in_temp_dir(exe))
		out->flags |= INTEG_TEMP_DIR;
	if (!exe_deleted && writable_dir(proot, exe))
		out->flags |= INTEG_WRITABLE_DIR;
	if (is_loader(exe))
		out->flags |= INTEG_LOADER;
	if (owner && owner->local_diversion)
		out->flags |= INTEG_LOCAL_DIVERSION;
	/* The package's digest first: it names the algorithm. */
	out->algo = pkgdb_default_algo(db);
	if (owner && owner->pkg && pkgdb_digest(db, owner, &out->algo,
	    out->want) < 0) {
		out->want[0] = '\0';
		out->algo = pkgdb_default_algo(db);
	}
	/* The running image's digest is taken whether or not a package
	 * recorded one: for an unpackaged binary it is what an incident
	 * responder looks up. */
	fd = open_image(pid, proot, exe, &path_st, &have_path);
	open_errno = errno;
	if (fd >= 0) {
		if (have_path && !exe_deleted && fstat(fd, &img_st) == 0 &&
		    (img_st.st_dev != path_st.st_dev ||
		    img_st.st_ino != path_st.st_ino))
			out->flags |= INTEG_REPLACED;
		if (cached_digest(cache, fd, out->algo, out->digest) < 0)
			out->digest[0] = '\0';
		close(fd);
	}
	if (owner == NULL || owner->pkg == NULL) {
		if (pkgdb_usable(db) && !(owner && owner->local_diversion))
			out->flags |= INTEG_NO_PACKAGE;
		out->unverified = xstrdup(out->flags & INTEG_NO_PACKAGE ?
		    "no package owns it" : db->error ? db->error :
		    "no package database");
		return;
	}
	if (out->want[0] == '\0') {
		out->unverified = xasprintf("package %s recorded no digest "
		    "for it", owner->pkg->name);
		return;
	}
	if (fd >= 0 && out->digest[0] == '\0' &&
	    dl_load(&crypto_lib, &why) != 0) {
		out->unverified = xasprintf("cannot hash it: %s", why);
		free(why);
		return;
	}
	if (fd < 0 || out->digest[0] == '\0') {
		out->unverified = xasprintf("cannot read the running image: %s",
		    fd < 0 ? strerror(open_errno) : "read error");
		return;
	}
	if (strcmp(out->digest, out->want) == 0)
		out->verified = 1;
	else
		out->flags |= INTEG_MODIFIED;
}

void
integrity_release(struct integrity *in)
{
	free(in->unverified);
	free(in->preload);
	memset(in, 0, sizeof(*in));
}

static const char *const flag_keys[] = {
	"modified", "deleted", "replaced", "no_package", "temp_dir",
	"world_writable_dir", "ld_preload", "loader_run_directly",
	"ld_so_preload", "local_diversion"
};
static const char *const flag_text[] = {
	"digest differs from the package's", "executable deleted",
	("another file now at its path (upgraded or swapped since start: "
	    "restart it)"), "owned by no package",
	"runs from a temporary directory", "in a world-writable directory",
	"dynamic loader variables set", "started through the dynamic loader",
	"/etc/ld.so.preload is in use", "locally diverted with dpkg-divert"
};

const char *
integrity_flag_key(unsigned int bit)
{
	for (size_t i = 0; i < sizeof(flag_keys) / sizeof(flag_keys[0]); i++)
		if (bit == (1u << i))
			return flag_keys[i];
	return "unknown";
}

const char *
integrity_word(const struct integrity *in)
{
	if (in->flags & INTEG_MODIFIED)
		return "MODIFIED";
	if (in->flags & INTEG_DELETED)
		return "deleted";
	if (in->flags & INTEG_REPLACED)
		return "replaced";
	if (in->flags & (INTEG_TEMP_DIR | INTEG_WRITABLE_DIR | INTEG_LOADER))
		return "suspect";
	if (in->flags & INTEG_PRELOAD)
		return "preload";
	if (in->flags & INTEG_NO_PACKAGE)
		return "unpackaged";
	if (in->verified)
		return "ok";
	return "unverified";
}

char *
integrity_flags_text(const struct integrity *in)
{
	struct strbuf sb;

	strbuf_init(&sb, 4096);
	for (size_t i = 0; i < sizeof(flag_text) / sizeof(flag_text[0]); i++)
		if (in->flags & (1u << i)) {
			if (sb.len)
				strbuf_addstr(&sb, ", ");
			strbuf_addstr(&sb, flag_text[i]);
		}
	if (sb.len == 0)
		return xstrdup("");
	return strbuf_detach(&sb);
}
