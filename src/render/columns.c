/*
 * columns.c - every field portsleuth reports, described once.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "render/columns.h"
#include "render/fw.h"
#include "render/why.h"
#include "util/banned.h"

static void
set_str(struct value *v, const char *s)
{
	v->type = s ? V_STR : V_NULL;
	v->str = s;
}

static void
set_int(struct value *v, int64_t n)
{
	v->type = V_INT;
	v->num = n;
}

static void
set_bool(struct value *v, int b)
{
	v->type = V_BOOL;
	v->num = b != 0;
}

static void
fmt_addr(int family, const uint8_t *a, char *buf, size_t n)
{
	char *p = buf;
	int i;

	/* IPv4 by hand: glibc's inet_ntop formats through sprintf, and a
	 * busy host has tens of thousands of rows */
	if (family == AF_INET && n >= INET_ADDRSTRLEN) {
		for (i = 0; i < 4; i++) {
			unsigned int v = a[i];

			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = i < 3 ? '.' : '\0';
		}
		return;
	}
	if (inet_ntop(family, a, buf, (socklen_t)n) == NULL)
		snprintf(buf, n, "?");
}

/* "addr:port", "[v6]:port", with "%dev" when device-bound. */
static void
fmt_endpoint(const struct row *r, const uint8_t *a, uint16_t port, int local,
    struct value *v)
{
	const struct sock_rec *s = r->v->s;
	char addr[INET6_ADDRSTRLEN], dev[IF_NAMESIZE + 2] = "";
	const char *name;

	fmt_addr(s->family, a, addr, sizeof(addr));
	if (local && s->bound_if) {
		name = ifaces_name(listing_ifaces(r->l, s), s->bound_if);
		if (name)
			snprintf(dev, sizeof(dev), "%%%s", name);
		else
			snprintf(dev, sizeof(dev), "%%%u", s->bound_if);
	}
	if (!local && port == 0 && s->state != ST_ESTABLISHED &&
	    strspn(addr, "0.:") == strlen(addr))
		snprintf(v->buf, sizeof(v->buf), "*");
	else if (s->family == AF_INET6)
		snprintf(v->buf, sizeof(v->buf), "[%s%s]:%u", addr, dev, port);
	else {
		/* the common row; assembled without printf */
		char *p = v->buf, num[8], *d = num + sizeof(num);
		size_t la = strlen(addr), ld = strlen(dev);
		unsigned int u = port;

		*--d = '\0';
		do
			*--d = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		memcpy(p, addr, la);
		p += la;
		memcpy(p, dev, ld);
		p += ld;
		*p++ = ':';
		memcpy(p, d, strlen(d) + 1);
	}
	set_str(v, v->buf);
}

static void
g_proto(const struct row *r, struct value *v)
{
	set_str(v, proto_name(r->v->s->proto));
}

static void
g_netns_table(const struct row *r, struct value *v)
{
	const struct netns *ns = listing_netns(r->l, r->v->s);

	set_str(v, ns ? netns_label(ns, v->buf, sizeof(v->buf)) : NULL);
}

static void
j_netns(const struct row *r, struct jw *w, const char *key)
{
	const struct netns *ns = listing_netns(r->l, r->v->s);

	if (ns == NULL) {
		jw_null(w, key);
		return;
	}
	jw_object(w, key);
	columns_netns_fields(w, ns);
	jw_end(w);
}

void
columns_netns_fields(struct jw *w, const struct netns *ns)
{
	char label[96];

	jw_int(w, "inode", (int64_t)ns->inode);
	jw_str(w, "kind", netns_kind_key(ns->kind));
	jw_str(w, "name", ns->name);
	jw_str(w, "label", netns_label(ns, label, sizeof(label)));
	jw_str(w, "runtime", ns->runtime);
	jw_str(w, "container_id", ns->container_id);
	jw_str(w, "container_name", ns->container_name);
	jw_str(w, "image", ns->container_image);
	jw_str(w, "rootfs", ns->container_rootfs);
	jw_str(w, "pod", ns->container_pod);
}

