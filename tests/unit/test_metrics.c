/* test_metrics.c - the Prometheus exposition of records: label values
 * escaped as the format asks, empty labels left out, counts by exposure,
 * integrity failures, the series cap and what it left out, drift and
 * policy counts; and the atomic file writer it is written with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "cm.h"
#include "drift_recs.h"
#include "drift/metrics.h"
#include "drift/record.h"
#include "util/atomicfile.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

static int
count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ?
	    strchr(p, '\n') + 1 : NULL)
		n += strncmp(p, prefix, strlen(prefix)) == 0;
	return n;
}

static void
t_escaping(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 1024);
	metrics_label_value(&sb, "a\\b\"c\nd\xc3\xa9");
	assert_string_equal(strbuf_str(&sb), "a\\\\b\\\"c\\nd\xc3\xa9");
	strbuf_reset(&sb);
	metrics_label_value(&sb, NULL);
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_release(&sb);
}

static void
t_render(void **state)
{
	struct drift_set s;
	struct metrics_in in;
	struct strbuf sb;
	const char *t;

	(void)state;
	memset(&s, 0, sizeof(s));
	/* a hostile path: a quote, a backslash; a control character is
	 * escaped by the record itself */
	rec(&s, "22", "all", "/usr/sbin/sshd", "ok");
	rec(&s, "25", "loopback", "/tmp/e\"vil\\x\n", "suspect");
	rec(&s, "80", "all", "/usr/sbin/nginx", "MODIFIED");
	rec(&s, "81", "strange", NULL, NULL);
	drift_sort(&s);
	memset(&in, 0, sizeof(in));
	in.now = &s;
	in.max_series = 10;
	in.duration_s = 0.25;
	in.timestamp_s = 1700000000;
	strbuf_init(&sb, 1u << 20);
	assert_int_equal(metrics_render(&in, &sb), 0);
	t = strbuf_str(&sb);
	assert_int_equal(count_lines(t, "portsleuth_listener_info{"), 4);
	assert_non_null(strstr(t, "process=\"sshd\""));
	/* the record made the backslash \\ and the line feed \n; the
	 * format's escaping adds a backslash before the quote and before
	 * each backslash */
	assert_non_null(strstr(t, "exe=\"/tmp/e\\\"vil\\\\\\\\x\\\\n\""));
	/* no label for what is not known */
	assert_null(strstr(t, "package=\"\""));
	assert_non_null(strstr(t, "portsleuth_listeners{exposure=\"all\"} 2\n"));
	assert_non_null(strstr(t,
	    "portsleuth_listeners{exposure=\"loopback\"} 1\n"));
	assert_non_null(strstr(t, "portsleuth_listeners{exposure=\"other\"} 1\n"));
	assert_non_null(strstr(t, "portsleuth_integrity_failures 2\n"));
	assert_non_null(strstr(t, "portsleuth_listener_info_omitted 0\n"));
	assert_non_null(strstr(t, "portsleuth_run_duration_seconds 0.250000\n"));
	/* not probed, no baseline, no policy: those metrics are absent */
	assert_null(strstr(t, "portsleuth_mismatches"));
	assert_null(strstr(t, "portsleuth_drift_changes"));
	assert_null(strstr(t, "portsleuth_policy_violations"));
	/* every line a comment or a sample; HELP and TYPE once per name */
	assert_int_equal(count_lines(t, "# TYPE portsleuth_listener_info "), 1);
	assert_int_equal(count_lines(t, "# TYPE portsleuth_listeners "), 1);

	/* the cap */
	strbuf_reset(&sb);
	in.max_series = 1;
	in.probed = 1;
	s.v[0].verdict = "mismatch";
	assert_int_equal(metrics_render(&in, &sb), 0);
	t = strbuf_str(&sb);
	assert_int_equal(count_lines(t, "portsleuth_listener_info{"), 1);
	assert_non_null(strstr(t, "portsleuth_listener_info_omitted 3\n"));
	assert_non_null(strstr(t, "verdict=\"mismatch\""));
	assert_non_null(strstr(t, "portsleuth_mismatches 1\n"));
	/* counts are of every listener, not only those shown */
	assert_non_null(strstr(t, "portsleuth_integrity_failures 2\n"));

	/* too small a buffer is said, not cut silently */
	strbuf_release(&sb);
	strbuf_init(&sb, 64);
	assert_int_equal(metrics_render(&in, &sb), -1);
	strbuf_release(&sb);
	drift_set_release(&s);
}

static void
t_drift_and_policy(void **state)
{
	struct drift_set s;
	struct changes ch;
	struct violations vi;
	struct metrics_in in;
	struct strbuf sb;
	const char *t;

	(void)state;
	memset(&s, 0, sizeof(s));
	rec(&s, "22", "all", "/usr/sbin/sshd", "ok");
	memset(&ch, 0, sizeof(ch));
	ch.v = xcalloc(2, sizeof(*ch.v));
	ch.v[0] = (struct change){ CH_NEW, NULL, &s.v[0], 0, 0, 0 };
	ch.v[1] = (struct change){ CH_CHANGED, &s.v[0], &s.v[0], 1u << DF_EXPOSURE,
	    1, 0 };
	ch.n = 2;
	ch.count[CH_NEW] = 1;
	ch.count[CH_CHANGED] = 1;
	memset(&vi, 0, sizeof(vi));
	vi.count[V_UNEXPECTED] = 3;
	memset(&in, 0, sizeof(in));
	in.now = &s;
	in.drift = &ch;
	in.viol = &vi;
	in.max_series = 10;
	strbuf_init(&sb, 1u << 20);
	assert_int_equal(metrics_render(&in, &sb), 0);
	t = strbuf_str(&sb);
	assert_non_null(strstr(t, "portsleuth_drift_changes{kind=\"new\"} 1\n"));
	assert_non_null(strstr(t, "portsleuth_drift_changes{kind=\"gone\"} 0\n"));
	assert_non_null(strstr(t,
	    "portsleuth_drift_changes{kind=\"changed\"} 1\n"));
	assert_int_equal(count_lines(t, "portsleuth_drift_change_info{"), 2);
	assert_non_null(strstr(t, "kind=\"changed\",netns=\"host\""));
	assert_non_null(strstr(t, "wider=\"1\""));
	assert_non_null(strstr(t,
	    "portsleuth_policy_violations{kind=\"unexpected\"} 3\n"));
	assert_non_null(strstr(t,
	    "portsleuth_policy_violations{kind=\"missing\"} 0\n"));
	strbuf_release(&sb);
	free(ch.v);
	drift_set_release(&s);
}

static void
t_atomic(void **state)
{
	char dir[] = "/tmp/ps-atomic-XXXXXX", path[256], buf[64];
	struct stat st;
	char *cause = NULL;
	FILE *f;
	DIR *d;
	struct dirent *e;
	int n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.prom", dir);
	assert_int_equal(atomic_write(path, "one\n", 4, 0644, &cause), 0);
	assert_int_equal(atomic_write(path, "two\n", 4, 0644, &cause), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "two\n");
	/* nothing left beside it */
	d = opendir(dir);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 1);
	/* a directory that is not there: said */
	snprintf(path, sizeof(path), "%s/none/x.prom", dir);
	assert_int_equal(atomic_write(path, "x", 1, 0644, &cause), -1);
	assert_non_null(cause);
	free(cause);
	snprintf(path, sizeof(path), "%s/x.prom", dir);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_escaping),
		cmocka_unit_test(t_render),
		cmocka_unit_test(t_drift_and_policy),
		cmocka_unit_test(t_atomic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
