/*
 * dossier.c - origin, package, integrity and purpose per process.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <zlib.h>

#include "why/dossier.h"
#include "why/manpage.h"
#include "util/notes.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define ENVIRON_CAP	(256u << 10)
#define PRELOAD_CAP	(64u << 10)

/* ---- building --------------------------------------------------------- */

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

/* What the last processes were found to be: many processes share an
 * executable (workers, the benchmark's thousand), and a man page is
 * worth opening once. */
struct purpose_memo {
	struct purpose_seen {
		char			*exe, *comm, *unit, *ctr;
		const struct pkg_info	*pkg;
		const struct kb_entry	*kb;
		char			*purpose;
		const char		*source;
	} v[64];
	size_t n, next;
};

static int
same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* root: a container's (/proc/PID/root), whose own manual pages tell
 * what its programs are; NULL for the host's */
static void
purpose_of(struct dossiers *d, struct dossier *ds, const struct proc_rec *p,
    const char *root, struct purpose_memo *m)
{
	const struct pkg_info *pkg = ds->owner.pkg;
	struct purpose_seen *e;

	for (size_t i = 0; i < m->n; i++) {
		e = &m->v[i];
		if (same(e->exe, p->exe) && same(e->comm, p->comm) &&
		    same(e->unit, ds->origin.unit) && e->pkg == pkg &&
		    same(e->ctr, ds->origin.container_id)) {
			ds->kb = e->kb;
			ds->purpose = e->purpose ? xstrdup(e->purpose) : NULL;
			ds->purpose_source = e->source;
			return;
		}
	}
	ds->kb = kb_lookup(&d->kb, p->comm, p->exe, pkg ? pkg->name : NULL,
	    ds->origin.unit);
	if (ds->kb == NULL && pkg && pkg->desc) {
		ds->purpose = xstrdup(pkg->desc);
		ds->purpose_source = "package description";
	} else if (ds->kb == NULL) {
		const char *b = p->exe ? strrchr(p->exe, '/') : NULL;

		ds->purpose = manpage_whatis_in(root, b ? b + 1 : p->comm);
		if (ds->purpose)
			ds->purpose_source = "man page";
	}
	/* remember it, replacing the oldest when full */
	e = &m->v[m->n < 64 ? m->n++ : m->next++ % 64];
	free(e->exe);
	free(e->comm);
	free(e->unit);
	free(e->purpose);
	free(e->ctr);
	e->ctr = ds->origin.container_id ? xstrdup(ds->origin.container_id) :
	    NULL;
	e->exe = p->exe ? xstrdup(p->exe) : NULL;
	e->comm = p->comm ? xstrdup(p->comm) : NULL;
	e->unit = ds->origin.unit ? xstrdup(ds->origin.unit) : NULL;
	e->pkg = pkg;
	e->kb = ds->kb;
	e->purpose = ds->purpose ? xstrdup(ds->purpose) : NULL;
	e->source = ds->purpose_source;
}

static void
purpose_memo_release(struct purpose_memo *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].exe);
		free(m->v[i].comm);
		free(m->v[i].unit);
		free(m->v[i].ctr);
		free(m->v[i].purpose);
	}
}

/*
 * The second thread: the pass over dpkg's file lists, then digests of
 * the running images, which the main thread joins in taking once its
 * origins are done.  Each distinct executable path is hashed once.
 */
/*
 * The image half of an integrity check (digest, package, directory)
 * is the same for every process running the same, undeleted file from
 * the same root: it is done once per executable.  The environment half
 * (LD_PRELOAD) is per process.
 */
struct image_memo {
	const char		*exe;
	const struct pkg_info	*pkg;
	const struct pkgdb	*db;
	struct integrity	 in;
	int			 valid;
};

static int
image_memo_get(struct image_memo *m, struct dossier *ds,
    const struct proc_rec *p, const char *proot)
{
	const unsigned int env_flags = INTEG_PRELOAD | INTEG_PRELOAD_FILE;

	if (!m->valid || proot || p->exe == NULL || p->exe_deleted ||
	    strcmp(m->exe, p->exe) != 0 || m->pkg != ds->owner.pkg ||
	    m->db != ds->db)
		return 0;
	ds->integ = m->in;
	ds->integ.flags &= ~env_flags;
	ds->integ.unverified = m->in.unverified ?
	    xstrdup(m->in.unverified) : NULL;
	ds->integ.preload = NULL;
	if (p->env.ld_vars) {
		ds->integ.flags |= INTEG_PRELOAD;
		ds->integ.preload = xstrdup(p->env.ld_vars);
	}
	if (m->in.flags & INTEG_PRELOAD_FILE)
		ds->integ.flags |= INTEG_PRELOAD_FILE;
	return 1;
}