static void
g_proto_table(const struct row *r, struct value *v)
{
	static const char *names[PROTO_COUNT][2] = {
		{ "tcp", "tcp6" }, { "udp", "udp6" }, { "udplite", "udplite6" },
		{ "raw", "raw6" }, { "sctp", "sctp6" }
	};

	set_str(v, r->v->s->proto < PROTO_COUNT ?
	    names[r->v->s->proto][r->v->s->family == AF_INET6] : "?");
}

static void
g_family(const struct row *r, struct value *v)
{
	set_str(v, r->v->s->family == AF_INET6 ? "ipv6" : "ipv4");
}

static void
g_state(const struct row *r, struct value *v)
{
	set_str(v, state_name(r->v->s->state));
}

static void
g_local(const struct row *r, struct value *v)
{
	fmt_endpoint(r, r->v->s->laddr, r->v->s->lport, 1, v);
}

static void
g_peer(const struct row *r, struct value *v)
{
	fmt_endpoint(r, r->v->s->raddr, r->v->s->rport, 0, v);
}

static void
g_laddr(const struct row *r, struct value *v)
{
	fmt_addr(r->v->s->family, r->v->s->laddr, v->buf, sizeof(v->buf));
	set_str(v, v->buf);
}

static void
g_lport(const struct row *r, struct value *v)
{
	set_int(v, r->v->s->lport);
}

static void
g_raddr(const struct row *r, struct value *v)
{
	const struct sock_rec *s = r->v->s;
	static const uint8_t zero[16];

	if (s->rport == 0 && memcmp(s->raddr, zero, 16) == 0) {
		set_str(v, NULL);
		return;
	}
	fmt_addr(s->family, s->raddr, v->buf, sizeof(v->buf));
	set_str(v, v->buf);
}

static void
g_rport(const struct row *r, struct value *v)
{
	const struct sock_rec *s = r->v->s;
	static const uint8_t zero[16];

	if (s->rport == 0 && memcmp(s->raddr, zero, 16) == 0)
		set_str(v, NULL);
	else
		set_int(v, s->rport);
}

static void
g_device(const struct row *r, struct value *v)
{
	const struct sock_rec *s = r->v->s;

	if (s->bound_if == 0)
		set_str(v, NULL);
	else
		set_str(v, ifaces_name(listing_ifaces(r->l, s), s->bound_if));
}

static void
g_v6only(const struct row *r, struct value *v)
{
	const struct sock_rec *s = r->v->s;

	if (s->family != AF_INET6 || s->v6only < 0)
		set_str(v, NULL);
	else
		set_bool(v, s->v6only);
}

static void
g_exposure(const struct row *r, struct value *v)
{
	set_str(v, r->v->exp->text);
}

static void
g_exposure_scope(const struct row *r, struct value *v)
{
	set_str(v, exposure_kind_name(r->v->exp->kind));
}

static void
g_exposure_if(const struct row *r, struct value *v)
{
	set_str(v, r->v->exp->ifname);
}

static void
g_service_table(const struct row *r, struct value *v)
{
	const struct service_ent *e = r->v->svc;

	if (e == NULL)
		set_str(v, NULL);
	else if (e->name[0] == '\0')
		snprintf(v->buf, sizeof(v->buf), "[%s: %s]",
		    svc_source_name(e->source), e->desc ? e->desc : "?");
	else if (e->source == SVC_IANA)
		snprintf(v->buf, sizeof(v->buf), "%s [iana]", e->name);
	else
		snprintf(v->buf, sizeof(v->buf), "%s", e->name);
	if (e != NULL)
		set_str(v, v->buf);
}

static void
g_service(const struct row *r, struct value *v)
{
	const struct service_ent *e = r->v->svc;

	set_str(v, e && e->name[0] ? e->name : NULL);
}

static void
g_service_aliases(const struct row *r, struct value *v)
{
	const struct service_ent *e = r->v->svc;
	size_t i, off = 0;

	/* a space-separated list keeps the value type simple */
	v->buf[0] = '\0';
	for (i = 0; e && i < e->naliases && off < sizeof(v->buf); i++)
		off += (size_t)snprintf(v->buf + off, sizeof(v->buf) - off,
		    "%s%s", i ? " " : "",
		    registry_alias(&r->l->reg, e, i));
	set_str(v, e && e->naliases ? v->buf : NULL);
}

