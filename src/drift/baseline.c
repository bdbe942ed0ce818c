/*
 * baseline.c - writing and reading a baseline (see baseline.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "drift/baseline.h"
#include "kernel/sock.h"
#include "render/jsonw.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static const char *const proto_keys[PROTO_COUNT] = {
	"tcp", "udp", "udplite", "raw", "sctp"
};

static void
write_doc(struct jw *w, const struct baseline *b)
{
	jw_object(w, NULL);
	jw_str(w, "portsleuth", b->version);
	jw_int(w, "schema", 1);
	jw_str(w, "kind", "baseline");
	jw_str(w, "taken", b->taken);
	jw_str(w, "host", b->host);
	jw_object(w, "options");
	jw_array(w, "protocols");
	for (int p = 0; p < PROTO_COUNT; p++)
		if (b->opts.protos & PROTO_BIT(p))
			jw_str(w, NULL, proto_keys[p]);
	jw_end(w);
	jw_bool(w, "ipv4", b->opts.want4);
	jw_bool(w, "ipv6", b->opts.want6);
	jw_str(w, "netns", b->opts.netns);
	jw_bool(w, "probe", b->opts.probe);
	jw_bool(w, "ephemeral", b->opts.ephemeral);
	jw_end(w);
	jw_array(w, "listeners");
	for (size_t i = 0; i < b->set.n; i++) {
		const struct drift_rec *r = &b->set.v[i];

		jw_object(w, NULL);
		for (int f = 0; f < DF_COUNT; f++)
			if (f == DF_PORT)
				jw_int(w, "port", r->f[f] ? strtol(r->f[f], NULL,
				    10) : 0);
			else
				jw_str(w, drift_field_key(f), r->f[f]);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

static int
write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, buf, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		buf += k;
		n -= (size_t)k;
	}
	return 0;
}

int
baseline_write(const char *path, const struct baseline *b, char **cause)
{
	struct strbuf sb;
	struct jw w;
	char *dir, *tmp, *slash;
	int fd, dfd, err;

	*cause = NULL;
	strbuf_init(&sb, BASELINE_CAP);
	jw_init(&w, &sb, 1);
	write_doc(&w, b);
	if (jw_finish(&w, cause) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	strbuf_addch(&sb, '\n');
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else {
		free(dir);
		dir = xstrdup(".");
	}
	/* the default place is portsleuth's own: made when missing */
	if (strcmp(path, BASELINE_DEFAULT) == 0 && mkdir(dir, 0700) < 0 &&
	    errno != EEXIST) {
		*cause = xasprintf("cannot make '%s': %s", dir, strerror(errno));
		goto fail_dir;
	}
	tmp = xasprintf("%s.tmp.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		*cause = xasprintf("cannot write in '%s': %s", dir,
		    strerror(errno));
		free(tmp);
		goto fail_dir;
	}
	/* mkostemp makes it 0600; the baseline names every daemon and its
	 * digest: it stays so */
	if (fchmod(fd, 0600) < 0 || write_all(fd, sb.buf, sb.len) < 0 ||
	    fsync(fd) < 0) {
		err = errno;
		close(fd);
		unlink(tmp);
		*cause = xasprintf("cannot write '%s': %s", tmp, strerror(err));
		free(tmp);
		goto fail_dir;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		err = errno;
		unlink(tmp);
		*cause = xasprintf("cannot replace '%s': %s", path,
		    strerror(err));
		free(tmp);
		goto fail_dir;
	}
	free(tmp);
	/* the rename itself must reach the disk */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);
	strbuf_release(&sb);
	return 0;
fail_dir:
	free(dir);
	strbuf_release(&sb);
	return -1;
}

/* ---- reading ---------------------------------------------------------- */

static char *
opt_str(json_t *o, const char *key, int *bad)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || strlen(json_string_value(v)) >
	    DRIFT_VALUE_MAX) {
		*bad = 1;
		return NULL;
	}
	return xstrdup(json_string_value(v));
}

static int
opt_bool(json_t *o, const char *key, int *bad)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v)) {
		*bad = 1;
		return 0;
	}
	return json_is_true(v);
}

static int
read_options(json_t *o, struct baseline_opts *opts, char **cause)
{
	json_t *protos = json_object_get(o, "protocols"), *p;
	size_t i;
	int bad = 0;

	if (!json_is_object(o)) {
		*cause = xstrdup("options: not an object");
		return -1;
	}
	if (protos && !json_is_array(protos)) {
		*cause = xstrdup("options.protocols: not an array");
		return -1;
	}
	json_array_foreach(protos, i, p) {
		int k;

		for (k = 0; k < PROTO_COUNT; k++)
			if (json_is_string(p) && strcmp(json_string_value(p),
			    proto_keys[k]) == 0)
				break;
		if (k == PROTO_COUNT) {
			*cause = xasprintf("options.protocols[%zu]: not a "
			    "protocol", i);
			return -1;
		}
		opts->protos |= PROTO_BIT(k);
	}
	opts->want4 = opt_bool(o, "ipv4", &bad);
	opts->want6 = opt_bool(o, "ipv6", &bad);
	opts->probe = opt_bool(o, "probe", &bad);
	opts->ephemeral = opt_bool(o, "ephemeral", &bad);
	opts->netns = opt_str(o, "netns", &bad);
	if (bad) {
		*cause = xstrdup("options: a member of the wrong type");
		return -1;
	}
	return 0;
}

