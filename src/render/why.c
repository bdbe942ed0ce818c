/*
 * why.c - dossier fields for the table and JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "render/probe.h"
#include "render/jsonw.h"
#include "render/why.h"
#include "why/dossier.h"
#include "model/forward.h"
#include "model/listing.h"
#include "util/strbuf.h"
#include "probe/verdict.h"
#include "util/escape.h"
#include "util/xmalloc.h"
#include "util/banned.h"

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

void
why_origin_json(struct jw *w, const char *key, const struct origin *o)
{
	jw_object(w, key);
	jw_str(w, "kind", origin_kind_key(o->kind));
	jw_str(w, "summary", o->summary);
	jw_str(w, "unit", o->unit);
	jw_str(w, "unit_file", o->unit_file);
	jw_str(w, "dropins", o->dropins);
	jw_str(w, "socket_unit", o->socket_unit);
	jw_str(w, "listen", o->listen);
	jw_str(w, "config_file", o->ss_file);
	if (o->ss_file)
		jw_int(w, "config_line", o->ss_line);
	else
		jw_null(w, "config_line");
	jw_str(w, "config_service", o->ss_service);
	jw_str(w, "config_program", o->ss_program);
	jw_str(w, "config_args", o->ss_args);
	jw_str(w, "config_user", o->ss_user);
	jw_str(w, "config_wait", !o->ss_file || o->ss_wait < 0 ? NULL :
	    o->ss_wait ? "wait" : "nowait");
	if (o->ss_file && o->ss_pid)
		jw_int(w, "superserver_pid", o->ss_pid);
	else
		jw_null(w, "superserver_pid");
	jw_str(w, "init_script", o->sysv_script);
	jw_str(w, "rc_links", o->sysv_links);
	jw_str(w, "runtime", o->runtime);
	jw_str(w, "container_id", o->container_id);
	jw_str(w, "container_name", o->container_name);
	jw_str(w, "via", o->via);
	if (o->via_pid)
		jw_int(w, "via_pid", o->via_pid);
	else
		jw_null(w, "via_pid");
	jw_str(w, "login_user", o->login_user);
	jw_str(w, "tty", o->tty);
	jw_str(w, "remote", o->remote);
	jw_array(w, "parents");
	for (size_t i = 0; i < o->nchain; i++) {
		jw_object(w, NULL);
		jw_int(w, "pid", o->chain[i].pid);
		jw_str(w, "command", o->chain[i].comm);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "disable");
	for (size_t i = 0; i < o->ndisable; i++)
		jw_str(w, NULL, o->disable[i]);
	jw_end(w);
	jw_end(w);
}

void
why_package_json(struct jw *w, const char *key, const struct dossier *ds)
{
	const struct pkg_info *pkg = ds->owner.pkg;

	jw_object(w, key);
	jw_str(w, "manager", pkg_manager_name(ds->db ? ds->db->pm :
	    PM_NONE));
	jw_str(w, "name", pkg ? pkg->name : NULL);
	jw_str(w, "version", pkg ? pkg->version : NULL);
	jw_str(w, "architecture", pkg ? pkg->arch : NULL);
	jw_str(w, "listed_path", pkg ? ds->owner.listed : NULL);
	jw_str(w, "diverted_by", ds->owner.diverted_by);
	jw_str(w, "error", ds->db ? ds->db->error : NULL);
	jw_end(w);
}

void
why_integrity_json(struct jw *w, const char *key, const struct dossier *ds)
{
	const struct integrity *in = &ds->integ;

	jw_object(w, key);
	jw_str(w, "verdict", integrity_word(in));
	jw_bool(w, "digest_matches", in->verified);
	jw_array(w, "flags");
	for (unsigned int bit = 1; bit <= INTEG_LOCAL_DIVERSION; bit <<= 1)
		if (in->flags & bit)
			jw_str(w, NULL, integrity_flag_key(bit));
	jw_end(w);
	jw_str(w, "digest_algorithm", in->digest[0] || in->want[0] ?
	    digest_algo_name(in->algo) : NULL);
	jw_str(w, "digest", in->digest[0] ? in->digest : NULL);
	jw_str(w, "package_digest", in->want[0] ? in->want : NULL);
	jw_str(w, "unverified_reason", in->unverified);
	jw_str(w, "loader_variables", in->preload);
	jw_end(w);
}

void
why_purpose_json(struct jw *w, const char *key, const struct dossier *ds)
{
	const char *src = NULL, *text = dossier_purpose(ds, &src);
	char verdict[16];

	jw_object(w, key);
	jw_str(w, "text", text);
	jw_str(w, "source", src);
	jw_str(w, "daemon", ds->kb ? ds->kb->name : NULL);
	jw_str(w, "typical_ports", ds->kb ? ds->kb->ports : NULL);
	jw_str(w, "risk", ds->kb ? ds->kb->risk : NULL);
	jw_str(w, "recommendation", ds->kb ? kb_verdict(ds->kb, verdict,
	    sizeof(verdict)) : NULL);
	jw_str(w, "advice", ds->kb ? ds->kb->advice : NULL);
	jw_end(w);
}

void
j_origin(const struct row *r, struct jw *w, const char *key)
{
	const struct origin *o = row_origin(r);

	if (o)
		why_origin_json(w, key, o);
	else
		jw_null(w, key);
}

void
j_package(const struct row *r, struct jw *w, const char *key)
{
	const struct dossier *ds = row_dossier(r);

	if (ds)
		why_package_json(w, key, ds);
	else
		jw_null(w, key);
}

void
j_integrity(const struct row *r, struct jw *w, const char *key)
{
	const struct dossier *ds = row_dossier(r);

	if (ds)
		why_integrity_json(w, key, ds);
	else
		jw_null(w, key);
}

void
j_purpose(const struct row *r, struct jw *w, const char *key)
{
	const struct dossier *ds = row_dossier(r);

	if (ds)
		why_purpose_json(w, key, ds);
	else
		jw_null(w, key);
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
why_probe_json(struct jw *w, const char *key, const struct probe_view *pv)
{
	jw_object(w, key);
	jw_bool(w, "probed", pv->probed);
	if (!pv->probed) {
		jw_str(w, "reason", pv->why_not);
		jw_end(w);
		return;
	}
	probe_result_fields(w, &pv->r);
	jw_str(w, "verdict", verdict_key(pv->verdict));
	jw_str(w, "reasons", pv->reasons[0] ? pv->reasons : NULL);
	jw_end(w);
}

void
j_probe(const struct row *r, struct jw *w, const char *key)
{
	const struct probe_view *pv = row_probe(r);

	if (pv)
		why_probe_json(w, key, pv);
	else
		jw_null(w, key);
}

/* ---- forwarding -------------------------------------------------------- */

