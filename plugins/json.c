/*
 * json.c: the "json" export plugin.  JSON Lines (https://jsonlines.org):
 * one JSON object per quote, one quote a line, UTF-8, each line ending in
 * LF, so a program can read a million quotes one at a time (jq, pandas'
 * read_json(lines=True), Python's json.loads per line).
 *
 * Each object has every field of the host's field table, named as the
 * table names it and in its order: a string, or null when the quote does
 * not have the field, so every line has the same keys.  The source
 * fields are gathered into one object, "source": {"title", "author",
 * "date", "url", "file"} (their YAML keys), placed where the table has
 * the first of them; "source" is null when the quote has no source.
 * "tags" is an array of strings, [] when there are none.
 *
 * Exactness.  Decoding a string gives the stored bytes.  Escaped: the
 * double quote and the backslash; every control character, C0, DEL and
 * C1 (\n, \r, \t, else \u00XX), so no line of the file is broken by a
 * value, also for readers that split lines at NEL; and U+2028 and
 * U+2029, which JavaScript before ES2019 does not accept inside a string
 * literal.  Everything else, non-BMP characters included, is written as
 * it is.  A value that is not valid UTF-8 (the store refuses such text,
 * so only another host can send one) fails the export with the quote and
 * the field: the plugin never writes what is not JSON.  It checks a
 * quote before writing any of it, so the output holds whole lines only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"
#include "outbuf.h"
#include "utf8.h"

typedef struct json_state {
	const qdb_plugin_host *host;
	qdb_outbuf out;          /* last: 64 KiB */
} json_state;

static int put(json_state *st, const char *p, size_t n)
{
	return qdb_outbuf_put(&st->out, p, n);
}

static int puts_(json_state *st, const char *s)
{
	return put(st, s, strlen(s));
}

/*
 * Whether the byte may need more than a copy: ", \, a C0 control, DEL,
 * or the lead byte of C1 controls (C2) and of U+2028/U+2029 (E2).  Other
 * bytes are copied as they are: the text is valid UTF-8 (checked before).
 */
static int special(unsigned char c)
{
	return c == '"' || c == '\\' || c < 0x20 || c == 0x7f ||
	       c == 0xC2 || c == 0xE2;
}

/* The string s, quoted and escaped; s is valid UTF-8 (checked before). */
static int put_string(json_state *st, qdb_str s)
{
	const unsigned char *p = (const unsigned char *)s.ptr;
	size_t i = 0, n = s.len;
	int rc;
	if ((rc = put(st, "\"", 1)))
		return rc;
	while (i < n) {
		size_t run = i;
		while (run < n && !special(p[run]))
			run++;
		if (run > i && (rc = put(st, s.ptr + i, run - i)))
			return rc;
		i = run;
		if (i == n)
			break;
		uint32_t c = 0;
		size_t k = qdb_utf8_decode(&c, p + i, n - i);
		char esc[8];
		if (k == 0) {   /* check_quote lets none through */
			st->host->error(st->host, "not valid UTF-8");
			return QDB_EINVALID;
		}
		const char *e = NULL;
		if (c == '"')
			e = "\\\"";
		else if (c == '\\')
			e = "\\\\";
		else if (c == '\n')
			e = "\\n";
		else if (c == '\r')
			e = "\\r";
		else if (c == '\t')
			e = "\\t";
		else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
			 c == 0x2028 || c == 0x2029) {
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)c);
			e = esc;
		}
		rc = e ? puts_(st, e) : put(st, s.ptr + i, k);
		if (rc)
			return rc;
		i += k;
	}
	return put(st, "\"", 1);
}

static int put_value(json_state *st, qdb_str s)
{
	return s.ptr ? put_string(st, s) : puts_(st, "null");
}

/* The key a field has in the object: its name, or inside "source" its
 * YAML key ("source.url" is "url"). */
static const char *key_of(const qdb_field *f)
{
	const char *dot = strrchr(f->key, '.');
	return (f->flags & QDB_FIELD_SOURCE) && dot ? dot + 1 : f->name;
}

static int put_key(json_state *st, int *first, const char *key)
{
	int rc;
	if ((rc = puts_(st, *first ? "\"" : ",\"")) ||
	    (rc = puts_(st, key)))
		return rc;
	*first = 0;
	return puts_(st, "\":");
}

/* The index of the first bad byte of s, or s.len when it is UTF-8. */
static size_t bad_utf8(qdb_str s)
{
	const unsigned char *p = (const unsigned char *)s.ptr;
	size_t i = 0;
	uint32_t c;
	while (i < s.len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = qdb_utf8_decode(&c, p + i, s.len - i);
		if (!k)
			return i;
		i += k;
	}
	return i;
}