static int
read_listener(json_t *o, size_t idx, struct drift_set *set, char **cause)
{
	struct drift_rec *r;
	const char *key;
	json_t *v;
	static const enum drift_field required[] = { DF_NETNS, DF_PROTO,
	    DF_FAMILY, DF_ADDRESS, DF_PORT };

	if (!json_is_object(o)) {
		*cause = xasprintf("listeners[%zu]: not an object", idx);
		return -1;
	}
	r = drift_add(set);
	json_object_foreach(o, key, v) {
		int f = drift_field_of(key);
		char num[16];

		if (f < 0)
			continue;	/* a later version's field */
		if (f == DF_PORT) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 65535) {
				*cause = xasprintf("listeners[%zu].port: not a "
				    "port number", idx);
				return -1;
			}
			snprintf(num, sizeof(num), "%d",
			    (int)json_integer_value(v));
			drift_set_raw(r, DF_PORT, num);
		} else if (json_is_string(v)) {
			if (strlen(json_string_value(v)) > DRIFT_VALUE_MAX) {
				*cause = xasprintf("listeners[%zu].%s: longer "
				    "than %d bytes", idx, key,
				    DRIFT_VALUE_MAX);
				return -1;
			}
			drift_set_raw(r, (enum drift_field)f,
			    json_string_value(v));
		} else if (!json_is_null(v)) {
			*cause = xasprintf("listeners[%zu].%s: not a string",
			    idx, key);
			return -1;
		}
	}
	for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++)
		if (r->f[required[k]] == NULL) {
			*cause = xasprintf("listeners[%zu]: no %s", idx,
			    drift_field_key(required[k]));
			return -1;
		}
	return 0;
}

int
baseline_parse(const char *buf, size_t len, struct baseline *b, char **cause)
{
	json_error_t jerr;
	json_t *doc, *v, *ls, *o;
	size_t i;
	int bad = 0, rc = -1;

	memset(b, 0, sizeof(*b));
	*cause = NULL;
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		*cause = xasprintf("not a baseline: not JSON (line %d: %s)",
		    jerr.line, jerr.text);
		return -1;
	}
	v = json_object_get(doc, "schema");
	if (!json_is_object(doc) || !json_is_string(json_object_get(doc,
	    "portsleuth")) || !json_is_string(json_object_get(doc, "kind")) ||
	    strcmp(json_string_value(json_object_get(doc, "kind")),
	    "baseline") != 0) {
		*cause = xstrdup("not a baseline: no \"portsleuth\" and "
		    "\"kind\": \"baseline\"");
		goto out;
	}
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		*cause = xstrdup("a baseline of another schema than 1 (taken "
		    "by another version?)");
		goto out;
	}
	b->version = opt_str(doc, "portsleuth", &bad);
	b->taken = opt_str(doc, "taken", &bad);
	b->host = opt_str(doc, "host", &bad);
	if (bad) {
		*cause = xstrdup("taken, host: not strings");
		goto out;
	}
	if (read_options(json_object_get(doc, "options"), &b->opts, cause) < 0)
		goto out;
	ls = json_object_get(doc, "listeners");
	if (!json_is_array(ls)) {
		*cause = xstrdup("listeners: not an array");
		goto out;
	}
	if (json_array_size(ls) > BASELINE_MAX) {
		*cause = xasprintf("more than %d listeners", BASELINE_MAX);
		goto out;
	}
	json_array_foreach(ls, i, o)
		if (read_listener(o, i, &b->set, cause) < 0)
			goto out;
	drift_sort(&b->set);
	rc = 0;
out:
	json_decref(doc);
	if (rc < 0) {
		char *c = *cause;

		*cause = NULL;
		baseline_release(b);
		*cause = c;
	}
	return rc;
}

int
baseline_read(const char *path, struct baseline *b, char **cause)
{
	struct strbuf sb;
	int fd, rc;

	memset(b, 0, sizeof(*b));
	*cause = NULL;
	if ((fd = open_regular_at(AT_FDCWD, path, 0)) < 0) {
		*cause = xasprintf("cannot read the baseline '%s': %s", path,
		    errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	strbuf_init(&sb, BASELINE_CAP);
	rc = read_fd_capped(fd, BASELINE_CAP, &sb);
	close(fd);
	if (rc < 0 || sb.truncated) {
		*cause = xasprintf("cannot read the baseline '%s': %s", path,
		    rc < 0 ? strerror(errno) : "larger than 256 MiB");
		strbuf_release(&sb);
		return -1;
	}
	if (baseline_parse(sb.buf, sb.len, b, cause) < 0) {
		char *c = xasprintf("baseline '%s': %s", path, *cause);

		free(*cause);
		*cause = c;
		rc = -1;
	}
	strbuf_release(&sb);
	return rc;
}

void
baseline_release(struct baseline *b)
{
	free(b->version);
	free(b->taken);
	free(b->host);
	free(b->opts.netns);
	drift_set_release(&b->set);
	memset(b, 0, sizeof(*b));
}
