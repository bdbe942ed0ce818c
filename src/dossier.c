/*
 * dossier.c - origin, package, integrity and purpose per process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "dossier.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define ENVIRON_CAP	(256u << 10)
#define MAN_CAP		(256u << 10)
#define PRELOAD_CAP	(64u << 10)
#define WHATIS_MAX	200

/* ---- whatis ----------------------------------------------------------- */

/* Strip roff escapes and fonts from a short line into out. */
static void
deroff(struct strbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char c = s[++i];

			if (c == 'f' && i + 1 < n) {
				if (s[i + 1] == '(' && i + 3 < n)
					i += 3;
				else
					i++;
			} else if (c == '-' || c == '\\' || c == '.') {
				strbuf_addch(out, c);
			} else if (c == '(' && i + 2 < n) {
				i += 2;
			} else if (c == '&' || c == '%' || c == ' ') {
				if (c == ' ')
					strbuf_addch(out, ' ');
			}
			continue;
		}
		if ((unsigned char)s[i] < ' ')
			continue;
		strbuf_addch(out, s[i]);
	}
}

char *
dossier_parse_whatis(const char *buf, size_t len)
{
	struct strbuf text;
	size_t pos = 0;
	int in_name = 0;
	char *res = NULL;

	strbuf_init(&text, 4096);
	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;

		pos += n + (nl != NULL);
		if (n >= 3 && (strncmp(l, ".SH", 3) == 0 ||
		    strncmp(l, ".Sh", 3) == 0)) {
			if (in_name)
				break;
			in_name = memmem(l, n, "NAME", 4) != NULL;
			continue;
		}
		if (!in_name)
			continue;
		if (n >= 4 && strncmp(l, ".Nd ", 4) == 0) {	/* mdoc */
			strbuf_reset(&text);
			strbuf_addstr(&text, "- ");
			deroff(&text, l + 4, n - 4);
			break;
		}
		if (n > 0 && (l[0] == '.' || l[0] == '\''))
			continue;	/* other requests */
		if (text.len)
			strbuf_addch(&text, ' ');
		deroff(&text, l, n);
		if (text.len > 1024)
			break;
	}
	if (text.len) {
		const char *t = strbuf_str(&text);
		const char *dash = strstr(t, " - ");

		if (dash == NULL && strncmp(t, "- ", 2) == 0)
			dash = t - 1;
		if (dash) {
			const char *d = dash + 3;
			size_t dn = strlen(d);

			while (dn > 0 && d[dn - 1] == ' ')
				dn--;
			if (dn > 0)
				res = xstrndup(d, dn > WHATIS_MAX ? WHATIS_MAX :
				    dn);
		}
	}
	strbuf_release(&text);
	return res;
}

static int
read_gz(const char *path, struct strbuf *out)
{
	char buf[8192];
	gzFile gz;
	int n;

	strbuf_reset(out);
	if ((gz = gzopen(path, "rb")) == NULL)
		return -1;
	while ((n = gzread(gz, buf, sizeof(buf))) > 0)
		if (strbuf_add(out, buf, (size_t)n) < 0)
			break;		/* capped: the NAME section is early */
	gzclose(gz);
	return n < 0 ? -1 : 0;
}

char *
dossier_whatis(const char *name)
{
	static const char sections[] = "81";
	struct strbuf sb;
	char *res = NULL;

	if (name == NULL || *name == '\0' || strchr(name, '/') ||
	    strlen(name) > 64)
		return NULL;
	strbuf_init(&sb, MAN_CAP);
	for (const char *s = sections; *s && res == NULL; s++) {
		char *rel = xasprintf("/usr/share/man/man%c/%s.%c.gz", *s, name,
		    *s);
		char *p = sysroot_path(rel);

		if (read_gz(p, &sb) == 0 && sb.len)
			res = dossier_parse_whatis(sb.buf, sb.len);
		free(p);
		free(rel);
	}
	strbuf_release(&sb);
	return res;
}

/* ---- building --------------------------------------------------------- */

static void
read_env(pid_t pid, struct dossiers *d, struct proc_env *env)
{
	struct strbuf sb;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	strbuf_init(&sb, ENVIRON_CAP);
	if (sysroot_read(path, ENVIRON_CAP, &sb) == 0)
		integrity_scan_environ(sb.buf ? sb.buf : "", sb.len, env);
	else
		d->env_denied++;
	strbuf_release(&sb);
}

