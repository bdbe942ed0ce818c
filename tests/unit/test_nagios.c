/* test_nagios.c - the monitoring plugin's answer: the guidelines' range
 * format and when a value alerts, thresholds set and removed, the status
 * as the worst metric's, the status line, the long output (capped) and
 * the performance data, and a '|' in a name kept out of the format. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "drift_recs.h"
#include "drift/nagios.h"
#include "drift/record.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

static int
alerts(const char *range, double v)
{
	struct np_range r;

	assert_int_equal(np_range_parse(range, &r), 0);
	return np_range_alerts(&r, v);
}

static void
t_ranges(void **state)
{
	struct np_range r;

	(void)state;
	/* the guidelines' table */
	assert_false(alerts("10", 0));
	assert_false(alerts("10", 10));
	assert_true(alerts("10", 11));
	assert_true(alerts("10", -1));
	assert_true(alerts("10:", 9));
	assert_false(alerts("10:", 1e9));
	assert_false(alerts("~:10", -1e9));
	assert_true(alerts("~:10", 10.5));
	assert_true(alerts("10:20", 9));
	assert_false(alerts("10:20", 15));
	assert_true(alerts("10:20", 21));
	assert_true(alerts("@10:20", 10));
	assert_true(alerts("@10:20", 20));
	assert_false(alerts("@10:20", 21));
	assert_false(alerts("~:", 1e300));
	assert_true(alerts("0", 1));
	assert_false(alerts("0", 0));
	assert_true(alerts("1.5", 2));
	/* malformed: said, never a guess */
	assert_int_equal(np_range_parse("", &r), -1);
	assert_int_equal(np_range_parse("20:10", &r), -1);
	assert_int_equal(np_range_parse("abc", &r), -1);
	assert_int_equal(np_range_parse("1e3", &r), -1);
	assert_int_equal(np_range_parse("0x10", &r), -1);
	assert_int_equal(np_range_parse("inf", &r), -1);
	assert_int_equal(np_range_parse("10:~", &r), -1);
	assert_int_equal(np_range_parse("@", &r), -1);
	assert_int_equal(np_range_parse("1:2:3", &r), -1);
	assert_int_equal(np_range_parse(
	    "1234567890123456789012345678901234567890", &r), -1);
	assert_int_equal(np_range_parse("-5:-1", &r), 0);
	assert_string_equal(r.text, "-5:-1");
	assert_true(isinf(r.hi) == 0);
}

static void
t_thresholds(void **state)
{
	struct np_check c;
	const char *why = NULL;

	(void)state;
	np_check_defaults(&c);
	assert_true(c.warn[NPM_CHANGES].set);
	assert_true(c.crit[NPM_UNEXPECTED].set);
	assert_false(c.crit[NPM_LISTENERS].set);
	assert_int_equal(np_threshold_set(&c, 1, "listeners=100", &why), 0);
	assert_true(c.crit[NPM_LISTENERS].set);
	assert_string_equal(c.crit[NPM_LISTENERS].text, "100");
	/* an empty range removes a default */
	assert_int_equal(np_threshold_set(&c, 0, "changes=", &why), 0);
	assert_false(c.warn[NPM_CHANGES].set);
	assert_int_equal(np_threshold_set(&c, 0, "nosuch=1", &why), -1);
	assert_non_null(strstr(why, "no such metric"));
	assert_int_equal(np_threshold_set(&c, 0, "changes", &why), -1);
	assert_int_equal(np_threshold_set(&c, 0, "changes=x", &why), -1);
	assert_false(c.warn[NPM_CHANGES].set);
	assert_int_equal(np_metric_from_name("widened"), NPM_WIDENED);
	assert_string_equal(np_metric_name(NPM_MISMATCHES), "mismatches");
}

