/*
 * why.h - the fields of a dossier (origin, package, integrity,
 * purpose) as column getters, for the table and for JSON.
 */
#ifndef PS_WHY_H
#define PS_WHY_H

#include "render/row.h"
#include "util/strbuf.h"

struct origin;
struct dossier;

void g_origin_table(const struct row *r, struct value *v);
void g_package_table(const struct row *r, struct value *v);
void g_integrity_table(const struct row *r, struct value *v);
void g_origin_json(const struct row *r, struct value *v);
void g_package_json(const struct row *r, struct value *v);
void g_integrity_json(const struct row *r, struct value *v);
void g_purpose_json(const struct row *r, struct value *v);
void g_wire_table(const struct row *r, struct value *v);
void g_verdict_table(const struct row *r, struct value *v);
void g_probe_json(const struct row *r, struct value *v);

/* JSON objects for one (socket, process), also used by explain. */
void why_origin_json(struct strbuf *sb, const struct origin *o);
void why_package_json(struct strbuf *sb, const struct dossier *ds);
void why_integrity_json(struct strbuf *sb, const struct dossier *ds);
void why_purpose_json(struct strbuf *sb, const struct dossier *ds);

#endif