/* The package database a process's executable belongs to: the host's,
 * or the one inside its container (through /proc/PID/root). */
static const struct pkgdb *
db_for(struct dossiers *d, const struct dossier *ds, pid_t pid,
    char **proot)
{
	static struct pkgdb unseen = { .pm = PM_NONE, .error =
	    (char *)"the container's own root is not visible here" };
	const struct origin *o = &ds->origin;
	char *root;

	*proot = NULL;
	if (o->kind != ORIGIN_CONTAINER)
		return &d->db;
	if (sysroot_is_fixture())
		return &unseen;	/* a fixture holds no container roots */
	for (size_t i = 0; i < d->ncdb; i++)
		if (strcmp(d->cdb_key[i], o->container_id) == 0) {
			*proot = xasprintf("/proc/%d/root", (int)pid);
			return d->cdb[i];
		}
	if (d->ncdb >= 64)
		return &unseen;
	root = xasprintf("/proc/%d/root", (int)pid);
	xgrow((void **)&d->cdb, &d->cdbcap, d->ncdb + 1, sizeof(*d->cdb));
	d->cdb_key = xreallocarray(d->cdb_key, d->ncdb + 1,
	    sizeof(*d->cdb_key));
	d->cdb[d->ncdb] = xcalloc(1, sizeof(**d->cdb));
	pkgdb_open(d->cdb[d->ncdb], root);
	d->cdb_key[d->ncdb] = xstrdup(o->container_id);
	*proot = root;
	return d->cdb[d->ncdb++];
}