static void
image_memo_put(struct image_memo *m, const struct dossier *ds,
    const struct proc_rec *p, const char *proot)
{
	if (proot || p->exe == NULL || p->exe_deleted)
		return;
	if (m->valid && strcmp(m->exe, p->exe) == 0 &&
	    m->pkg == ds->owner.pkg && m->db == ds->db)
		return;
	free(m->in.unverified);
	m->exe = p->exe;
	m->pkg = ds->owner.pkg;
	m->db = ds->db;
	m->in = ds->integ;
	m->in.unverified = ds->integ.unverified ?
	    xstrdup(ds->integ.unverified) : NULL;
	m->in.preload = NULL;
	m->valid = 1;
}

struct owners_job {
	struct pkgdb		*db;
	const char		**paths;
	size_t			 n;
	struct pkg_owner	*owners;
	/* digest jobs: one process per distinct executable */
	const struct proc_rec	**hash;
	size_t			 nhash, next;
	pthread_mutex_t		 mu;
	struct digest_cache	*cache;
};

static void
hash_drain(struct owners_job *j)
{
	for (;;) {
		const struct proc_rec *p = NULL;

		pthread_mutex_lock(&j->mu);
		if (j->next < j->nhash)
			p = j->hash[j->next++];
		pthread_mutex_unlock(&j->mu);
		if (p == NULL)
			return;
		integrity_prehash(p->pid, p->exe, pkgdb_default_algo(j->db),
		    j->cache);
	}
}

static void *
owners_job(void *arg)
{
	struct owners_job *j = arg;

	pkgdb_owners(j->db, j->paths, j->n, j->owners);
	hash_drain(j);
	return NULL;
}

static int
exe_cmp(const void *a, const void *b)
{
	const struct proc_rec *const *x = a, *const *y = b;

	return strcmp((*x)->exe, (*y)->exe);
}

/* Largest first: the first free thread takes the longest job. */
static off_t *job_sizes;
static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return job_sizes[x] < job_sizes[y] ? 1 : job_sizes[x] > job_sizes[y] ?
	    -1 : (x > y) - (x < y);
}

/* One process per distinct executable path, for the digest jobs. */
static void
hash_jobs(struct owners_job *j, const struct dossiers *d,
    const struct procscan *ps)
{
	size_t k = 0;

	j->hash = xcalloc(d->n ? d->n : 1, sizeof(*j->hash));
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].built && ps->procs[i].exe)
			j->hash[k++] = &ps->procs[i];
	if (k > 1)
		qsort(j->hash, k, sizeof(*j->hash), exe_cmp);
	for (size_t i = 0; i < k; i++)
		if (j->nhash == 0 || strcmp(j->hash[j->nhash - 1]->exe,
		    j->hash[i]->exe) != 0)
			j->hash[j->nhash++] = j->hash[i];
	if (j->nhash > 1) {
		const struct proc_rec **sorted;
		size_t *order = xcalloc(j->nhash, sizeof(*order));

		job_sizes = xcalloc(j->nhash, sizeof(*job_sizes));
		for (size_t i = 0; i < j->nhash; i++) {
			struct stat st;
			char *p = sysroot_path(j->hash[i]->exe);

			job_sizes[i] = stat(p, &st) == 0 ? st.st_size : 0;
			order[i] = i;
			free(p);
		}
		qsort(order, j->nhash, sizeof(*order), size_cmp);
		sorted = xcalloc(j->nhash, sizeof(*sorted));
		for (size_t i = 0; i < j->nhash; i++)
			sorted[i] = j->hash[order[i]];
		memcpy(j->hash, sorted, j->nhash * sizeof(*sorted));
		free(sorted);
		free(order);
		free(job_sizes);
		job_sizes = NULL;
	}
}

