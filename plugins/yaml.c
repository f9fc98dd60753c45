/*
 * yaml.c: the "yaml" export plugin.  Writes the quotes in the format of the
 * quotes/ files (docs/format.md) through libyaml's emitter, so the output
 * can be imported again and gives back the same bytes.
 *
 * One YAML document per source, as a file of quotes/ is one source: the
 * document's source: mapping (the host's SOURCE fields), then, in the
 * first document only, speakers: and outlets: with their aliases, then
 * quotes:, a sequence of quote mappings without their source.  The
 * plugin asks for the quotes by source (QDB_SORT_SOURCE); in another
 * order it starts a new document whenever the source changes, which
 * still imports the same.  Quotes without a source share a document
 * without source:.  The quote keys are the host's field table's, in its
 * order; absent fields are left out.
 * Every value is a double-quoted scalar, so no YAML reader retypes "yes",
 * "null" or "2023-10-07"; libyaml escapes what double quotes cannot hold
 * literally (control characters, NEL, LS, PS, BOM) and reading the file
 * back undoes the escapes.  Lines are never folded.
 *
 * libyaml buffers its output (16 KiB) and hands it to write_handler, which
 * passes it to host->write; events are emitted one quote at a time, so
 * memory does not grow with the number of quotes.  The state keeps a copy
 * of the current document's source: one string per source field, each at
 * most a field's size.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "quotedb/plugin.h"

/* A copy of one source field of the current document. */
typedef struct src_copy {
	char *ptr;
	size_t len, cap;
	int set;
} src_copy;

typedef struct yaml_state {
	const qdb_plugin_host *host;
	yaml_emitter_t emitter;
	int write_failed;
	unsigned long ndocs;       /* documents begun */
	int doc_open;
	src_copy *src;             /* by index in host->fields */
	/* speakers: or outlets: while the host walks them (ABI 1.2) */
	const char *list_key;
	int list_open;
} yaml_state;

/* libyaml's convention: 1 is success. */
static int write_handler(void *data, unsigned char *buf, size_t size)
{
	yaml_state *st = data;
	if (st->write_failed)
		return 0;
	if (size && st->host->write(st->host, buf, size) != 0) {
		st->write_failed = 1;
		return 0;
	}
	return 1;
}

/* Emits ev (which libyaml frees, also on failure); 0 or a QDB_E* code. */
static int emit(yaml_state *st, yaml_event_t *ev)
{
	if (yaml_emitter_emit(&st->emitter, ev))
		return 0;
	if (st->write_failed) {
		st->host->error(st->host, "cannot write the YAML output");
		return QDB_EIO;
	}
	/* libyaml gives no problem text when memory ran out. */
	if (st->emitter.error == YAML_MEMORY_ERROR) {
		st->host->error(st->host, "out of memory");
		return QDB_ENOMEM;
	}
	st->host->error(st->host, "libyaml: %s",
			st->emitter.problem ? st->emitter.problem : "error");
	return QDB_ERROR;
}

/* A key: a fixed plain word. */
static int emit_key(yaml_state *st, const char *key)
{
	yaml_event_t ev;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
					  (yaml_char_t *)key, (int)strlen(key),
					  1, 0, YAML_PLAIN_SCALAR_STYLE)) {
		st->host->error(st->host, "out of memory");
		return QDB_ENOMEM;
	}
	return emit(st, &ev);
}

/*
 * Whether p is well-formed UTF-8: no overlong forms, surrogates or values
 * past U+10FFFF.  libyaml's own check lets more through, so a value that
 * passes this one and is still refused was refused for want of memory.
 */
