/*
 * policy.c - expected listeners, with wildcards (see policy.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "drift/policy.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static int
parse_port(json_t *v, int *lo, int *hi)
{
	const char *s, *dash;
	uint64_t a, b;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0 || json_integer_value(v) > 65535)
			return -1;
		*lo = *hi = (int)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (strcmp(s, "*") == 0) {
		*lo = *hi = -1;
		return 0;
	}
	if ((dash = strchr(s, '-')) == NULL) {
		if (num_parse_str(s, 0, 65535, &a) != 0)
			return -1;
		*lo = *hi = (int)a;
		return 0;
	}
	if (num_parse_u64(s, (size_t)(dash - s), 10, 0, 65535, &a) != 0 ||
	    num_parse_str(dash + 1, 0, 65535, &b) != 0 || a > b)
		return -1;
	*lo = (int)a;
	*hi = (int)b;
	return 0;
}

static int
parse_rule(json_t *o, size_t idx, struct policy_rule *r, char **cause)
{
	const char *key;
	json_t *v;

	memset(r, 0, sizeof(*r));
	r->port_lo = r->port_hi = -1;
	r->max_exposure = -1;
	if (!json_is_object(o)) {
		*cause = xasprintf("listeners[%zu]: not an object", idx);
		return -1;
	}
	json_object_foreach(o, key, v) {
		int f;

		if (strcmp(key, "required") == 0) {
			if (!json_is_boolean(v))
				goto bad;
			r->required = json_is_true(v);
		} else if (strcmp(key, "comment") == 0) {
			if (!json_is_string(v))
				goto bad;
			free(r->comment);
			r->comment = xstrndup(json_string_value(v), 256);
		} else if (strcmp(key, "max_exposure") == 0) {
			if (!json_is_string(v) || (r->max_exposure =
			    drift_exposure_rank(json_string_value(v))) < 0)
				goto bad;
		} else if (strcmp(key, "port") == 0) {
			if (parse_port(v, &r->port_lo, &r->port_hi) < 0)
				goto bad;
		} else if ((f = drift_field_of(key)) >= 0) {
			if (!json_is_string(v) || strlen(json_string_value(v)) >
			    DRIFT_VALUE_MAX)
				goto bad;
			free(r->pat[f]);
			r->pat[f] = xstrdup(json_string_value(v));
		} else {
			*cause = xasprintf("listeners[%zu]: unknown key '%.64s'",
			    idx, key);
			return -1;
		}
		continue;
bad:
		*cause = xasprintf("listeners[%zu].%.64s: not a valid value",
		    idx, key);
		return -1;
	}
	return 0;
}

static void
rule_release(struct policy_rule *r)
{
	for (int f = 0; f < DF_COUNT; f++)
		free(r->pat[f]);
	free(r->comment);
}

int
policy_parse(const char *buf, size_t len, struct policy *p, char **cause)
{
	json_error_t jerr;
	json_t *doc, *ls, *o, *ver;
	size_t i;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	*cause = NULL;
	if ((doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		*cause = xasprintf("not a policy: not JSON (line %d: %s)",
		    jerr.line, jerr.text);
		return -1;
	}
	ver = json_object_get(doc, "portsleuth_policy");
	ls = json_object_get(doc, "listeners");
	if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
		*cause = xstrdup("not a policy: no \"portsleuth_policy\": 1");
		goto out;
	}
	if (!json_is_array(ls) || json_array_size(ls) > POLICY_RULES_MAX) {
		*cause = xstrdup("listeners: not an array (of at most 100000 "
		    "rules)");
		goto out;
	}
	p->v = xcalloc(json_array_size(ls) ? json_array_size(ls) : 1,
	    sizeof(*p->v));
	json_array_foreach(ls, i, o) {
		if (parse_rule(o, i, &p->v[i], cause) < 0) {
			rule_release(&p->v[i]);
			goto out;
		}
		p->n++;
	}
	rc = 0;
out:
	json_decref(doc);
	if (rc < 0) {
		char *c = *cause;

		policy_release(p);
		*cause = c;
	}
	return rc;
}

int
policy_read(const char *path, struct policy *p, char **cause)
{
	struct strbuf sb;
	int fd, rc;

	memset(p, 0, sizeof(*p));
	*cause = NULL;
	if ((fd = open_regular_at(AT_FDCWD, path, 0)) < 0) {
		*cause = xasprintf("cannot read the policy '%s': %s", path,
		    errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	strbuf_init(&sb, POLICY_CAP);
	rc = read_fd_capped(fd, POLICY_CAP, &sb);
	close(fd);
	if (rc < 0 || sb.truncated) {
		*cause = xasprintf("cannot read the policy '%s': %s", path,
		    rc < 0 ? strerror(errno) : "larger than 16 MiB");
		strbuf_release(&sb);
		return -1;
	}
	if ((rc = policy_parse(sb.buf, sb.len, p, cause)) < 0) {
		char *c = xasprintf("policy '%s': %s", path, *cause);

		free(*cause);
		*cause = c;
	}
	strbuf_release(&sb);
	return rc;
}

void
policy_release(struct policy *p)
{
	for (size_t i = 0; i < p->n; i++)
		rule_release(&p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

int
policy_rule_matches(const struct policy_rule *r, const struct drift_rec *rec)
{
	for (int f = 0; f < DF_COUNT; f++) {
		if (f == DF_PORT || r->pat[f] == NULL)
			continue;
		if (rec->f[f] == NULL ? strcmp(r->pat[f], "*") != 0 :
		    fnmatch(r->pat[f], rec->f[f], 0) != 0)
			return 0;
	}
	if (r->port_lo >= 0) {
		long port = rec->f[DF_PORT] ? strtol(rec->f[DF_PORT], NULL, 10) :
		    -1;

		if (port < r->port_lo || port > r->port_hi)
			return 0;
	}
	if (r->max_exposure >= 0) {
		int rank = drift_exposure_rank(rec->f[DF_EXPOSURE]);

		/* multicast, nonlocal: not within any cap */
		if (rank < 0 || rank > r->max_exposure)
			return 0;
	}
	return 1;
}

static void
add(struct violations *out, enum violation_kind k,
    const struct drift_rec *rec, size_t rule)
{
	xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
	out->v[out->n].kind = k;
	out->v[out->n].rec = rec;
	out->v[out->n].rule = rule;
	out->n++;
	out->count[k]++;
}

void
policy_check(const struct policy *p, const struct drift_set *now,
    struct violations *out)
{
	unsigned char *hit = xcalloc(p->n ? p->n : 1, 1);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < now->n; i++) {
		int allowed = 0;

		/* every rule is tried: a required one must see its match even
		 * when an earlier rule allowed the listener */
		for (size_t k = 0; k < p->n; k++)
			if (policy_rule_matches(&p->v[k], &now->v[i])) {
				allowed = 1;
				hit[k] = 1;
			}
		if (!allowed)
			add(out, V_UNEXPECTED, &now->v[i], 0);
	}
	for (size_t k = 0; k < p->n; k++)
		if (p->v[k].required && !hit[k])
			add(out, V_MISSING, NULL, k);
	free(hit);
}

void
violations_release(struct violations *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}
