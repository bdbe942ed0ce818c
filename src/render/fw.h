/*
 * fw.h - what the NAT rules say of a socket, for the table and JSON:
 * the host ports published to it, and its exposure as the outside sees
 * it.
 */
#ifndef PS_RENDER_FW_H
#define PS_RENDER_FW_H

#include "render/jsonw.h"
#include "render/row.h"

/* "published": the DNAT rules that lead to the socket. */
void j_published(const struct row *r, struct jw *w, const char *key);
/* "leads_to": the listeners a DNAT rule of this socket's namespace sends
 * its port to (the host side of a published port). */
void j_leads_to(const struct row *r, struct jw *w, const char *key);
/*
 * EXPOSURE as the outside sees it: for a socket in the host's namespace
 * its own verdict; in another, "published as HOSTNS *:18080/tcp -> 8000
 * (DNAT ip nat chain)" when a rule leads to it, else "inside LABEL only"
 * with its own verdict.
 */
void g_exposure_outside(const struct row *r, struct value *v);
/*
 * FIREWALL: the verdict for a new flow from outside ("open",
 * "filtered", "rejected", "undecided", "redirected"; per interface when
 * they differ, with the first source range treated otherwise); "-" for
 * a loopback-only socket, "?" when the rules were not read.
 */
void g_firewall_table(const struct row *r, struct value *v);
/* "firewall": per interface and family, the verdict, the deciding rule
 * or policy, the DNAT and the container's own verdict, exceptions. */
void j_firewall(const struct row *r, struct jw *w, const char *key);
/* explain: the same, one line per interface and family */
#include <stdio.h>
void fw_explain_lines(FILE *out, const struct listing *l, size_t vi);

#endif