static void
g_service_desc(const struct row *r, struct value *v)
{
	const struct service_ent *e = r->v->svc;

	set_str(v, e ? e->desc : NULL);
}

static void
g_service_source(const struct row *r, struct value *v)
{
	set_str(v, r->v->svc ? svc_source_name(r->v->svc->source) : NULL);
}

static void
g_inode(const struct row *r, struct value *v)
{
	set_int(v, (int64_t)r->v->s->inode);
}

static void
g_sock_uid(const struct row *r, struct value *v)
{
	set_int(v, r->v->s->uid);
}

static void
g_source(const struct row *r, struct value *v)
{
	set_str(v, r->v->s->source == SRC_NETLINK ? "netlink" : "procfs");
}

static void
g_recvq(const struct row *r, struct value *v)
{
	set_int(v, r->v->s->rqueue);
}

static void
g_sendq(const struct row *r, struct value *v)
{
	set_int(v, r->v->s->wqueue);
}

static void
g_owner_note(const struct row *r, struct value *v)
{
	enum owner_note n = r->v->s->owner_note;

	set_str(v, n == OWNER_FOUND ? NULL : owner_note_key(n));
}

static void
g_pid(const struct row *r, struct value *v)
{
	if (r->p)
		set_int(v, r->p->pid);
	else
		set_str(v, NULL);
}

static void
g_ns_pid(const struct row *r, struct value *v)
{
	if (r->p && r->p->ns_pid > 0)
		set_int(v, r->p->ns_pid);
	else
		set_str(v, NULL);
}

static void
j_trusted_port(const struct row *r, struct jw *w, const char *key)
{
	const char *how;
	char text[256];

	if (!listing_trusted_port(r->l, r->v->s, r->p, &how, text,
	    sizeof(text))) {
		jw_null(w, key);
		return;
	}
	jw_object(w, key);
	jw_str(w, "how", how);
	jw_str(w, "text", text);
	jw_end(w);
}

static void
g_ppid(const struct row *r, struct value *v)
{
	if (r->p)
		set_int(v, r->p->ppid);
	else
		set_str(v, NULL);
}

/* The process's ids, when its status could be read. */
static const struct proc_rec *
ids_of(const struct row *r)
{
	return r->p && r->p->ids_known ? r->p : NULL;
}

static void
g_user(const struct row *r, struct value *v)
{
	uid_t uid = r->p ? r->p->uid : r->v->s->uid;

	if (r->p && !r->p->ids_known) {
		set_str(v, "?");
		return;
	}
	const char *name = users_name(r->l->users, uid);

	if (name && r->p)
		set_str(v, name);
	else if (name)
		snprintf(v->buf, sizeof(v->buf), "(%s)", name);
	else
		snprintf(v->buf, sizeof(v->buf), r->p ? "%u" : "(%u)",
		    (unsigned)uid);
	if (!name || !r->p)
		set_str(v, v->buf);
}

static void
g_user_json(const struct row *r, struct value *v)
{
	set_str(v, ids_of(r) ? users_name(r->l->users, r->p->uid) : NULL);
}

/* An id of the process, or null when its status could not be read. */
static void
set_id(const struct row *r, struct value *v, unsigned int id)
{
	if (ids_of(r))
		set_int(v, id);
	else
		set_str(v, NULL);
}

static void
g_uid(const struct row *r, struct value *v)
{
	set_id(r, v, r->p ? r->p->uid : 0);
}

static void
g_euid(const struct row *r, struct value *v)
{
	set_id(r, v, r->p ? r->p->euid : 0);
}

static void
g_gid(const struct row *r, struct value *v)
{
	set_id(r, v, r->p ? r->p->gid : 0);
}

static void
g_egid(const struct row *r, struct value *v)
{
	set_id(r, v, r->p ? r->p->egid : 0);
}

static void
g_command(const struct row *r, struct value *v)
{
	if (r->p)
		set_str(v, r->p->comm);
	else {
		snprintf(v->buf, sizeof(v->buf), "[%s]",
		    owner_note_text(r->v->s->owner_note));
		set_str(v, v->buf);
	}
}

static void
g_command_json(const struct row *r, struct value *v)
{
	set_str(v, r->p ? r->p->comm : NULL);
}

