/*
 * plugin_host.h: what the plugin suites share.  A fake plugin host: output
 * goes to memory, options come from a list, errors are recorded; it does
 * what the real host (core/export.c) does, minus the database, so a
 * plugin's bytes can be compared exactly.  Also: loading a plugin of the
 * build under test, quotes read from a YAML file as test input, and FAILF.
 */
#ifndef QDB_TEST_PLUGIN_HOST_H
#define QDB_TEST_PLUGIN_HOST_H

#include "helpers.h"
#include "quotedb/plugin.h"

#define FH_OPTIONS 64
typedef struct fake_host {
	qdb_plugin_host h;            /* first: the plugin is given &h */
	const qdb_plugin *plugin;
	const char *const *options;   /* "key=value", NULL-terminated */
	/* the options as the host checked them: fh_export refuses to begin
	 * when options_rc is not 0 (the reason is in err) */
	int options_rc;
	const char *values[FH_OPTIONS];
	long long nums[FH_OPTIONS];
	th_buf out;
	char err[1024];
	int nerrors;
	size_t fail_after;            /* writes fail past this many bytes */
	size_t nwrites;
	size_t max_write;
	/* What host->entities walks (ABI 1.2), by kind: "name\talias\t..."
	 * lines, NULL-terminated; none when NULL. */
	const char *const *entities[2];
	/* What host->speaker_sort_as answers (ABI 1.3): "name\tkey" lines,
	 * NULL-terminated; NULL for every name when NULL. */
	const char *const *sort_keys;
	char sort_buf[512];
} fake_host;

/* Sets fh up for plugin p with the given options (borrowed), checked
 * the way the host checks them; the quotes come in p's sort unless the
 * caller sets fh->h.sort. */
void fh_init(fake_host *fh, const qdb_plugin *p, const char *const *options);

/* begin, one quote call per quote, end: what the host does. */
int fh_export(fake_host *fh, const qdb_quote *qs, size_t n);

/*
 * What every plugin owes the host (quotedb-plugin(7)), checked the same
 * way for each: fh_check_streams exports 20,000 quotes and asserts the
 * output left in pieces of at most 64 KiB, most of it before end (the
 * output into *out when out is not NULL; the caller frees it);
 * fh_check_write_error makes the host's writes fail and wants QDB_EIO
 * with the message msg, from a quote call and from end's final flush;
 * fh_check_abort wants nothing written when end is told the export
 * failed.
 */
void fh_check_streams(const qdb_plugin *p, th_buf *out);
void fh_check_write_error(const qdb_plugin *p, const char *msg);
void fh_check_abort(const qdb_plugin *p);

/* A failed check with a message built at run time (CUnit copies it). */
void fh_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define FAILF(...) fh_fail(__FILE__, __LINE__, __VA_ARGS__)

/* dlopens th_plugin(name) and returns its descriptor (NULL, with a line on
 * stderr, on failure).  *dl is for dlclose, also on failure if set. */
const qdb_plugin *fh_load(const char *name, void **dl);

/* The plugin at path defines one dynamic symbol, its descriptor (what a
 * --coverage build's libgcov adds left out). */
void fh_check_one_symbol(const char *path);

/* p's descriptor: this ABI, its own size, name, a version, extension,
 * a description, the three calls, and exactly the options given as
 * { name, default } pairs ({ NULL, NULL } last), each with help. */
void fh_check_descriptor(const qdb_plugin *p, const char *name,
			 const char *extension, const char *const (*options)[2]);

/* Quotes read from YAML in the format of docs/format.md (test input that
 * does not go through the library under test).  Every string is the
 * list's own; quotes_free releases them. */
typedef struct quote_list {
	qdb_quote *v;
	size_t n;
} quote_list;

/* Reads quotes from YAML in buf; 0, or -1 with a reason in err. */
int load_quotes(quote_list *out, const char *buf, size_t len, char *err,
		size_t errlen);
void quotes_free(quote_list *l);

/* A copy of p[0..n) as a string the list can own (quotes_free frees it). */
qdb_str str_dup(const char *p, size_t n);

/* The field of q named by a docs/format.md key, or NULL. */
qdb_str *quote_field(qdb_quote *q, const char *key);
qdb_str *source_field(qdb_quote *q, const char *key);

#endif