void
dossiers_build(struct dossiers *d, struct listing *l, const char *kb_path)
{
	struct owners_job job;
	struct purpose_memo memo;
	struct image_memo imemo;
	pthread_t tid;
	int threaded;
	struct procscan *ps = &l->ps;
	const char **paths;
	struct pkg_owner *owners;
	char **proots;
	struct strbuf sb;
	char *root, *cause = NULL;
	double t0 = now_ms();

	memset(d, 0, sizeof(*d));
	memset(&memo, 0, sizeof(memo));
	memset(&imemo, 0, sizeof(imemo));
	digest_cache_init(&d->digests);
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
	if (kb_load(&d->kb, kb_path, &cause) < 0) {
		notes_add("%s: purposes and advice are not shown", cause);
		free(cause);
	}
	strbuf_init(&sb, PRELOAD_CAP);
	if (sysroot_read("/etc/ld.so.preload", PRELOAD_CAP, &sb) == 0) {
		/* only lines that name something count */
		const char *t = strbuf_str(&sb);

		if (strspn(t, " \t\r\n") != sb.len)
			d->preload_file = xstrdup(t);
	}
	strbuf_release(&sb);

	d->ms_open = now_ms() - t0;
	/* Only processes that own a selected socket. */
	for (size_t i = 0; i < l->nviews; i++)
		for (size_t k = 0; k < l->views[i].nowners; k++)
			d->v[ps->owners[view_owner(l, &l->views[i], k)].proc].built = 1;

	/* Packages: one pass over the host's file lists for every
	 * executable run from the host's root (a container's have their
	 * own database), in a thread while this one reads environments and
	 * works out origins: the two do not depend on each other. */
	paths = xcalloc(d->n ? d->n : 1, sizeof(*paths));
	owners = xcalloc(d->n ? d->n : 1, sizeof(*owners));
	proots = xcalloc(d->n ? d->n : 1, sizeof(*proots));
	for (size_t i = 0; i < d->n; i++) {
		struct cgroup_info ci;

		if (!d->v[i].built)
			continue;
		cgroup_classify(ps->procs[i].cgroup, &ci);
		if (ci.runtime == NULL)
			paths[i] = ps->procs[i].exe;
		cgroup_info_release(&ci);
	}
	memset(&job, 0, sizeof(job));
	job.db = &d->db;
	job.paths = paths;
	job.n = d->n;
	job.owners = owners;
	job.cache = &d->digests;
	pthread_mutex_init(&job.mu, NULL);
	hash_jobs(&job, d, ps);
	threaded = pthread_create(&tid, NULL, owners_job, &job) == 0;
	if (!threaded)
		owners_job(&job);

	for (size_t i = 0; i < d->n; i++) {
		struct dossier *ds = &d->v[i];
		const struct proc_rec *p = &ps->procs[i];

		if (!ds->built)
			continue;
		if (!p->env.readable)
			d->env_denied++;
		origin_explain(d->octx, NULL, p, p->env.ssh_connection, 0,
		    &ds->origin);
		ds->sensitive = origin_socket_sensitive(d->octx, p);
	}
	d->ms_origin = now_ms() - t0 - d->ms_open;
	hash_drain(&job);
	if (threaded)
		pthread_join(tid, NULL);
	pthread_mutex_destroy(&job.mu);
	free(job.hash);
	/* (a container's database is opened only now: librpm's state is
	 * global, and the other thread may have been using it) */
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].built)
			d->v[i].db = db_for(d, &d->v[i], ps->procs[i].pid,
			    &proots[i]);
	d->ms_packages = now_ms() - t0 - d->ms_open - d->ms_origin;
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
		if (!image_memo_get(&imemo, ds, p, proots[i]))
			integrity_check(p->pid, proots[i] ? proots[i] : "",
			    p->exe, p->exe_deleted, ds->db, &ds->owner,
			    &p->env, d->preload_file, &d->digests,
			    &ds->integ);
		image_memo_put(&imemo, ds, p, proots[i]);
		purpose_of(d, ds, p, proots[i], &memo);
		free(proots[i]);
	}
	free(proots);
	purpose_memo_release(&memo);
	free(imemo.in.unverified);
	d->ms_check = now_ms() - t0 - d->ms_open - d->ms_origin -
	    d->ms_packages;
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
			size_t oi = view_owner(l, v, k);
			const struct owner *ow = &ps->owners[oi];

			if (!d->v[ow->proc].sensitive || d->row_done[oi])
				continue;
			origin_explain(d->octx, v->s, &ps->procs[ow->proc],
			    ps->procs[ow->proc].env.ssh_connection, init_holds,
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
