/* Unit tests for filter.c: port lists. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cm.h"
#include "model/filter.h"

static void
t_ports(void **state)
{
	struct filter f;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_true(filter_port_match(&f, 1234));	/* no list: any */
	assert_int_equal(filter_parse_ports(&f, "22"), 0);
	assert_true(filter_port_match(&f, 22));
	assert_false(filter_port_match(&f, 23));
	assert_int_equal(filter_parse_ports(&f, "1-1023"), 0);
	assert_true(filter_port_match(&f, 1));
	assert_true(filter_port_match(&f, 1023));
	assert_false(filter_port_match(&f, 1024));
	assert_false(filter_port_match(&f, 0));
	assert_int_equal(filter_parse_ports(&f, "22,80,8000-8100"), 0);
	assert_int_equal(f.nports, 3);
	assert_true(filter_port_match(&f, 8050));
	assert_true(filter_port_match(&f, 80));
	assert_int_equal(filter_parse_ports(&f, "0-65535"), 0);
	assert_true(filter_port_match(&f, 65535));
}

static void
t_bad_ports(void **state)
{
	struct filter f;
	char many[512] = "";
	int i;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_parse_ports(&f, ""), EINVAL);
	assert_int_equal(filter_parse_ports(&f, "22,"), EINVAL);
	assert_int_equal(filter_parse_ports(&f, ",22"), EINVAL);
	assert_int_equal(filter_parse_ports(&f, "ssh"), EINVAL);
	assert_int_equal(filter_parse_ports(&f, "-5"), EINVAL);
	assert_int_equal(filter_parse_ports(&f, "5-"), EINVAL);
	assert_int_equal(filter_parse_ports(&f, "65536"), ERANGE);
	assert_int_equal(filter_parse_ports(&f, "100-10"), ERANGE);
	for (i = 0; i < FILTER_MAX_RANGES + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "%s%d", i ? "," : "", i + 1);
	assert_int_equal(filter_parse_ports(&f, many), ERANGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_ports),
		cmocka_unit_test(t_bad_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
