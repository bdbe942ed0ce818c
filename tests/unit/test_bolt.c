/* test_bolt.c - the bbolt reader on a database laid out as bbolt does
 * (host-b's podman state: nested buckets, inline buckets, a bucket over
 * a branch page) and on damaged copies of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "util/bolt.h"
#include "util/strbuf.h"
#include "util/sysroot.h"

#define DB FIXTURE_DIR "/host-b/root/var/lib/containers/storage/libpod/" \
	"bolt_state.db"
#define PODMAN_ID "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"

static struct strbuf db;

static int
setup(void **state)
{
	(void)state;
	strbuf_init(&db, 1u << 20);
	return read_at_capped(-1, DB, 1u << 20, &db);
}

static int
teardown(void **state)
{
	(void)state;
	strbuf_release(&db);
	return 0;
}

static int
lookup(const unsigned char *buf, size_t len, const char *id,
    const char *key, char *out, size_t outsz)
{
	struct bolt b;
	const char *path[] = { "ctr", id, key };
	const unsigned char *v;
	size_t vl;
	char *cause = NULL;

	if (bolt_open(&b, buf, len, &cause) < 0) {
		free(cause);
		return -1;
	}
	if (!bolt_path(&b, path, 3, &v, &vl))
		return 0;
	snprintf(out, outsz, "%.*s", (int)vl, (const char *)v);
	return 1;
}

static void
t_lookups(void **state)
{
	char v[4096], id[65];

	(void)state;
	assert_int_equal(lookup((void *)db.buf, db.len, PODMAN_ID, "netns", v,
	    sizeof(v)), 1);
	assert_string_equal(v, "/run/netns/netns-1");
	assert_int_equal(lookup((void *)db.buf, db.len, PODMAN_ID, "config",
	    v, sizeof(v)), 1);
	assert_non_null(strstr(v, "\"podman-web\""));
	/* the first, a middle and the last of 199 others: every leaf under
	 * the branch page is reached */
	for (int i = 1; i < 200; i += 98) {
		char want[32];

		snprintf(id, sizeof(id), "%064x", i);
		snprintf(want, sizeof(want), "\"filler-%d\"", i);
		assert_int_equal(lookup((void *)db.buf, db.len, id, "config",
		    v, sizeof(v)), 1);
		assert_non_null(strstr(v, want));
	}
	/* absent keys, and a bucket asked for as a value */
	assert_int_equal(lookup((void *)db.buf, db.len, "0", "config", v,
	    sizeof(v)), 0);
	assert_int_equal(lookup((void *)db.buf, db.len, PODMAN_ID, "nope", v,
	    sizeof(v)), 0);
	{
		struct bolt b;
		const char *path[] = { "ctr", PODMAN_ID };
		const unsigned char *val;
		size_t vl;
		char *cause;

		assert_int_equal(bolt_open(&b, db.buf, db.len, &cause), 0);
		assert_int_equal(bolt_path(&b, path, 2, &val, &vl), 0);
	}
}

static void
t_damaged(void **state)
{
	unsigned char *c = malloc(db.len);
	char v[256];
	struct bolt b;
	char *cause = NULL;

	(void)state;
	/* both meta pages torn: not a database */
	memcpy(c, db.buf, db.len);
	c[16 + 60] ^= 1;
	c[4096 + 16 + 60] ^= 1;
	assert_int_equal(bolt_open(&b, c, db.len, &cause), -1);
	assert_non_null(strstr(cause, "meta page"));
	free(cause);
	/* one torn: the other is used */
	memcpy(c, db.buf, db.len);
	c[4096 + 16 + 60] ^= 1;
	assert_int_equal(lookup(c, db.len, PODMAN_ID, "netns", v, sizeof(v)),
	    1);
	memcpy(c, db.buf, db.len);
	c[16 + 60] ^= 1;
	assert_int_equal(lookup(c, db.len, PODMAN_ID, "netns", v, sizeof(v)),
	    1);
	/* cut short: nothing is read past the end (ASan watches); shorter
	 * than a meta page it is no database at all, and one whose root
	 * page (the last one written) is cut off is refused too */
	for (size_t n = 0; n < db.len; n += 4096 / 2 + 7)
		(void)lookup((void *)db.buf, n, PODMAN_ID, "netns", v,
		    sizeof(v));
	assert_int_equal(lookup((void *)db.buf, 79, PODMAN_ID, "netns", v,
	    sizeof(v)), -1);
	assert_int_equal(lookup((void *)db.buf, 4096 * 4, PODMAN_ID, "netns", v,
	    sizeof(v)), -1);
	/* a leaf page of the container bucket zeroed: its keys are gone,
	 * the others are still found */
	memcpy(c, db.buf, db.len);
	memset(c + 4 * 4096, 0, 4096);
	assert_int_equal(lookup(c, db.len, "0000000000000000000000000000000000"
	    "000000000000000000000000000001", "config", v, sizeof(v)), 0);
	assert_int_equal(lookup(c, db.len, PODMAN_ID, "netns", v, sizeof(v)),
	    1);
	/* every page's element offsets and lengths forged: no lookup may
	 * read outside the buffer (ASan watches), loops end at the depth cap */
	for (size_t pg = 2; pg < db.len / 4096; pg++) {
		memcpy(c, db.buf, db.len);
		for (size_t e = 0; e < 8; e++) {
			size_t off = pg * 4096 + 16 + e * 16;

			memset(c + off + 4, 0xff, 4);
			/* a branch whose children are itself */
			memcpy(c + off + 8, &pg, 8);
		}
		(void)lookup(c, db.len, PODMAN_ID, "netns", v, sizeof(v));
		/* page counts past the page */
		memcpy(c, db.buf, db.len);
		c[pg * 4096 + 10] = 0xff;
		c[pg * 4096 + 11] = 0xff;
		(void)lookup(c, db.len, PODMAN_ID, "config", v, sizeof(v));
	}
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_lookups),
		cmocka_unit_test(t_damaged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
