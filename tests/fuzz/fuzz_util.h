/*
 * fuzz_util.h: what the libFuzzer targets share: a fake plugin host that
 * collects a plugin's output in memory, and a way to cut the fuzzer's bytes
 * into the string fields of a quote.
 *
 * The plugin targets compile one plugin's .c file into the fuzzer and call
 * its callbacks through this host, the way core/export.c would, minus the
 * database: the fuzzer decides every byte the plugin sees.
 */
#ifndef QDB_FUZZ_UTIL_H
#define QDB_FUZZ_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb.h"
#include "quotedb/plugin.h"

/* A property failed: say which and abort, so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, ...) do { \
		if (!(cond)) { \
			fprintf(stderr, "property failed: %s (%s:%d)\n  ", \
				#cond, __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

typedef struct fuzz_host {
	qdb_plugin_host pub;
	char *out;
	size_t len, cap;
	const char *const *options;   /* "key", "value", ..., NULL */
	const qdb_plugin *desc;
	char msg[320];
} fuzz_host;

static inline int fuzz_host_write(const qdb_plugin_host *h, const void *buf,
			   size_t len)
{
	fuzz_host *x = h->host_data;
	if (x->len + len + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		while (cap < x->len + len + 1)
			cap *= 2;
		char *p = realloc(x->out, cap);
		if (!p)
			return -1;
		x->out = p;
		x->cap = cap;
	}
	memcpy(x->out + x->len, buf, len);
	x->len += len;
	x->out[x->len] = '\0';
	return 0;
}

/* Like core/export.c: NULL for a name not in the plugin's table. */
static inline const char *fuzz_host_option(const qdb_plugin_host *h,
					   const char *name)
{
	fuzz_host *x = h->host_data;
	for (const qdb_plugin_option *o = x->desc->options; o && o->name; o++) {
		if (strcmp(o->name, name) != 0)
			continue;
		const char *v = o->default_value;
		for (const char *const *kv = x->options; kv && kv[0]; kv += 2)
			if (!strcmp(kv[0], name))
				v = kv[1];
		return v;
	}
	return NULL;
}

/* Like core/export.c for a value it accepted: a boolean's 0 or 1, an
 * enum's index, an integer; 0 for a string option or none. */
static inline long long fuzz_host_option_int(const qdb_plugin_host *h,
					     const char *name)
{
	fuzz_host *x = h->host_data;
	const char *v = fuzz_host_option(h, name);
	for (const qdb_plugin_option *o = x->desc->options; v && o->name; o++) {
		if (strcmp(o->name, name) != 0)
			continue;
		if (o->type == QDB_OPTION_BOOL || o->type == QDB_OPTION_INT)
			return strtoll(v, NULL, 10);
		for (long long i = 0; o->type == QDB_OPTION_ENUM &&
		     o->values[i]; i++)
			if (!strcmp(o->values[i], v))
				return i;
	}
	return 0;
}

static inline void fuzz_host_error(const qdb_plugin_host *h,
				   const char *fmt, ...)
{
	fuzz_host *x = h->host_data;
	if (x->msg[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof x->msg, fmt, ap);
	va_end(ap);
}

static inline void fuzz_host_init(fuzz_host *x, const qdb_plugin *desc,
			   const char *const *options)
{
	memset(x, 0, sizeof *x);
	x->pub.size = sizeof x->pub;
	x->pub.abi_major = QDB_PLUGIN_ABI_MAJOR;
	x->pub.abi_minor = QDB_PLUGIN_ABI_MINOR;
	x->pub.write = fuzz_host_write;
	x->pub.option = fuzz_host_option;
	x->pub.error = fuzz_host_error;
	x->pub.option_int = fuzz_host_option_int;
	x->pub.sort = desc->sort;
	x->pub.fields = qdb_fields(&x->pub.nfields);
	x->pub.host_data = x;
	x->desc = desc;
	x->options = options;
}

static inline void fuzz_host_free(fuzz_host *x)
{
	free(x->out);
	x->out = NULL;
	x->len = x->cap = 0;
}

/* Runs begin, one quote call per quote, end, as the host does.  Returns
 * the export's result; the output is in x->out. */
static inline int fuzz_export(fuzz_host *x, const qdb_quote *const *qs,
			      size_t n)
{
	const qdb_plugin *d = x->desc;
	void *state = NULL;
	int rc = d->begin(&state, &x->pub);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++)
		rc = d->quote(state, qs[i], &x->pub);
	int erc = d->end(state, rc, &x->pub);
	return rc ? rc : erc;
}

/*
 * The string fields of a quote, in struct order, for cutting fuzz input
 * into.  A field's bytes end at a NUL, so no field holds one (the host
 * never passes a NUL inside a string either).  An empty piece is an
 * absent field.
 */
#define FUZZ_NFIELDS 20
static inline void fuzz_fields(qdb_str *f[FUZZ_NFIELDS], qdb_quote *q)
{
	qdb_str *all[FUZZ_NFIELDS] = { &q->id, &q->text, &q->speaker,
		&q->role, &q->date, &q->date_text, &q->outlet, &q->programme,
		&q->occasion, &q->reported_by, &q->source, &q->source_author,
		&q->source_date, &q->source_url, &q->source_file, &q->locator,
		&q->language, &q->translated, &q->context, &q->original };
	memcpy(f, all, sizeof all);
}

/*
 * Cuts data into up to FUZZ_NFIELDS fields, then up to maxtags tags.
 * Pointers go into copy, a NUL-terminated private copy of data (caller
 * frees), so every ptr[len] is '\0' as the API promises.
 */
static inline char *fuzz_split(qdb_quote *q, qdb_str *tags, size_t maxtags,
			const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	qdb_str *f[FUZZ_NFIELDS];
	fuzz_fields(f, q);
	size_t i = 0, nf = 0;
	q->ntags = 0;
	q->tags = tags;
	while (i <= size) {
		size_t start = i;
		while (i < size && copy[i] != '\0')
			i++;
		qdb_str s = { NULL, 0 };
		if (i > start) {
			s.ptr = copy + start;
			s.len = i - start;
		}
		if (nf < FUZZ_NFIELDS) {
			*f[nf++] = s;
		} else if (q->ntags < maxtags && s.ptr) {
			tags[q->ntags++] = s;
		}
		i++;
	}
	return copy;
}

#ifdef QDB_INTERNAL_H
/*
 * A fresh empty database per input, without paying for qdb_open's schema
 * creation each time (slow under ASan): *slot is opened once per process
 * and then reset to a pristine copy with SQLite's backup API.  Statements
 * the handle caches re-prepare themselves after the reset.
 */
static inline qdb *fuzz_fresh_db(qdb **slot)
{
	static qdb *pristine;
	if (!pristine)
		FUZZ_CHECK(qdb_open(&pristine, ":memory:", 0) == 0, "open");
	if (!*slot) {
		FUZZ_CHECK(qdb_open(slot, ":memory:", 0) == 0, "open");
		return *slot;
	}
	sqlite3_backup *b = sqlite3_backup_init((*slot)->sql, "main",
						pristine->sql, "main");
	FUZZ_CHECK(b && sqlite3_backup_step(b, -1) == SQLITE_DONE &&
		   sqlite3_backup_finish(b) == SQLITE_OK, "reset: %s",
		   sqlite3_errmsg((*slot)->sql));
	return *slot;
}
#endif

#endif
