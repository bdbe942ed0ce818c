/*
 * why.h - the fields of a dossier (origin, package, integrity,
 * purpose) as column getters, for the table and for JSON.
 */
#ifndef PS_WHY_H
#define PS_WHY_H

#include "render/jsonw.h"
#include "render/row.h"

struct origin;
struct dossier;
struct probe_view;
struct forward;

void g_origin_table(const struct row *r, struct value *v);
void g_package_table(const struct row *r, struct value *v);
void g_integrity_table(const struct row *r, struct value *v);
void g_wire_table(const struct row *r, struct value *v);
void g_verdict_table(const struct row *r, struct value *v);
/* JSON-only columns: they write their own object (or null). */
void j_origin(const struct row *r, struct jw *w, const char *key);
void j_package(const struct row *r, struct jw *w, const char *key);
void j_integrity(const struct row *r, struct jw *w, const char *key);
void j_purpose(const struct row *r, struct jw *w, const char *key);
void j_probe(const struct row *r, struct jw *w, const char *key);
void j_forwards(const struct row *r, struct jw *w, const char *key);
void g_forwards_table(const struct row *r, struct value *v);

/* The same objects for one (socket, process), also used by explain:
 * key as for jw_object() (NULL inside an array). */
void why_origin_json(struct jw *w, const char *key, const struct origin *o);
void why_package_json(struct jw *w, const char *key,
    const struct dossier *ds);
void why_integrity_json(struct jw *w, const char *key,
    const struct dossier *ds);
void why_purpose_json(struct jw *w, const char *key,
    const struct dossier *ds);
void why_probe_json(struct jw *w, const char *key,
    const struct probe_view *pv);
void why_forward_json(struct jw *w, const char *key,
    const struct forward *f);
/* "haproxy forwards to 127.0.0.1:22 (sshd, /etc/haproxy/haproxy.cfg:14)";
 * "" when the view's owner forwards nothing known. */
void why_forward_text(const struct forward *f, char *buf, size_t sz);

#endif
