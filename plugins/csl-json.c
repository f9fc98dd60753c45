/*
 * csl-json.c: the "csl-json" export plugin, a bibliography for reference
 * managers (Zotero, JabRef) and pandoc's citeproc: a JSON array with one
 * CSL item per source (CSL-JSON, the CSL 1.0.2 data model), each carrying
 * its quotes, with their locators, under "custom".
 *
 * One item per source while streaming: the plugin asks for the quotes
 * sorted by source (QDB_SORT_SOURCE), so a source's quotes come together,
 * and refuses any other order, which would split a source into several
 * items with one key.  The item's own fields are written when it starts
 * (id, title, URL); its quotes go straight out into custom.quotes as they
 * come; what its quotes have in common (type, author, container-title,
 * issued) is written after them, when the source changes: JSON objects
 * have no order, and pandoc and the CSL schema read them so.  What is kept
 * is one source and one value per describing field (srcitem.h), never a
 * list of quotes.
 *
 * Each quote in custom.quotes carries every non-source field of the
 * host's field table (named as in CSV and --json), tags as an array; its
 * text byte for byte, with JSON's escapes only: " \ and control
 * characters, and U+2028/U+2029 as \u2028 \u2029 so the file is also
 * valid JavaScript.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"
#include "outbuf.h"
#include "srcitem.h"
#include "utf8.h"

#define CSL_VERSION "1.0"

typedef struct csl_state {
	const qdb_plugin_host *host;
	unsigned long nquote;    /* quotes seen, for messages */
	unsigned long nitems;
	qdb_item item;
	qdb_outbuf out;          /* last: 64 KiB */
} csl_state;

static int put(csl_state *st, const char *p, size_t n)
{
	return qdb_outbuf_put(&st->out, p, n);
}

static int puts_(csl_state *st, const char *s)
{
	return put(st, s, strlen(s));
}

/* Names the quote being written in a message. */
static void quote_error(csl_state *st, const qdb_quote *q, const char *field,
			const char *what, size_t at)
{
	if (q && q->id.ptr)
		st->host->error(st->host, "quote %.100s: %s: %s at byte %zu",
				q->id.ptr, field, what, at);
	else
		st->host->error(st->host, "quote #%lu: %s: %s at byte %zu",
				st->nquote, field, what, at);
}

/* s as a JSON string, quotes included. */
static int put_string(csl_state *st, qdb_str s, const qdb_quote *q,
		      const char *field)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s.ptr;
	size_t i = 0;
	int rc;
	if ((rc = put(st, "\"", 1)))
		return rc;
	while (i < s.len) {
		size_t j = i;
		while (j < s.len && u[j] >= 0x20 && u[j] < 0x7f &&
		       u[j] != '"' && u[j] != '\\')
			j++;
		if (j > i && (rc = put(st, s.ptr + i, j - i)))
			return rc;
		i = j;
		if (i == s.len)
			break;
		char esc[8] = { '\\', 0 };
		size_t elen = 2;
		uint32_t c = u[i];
		size_t k = 1;
		if (c >= 0x80 && !(k = qdb_utf8_decode(&c, u + i, s.len - i))) {
			quote_error(st, q, field, "not valid UTF-8", i);
			return QDB_EINVALID;
		}
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			if (c < 0x20 || c == 0x7f || c == 0x2028 ||
			    c == 0x2029) {
				esc[1] = 'u';
				esc[2] = hex[(c >> 12) & 15];
				esc[3] = hex[(c >> 8) & 15];
				esc[4] = hex[(c >> 4) & 15];
				esc[5] = hex[c & 15];
				elen = 6;
			} else {
				elen = 0;
			}
		}
		rc = elen ? put(st, esc, elen) : put(st, s.ptr + i, k);
		if (rc)
			return rc;
		i += k;
	}
	return put(st, "\"", 1);
}

/* ,\n<indent>"key": "value" */
static int put_member(csl_state *st, const char *head, qdb_str s,
		      const qdb_quote *q, const char *field)
{
	int rc;
	if (!s.ptr)
		return 0;
	if ((rc = puts_(st, head)))
		return rc;
	return put_string(st, s, q, field);
}

/* A date variable: date-parts for a simple date (circa for ~ and %), the
 * text as written, as a literal, for any other (CSL has no "uncertain"). */