void
dossiers_build(struct dossiers *d, struct listing *l, const char *kb_path)
{
	struct procscan *ps = &l->ps;
	const char **paths;
	struct pkg_owner *owners;
	char **proots;
	struct strbuf sb;
	char *root;
	double t0 = now_ms();

	memset(d, 0, sizeof(*d));
	d->n = ps->nprocs;
	d->v = xcalloc(d->n ? d->n : 1, sizeof(*d->v));
	d->row_origin = xcalloc(ps->nowners ? ps->nowners : 1,
	    sizeof(*d->row_origin));
	d->row_done = xcalloc(ps->nowners ? ps->nowners : 1, 1);
	d->nrows = ps->nowners;
	root = sysroot_path("");
	pkgdb_open(&d->db, root);
	free(root);
	d->octx = origin_ctx_new(&l->reg, l->users);
	kb_load(&d->kb, kb_path);
	strbuf_init(&sb, PRELOAD_CAP);
	if (sysroot_read("/etc/ld.so.preload", PRELOAD_CAP, &sb) == 0) {
		/* only lines that name something count */
		const char *t = strbuf_str(&sb);

		if (strspn(t, " \t\r\n") != sb.len)
			d->preload_file = xstrdup(t);
	}
	strbuf_release(&sb);

	/* Only processes that own a selected socket. */
	for (size_t i = 0; i < l->nviews; i++)
		for (size_t k = 0; k < l->views[i].nowners; k++)
			d->v[ps->owners[l->views[i].owners[k]].proc].built = 1;

	/* Environment and origin first: the origin says whether the
	 * executable lives in a container's root. */
	for (size_t i = 0; i < d->n; i++) {
		struct dossier *ds = &d->v[i];
		const struct proc_rec *p = &ps->procs[i];

		if (!ds->built)
			continue;
		read_env(p->pid, d, &ds->env);
		origin_explain(d->octx, NULL, p, ds->env.ssh_connection, 0,
		    &ds->origin);
		ds->sensitive = origin_socket_sensitive(d->octx, p);
	}

	/* Packages: one pass over the host's lists for every executable
	 * run from the host's root; a container's have their own. */
	paths = xcalloc(d->n ? d->n : 1, sizeof(*paths));
	owners = xcalloc(d->n ? d->n : 1, sizeof(*owners));
	proots = xcalloc(d->n ? d->n : 1, sizeof(*proots));
	for (size_t i = 0; i < d->n; i++) {
		if (!d->v[i].built)
			continue;
		d->v[i].db = db_for(d, &d->v[i], ps->procs[i].pid, &proots[i]);
		if (d->v[i].db == &d->db)
			paths[i] = ps->procs[i].exe;
	}
	pkgdb_owners(&d->db, paths, d->n, owners);
	for (size_t i = 0; i < d->n; i++) {
		struct dossier *ds = &d->v[i];
		const struct proc_rec *p = &ps->procs[i];

		if (!ds->built) {
			pkg_owner_release(&owners[i]);
			continue;
		}
		if (ds->db == &d->db) {
			ds->owner = owners[i];
		} else if (p->exe) {
			/* a container: its own database, one path */
			const char *one[1] = { p->exe };

			pkgdb_owners((struct pkgdb *)ds->db, one, 1,
			    &ds->owner);
			pkg_owner_release(&owners[i]);
		}
		integrity_check(p->pid, proots[i] ? proots[i] : "", p->exe,
		    p->exe_deleted, ds->db, &ds->owner, &ds->env,
		    d->preload_file, &d->digests, &ds->integ);
		free(proots[i]);
		ds->kb = kb_lookup(&d->kb, p->comm, p->exe,
		    ds->owner.pkg ? ds->owner.pkg->name : NULL,
		    ds->origin.unit);
		if (ds->kb == NULL && ds->owner.pkg && ds->owner.pkg->desc) {
			ds->purpose = xstrdup(ds->owner.pkg->desc);
			ds->purpose_source = "package description";
		} else if (ds->kb == NULL) {
			const char *b = p->exe ? strrchr(p->exe, '/') : NULL;

			ds->purpose = dossier_whatis(b ? b + 1 : p->comm);
			if (ds->purpose)
				ds->purpose_source = "man page";
		}
	}
	free(proots);
	free(paths);
	free(owners);

	/* Per-socket origins where the port decides. */
	for (size_t i = 0; i < l->nviews; i++) {
		const struct sock_view *v = &l->views[i];
		int init_holds = 0;

		/* every owner of the socket, selected or not */
		size_t first, n = procscan_owners_of(ps, v->s->inode, &first);
		for (size_t k = 0; k < n; k++)
			if (ps->owners[first + k].pid == 1)
				init_holds = 1;
		for (size_t k = 0; k < v->nowners; k++) {
			size_t oi = v->owners[k];
			const struct owner *ow = &ps->owners[oi];

			if (!d->v[ow->proc].sensitive || d->row_done[oi])
				continue;
			origin_explain(d->octx, v->s, &ps->procs[ow->proc],
			    d->v[ow->proc].env.ssh_connection, init_holds,
			    &d->row_origin[oi]);
			d->row_done[oi] = 1;
		}
	}
	d->ms = now_ms() - t0;
}

const struct origin *
dossiers_origin(const struct dossiers *d, const struct listing *l,
    size_t owner_index)
{
	if (owner_index < l->ps.nowners && d->row_done[owner_index])
		return &d->row_origin[owner_index];
	return &d->v[l->ps.owners[owner_index].proc].origin;
}

const char *
dossier_purpose(const struct dossier *ds, const char **source)
{
	if (ds->kb) {
		*source = "knowledge base";
		return ds->kb->purpose;
	}
	*source = ds->purpose_source;
	return ds->purpose;
}

void
dossiers_release(struct dossiers *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct dossier *ds = &d->v[i];

		proc_env_release(&ds->env);
		pkg_owner_release(&ds->owner);
		integrity_release(&ds->integ);
		origin_release(&ds->origin);
		free(ds->purpose);
	}
	for (size_t i = 0; i < d->nrows; i++)
		if (d->row_done[i])
			origin_release(&d->row_origin[i]);
	free(d->row_origin);
	free(d->row_done);
	free(d->v);
	pkgdb_release(&d->db);
	for (size_t i = 0; i < d->ncdb; i++) {
		pkgdb_release(d->cdb[i]);
		free(d->cdb[i]);
		free(d->cdb_key[i]);
	}
	free(d->cdb);
	free(d->cdb_key);
	origin_ctx_free(d->octx);
	kb_release(&d->kb);
	digest_cache_release(&d->digests);
	free(d->preload_file);
	memset(d, 0, sizeof(*d));
}