static void
t_render(void **state)
{
	struct drift_set s;
	struct changes ch;
	struct violations vi;
	struct policy pol;
	struct policy_rule rule;
	struct np_check c;
	struct np_in in;
	struct strbuf sb;
	const char *t, *nl;
	static const char *notes[] = { "cannot read /proc/1/fd: \x1b[31m" };

	(void)state;
	memset(&s, 0, sizeof(s));
	rec(&s, "22", "loopback", "/usr/sbin/sshd", "ok");
	rec(&s, "80", "all", "/usr/sbin/ng|inx", "ok");
	np_check_defaults(&c);
	memset(&in, 0, sizeof(in));
	in.now = &s;
	in.max_lines = 10;
	strbuf_init(&sb, 1u << 20);

	/* no baseline, no policy: OK; only the metrics that apply */
	assert_int_equal(np_render(&c, &in, &sb), NP_OK);
	t = strbuf_str(&sb);
	assert_string_equal(t, "PORTSLEUTH OK - 2 listeners, 1 open to all | "
	    "'listeners'=2;;;0 'exposed'=1;;;0 'integrity'=0;;0;0 "
	    "'notes'=0;;;0\n");

	/* a critical threshold on the exposed count */
	assert_int_equal(np_threshold_set(&c, 1, "exposed=0", &t), 0);
	strbuf_reset(&sb);
	assert_int_equal(np_render(&c, &in, &sb), NP_CRITICAL);
	assert_true(strncmp(strbuf_str(&sb), "PORTSLEUTH CRITICAL - 1 exposed. "
	    "2 listeners |", 42) == 0);
	np_check_defaults(&c);

	/* an integrity failure: critical, with its line */
	drift_set_field(&s.v[0], DF_INTEGRITY, "MODIFIED");
	strbuf_reset(&sb);
	assert_int_equal(np_render(&c, &in, &sb), NP_CRITICAL);
	t = strbuf_str(&sb);
	assert_non_null(strstr(t, "CRITICAL - 1 integrity. "));
	assert_non_null(strstr(t, "\nintegrity: tcp 0.0.0.0:22 /usr/sbin/sshd: "
	    "/usr/sbin/sshd MODIFIED\n"));
	drift_set_field(&s.v[0], DF_INTEGRITY, "ok");

	/* drift: a new listener open to all is critical (widened); a new
	 * one on loopback only warns */
	memset(&ch, 0, sizeof(ch));
	ch.v = xcalloc(2, sizeof(*ch.v));
	ch.v[0] = (struct change){ CH_NEW, NULL, &s.v[0], 0, 0, 0 };
	ch.n = 1;
	ch.count[CH_NEW] = 1;
	in.drift = &ch;
	in.taken = "2026-01-01T00:00:00Z";
	strbuf_reset(&sb);
	assert_int_equal(np_render(&c, &in, &sb), NP_WARNING);
	t = strbuf_str(&sb);
	assert_non_null(strstr(t, "WARNING - 1 changes. 2 listeners, 1 open to "
	    "all, baseline of 2026-01-01T00:00:00Z |"));
	assert_non_null(strstr(t, "'changes'=1;0;;0"));
	assert_non_null(strstr(t, "'widened'=0;;0;0"));
	assert_non_null(strstr(t, "\nnew since the baseline: tcp 0.0.0.0:22 "
	    "/usr/sbin/sshd, exposure loopback\n"));
	ch.v[1] = (struct change){ CH_NEW, NULL, &s.v[1], 0, 0, 0 };
	ch.n = 2;
	ch.count[CH_NEW] = 2;
	strbuf_reset(&sb);
	assert_int_equal(np_render(&c, &in, &sb), NP_CRITICAL);
	t = strbuf_str(&sb);
	/* worst first */
	assert_non_null(strstr(t, "CRITICAL - 1 widened, 2 changes. "));
	/* the '|' of a name is not the format's separator: one '|' in the
	 * first line, none after */
	nl = strchr(t, '\n');
	assert_non_null(strchr(t, '|'));
	assert_true(strchr(t, '|') == strrchr(t, '|') || strrchr(t, '|') < nl);
	assert_null(strchr(nl, '|'));
	assert_non_null(strstr(nl, "/usr/sbin/ng\xc2\xa6inx"));

	/* the policy: unexpected and missing are critical */
	memset(&rule, 0, sizeof(rule));
	rule.comment = (char *)"ssh";
	memset(&pol, 0, sizeof(pol));
	pol.v = &rule;
	pol.n = 1;
	memset(&vi, 0, sizeof(vi));
	vi.v = xcalloc(1, sizeof(*vi.v));
	vi.v[0] = (struct violation){ V_MISSING, NULL, 0 };
	vi.n = 1;
	vi.count[V_MISSING] = 1;
	in.viol = &vi;
	in.pol = &pol;
	in.drift = NULL;
	strbuf_reset(&sb);
	assert_int_equal(np_render(&c, &in, &sb), NP_CRITICAL);
	t = strbuf_str(&sb);
	assert_non_null(strstr(t, "CRITICAL - 1 missing. 2 listeners, 1 open "
	    "to all, policy violated |"));
	assert_non_null(strstr(t, "\nmissing: the policy's rule 1 (ssh) "
	    "requires a listener, none matches\n"));
	assert_non_null(strstr(t, "'unexpected'=0;;0;0 'missing'=1;;0;0"));

	/* thresholds moved: nothing alerts */
	assert_int_equal(np_threshold_set(&c, 1, "missing=", &t), 0);
	strbuf_reset(&sb);
	assert_int_equal(np_render(&c, &in, &sb), NP_OK);

	/* notes: in the status and the long output, escaped */
	in.notes = 1;
	in.note_v = notes;
	strbuf_reset(&sb);
	(void)np_render(&c, &in, &sb);
	t = strbuf_str(&sb);
	assert_non_null(strstr(t, "1 notes on what it could not see |"));
	assert_non_null(strstr(t, "\nnote: cannot read /proc/1/fd: \\e[31m\n"));
	assert_null(strchr(t, '\x1b'));
	in.notes = 0;

	/* the long output is capped, and says what it left out */
	in.max_lines = 0;
	in.viol = NULL;
	in.drift = &ch;
	strbuf_reset(&sb);
	(void)np_render(&c, &in, &sb);
	assert_non_null(strstr(strbuf_str(&sb), "\n... and 2 more\n"));

	strbuf_release(&sb);
	free(vi.v);
	free(ch.v);
	drift_set_release(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_ranges),
		cmocka_unit_test(t_thresholds),
		cmocka_unit_test(t_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