static int put_date(csl_state *st, const char *name, qdb_str d)
{
	qdb_item_date_parts p;
	char buf[160];
	int rc;
	if (!d.ptr)
		return 0;
	snprintf(buf, sizeof buf, ",\n    \"%s\": {", name);
	if ((rc = puts_(st, buf)))
		return rc;
	if (!qdb_item_date_simple(&p, d) || p.uncertain) {
		if ((rc = put_member(st, "\"literal\": ", d, NULL, name)))
			return rc;
		return puts_(st, "}");
	}
	if ((rc = puts_(st, "\"date-parts\": [")))
		return rc;
	for (int e = 0; e < p.n; e++) {
		size_t n = 0;
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s[%d",
				      e ? ", " : "", p.parts[e][0]);
		for (int k = 1; k < p.nparts[e]; k++)
			n += (size_t)snprintf(buf + n, sizeof buf - n, ", %d",
					      p.parts[e][k]);
		snprintf(buf + n, sizeof buf - n, "]");
		if ((rc = puts_(st, buf)))
			return rc;
	}
	return puts_(st, p.circa ? "], \"circa\": true}" : "]}");
}

/* The item's start: what its source says. */
static int put_item_head(csl_state *st, const qdb_quote *q)
{
	qdb_item *it = &st->item;
	int rc;
	if ((rc = puts_(st, st->nitems++ ? ",\n  {\n    \"id\": \""
			: "\n  {\n    \"id\": \"")) ||
	    (rc = puts_(st, it->key)) || (rc = puts_(st, "\"")) ||
	    (rc = put_member(st, ",\n    \"title\": ", qdb_item_title(it), q,
			     "title")) ||
	    (rc = put_member(st, ",\n    \"URL\": ",
			     qdb_item_str(&it->src[QDB_ISRC_URL]), q,
			     "source_url")))
		return rc;
	return puts_(st, ",\n    \"custom\": {\n      \"quotes\": [");
}

static const char *const type_names[] = {
	[QDB_ITEM_ARTICLE] = "article",
	[QDB_ITEM_NEWSPAPER] = "article-newspaper",
	[QDB_ITEM_INTERVIEW] = "interview",
	[QDB_ITEM_SPEECH] = "speech",
	[QDB_ITEM_BROADCAST] = "broadcast",
	[QDB_ITEM_WEBPAGE] = "webpage",
};

/* The item's end: what its quotes have in common. */
static int put_item_tail(csl_state *st)
{
	qdb_item *it = &st->item;
	int type = qdb_item_type(it), rc;
	qdb_str author = qdb_item_author(it), given, family;
	qdb_str outlet = qdb_item_common(it, QDB_ICOM_OUTLET);
	qdb_str programme = qdb_item_common(it, QDB_ICOM_PROGRAMME);
	if ((rc = puts_(st, "\n      ]\n    },\n    \"type\": \"")) ||
	    (rc = puts_(st, type_names[type])) || (rc = puts_(st, "\"")))
		return rc;
	if (author.ptr) {
		if (qdb_item_person(author, &given, &family)) {
			rc = put_member(st, ",\n    \"author\": [{\"family\": ",
					family, NULL, "author");
			if (!rc)
				rc = put_member(st, ", \"given\": ", given,
						NULL, "author");
		} else {
			rc = put_member(st, ",\n    \"author\": [{\"literal\": ",
					author, NULL, "author");
		}
		if (rc || (rc = puts_(st, "}]")))
			return rc;
	}
	/* A broadcast's container is its programme, the network its
	 * publisher; elsewhere the outlet is the container. */
	if (type == QDB_ITEM_BROADCAST) {
		if ((rc = put_member(st, ",\n    \"container-title\": ",
				     programme, NULL, "programme")) ||
		    (rc = put_member(st, ",\n    \"publisher\": ", outlet,
				     NULL, "outlet")))
			return rc;
	} else if ((rc = put_member(st, ",\n    \"container-title\": ",
				    outlet, NULL, "outlet"))) {
		return rc;
	}
	if (type == QDB_ITEM_SPEECH &&
	    (rc = put_member(st, ",\n    \"event\": ",
			     qdb_item_common(it, QDB_ICOM_OCCASION), NULL,
			     "occasion")))
		return rc;
	if ((rc = put_date(st, "issued", qdb_item_date(it))))
		return rc;
	it->open = 0;
	return puts_(st, "\n  }");
}