/* Refuses q when a value is not UTF-8, naming the quote and the field. */
static int check_quote(json_state *st, const qdb_quote *q)
{
	const qdb_plugin_host *h = st->host;
	const char *id = q->id.ptr ? q->id.ptr : "(no id)";
	for (size_t i = 0; i < h->nfields; i++) {
		const qdb_field *f = &h->fields[i];
		qdb_str s = qdb_quote_str(q, f);
		size_t at;
		if (s.ptr && (at = bad_utf8(s)) < s.len) {
			h->error(h, "quote %.100s: %s is not valid UTF-8 "
				 "(byte %zu)", id, f->key, at);
			return QDB_EINVALID;
		}
	}
	for (size_t t = 0; t < q->ntags; t++) {
		size_t at;
		if (q->tags[t].ptr && (at = bad_utf8(q->tags[t])) <
		    q->tags[t].len) {
			h->error(h, "quote %.100s: tags[%zu] is not valid "
				 "UTF-8 (byte %zu)", id, t, at);
			return QDB_EINVALID;
		}
	}
	return 0;
}

/* "source": the source fields as one object, or null without any. */
static int put_source(json_state *st, const qdb_quote *q)
{
	const qdb_plugin_host *h = st->host;
	int rc, any = 0, first = 1;
	for (size_t i = 0; i < h->nfields && !any; i++)
		any = (h->fields[i].flags & QDB_FIELD_SOURCE) &&
			qdb_quote_str(q, &h->fields[i]).ptr;
	if (!any)
		return puts_(st, "null");
	if ((rc = put(st, "{", 1)))
		return rc;
	for (size_t i = 0; i < h->nfields; i++) {
		const qdb_field *f = &h->fields[i];
		if (!(f->flags & QDB_FIELD_SOURCE))
			continue;
		if ((rc = put_key(st, &first, key_of(f))) ||
		    (rc = put_value(st, qdb_quote_str(q, f))))
			return rc;
	}
	return put(st, "}", 1);
}

static int put_tags(json_state *st, const qdb_quote *q)
{
	int rc, first = 1;
	if ((rc = put(st, "[", 1)))
		return rc;
	for (size_t i = 0; i < q->ntags; i++) {
		if (!q->tags[i].ptr)
			continue;
		if ((!first && (rc = put(st, ",", 1))) ||
		    (rc = put_string(st, q->tags[i])))
			return rc;
		first = 0;
	}
	return put(st, "]", 1);
}

static int json_begin(void **state, const qdb_plugin_host *host)
{
	*state = NULL;
	if (!host || host->size < sizeof(qdb_plugin_host) ||
	    host->abi_major != QDB_PLUGIN_ABI_MAJOR ||
	    host->abi_minor < QDB_PLUGIN_ABI_MINOR)
		return QDB_EABI;
	json_state *st = calloc(1, sizeof *st);
	if (!st) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	st->host = host;
	st->out.host = host;
	st->out.format = "JSON";
	*state = st;
	return 0;
}

static int json_quote(void *state, const qdb_quote *q,
		      const qdb_plugin_host *host)
{
	json_state *st = state;
	int rc, first = 1, source_done = 0;
	if (!q || q->size < sizeof(qdb_quote)) {
		host->error(host, "quote record too small for this plugin "
			    "(%zu < %zu bytes)", q ? q->size : 0,
			    sizeof(qdb_quote));
		return QDB_EABI;
	}
	if ((rc = check_quote(st, q)) || (rc = put(st, "{", 1)))
		return rc;
	for (size_t i = 0; i < host->nfields; i++) {
		const qdb_field *f = &host->fields[i];
		if (f->flags & QDB_FIELD_SOURCE) {
			if (source_done)
				continue;
			source_done = 1;
			rc = put_key(st, &first, "source");
			if (!rc)
				rc = put_source(st, q);
		} else {
			rc = put_key(st, &first, f->name);
			if (!rc)
				rc = f->kind == QDB_FIELD_TAGS ?
					put_tags(st, q) :
					put_value(st, qdb_quote_str(q, f));
		}
		if (rc)
			return rc;
	}
	return put(st, "}\n", 2);
}

static int json_end(void *state, int status, const qdb_plugin_host *host)
{
	(void)host;
	json_state *st = state;
	int rc = 0;
	if (!st)
		return 0;
	if (status == 0)
		rc = qdb_outbuf_flush(&st->out);
	free(st);
	return rc;
}

static const qdb_plugin json_plugin = {
	.abi_major = QDB_PLUGIN_ABI_MAJOR,
	.abi_minor = QDB_PLUGIN_ABI_MINOR,
	.size = sizeof(qdb_plugin),
	.name = "json",
	.version = "1.0",
	.description = "JSON Lines, one object per quote with every field",
	.extension = "jsonl",
	.options = NULL,
	.option_size = sizeof(qdb_plugin_option),
	.sort = QDB_SORT_ADDED,
	.begin = json_begin,
	.quote = json_quote,
	.end = json_end,
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &json_plugin;
}
