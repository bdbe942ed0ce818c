/* Unit tests for kb.c, and validation of the shipped knowledge base
 * (data/daemons.kb): well formed, no duplicate names, enough daemons. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "why/kb.h"

static void
t_parse(void **state)
{
	static const char text[] =
	    "# comment\n"
	    "[a]\nmatch: ad a-daemon\npackage: pa\nunit: a\nports: 1/tcp\n"
	    "purpose: does a\nrisk: some\nadvice: keep: needed\n\n"
	    "[b]\nmatch: bd\npurpose: does b\nrisk: r\nadvice: maybe: ?\n"
	    "[a]\nmatch: x\npurpose: p\nrisk: r\nadvice: disable: no\n"
	    "orphan: value\n"
	    "[c]\nmatch: ad\npackage: pc\npurpose: also ad\nrisk: r\n"
	    "advice: review: why\nmatch: twice\nbogus: key\n"
	    "[bad header]\n[d]\npurpose: x\nrisk: y\nadvice: keep: z\n";
	struct kb kb;
	const struct kb_entry *e;
	char v[16];

	(void)state;
	memset(&kb, 0, sizeof(kb));
	kb_parse(&kb, text, sizeof(text) - 1);
	assert_int_equal(kb.n, 5);
	assert_non_null(kb.problems);
	assert_non_null(strstr(kb.problems, "duplicate entry: a"));
	assert_non_null(strstr(kb.problems, "advice must start"));
	assert_non_null(strstr(kb.problems, "key given twice: c"));
	assert_non_null(strstr(kb.problems, "unknown key: c"));
	assert_non_null(strstr(kb.problems, "bad header"));
	assert_non_null(strstr(kb.problems, "nothing to match on: d"));

	e = kb_lookup(&kb, NULL, "/usr/sbin/a-daemon", NULL, NULL);
	assert_string_equal(e->name, "a");
	/* two entries match "ad": the owning package decides */
	e = kb_lookup(&kb, "ad", NULL, "pc", NULL);
	assert_string_equal(e->name, "c");
	e = kb_lookup(&kb, "ad", NULL, NULL, NULL);
	assert_string_equal(e->name, "a");
	e = kb_lookup(&kb, NULL, NULL, "pa", NULL);
	assert_string_equal(e->name, "a");
	e = kb_lookup(&kb, NULL, NULL, NULL, "a@x.service");
	assert_string_equal(e->name, "a");
	assert_null(kb_lookup(&kb, "zz", "/x/zz", "zz", "zz.service"));
	assert_string_equal(kb_verdict(&kb.v[0], v, sizeof(v)), "keep");
	assert_string_equal(kb_verdict(&kb.v[1], v, sizeof(v)), "?");
	kb_release(&kb);
}

static void
t_shipped(void **state)
{
	struct kb kb;
	size_t i, j, keep = 0, disable = 0;
	char v[16];

	(void)state;
	char *cause = NULL;

	assert_int_equal(kb_load(&kb, PS_SRC_DATADIR "/daemons.kb", &cause), 0);
	assert_null(cause);
	if (kb.problems)
		fprintf(stderr, "%s", kb.problems);
	assert_null(kb.problems);
	assert_int_equal(kb.malformed, 0);
	assert_true(kb.n >= 80);
	for (i = 0; i < kb.n; i++) {
		assert_non_null(kb.v[i].purpose);
		assert_non_null(kb.v[i].risk);
		assert_non_null(kb.v[i].ports);
		assert_string_not_equal(kb_verdict(&kb.v[i], v, sizeof(v)),
		    "?");
		keep += strcmp(v, "keep") == 0;
		disable += strcmp(v, "disable") == 0;
		for (j = i + 1; j < kb.n; j++)
			assert_string_not_equal(kb.v[i].name, kb.v[j].name);
	}
	assert_true(keep > 10 && disable > 10);
	/* the classic set and modern successors are there */
	{
		static const char *const want[][2] = {
			{ "sshd", "sshd" }, { "rpcbind", "rpcbind" },
			{ "avahi-daemon", "avahi" }, { "cupsd", "cupsd" },
			{ "chronyd", "chronyd" }, { "in.fingerd", "fingerd" },
			{ "systemd-resolved", "systemd-resolved" },
			{ "identd", "identd" }, { "atd", "atd" },
			{ "smbd", "smbd" }, { "snmpd", "snmpd" },
			{ "named", "named" }, { "xinetd", "xinetd" },
			{ "rpc.rwalld", "rwalld" }, { "lpd", "lpd" },
			{ "sendmail", "sendmail" }, { "gpm", "gpm" },
		};
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			const struct kb_entry *e = kb_lookup(&kb, want[i][0],
			    NULL, NULL, NULL);

			assert_non_null(e);
			assert_string_equal(e->name, want[i][1]);
		}
	}
	kb_release(&kb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse),
		cmocka_unit_test(t_shipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