static int utf8_valid(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t c = p[i], min;
		size_t len;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2; min = 0x80; c &= 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3; min = 0x800; c &= 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4; min = 0x10000; c &= 0x07;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
			c = (c << 6) | (p[i + k] & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

/* For messages: the quote's id, or "(no id)". */
static const char *quote_name(const qdb_quote *q)
{
	return q->id.ptr ? q->id.ptr : "(no id)";
}

/* Names a value in a message: "quote ID: source.title", "...: tags[2]".
 * Formatted only when a message is needed: not once per value. */
static void value_name(char *buf, size_t n, const qdb_quote *q,
		       const char *prefix, const char *key, long idx)
{
	if (idx >= 0)
		snprintf(buf, n, "quote %.100s: %s%s[%ld]", quote_name(q),
			 prefix, key, idx);
	else
		snprintf(buf, n, "quote %.100s: %s%s", quote_name(q), prefix,
			 key);
}

/* A value: always double-quoted, so always a string. */
static int emit_value(yaml_state *st, const qdb_quote *q, const char *prefix,
		      const char *key, long idx, qdb_str s)
{
	yaml_event_t ev;
	char what[160];
	if (s.len > INT_MAX) {
		value_name(what, sizeof what, q, prefix, key, idx);
		st->host->error(st->host, "%s: %zu bytes is too long", what,
				s.len);
		return QDB_EINVALID;
	}
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
					  (yaml_char_t *)s.ptr, (int)s.len,
					  0, 1,
					  YAML_DOUBLE_QUOTED_SCALAR_STYLE)) {
		/* libyaml refuses only bad UTF-8 here, or has no memory
		 * for its copy of the value. */
		if (utf8_valid((const unsigned char *)s.ptr, s.len)) {
			st->host->error(st->host, "out of memory");
			return QDB_ENOMEM;
		}
		value_name(what, sizeof what, q, prefix, key, idx);
		st->host->error(st->host, "%s is not valid UTF-8", what);
		return QDB_EINVALID;
	}
	return emit(st, &ev);
}

static int emit_field(yaml_state *st, const qdb_quote *q, const char *key,
		      qdb_str s)
{
	int rc;
	if (!s.ptr)
		return 0;
	if ((rc = emit_key(st, key)))
		return rc;
	return emit_value(st, q, "", key, -1, s);
}

static int emit_mapping_start(yaml_state *st)
{
	yaml_event_t ev;
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
					    YAML_BLOCK_MAPPING_STYLE);
	return emit(st, &ev);
}

static int emit_mapping_end(yaml_state *st)
{
	yaml_event_t ev;
	yaml_mapping_end_event_initialize(&ev);
	return emit(st, &ev);
}

static int emit_sequence_start(yaml_state *st, yaml_sequence_style_t style)
{
	yaml_event_t ev;
	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, style);
	return emit(st, &ev);
}

static int emit_sequence_end(yaml_state *st)
{
	yaml_event_t ev;
	yaml_sequence_end_event_initialize(&ev);
	return emit(st, &ev);
}

/* One speakers:/outlets: entry: the name with its aliases and a
 * speaker's sort_as, so that they survive an export and an import (the
 * key comes first). */
static int emit_entity(const char *name, const char *const *aliases,
		       size_t naliases, void *payload)
{
	yaml_state *st = payload;
	qdb_quote q = { .size = sizeof q };   /* names the entity in messages */
	q.id.ptr = name;
	int rc = 0;
	if (!st->list_open) {
		if ((rc = emit_key(st, st->list_key)) ||
		    (rc = emit_sequence_start(st, YAML_BLOCK_SEQUENCE_STYLE)))
			return rc;
		st->list_open = 1;
	}
	qdb_str s = { name, strlen(name) };
	const qdb_plugin_host *h = st->host;
	const char *key = st->list_key[0] == 's' && h->speaker_sort_as
		? h->speaker_sort_as(h, name) : NULL;
	qdb_str k = { key, key ? strlen(key) : 0 };
	if ((rc = emit_mapping_start(st)) || (rc = emit_key(st, "name")) ||
	    (rc = emit_value(st, &q, "", "name", -1, s)) ||
	    (key && ((rc = emit_key(st, "sort_as")) ||
		     (rc = emit_value(st, &q, "", "sort_as", -1, k)))))
		return rc;
	if (naliases == 0)
		return emit_mapping_end(st);   /* only a sort_as */
	if ((rc = emit_key(st, "aliases")) ||
	    (rc = emit_sequence_start(st, YAML_FLOW_SEQUENCE_STYLE)))
		return rc;
	for (size_t i = 0; i < naliases && !rc; i++) {
		qdb_str a = { aliases[i], strlen(aliases[i]) };
		rc = emit_value(st, &q, "", "aliases", (long)i, a);
	}
	if (!rc && !(rc = emit_sequence_end(st)))
		rc = emit_mapping_end(st);
	return rc;
}

