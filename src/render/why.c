/*
 * why.c - dossier fields for the table and JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "render/probe.h"
#include "render/jsonw.h"
#include "render/why.h"
#include "why/dossier.h"
#include "probe/verdict.h"
#include "util/escape.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define RAW_CAP		(1u << 20)

/* The renderers are single-threaded: one buffer holds the current
 * value of a raw JSON field until the next getter call. */
static struct strbuf raw = { NULL, 0, 0, RAW_CAP, 0 };

static const struct dossier *
row_dossier(const struct row *r)
{
	const struct dossiers *d = r->l->why;

	if (d == NULL || r->o == NULL)
		return NULL;
	return &d->v[r->o->proc];
}

static const struct origin *
row_origin(const struct row *r)
{
	const struct dossiers *d = r->l->why;

	if (d == NULL || r->o == NULL)
		return NULL;
	return dossiers_origin(d, r->l, (size_t)(r->o - r->l->ps.owners));
}

static void
set_raw(struct value *v)
{
	v->type = V_RAW;
	v->str = strbuf_str(&raw);
}

void
why_origin_json(struct strbuf *sb, const struct origin *o)
{
	int first = 1;

	strbuf_addch(sb, '{');
	json_key_str(sb, &first, "kind", origin_kind_key(o->kind));
	json_key_str(sb, &first, "summary", o->summary);
	json_key_str(sb, &first, "unit", o->unit);
	json_key_str(sb, &first, "unit_file", o->unit_file);
	json_key_str(sb, &first, "dropins", o->dropins);
	json_key_str(sb, &first, "socket_unit", o->socket_unit);
	json_key_str(sb, &first, "listen", o->listen);
	if (o->ss_file) {
		json_key_str(sb, &first, "config_file", o->ss_file);
		json_key_int(sb, &first, "config_line", o->ss_line);
		json_key_str(sb, &first, "config_service", o->ss_service);
		json_key_str(sb, &first, "config_program", o->ss_program);
		json_key_str(sb, &first, "config_args", o->ss_args);
		json_key_str(sb, &first, "config_user", o->ss_user);
		if (o->ss_wait >= 0)
			json_key_str(sb, &first, "config_wait", o->ss_wait ?
			    "wait" : "nowait");
		json_key_int(sb, &first, "superserver_pid", o->ss_pid);
	}
	json_key_str(sb, &first, "init_script", o->sysv_script);
	json_key_str(sb, &first, "rc_links", o->sysv_links);
	json_key_str(sb, &first, "runtime", o->runtime);
	json_key_str(sb, &first, "container_id", o->container_id);
	json_key_str(sb, &first, "container_name", o->container_name);
	json_key_str(sb, &first, "via", o->via);
	if (o->via_pid)
		json_key_int(sb, &first, "via_pid", o->via_pid);
	json_key_str(sb, &first, "login_user", o->login_user);
	json_key_str(sb, &first, "tty", o->tty);
	json_key_str(sb, &first, "remote", o->remote);
	json_key(sb, &first, "parents");
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < o->nchain; i++) {
		int f = 1;

		strbuf_addstr(sb, i ? ", {" : "{");
		json_key_int(sb, &f, "pid", o->chain[i].pid);
		json_key_str(sb, &f, "command", o->chain[i].comm);
		strbuf_addch(sb, '}');
	}
	strbuf_addch(sb, ']');
	json_key(sb, &first, "disable");
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < o->ndisable; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		json_str(sb, o->disable[i]);
	}
	strbuf_addstr(sb, "]}");
}

void
why_package_json(struct strbuf *sb, const struct dossier *ds)
{
	int first = 1;

	strbuf_addch(sb, '{');
	json_key_str(sb, &first, "manager", pkgdb_manager_name(ds->db ?
	    ds->db->pm : PM_NONE));
	if (ds->owner.pkg) {
		json_key_str(sb, &first, "name", ds->owner.pkg->name);
		json_key_str(sb, &first, "version", ds->owner.pkg->version);
		json_key_str(sb, &first, "architecture", ds->owner.pkg->arch);
		json_key_str(sb, &first, "listed_path", ds->owner.listed);
	}
	json_key_str(sb, &first, "diverted_by", ds->owner.diverted_by);
	if (ds->db && ds->db->error)
		json_key_str(sb, &first, "error", ds->db->error);
	strbuf_addch(sb, '}');
}

void
why_integrity_json(struct strbuf *sb, const struct dossier *ds)
{
	const struct integrity *in = &ds->integ;
	int first = 1, f2 = 1;

	strbuf_addch(sb, '{');
	json_key_str(sb, &first, "verdict", integrity_word(in));
	json_key_bool(sb, &first, "digest_matches", in->verified);
	json_key(sb, &first, "flags");
	strbuf_addch(sb, '[');
	for (unsigned int bit = 1; bit <= INTEG_LOCAL_DIVERSION; bit <<= 1)
		if (in->flags & bit) {
			if (!f2)
				strbuf_addstr(sb, ", ");
			json_str(sb, integrity_flag_key(bit));
			f2 = 0;
		}
	strbuf_addch(sb, ']');
	if (in->digest[0] || in->want[0])
		json_key_str(sb, &first, "digest_algorithm",
		    digest_algo_name(in->algo));
	if (in->digest[0])
		json_key_str(sb, &first, "digest", in->digest);
	if (in->want[0])
		json_key_str(sb, &first, "package_digest", in->want);
	json_key_str(sb, &first, "unverified_reason", in->unverified);
	json_key_str(sb, &first, "loader_variables", in->preload);
	strbuf_addch(sb, '}');
}