void
why_forward_json(struct jw *w, const char *key, const struct forward *f)
{
	if (f == NULL || f->via == NULL) {
		jw_null(w, key);
		return;
	}
	jw_object(w, key);
	jw_str(w, "via", f->via);
	jw_bool(w, "serves_itself", f->self);
	jw_str(w, "note", f->note[0] ? f->note : NULL);
	jw_array(w, "targets");
	for (size_t i = 0; i < f->n; i++) {
		const struct fwd_target *t = &f->t[i];

		jw_object(w, NULL);
		jw_str(w, "to", t->to);
		jw_str(w, "where", t->where);
		jw_str(w, "condition", t->cond[0] ? t->cond : NULL);
		if (t->behind_pid > 0) {
			jw_object(w, "behind");
			jw_int(w, "pid", t->behind_pid);
			jw_str(w, "command", t->behind_comm);
			jw_end(w);
		} else if (t->behind_pid < 0) {
			jw_object(w, "behind");
			jw_null(w, "pid");
			jw_null(w, "command");
			jw_end(w);
		} else {
			jw_null(w, "behind");
		}
		jw_end(w);
	}
	jw_end(w);
	jw_int(w, "more_targets", f->more);
	jw_end(w);
}

static const struct forward *
row_forward(const struct row *r)
{
	if (r->l->fwd == NULL)
		return NULL;
	return forwards_at(r->l->fwd, (size_t)(r->v - r->l->views));
}

void
j_forwards(const struct row *r, struct jw *w, const char *key)
{
	why_forward_json(w, key, row_forward(r));
}

void
g_forwards_table(const struct row *r, struct value *v)
{
	const struct forward *f = row_forward(r);
	struct strbuf sb;

	if (f == NULL || f->via == NULL || (f->n == 0 && !f->self)) {
		v->type = V_NULL;
		return;
	}
	strbuf_init(&sb, sizeof(v->buf) - 1);
	if (f->self)
		strbuf_addstr(&sb, "itself");
	for (size_t i = 0; i < f->n; i++)
		strbuf_addf(&sb, "%s%s%s%s%s", sb.len ? ", " : "", f->t[i].to,
		    f->t[i].behind_pid > 0 ? " (" : "",
		    f->t[i].behind_pid > 0 ? f->t[i].behind_comm : "",
		    f->t[i].behind_pid > 0 ? ")" : "");
	if (f->more)
		strbuf_addf(&sb, ", +%u", f->more);
	snprintf(v->buf, sizeof(v->buf), "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	v->type = V_STR;
	v->str = v->buf;
}

void
why_forward_text(const struct forward *f, char *buf, size_t sz)
{
	struct strbuf sb;

	buf[0] = '\0';
	if (f == NULL || f->via == NULL)
		return;
	strbuf_init(&sb, sz - 1);
	if (f->n == 0) {
		strbuf_addf(&sb, "%s: %s", f->via, f->note[0] ? f->note :
		    "forwards nowhere known");
	} else {
		strbuf_addf(&sb, "%s forwards to ", f->via);
		for (size_t i = 0; i < f->n; i++) {
			const struct fwd_target *t = &f->t[i];

			strbuf_addf(&sb, "%s%s (", i ? "; " : "", t->to);
			if (t->behind_pid > 0)
				strbuf_addf(&sb, "%s pid %d, ", t->behind_comm,
				    (int)t->behind_pid);
			else if (t->behind_pid < 0)
				strbuf_addstr(&sb, "a listener of no known "
				    "process, ");
			else if (t->family && t->local)
				strbuf_addstr(&sb, "nothing listens there, ");
			else if (t->family)
				strbuf_addstr(&sb, "not an address of this "
				    "host, ");
			strbuf_addf(&sb, "%s%s%s)", t->where, t->cond[0] ?
			    ", " : "", t->cond);
		}
		if (f->more)
			strbuf_addf(&sb, "; and %u more", f->more);
		if (f->note[0])
			strbuf_addf(&sb, "; %s", f->note);
	}
	snprintf(buf, sz, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
}