/* speakers: and outlets: from the host, when it can walk them. */
static int emit_entities(yaml_state *st)
{
	const qdb_plugin_host *h = st->host;
	static const char *const keys[2] = { "speakers", "outlets" };
	if (h->abi_minor < 2 || h->size < offsetof(qdb_plugin_host, entities)
	    + sizeof h->entities || !h->entities)
		return 0;
	for (int k = 0; k < 2; k++) {
		st->list_key = keys[k];
		st->list_open = 0;
		int rc = h->entities(h, k == 0 ? QDB_SPEAKER : QDB_OUTLET,
				     emit_entity, st);
		if (rc)
			return rc < 0 ? rc : QDB_ERROR;
		if (st->list_open && (rc = emit_sequence_end(st)))
			return rc;
	}
	return 0;
}

static int yaml_begin(void **state, const qdb_plugin_host *host)
{
	yaml_event_t ev;
	int rc;
	*state = NULL;
	if (!host || host->size < sizeof(qdb_plugin_host) ||
	    host->abi_major != QDB_PLUGIN_ABI_MAJOR ||
	    host->abi_minor < QDB_PLUGIN_ABI_MINOR)
		return QDB_EABI;
	yaml_state *st = calloc(1, sizeof *st);
	if (!st || !yaml_emitter_initialize(&st->emitter)) {
		free(st);
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	st->host = host;
	yaml_emitter_set_output(&st->emitter, write_handler, st);
	yaml_emitter_set_encoding(&st->emitter, YAML_UTF8_ENCODING);
	yaml_emitter_set_unicode(&st->emitter, 1);
	yaml_emitter_set_width(&st->emitter, -1);    /* never fold lines */
	yaml_emitter_set_indent(&st->emitter, 2);
	yaml_emitter_set_break(&st->emitter, YAML_LN_BREAK);

	st->src = calloc(host->nfields ? host->nfields : 1, sizeof *st->src);
	if (!st->src) {
		host->error(host, "out of memory");
		rc = QDB_ENOMEM;
	} else {
		yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
		rc = emit(st, &ev);
	}
	if (rc) {
		/* end is only called after a successful begin */
		yaml_emitter_delete(&st->emitter);
		free(st->src);
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

/* The key of f inside its mapping: "url" for "source.url". */
static const char *yaml_key(const qdb_field *f)
{
	const char *dot = strrchr(f->key, '.');
	return dot ? dot + 1 : f->key;
}

/* The document's source: from q's source fields (none: no source:). */
static int emit_source(yaml_state *st, const qdb_quote *q)
{
	const qdb_plugin_host *h = st->host;
	int rc, open = 0;
	for (size_t i = 0; q && i < h->nfields; i++) {
		const qdb_field *f = &h->fields[i];
		qdb_str s = qdb_quote_str(q, f);
		if (!(f->flags & QDB_FIELD_SOURCE) || !s.ptr)
			continue;
		if (!open && ((rc = emit_key(st, "source")) ||
			      (rc = emit_mapping_start(st))))
			return rc;
		open = 1;
		if ((rc = emit_key(st, yaml_key(f))) ||
		    (rc = emit_value(st, q, "source.", yaml_key(f), -1, s)))
			return rc;
	}
	return open ? emit_mapping_end(st) : 0;
}

/* Whether q's source is the current document's. */
static int same_source(const yaml_state *st, const qdb_quote *q)
{
	const qdb_plugin_host *h = st->host;
	for (size_t i = 0; i < h->nfields; i++) {
		const qdb_field *f = &h->fields[i];
		if (!(f->flags & QDB_FIELD_SOURCE))
			continue;
		qdb_str s = qdb_quote_str(q, f);
		const src_copy *c = &st->src[i];
		if (!s.ptr != !c->set || (s.ptr && (s.len != c->len ||
		    memcmp(s.ptr, c->ptr, s.len))))
			return 0;
	}
	return 1;
}

/* Keeps q's source fields as the current document's. */
static int keep_source(yaml_state *st, const qdb_quote *q)
{
	const qdb_plugin_host *h = st->host;
	for (size_t i = 0; i < h->nfields; i++) {
		const qdb_field *f = &h->fields[i];
		src_copy *c = &st->src[i];
		qdb_str s = q ? qdb_quote_str(q, f) : (qdb_str){ NULL, 0 };
		c->set = 0;
		if (!(f->flags & QDB_FIELD_SOURCE) || !s.ptr)
			continue;
		if (s.len + 1 > c->cap) {
			char *n = realloc(c->ptr, s.len + 1);
			if (!n) {
				h->error(h, "out of memory");
				return QDB_ENOMEM;
			}
			c->ptr = n;
			c->cap = s.len + 1;
		}
		memcpy(c->ptr, s.ptr, s.len);
		c->len = s.len;
		c->set = 1;
	}
	return 0;
}

/* Starts the document of q's source (q NULL: an export of no quotes):
 * source:, the entities in the first one, then quotes:. */
static int open_document(yaml_state *st, const qdb_quote *q)
{
	yaml_event_t ev;
	int rc;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if ((rc = emit(st, &ev)) || (rc = emit_mapping_start(st)) ||
	    (rc = emit_source(st, q)) ||
	    (st->ndocs == 0 && (rc = emit_entities(st))) ||
	    (rc = keep_source(st, q)) || (rc = emit_key(st, "quotes")) ||
	    (rc = emit_sequence_start(st, YAML_BLOCK_SEQUENCE_STYLE)))
		return rc;
	st->ndocs++;
	st->doc_open = 1;
	return 0;
}

static int close_document(yaml_state *st)
{
	yaml_event_t ev;
	int rc;
	st->doc_open = 0;
	if ((rc = emit_sequence_end(st)) || (rc = emit_mapping_end(st)))
		return rc;
	yaml_document_end_event_initialize(&ev, 1);
	return emit(st, &ev);
}

static int emit_tags(yaml_state *st, const qdb_quote *q, const char *key)
{
	int rc;
	if (q->ntags == 0)
		return 0;
	if ((rc = emit_key(st, key)) ||
	    (rc = emit_sequence_start(st, YAML_FLOW_SEQUENCE_STYLE)))
		return rc;
	for (size_t i = 0; i < q->ntags; i++) {
		if (!q->tags[i].ptr)
			continue;
		if ((rc = emit_value(st, q, "", key, (long)i, q->tags[i])))
			return rc;
	}
	return emit_sequence_end(st);
}

static int yaml_quote(void *state, const qdb_quote *q,
		      const qdb_plugin_host *host)
{
	yaml_state *st = state;
	int rc;
	if (!q || q->size < sizeof(qdb_quote)) {
		host->error(host, "quote record too small for this plugin "
			    "(%zu < %zu bytes)", q ? q->size : 0,
			    sizeof(qdb_quote));
		return QDB_EABI;
	}
	if (st->doc_open && !same_source(st, q) &&
	    (rc = close_document(st)))
		return rc;
	if (!st->doc_open && (rc = open_document(st, q)))
		return rc;
	if ((rc = emit_mapping_start(st)))
		return rc;
	for (size_t i = 0; i < host->nfields; i++) {
		const qdb_field *f = &host->fields[i];
		if (f->flags & QDB_FIELD_SOURCE)
			continue;
		rc = f->kind == QDB_FIELD_TAGS ? emit_tags(st, q, f->key)
			: emit_field(st, q, f->key, qdb_quote_str(q, f));
		if (rc)
			return rc;
	}
	return emit_mapping_end(st);
}

static int yaml_end(void *state, int status, const qdb_plugin_host *host)
{
	yaml_state *st = state;
	yaml_event_t ev;
	int rc = 0;
	if (!st)
		return 0;
	if (status == 0) {
		/* No quotes: still a document, with the entities. */
		if (!st->doc_open && st->ndocs == 0)
			rc = open_document(st, NULL);
		if (!rc && st->doc_open)
			rc = close_document(st);
		if (!rc) {
			yaml_stream_end_event_initialize(&ev);
			rc = emit(st, &ev);
		}
		if (!rc && !yaml_emitter_flush(&st->emitter)) {
			st->host->error(st->host, "cannot write the YAML "
					"output");
			rc = QDB_EIO;
		}
	}
	yaml_emitter_delete(&st->emitter);
	for (size_t i = 0; i < host->nfields; i++)
		free(st->src[i].ptr);
	free(st->src);
	free(st);
	return rc;
}

static const qdb_plugin yaml_plugin = {
	.abi_major = QDB_PLUGIN_ABI_MAJOR,
	.abi_minor = QDB_PLUGIN_ABI_MINOR,
	.size = sizeof(qdb_plugin),
	.name = "yaml",
	.version = "1.2",
	.description = "quotedb YAML (docs/format.md), to import again "
		"elsewhere",
	.extension = "yaml",
	.option_size = sizeof(qdb_plugin_option),
	.sort = QDB_SORT_SOURCE,   /* one document per source */
	.begin = yaml_begin,
	.quote = yaml_quote,
	.end = yaml_end,
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &yaml_plugin;
}
