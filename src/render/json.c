/*
 * json.c - one JSON document per run.
 *
 * Field names are the `key`s of the column description and are stable;
 * the man page documents them.  Every string goes through escape_json(),
 * so the output is valid JSON (and valid UTF-8) whatever the processes
 * and files held.
 */
#include <string.h>
#include <unistd.h>

#include "render/columns.h"
#include "render/render.h"
#include "render/jsonw.h"
#include "render/why.h"
#include "util/escape.h"
#include "util/banned.h"

#ifndef PORTSLEUTH_VERSION
#define PORTSLEUTH_VERSION "0"
#endif

static void
put_str(FILE *out, struct strbuf *sb, const char *s)
{
	strbuf_reset(sb);
	escape_json(sb, s, strlen(s));
	fputc('"', out);
	fwrite(strbuf_str(sb), 1, sb->len, out);
	fputc('"', out);
}

static void
put_value(FILE *out, struct strbuf *sb, const struct value *v)
{
	size_t i;

	switch (v->type) {
	case V_NULL:
		fputs("null", out);
		break;
	case V_STR:
		put_str(out, sb, v->str);
		break;
	case V_INT:
		fprintf(out, "%lld", (long long)v->num);
		break;
	case V_BOOL:
		fputs(v->num ? "true" : "false", out);
		break;
	case V_RAW:
		fputs(v->str, out);
		break;
	case V_INTLIST:
		fputc('[', out);
		for (i = 0; i < v->nlist; i++)
			fprintf(out, "%s%d", i ? "," : "", v->list[i]);
		fputc(']', out);
		break;
	}
}

static void
put_fields(FILE *out, struct strbuf *sb, const struct row *r,
    enum col_level level, const char *indent)
{
	size_t i;
	int first = 1;

	for (i = 0; i < ncolumns; i++) {
		struct value v;

		if (columns[i].key == NULL || columns[i].level != level ||
		    (columns[i].why && r->l->why == NULL) ||
		    (columns[i].probe && r->l->probe == NULL))
			continue;
		memset(&v, 0, sizeof(v));
		columns[i].get(r, &v);
		fprintf(out, "%s\n%s\"%s\": ", first ? "" : ",", indent,
		    columns[i].key);
		put_value(out, sb, &v);
		first = 0;
	}
}

static void
put_source(FILE *out, struct strbuf *sb, const char *key, const char *val,
    int *first)
{
	fprintf(out, "%s\n    \"%s\": ", *first ? "" : ",", key);
	put_str(out, sb, val ? val : "not requested");
	*first = 0;
}

void
render_json(FILE *out, const struct listing *l, const struct render_opts *o)
{
	struct strbuf sb;
	size_t i, k, unowned = 0;
	int p, f, first = 1;
	char key[32];

	(void)o;
	strbuf_init(&sb, 1u << 20);
	fprintf(out, "{\n  \"portsleuth\": \"%s\",\n  \"schema\": 1,\n",
	    PORTSLEUTH_VERSION);
	fprintf(out, "  \"privileged\": %s,\n", l->privileged ? "true" : "false");
	fputs("  \"sources\": {", out);
	for (p = 0; p < PROTO_COUNT; p++)
		for (f = 0; f < 2; f++) {
			if (l->rep.source[p][f] == NULL)
				continue;
			snprintf(key, sizeof(key), "%s%s", proto_name(p),
			    f ? "6" : "4");
			put_source(out, &sb, key, l->rep.source[p][f], &first);
		}
	put_source(out, &sb, "interfaces", l->ifs.source, &first);
	strbuf_reset(&sb);
	json_notes(&sb);
	fprintf(out, ",\n    %s", strbuf_str(&sb));
	fputs("\n  },\n  \"sockets\": [", out);
	for (i = 0; i < l->nviews; i++) {
		const struct sock_view *v = &l->views[i];
		struct row r = { l, v, NULL, NULL };

		if (!v->nowners)
			unowned++;
		fprintf(out, "%s\n    {", i ? "," : "");
		put_fields(out, &sb, &r, COL_SOCKET, "      ");
		fputs(",\n      \"owners\": [", out);
		for (k = 0; k < v->nowners; k++) {
			r.o = &l->ps.owners[v->owners[k]];
			r.p = &l->ps.procs[r.o->proc];
			fprintf(out, "%s\n        {", k ? "," : "");
			put_fields(out, &sb, &r, COL_OWNER, "          ");
			fputs("\n        }", out);
		}
		fputs(v->nowners ? "\n      ]\n    }" : "]\n    }", out);
	}
	fprintf(out, "%s],\n  \"summary\": {\n    \"sockets\": %zu,\n"
	    "    \"rows\": %zu,\n    \"unattributed\": %zu,\n",
	    l->nviews ? "\n  " : "", l->nviews, l->nrows, unowned);
	fputs("    \"unattributed_reasons\": {", out);
	for (p = OWNER_NOT_ROOT; p <= OWNER_NOT_SCANNED; p++)
		fprintf(out, "%s\"%s\": %u", p == OWNER_NOT_ROOT ? "" : ", ",
		    owner_note_key(p), l->unowned[p]);
	fprintf(out, "},\n    \"processes_scanned\": %u,\n"
	    "    \"processes_unreadable\": %u,\n"
	    "    \"processes_exited\": %u,\n"
	    "    \"malformed_records\": %u\n  }\n}\n",
	    l->ps.scanned, l->ps.denied, l->ps.vanished + l->ps.reused,
	    l->rep.malformed + l->ps.malformed + l->ifs.malformed);
	strbuf_release(&sb);
}
