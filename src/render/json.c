/*
 * json.c - one JSON document per run.
 *
 * Field names are the `key`s of the column description and are stable;
 * the man page documents them.  Everything goes through the one JSON
 * writer (render/jsonw), which escapes every string, so the output is
 * valid JSON (and valid UTF-8) whatever the processes and files held.
 * The document is built whole before it is written: a document past the
 * cap is an error, never half a document.
 */
#include <string.h>
#include <unistd.h>

#include "render/columns.h"
#include "render/render.h"
#include "render/jsonw.h"
#include "util/banned.h"

#ifndef PORTSLEUTH_VERSION
#define PORTSLEUTH_VERSION "0"
#endif

/* One value of the column description. */
static void
put_value(struct jw *w, const char *key, const struct value *v)
{
	switch (v->type) {
	case V_NULL:
		jw_null(w, key);
		break;
	case V_STR:
		jw_str(w, key, v->str);
		break;
	case V_INT:
		jw_int(w, key, v->num);
		break;
	case V_BOOL:
		jw_bool(w, key, (int)v->num);
		break;
	case V_INTLIST:
		jw_array(w, key);
		for (size_t i = 0; i < v->nlist; i++)
			jw_int(w, NULL, v->list[i]);
		jw_end(w);
		break;
	}
}

static void
put_fields(struct jw *w, const struct row *r, enum col_level level)
{
	for (size_t i = 0; i < ncolumns; i++) {
		const struct column *c = &columns[i];
		struct value v;

		if (c->key == NULL || c->level != level ||
		    (c->why && r->l->why == NULL) ||
		    (c->probe && r->l->probe == NULL))
			continue;
		if (c->put) {
			c->put(r, w, c->key);
			continue;
		}
		value_clear(&v);
		c->get(r, &v);
		put_value(w, c->key, &v);
	}
}

int
render_json(FILE *out, const struct listing *l, const struct render_opts *o,
    char **cause)
{
	struct strbuf sb;
	struct jw w;
	size_t i, k, unowned = 0;
	int p, f, rc;
	char key[32];

	(void)o;
	strbuf_init(&sb, 1u << 30);
	jw_init(&w, &sb, 1);
	jw_object(&w, NULL);
	jw_str(&w, "portsleuth", PORTSLEUTH_VERSION);
	jw_int(&w, "schema", 1);
	jw_bool(&w, "privileged", l->privileged);
	jw_object(&w, "sources");
	for (p = 0; p < PROTO_COUNT; p++)
		for (f = 0; f < 2; f++) {
			if (l->rep.source[p][f] == NULL)
				continue;
			snprintf(key, sizeof(key), "%s%s", proto_name(p),
			    f ? "6" : "4");
			jw_str(&w, key, l->rep.source[p][f]);
		}
	jw_str(&w, "interfaces", l->ifs.source ? l->ifs.source :
	    "not requested");
	jw_notes(&w);
	jw_end(&w);
	jw_array(&w, "namespaces");
	for (i = 0; i < l->nets.n; i++) {
		const struct netns *ns = &l->nets.v[i];
		const struct ns_view *nv = &l->nsv[i];

		if (!nv->wanted)
			continue;
		jw_object(&w, NULL);
		columns_netns_fields(&w, ns);
		jw_str(&w, "path", ns->path);
		if (ns->holder > 0)
			jw_int(&w, "held_by", ns->holder);
		else
			jw_null(&w, "held_by");
		jw_bool(&w, "entered", nv->entered);
		jw_str(&w, "error", nv->entered ? NULL : nv->error);
		jw_int(&w, "sockets", nv->nsockets);
		jw_end(&w);
	}
	jw_end(&w);
	jw_array(&w, "sockets");
	for (i = 0; i < l->nviews; i++) {
		const struct sock_view *v = &l->views[i];
		struct row r = { l, v, NULL, NULL };

		if (!v->nowners)
			unowned++;
		jw_object(&w, NULL);
		put_fields(&w, &r, COL_SOCKET);
		jw_array(&w, "owners");
		for (k = 0; k < v->nowners; k++) {
			r.o = &l->ps.owners[view_owner(l, v, k)];
			r.p = &l->ps.procs[r.o->proc];
			jw_object(&w, NULL);
			put_fields(&w, &r, COL_OWNER);
			jw_end(&w);
		}
		jw_end(&w);
		jw_end(&w);
	}
	jw_end(&w);
	jw_object(&w, "summary");
	jw_int(&w, "sockets", (int64_t)l->nviews);
	jw_int(&w, "rows", (int64_t)l->nrows);
	jw_int(&w, "unattributed", (int64_t)unowned);
	jw_object(&w, "unattributed_reasons");
	for (p = OWNER_NOT_ROOT; p <= OWNER_NOT_SCANNED; p++)
		jw_int(&w, owner_note_key(p), l->unowned[p]);
	jw_end(&w);
	jw_int(&w, "processes_scanned", l->ps.scanned);
	jw_int(&w, "processes_unreadable", l->ps.denied);
	jw_int(&w, "processes_exited", l->ps.vanished + l->ps.reused);
	jw_int(&w, "malformed_records", l->rep.malformed + l->ps.malformed +
	    l->ifs.malformed);
	jw_end(&w);
	jw_end(&w);
	rc = jw_emit(&w, out, cause);
	strbuf_release(&sb);
	return rc;
}
