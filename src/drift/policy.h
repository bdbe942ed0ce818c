/*
 * policy.h - the listeners a host's role allows, in the keys of a
 * baseline's records, with wildcards; shared by a fleet, one file per
 * role.
 *
 *   {"portsleuth_policy": 1, "listeners": [
 *     {"comment": "ssh", "netns": "host", "proto": "tcp", "port": 22,
 *      "program": "openssh-server", "required": true},
 *     {"netns": "podman:*", "port": "8000-8099"},
 *     {"port": "*", "max_exposure": "loopback"}]}
 *
 * A string is a shell wildcard pattern (fnmatch); "port" is a number,
 * "LOW-HIGH" or "*"; "max_exposure" caps how wide the listener may be
 * (loopback < link-local < address < device < all).  A listener no rule
 * allows is unexpected; a "required" rule nothing matches is missing.
 * An unknown key is an error (a typo must not allow everything).
 */
#ifndef PS_DRIFT_POLICY_H
#define PS_DRIFT_POLICY_H

#include <stddef.h>

#include "drift/record.h"

#define POLICY_CAP	(16u << 20)
#define POLICY_RULES_MAX 100000

struct policy_rule {
	char	*pat[DF_COUNT];		/* NULL: any */
	int	 port_lo, port_hi;	/* -1: any */
	int	 max_exposure;		/* rank, -1: any */
	int	 required;
	char	*comment;
};

struct policy {
	struct policy_rule *v;
	size_t		    n;
};

enum violation_kind { V_UNEXPECTED, V_MISSING };

struct violation {
	enum violation_kind	 kind;
	const struct drift_rec	*rec;	/* unexpected: the listener */
	size_t			 rule;	/* missing: the rule's index */
};

struct violations {
	struct violation	*v;
	size_t			 n, cap;
	size_t			 count[2];
};

int policy_read(const char *path, struct policy *p, char **cause);
/* Pure: parse a policy document.  0, or -1 with *cause. */
int policy_parse(const char *buf, size_t len, struct policy *p,
    char **cause);
void policy_release(struct policy *p);
/* Does rule r allow record rec? */
int policy_rule_matches(const struct policy_rule *r,
    const struct drift_rec *rec);
void policy_check(const struct policy *p, const struct drift_set *now,
    struct violations *out);
void violations_release(struct violations *v);

#endif