void
why_purpose_json(struct strbuf *sb, const struct dossier *ds)
{
	const char *src = NULL, *text = dossier_purpose(ds, &src);
	int first = 1;
	char verdict[16];

	strbuf_addch(sb, '{');
	json_key_str(sb, &first, "text", text);
	json_key_str(sb, &first, "source", src);
	if (ds->kb) {
		json_key_str(sb, &first, "daemon", ds->kb->name);
		json_key_str(sb, &first, "typical_ports", ds->kb->ports);
		json_key_str(sb, &first, "risk", ds->kb->risk);
		json_key_str(sb, &first, "recommendation",
		    kb_verdict(ds->kb, verdict, sizeof(verdict)));
		json_key_str(sb, &first, "advice", ds->kb->advice);
	}
	strbuf_addch(sb, '}');
}

void
g_origin_json(const struct row *r, struct value *v)
{
	const struct origin *o = row_origin(r);

	if (o == NULL) {
		v->type = V_NULL;
		return;
	}
	strbuf_reset(&raw);
	why_origin_json(&raw, o);
	set_raw(v);
}

void
g_package_json(const struct row *r, struct value *v)
{
	const struct dossier *ds = row_dossier(r);

	if (ds == NULL) {
		v->type = V_NULL;
		return;
	}
	strbuf_reset(&raw);
	why_package_json(&raw, ds);
	set_raw(v);
}

void
g_integrity_json(const struct row *r, struct value *v)
{
	const struct dossier *ds = row_dossier(r);

	if (ds == NULL) {
		v->type = V_NULL;
		return;
	}
	strbuf_reset(&raw);
	why_integrity_json(&raw, ds);
	set_raw(v);
}

void
g_purpose_json(const struct row *r, struct value *v)
{
	const struct dossier *ds = row_dossier(r);

	if (ds == NULL) {
		v->type = V_NULL;
		return;
	}
	strbuf_reset(&raw);
	why_purpose_json(&raw, ds);
	set_raw(v);
}

void
g_origin_table(const struct row *r, struct value *v)
{
	const struct origin *o = row_origin(r);

	v->type = o ? V_STR : V_NULL;
	v->str = o ? o->summary : NULL;
}

void
g_package_table(const struct row *r, struct value *v)
{
	const struct dossier *ds = row_dossier(r);

	if (ds == NULL || ds->owner.pkg == NULL) {
		v->type = V_NULL;
		return;
	}
	v->type = V_STR;
	v->str = ds->owner.pkg->name;
}

void
g_integrity_table(const struct row *r, struct value *v)
{
	const struct dossier *ds = row_dossier(r);

	v->type = ds ? V_STR : V_NULL;
	v->str = ds ? integrity_word(&ds->integ) : NULL;
}

static const struct probe_view *
row_probe(const struct row *r)
{
	if (r->l->probe == NULL)
		return NULL;
	return &r->l->probe[r->v - r->l->views];
}

void
g_wire_table(const struct row *r, struct value *v)
{
	const struct probe_view *pv = row_probe(r);

	if (pv == NULL || !pv->probed) {
		v->type = V_NULL;
		return;
	}
	probe_result_summary(&pv->r, v->buf, sizeof(v->buf));
	v->type = V_STR;
	v->str = v->buf;
}

void
g_verdict_table(const struct row *r, struct value *v)
{
	const struct probe_view *pv = row_probe(r);

	if (pv == NULL || !pv->probed) {
		v->type = V_NULL;
		return;
	}
	v->type = V_STR;
	v->str = pv->verdict == VERDICT_MISMATCH ? "MISMATCH" :
	    pv->verdict == VERDICT_CONSISTENT ? "ok" : "?";
}

void
g_probe_json(const struct row *r, struct value *v)
{
	const struct probe_view *pv = row_probe(r);
	int f = 1;

	if (pv == NULL) {
		v->type = V_NULL;
		return;
	}
	strbuf_reset(&raw);
	if (!pv->probed) {
		strbuf_addch(&raw, '{');
		json_key_bool(&raw, &f, "probed", 0);
		json_key_str(&raw, &f, "reason", pv->why_not);
		strbuf_addch(&raw, '}');
		set_raw(v);
		return;
	}
	probe_result_json(&raw, &pv->r);
	/* reopen the object to add the verdict */
	if (raw.len && raw.buf[raw.len - 1] == '}') {
		raw.len--;
		f = 0;
		json_key_bool(&raw, &f, "probed", 1);
		json_key_str(&raw, &f, "verdict", verdict_key(pv->verdict));
		json_key_str(&raw, &f, "reasons", pv->reasons[0] ?
		    pv->reasons : NULL);
		strbuf_addch(&raw, '}');
	}
	set_raw(v);
}