static void
g_exe_table(const struct row *r, struct value *v)
{
	if (r->p == NULL || r->p->exe == NULL)
		set_str(v, NULL);
	else if (r->p->exe_deleted) {
		/* the path may be long: the table writer copies it anyway */
		set_str(v, r->p->exe);
		v->num = 1;	/* marks "(deleted)" for value_text() */
	} else
		set_str(v, r->p->exe);
}

static void
g_exe(const struct row *r, struct value *v)
{
	set_str(v, r->p ? r->p->exe : NULL);
}

static void
g_exe_error(const struct row *r, struct value *v)
{
	set_str(v, r->p && r->p->exe == NULL && r->p->exe_errno ?
	    strerror(r->p->exe_errno) : NULL);
}

static void
g_exe_deleted(const struct row *r, struct value *v)
{
	if (r->p && r->p->exe)
		set_bool(v, r->p->exe_deleted);
	else
		set_str(v, NULL);
}

static void
g_cmdline(const struct row *r, struct value *v)
{
	set_str(v, r->p ? r->p->cmdline : NULL);
}

static void
g_cmdline_table(const struct row *r, struct value *v)
{
	set_str(v, r->p ? r->p->cmdline : NULL);
	if (r->p && r->p->cmdline_truncated)
		v->num = 2;	/* marks " [truncated]" for value_text() */
}

static void
g_cmdline_truncated(const struct row *r, struct value *v)
{
	if (r->p && r->p->cmdline)
		set_bool(v, r->p->cmdline_truncated);
	else
		set_str(v, NULL);
}

static void
g_fds(const struct row *r, struct value *v)
{
	if (r->o == NULL) {
		set_str(v, NULL);
		return;
	}
	v->type = V_INTLIST;
	v->list = procscan_fds(&r->l->ps, r->o);
	v->nlist = r->o->nfds;
}