/* One quote in custom.quotes: every field but the source's. */
static int put_quote(csl_state *st, const qdb_quote *q)
{
	const qdb_plugin_host *h = st->host;
	int rc, first = 1;
	if ((rc = puts_(st, st->item.nquotes > 1 ? ",\n        {"
			: "\n        {")))
		return rc;
	for (size_t i = 0; i < h->nfields; i++) {
		const qdb_field *f = &h->fields[i];
		char head[80];
		if (f->flags & QDB_FIELD_SOURCE)
			continue;
		if (f->kind == QDB_FIELD_TAGS) {
			if (!q->ntags)
				continue;
			snprintf(head, sizeof head, "%s\"%s\": [",
				 first ? "" : ", ", f->name);
			if ((rc = puts_(st, head)))
				return rc;
			for (size_t t = 0; t < q->ntags; t++)
				if ((t && (rc = puts_(st, ", "))) ||
				    (rc = put_string(st, q->tags[t], q,
						     "tags")))
					return rc;
			if ((rc = puts_(st, "]")))
				return rc;
			first = 0;
			continue;
		}
		qdb_str s = qdb_quote_str(q, f);
		if (!s.ptr)
			continue;
		snprintf(head, sizeof head, "%s\"%s\": ", first ? "" : ", ",
			 f->name);
		if ((rc = put_member(st, head, s, q, f->name)))
			return rc;
		first = 0;
	}
	return puts_(st, "}");
}

static int csl_begin(void **state, const qdb_plugin_host *host)
{
	*state = NULL;
	if (!host || host->size < sizeof(qdb_plugin_host) ||
	    host->abi_major != QDB_PLUGIN_ABI_MAJOR ||
	    host->abi_minor < QDB_PLUGIN_ABI_MINOR)
		return QDB_EABI;
	if (host->sort != QDB_SORT_SOURCE) {
		host->error(host, "one item per source needs the quotes "
			    "sorted by source: leave --sort out");
		return QDB_EINVALID;
	}
	csl_state *st = calloc(1, sizeof *st);
	if (!st) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	st->host = host;
	st->out.host = host;
	st->out.format = "CSL-JSON";
	int rc = puts_(st, "[");
	if (rc) {
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

static int csl_quote(void *state, const qdb_quote *q,
		     const qdb_plugin_host *host)
{
	csl_state *st = state;
	int rc;
	if (!q || q->size < sizeof(qdb_quote)) {
		host->error(host, "quote record too small for this plugin "
			    "(%zu < %zu bytes)", q ? q->size : 0,
			    sizeof(qdb_quote));
		return QDB_EABI;
	}
	st->nquote++;
	if (!qdb_item_same(&st->item, q)) {
		if (st->item.open && (rc = put_item_tail(st)))
			return rc;
		if ((rc = qdb_item_start(&st->item, q)) ||
		    (rc = qdb_item_add(&st->item, q))) {
			host->error(host, "out of memory");
			return rc;
		}
		if ((rc = put_item_head(st, q)))
			return rc;
	} else if ((rc = qdb_item_add(&st->item, q))) {
		host->error(host, "out of memory");
		return rc;
	}
	return put_quote(st, q);
}

static int csl_end(void *state, int status, const qdb_plugin_host *host)
{
	(void)host;
	csl_state *st = state;
	int rc = 0;
	if (!st)
		return 0;
	if (status == 0) {
		if (st->item.open)
			rc = put_item_tail(st);
		if (!rc)
			rc = puts_(st, st->nitems ? "\n]\n" : "]\n");
		if (!rc)
			rc = qdb_outbuf_flush(&st->out);
	}
	qdb_item_free(&st->item);
	free(st);
	return rc;
}

static const qdb_plugin csl_plugin = {
	.abi_major = QDB_PLUGIN_ABI_MAJOR,
	.abi_minor = QDB_PLUGIN_ABI_MINOR,
	.size = sizeof(qdb_plugin),
	.name = "csl-json",
	.version = CSL_VERSION,
	.description = "CSL-JSON bibliography, one item per source with its "
		"quotes, for reference managers and pandoc",
	.extension = "json",
	.options = NULL,
	.option_size = sizeof(qdb_plugin_option),
	.sort = QDB_SORT_SOURCE,
	.begin = csl_begin,
	.quote = csl_quote,
	.end = csl_end,
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &csl_plugin;
}