static void
g_start(const struct row *r, struct value *v)
{
	struct tm tm;
	time_t t;

	if (r->p == NULL || r->p->start_time <= 0) {
		set_str(v, NULL);
		return;
	}
	t = (time_t)r->p->start_time;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(v->buf, sizeof(v->buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		set_str(v, NULL);
		return;
	}
	set_str(v, v->buf);
}

static void
g_cgroup(const struct row *r, struct value *v)
{
	set_str(v, r->p ? r->p->cgroup : NULL);
}

const struct column columns[] = {
	/* socket */
	{ "NETNS", NULL, COL_SOCKET, CT_NETNS, STYLE_NONE, g_netns_table, 3,
	    8 },
	{ NULL, "netns", COL_SOCKET, CT_NEVER, STYLE_NONE, NULL, 0, 0, 0, 0, 0,
	    j_netns },
	{ "PROTO", NULL, COL_SOCKET, CT_ALWAYS, STYLE_NONE, g_proto_table },
	{ NULL, "proto", COL_SOCKET, CT_NEVER, STYLE_NONE, g_proto },
	{ NULL, "family", COL_SOCKET, CT_NEVER, STYLE_NONE, g_family },
	{ "STATE", "state", COL_SOCKET, CT_ALWAYS, STYLE_NONE, g_state },
	{ "LOCAL", NULL, COL_SOCKET, CT_ALWAYS, STYLE_NONE, g_local },
	{ NULL, "local_address", COL_SOCKET, CT_NEVER, STYLE_NONE, g_laddr },
	{ NULL, "local_port", COL_SOCKET, CT_NEVER, STYLE_NONE, g_lport },
	{ "PEER", NULL, COL_SOCKET, CT_ALLSTATES, STYLE_NONE, g_peer },
	{ NULL, "remote_address", COL_SOCKET, CT_NEVER, STYLE_NONE, g_raddr },
	{ NULL, "remote_port", COL_SOCKET, CT_NEVER, STYLE_NONE, g_rport },
	{ NULL, "bound_device", COL_SOCKET, CT_NEVER, STYLE_NONE, g_device },
	{ NULL, "v6only", COL_SOCKET, CT_NEVER, STYLE_NONE, g_v6only },
	{ "EXPOSURE", NULL, COL_SOCKET, CT_ALWAYS, STYLE_EXPOSURE,
	    g_exposure_outside, 4, 26 },
	{ NULL, "exposure", COL_SOCKET, CT_NEVER, STYLE_NONE, g_exposure },
	{ NULL, "exposure_outside", COL_SOCKET, CT_NEVER, STYLE_NONE,
	    g_exposure_outside },
	{ "FIREWALL", NULL, COL_SOCKET, CT_FIREWALL, STYLE_FIREWALL,
	    g_firewall_table, 4, 10 },
	{ NULL, "firewall", COL_SOCKET, CT_NEVER, STYLE_NONE, NULL, 0, 0, 0, 0,
	    0, j_firewall },
	{ NULL, "published", COL_SOCKET, CT_NEVER, STYLE_NONE, NULL, 0, 0, 0, 0,
	    0, j_published },
	{ NULL, "leads_to", COL_SOCKET, CT_NEVER, STYLE_NONE, NULL, 0, 0, 0, 0,
	    0, j_leads_to },
	{ NULL, "exposure_scope", COL_SOCKET, CT_NEVER, STYLE_NONE,
	    g_exposure_scope },
	{ NULL, "exposure_interface", COL_SOCKET, CT_NEVER, STYLE_NONE,
	    g_exposure_if },
	{ "SERVICE", NULL, COL_SOCKET, CT_ALWAYS, STYLE_NONE, g_service_table,
	    2, 12 },
	{ "WIRE", NULL, COL_SOCKET, CT_PROBE, STYLE_NONE, g_wire_table, 5, 12,
	    0, 0, 1 },
	{ "VERDICT", NULL, COL_SOCKET, CT_PROBE, STYLE_VERDICT,
	    g_verdict_table, 0, 0, 0, 0, 1 },
	{ NULL, "probe", COL_SOCKET, CT_NEVER, STYLE_NONE, NULL, 0, 0,
	    0, 0, 1, j_probe },
	{ "FORWARDS", NULL, COL_SOCKET, CT_FORWARDS, STYLE_NONE,
	    g_forwards_table,
	    5, 12 },
	{ NULL, "forwards", COL_SOCKET, CT_NEVER, STYLE_NONE, NULL, 0, 0, 0, 0,
	    0, j_forwards },
	{ NULL, "service", COL_SOCKET, CT_NEVER, STYLE_NONE, g_service },
	{ NULL, "service_aliases", COL_SOCKET, CT_NEVER, STYLE_NONE,
	    g_service_aliases },
	{ NULL, "service_description", COL_SOCKET, CT_NEVER, STYLE_NONE,
	    g_service_desc },
	{ NULL, "service_source", COL_SOCKET, CT_NEVER, STYLE_NONE,
	    g_service_source },
	{ NULL, "inode", COL_SOCKET, CT_NEVER, STYLE_NONE, g_inode },
	{ NULL, "socket_uid", COL_SOCKET, CT_NEVER, STYLE_NONE, g_sock_uid },
	{ NULL, "recv_q", COL_SOCKET, CT_NEVER, STYLE_NONE, g_recvq },
	{ NULL, "send_q", COL_SOCKET, CT_NEVER, STYLE_NONE, g_sendq },
	{ NULL, "source", COL_SOCKET, CT_NEVER, STYLE_NONE, g_source },
	{ NULL, "owner_note", COL_SOCKET, CT_NEVER, STYLE_NONE, g_owner_note },
	/* owner */
	{ "PID", "pid", COL_OWNER, CT_ALWAYS, STYLE_NONE, g_pid },
	{ "PPID", "ppid", COL_OWNER, CT_ALWAYS, STYLE_NONE, g_ppid },
	{ NULL, "ns_pid", COL_OWNER, CT_NEVER, STYLE_NONE, g_ns_pid },
	{ NULL, "trusted_port", COL_OWNER, CT_NEVER, STYLE_NONE, NULL, 0, 0, 0,
	    0, 0, j_trusted_port },
	{ "USER", NULL, COL_OWNER, CT_ALWAYS, STYLE_NONE, g_user },
	{ NULL, "user", COL_OWNER, CT_NEVER, STYLE_NONE, g_user_json },
	{ NULL, "uid", COL_OWNER, CT_NEVER, STYLE_NONE, g_uid },
	{ NULL, "euid", COL_OWNER, CT_NEVER, STYLE_NONE, g_euid },
	{ NULL, "gid", COL_OWNER, CT_NEVER, STYLE_NONE, g_gid },
	{ NULL, "egid", COL_OWNER, CT_NEVER, STYLE_NONE, g_egid },
	{ "COMMAND", NULL, COL_OWNER, CT_ALWAYS, STYLE_NOTE, g_command, 3, 12 },
	{ NULL, "command", COL_OWNER, CT_NEVER, STYLE_NONE, g_command_json },
	{ "ORIGIN", NULL, COL_OWNER, CT_WHY, STYLE_NONE, g_origin_table, 5,
	    16, 0, 1 },
	{ "PACKAGE", NULL, COL_OWNER, CT_WHY, STYLE_NONE, g_package_table, 6,
	    10, 0, 1 },
	{ "INTEGRITY", NULL, COL_OWNER, CT_WHY, STYLE_INTEGRITY,
	    g_integrity_table, 0, 0, 0, 1 },
	{ "EXE", NULL, COL_OWNER, CT_ALWAYS, STYLE_NONE, g_exe_table, 1, 12, 1 },
	{ NULL, "exe", COL_OWNER, CT_NEVER, STYLE_NONE, g_exe },
	{ NULL, "exe_deleted", COL_OWNER, CT_NEVER, STYLE_NONE, g_exe_deleted },
	{ NULL, "exe_error", COL_OWNER, CT_NEVER, STYLE_NONE, g_exe_error },
	{ "CMDLINE", NULL, COL_OWNER, CT_WIDE, STYLE_NONE, g_cmdline_table },
	{ NULL, "cmdline", COL_OWNER, CT_NEVER, STYLE_NONE, g_cmdline },
	{ NULL, "cmdline_truncated", COL_OWNER, CT_NEVER, STYLE_NONE,
	    g_cmdline_truncated },
	{ NULL, "fds", COL_OWNER, CT_NEVER, STYLE_NONE, g_fds },
	{ NULL, "start_time", COL_OWNER, CT_NEVER, STYLE_NONE, g_start },
	{ NULL, "cgroup", COL_OWNER, CT_NEVER, STYLE_NONE, g_cgroup },
	{ NULL, "origin", COL_OWNER, CT_NEVER, STYLE_NONE, NULL, 0, 0, 0, 1, 0,
	    j_origin },
	{ NULL, "package", COL_OWNER, CT_NEVER, STYLE_NONE, NULL, 0, 0, 0, 1,
	    0, j_package },
	{ NULL, "integrity", COL_OWNER, CT_NEVER, STYLE_NONE, NULL, 0, 0, 0, 1,
	    0, j_integrity },
	{ NULL, "purpose", COL_OWNER, CT_NEVER, STYLE_NONE, NULL, 0, 0, 0, 1,
	    0, j_purpose },
};
const size_t ncolumns = sizeof(columns) / sizeof(columns[0]);

const char *
value_text(const struct value *v, struct strbuf *scratch)
{
	size_t i;

	strbuf_reset(scratch);
	switch (v->type) {
	case V_NULL:
		return "-";
	case V_STR:
		/* table-only suffixes, set by the getters through num */
		if (v->num == 1 || v->num == 2) {
			strbuf_addstr(scratch, v->str);
			strbuf_addstr(scratch, v->num == 1 ? " (deleted)" :
			    " [truncated]");
			return strbuf_str(scratch);
		}
		return v->str;
	case V_INT: {
		char digits[24], *d = digits + sizeof(digits);
		uint64_t u = v->num < 0 ? (uint64_t)-(v->num + 1) + 1 :
		    (uint64_t)v->num;

		*--d = '\0';
		do
			*--d = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (v->num < 0)
			*--d = '-';
		strbuf_addstr(scratch, d);
		return strbuf_str(scratch);
	}
	case V_BOOL:
		return v->num ? "yes" : "no";
	case V_INTLIST:
		for (i = 0; i < v->nlist; i++)
			strbuf_addf(scratch, "%s%d", i ? "," : "", v->list[i]);
		return strbuf_str(scratch);
	}
	return "-";
}
