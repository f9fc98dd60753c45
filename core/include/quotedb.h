/*
 * quotedb.h: the public API of libquotedb.
 *
 * quotedb keeps direct quotations with who said them, when and where,
 * byte for byte as they were said, in an SQLite database.  This header is
 * all a program that uses the library needs; plugin authors include
 * <quotedb/plugin.h> as well.
 *
 * Conventions (after libgit2 and SQLite):
 * - every function returns 0 on success or a negative QDB_E* code;
 * - after a failure, qdb_errmsg() says what went wrong;
 * - output parameters come first and are named out; what comes back through
 *   them belongs to the caller and is released with the matching qdb_*_free;
 * - a returned const pointer is borrowed and valid only as long as the
 *   header comment says.
 *
 * Versions.  Structs a caller fills (qdb_quote, qdb_filter,
 * qdb_import_stats, qdb_verify_result) start with their size and only
 * ever grow at the end.  The library accepts one from an older header,
 * smaller, and treats the fields it lacks as absent (zero); one larger
 * than it knows comes from a newer header and is refused with a message
 * naming both sizes.  Use the *_INIT macros.
 *
 * Threads.  A qdb handle, and every cursor and plugin handle used with it,
 * belongs to one thread at a time; different handles may be used from
 * different threads at once.  Nothing here keeps global state but the
 * plugin loader's use of dlopen, which is itself thread-safe.  Only the
 * exports flagged QDB_EXPORT_ISOLATE fork (see qdb_export_file): in a
 * program with several threads, the child runs nothing but the export.
 */
#ifndef QUOTEDB_H
#define QUOTEDB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, written here and nowhere else (the Makefile and
 * quotedb.pc read it from these three lines). */
#define QDB_VERSION_MAJOR 0
#define QDB_VERSION_MINOR 2
#define QDB_VERSION_PATCH 0

#define QDB__STR(x) #x
#define QDB__XSTR(x) QDB__STR(x)
/* "0.2.0" */
#define QDB_VERSION QDB__XSTR(QDB_VERSION_MAJOR) "." \
	QDB__XSTR(QDB_VERSION_MINOR) "." QDB__XSTR(QDB_VERSION_PATCH)
/* 2000 for 0.2.0: major * 1000000 + minor * 1000 + patch, for #if. */
#define QDB_VERSION_NUMBER (QDB_VERSION_MAJOR * 1000000 + \
	QDB_VERSION_MINOR * 1000 + QDB_VERSION_PATCH)

/* Return codes.  Expected outcomes have their own code; -1 is the rest. */
#define QDB_OK         0
#define QDB_ERROR     (-1)  /* generic failure; see qdb_errmsg() */
#define QDB_ENOTFOUND (-3)  /* no such quote, speaker, plugin, file */
#define QDB_EINVALID  (-4)  /* input that breaks a rule: bad YAML, bad date */
#define QDB_EEXISTS   (-5)  /* a quote with that id exists with other content */
#define QDB_EABI      (-6)  /* a plugin built for another ABI */
#define QDB_ENOMEM    (-7)  /* out of memory */
#define QDB_EIO       (-8)  /* read or write failed (disk full, I/O error) */
#define QDB_EBUSY     (-9)  /* the database stayed locked past the timeout */
#define QDB_EUSER     (-10) /* a callback asked to stop */
#define QDB_ITEROVER  (-31) /* a cursor has no more quotes (not an error) */

/* Opaque handles. */
typedef struct qdb qdb;                 /* an open database */
typedef struct qdb_cursor qdb_cursor;   /* a walk over selected quotes */
typedef struct qdb_plugin_handle qdb_plugin_handle; /* a loaded plugin */

/*
 * A string with its length.  ptr == NULL means "absent" (the source does not
 * say); an empty string is never stored.  When ptr is set, ptr[len] is '\0',
 * so ptr may also be used as a C string: text holds no NUL bytes.
 */
typedef struct qdb_str {
	const char *ptr;
	size_t len;
} qdb_str;

/*
 * One quotation.  It crosses the plugin boundary, so it is versioned: size is
 * sizeof(qdb_quote) of the side that filled it, and fields are only ever
 * appended.  Readers check size before touching a later field (or use
 * qdb_quote_str, which does).  Which string fields there are, with their
 * names, YAML keys and kinds, is the field table (qdb_fields below): code
 * that handles every field walks it instead of naming each member.
 *
 * date_lo and date_hi are the earliest and latest day the EDTF date allows,
 * as yyyymmdd integers (0 and 99991231 for open ends); both are 0 when the
 * quote has no date.
 */
typedef struct qdb_quote {
	size_t size;
	qdb_str id;
	qdb_str text;         /* required; verbatim UTF-8 */
	qdb_str speaker;      /* required; the canonical name */
	qdb_str role;
	qdb_str date;         /* EDTF, as written */
	qdb_str date_text;
	qdb_str outlet;       /* the canonical name */
	qdb_str programme;
	qdb_str occasion;
	qdb_str reported_by;
	qdb_str source;       /* the source document's title */
	qdb_str source_author;
	qdb_str source_date;
	qdb_str source_url;
	qdb_str source_file;
	qdb_str locator;
	qdb_str language;
	qdb_str translated;
	qdb_str context;
	const qdb_str *tags;  /* ntags strings */
	size_t ntags;
	int32_t date_lo;
	int32_t date_hi;
} qdb_quote;

#define QDB_QUOTE_INIT { .size = sizeof(qdb_quote) }

/* ---- The field table ----------------------------------------------- */

/* What a field holds; it decides how the field is checked and stored. */
typedef enum qdb_field_kind {
	QDB_FIELD_TEXT = 0,  /* a string */
	QDB_FIELD_DATE,      /* an EDTF date, kept as written */
	QDB_FIELD_SPEAKER,   /* a speaker's name: any alias, stored canonical */
	QDB_FIELD_OUTLET,    /* an outlet's name, likewise */
	QDB_FIELD_TAGS       /* the list tags/ntags, not a qdb_str */
} qdb_field_kind;

#define QDB_FIELD_REQUIRED  0x1  /* a quote without it is refused; a
				  * source field: a source without it */
#define QDB_FIELD_MULTILINE 0x2  /* may hold line breaks (LF, NEL) and tabs */
#define QDB_FIELD_SOURCE    0x4  /* describes the source document: stored
				  * once per source, under source: in YAML */

/*
 * One field of a quote.  name is what every flat output calls it (a CSV
 * column, a JSON key, a `show` label, `add --NAME` with '-' for '_'); key
 * is its YAML key as a path ("source.url" is url inside source:), which
 * messages use to name the field; column is
 * the SQL expression a cursor reads it from (quotes q, speakers s, outlets
 * o, sources src), for tools that read the database directly.  offset is
 * offsetof(qdb_quote, member).
 */
typedef struct qdb_field {
	const char *name;
	const char *key;
	const char *column;
	qdb_field_kind kind;
	unsigned flags;
	size_t offset;
} qdb_field;

/*
 * The field table: every field of a quote, in the order outputs list them
 * (show, JSON, CSV; YAML gathers the source fields under source: after
 * the others).  Static; *out_n gets the count.
 */
const qdb_field *qdb_fields(size_t *out_n);

/* The field whose name or key is name ("source_url", "source.url"), or
 * NULL. */
const qdb_field *qdb_field_find(const char *name);

/* The string field f of q; absent when q is too old to have it, or f is
 * the tags list.  Inline, so plugins have it without linking the library. */
static inline qdb_str qdb_quote_str(const qdb_quote *q, const qdb_field *f)
{
	qdb_str none = { NULL, 0 };
	if (f->kind == QDB_FIELD_TAGS || f->offset + sizeof(qdb_str) > q->size)
		return none;
	return *(const qdb_str *)(const void *)((const char *)q + f->offset);
}

/*
 * Where a parse or validation error was found (like jansson's json_error_t).
 * line and column are 1-based; 0 when they do not apply.
 */
#define QDB_ERROR_TEXT_LEN 320
#define QDB_ERROR_FILE_LEN 256
typedef struct qdb_error {
	int code;                        /* the QDB_E* code returned */
	char file[QDB_ERROR_FILE_LEN];   /* "" when not from a file */
	int line;
	int column;
	char field[64];                  /* "quotes[3].date", "" if none */
	char text[QDB_ERROR_TEXT_LEN];   /* the message, without location */
} qdb_error;

/* Formats err as "file:line:column: field: text" into buf; returns buf. */
const char *qdb_error_format(const qdb_error *err, char *buf, size_t bufsize);

/* ---- Opening and closing ------------------------------------------- */

#define QDB_OPEN_READONLY 0x1   /* do not create or change anything */

/*
 * Opens (and creates, unless QDB_OPEN_READONLY) the database at path and
 * migrates its schema to the current version.  *out is set even on failure
 * when memory allows, so qdb_errmsg(*out) can say why; close it either way.
 */
int qdb_open(qdb **out, const char *path, int flags);

/* Closes db; NULL is allowed. */
void qdb_close(qdb *db);

/* The message of the last failure on db; borrowed, valid until next call. */
const char *qdb_errmsg(const qdb *db);

/* The last failure on db in full (file, line, column, field); borrowed. */
const qdb_error *qdb_last_error(const qdb *db);

/* The schema version this library writes (PRAGMA user_version). */
int qdb_schema_version(void);

/* Library version string; static. */
const char *qdb_version(void);

/*
 * Progress of long imports and exports: cb is called with the number of
 * quotes done so far after every `every` quotes (every > 0), from the
 * process doing the work (an export to a file runs in a child process).
 * A non-zero return stops the work, which then fails with QDB_EUSER.
 * cb NULL turns progress off.
 */
typedef int (*qdb_progress_cb)(int64_t done, void *payload);
void qdb_progress(qdb *db, qdb_progress_cb cb, int64_t every, void *payload);

/* ---- Quotes -------------------------------------------------------- */

/*
 * Adds one quote in its own transaction.  text and speaker are required.
 * When q->id is absent a content key is derived from speaker and text.
 * Adding a quote whose id exists with identical content changes nothing and
 * returns 0 (*out_added = 0); with other content it fails with QDB_EEXISTS.
 * out_id, if not NULL, receives the id (caller frees with qdb_free).
 * out_added, if not NULL, receives 1 when a row was added.
 */
int qdb_quote_add(char **out_id, int *out_added, qdb *db, const qdb_quote *q);

/* Fetches quote id.  *out is the caller's: free with qdb_quote_free(). */
int qdb_quote_get(qdb_quote **out, qdb *db, const char *id);

/* Frees a quote from qdb_quote_get or qdb_quote_dup; NULL is allowed. */
void qdb_quote_free(qdb_quote *q);

/* Deep copy of q (e.g. to keep one a cursor lent); free with qdb_quote_free. */
int qdb_quote_dup(qdb_quote **out, const qdb_quote *q);

/* Deletes quote id (QDB_ENOTFOUND if there is none). */
int qdb_quote_delete(qdb *db, const char *id);

/* Frees memory the library returned as char * (ids); NULL is allowed. */
void qdb_free(void *p);

/* ---- Selecting quotes ---------------------------------------------- */

typedef enum qdb_sort {
	QDB_SORT_ADDED = 0,  /* the order quotes were added */
	QDB_SORT_DATE,       /* earliest day, then wider ranges first, undated last */
	QDB_SORT_SPEAKER,    /* canonical speaker name, then date */
	QDB_SORT_OUTLET,     /* outlet name (none last), then date */
	QDB_SORT_RANK,       /* full-text relevance (needs search) */
	QDB_SORT_SOURCE      /* source title, source, locator, date */
} qdb_sort;

/*
 * Which quotes to walk.  Each list holds n strings; a quote must match one
 * entry of every non-empty list (a repeated filter is OR, different filters
 * are AND).  from/to are EDTF dates (NULL: open); a quote matches when its
 * day range overlaps [from, to], or lies wholly inside with strict_dates.
 * search is an FTS5 query over text and context (NULL: none).
 * The strings are borrowed for the duration of the call that takes them.
 */
typedef struct qdb_strlist {
	const char *const *v;
	size_t n;
} qdb_strlist;

typedef struct qdb_filter {
	size_t size;
	qdb_strlist ids;
	qdb_strlist speakers;     /* canonical names or aliases, any case */
	qdb_strlist outlets;      /* canonical names or aliases, any case */
	qdb_strlist reported_by;
	qdb_strlist tags;
	qdb_strlist languages;
	const char *from;
	const char *to;
	int strict_dates;
	const char *search;
	qdb_sort sort;
	int64_t limit;            /* 0: no limit */
} qdb_filter;

#define QDB_FILTER_INIT { .size = sizeof(qdb_filter) }

/*
 * Opens a cursor over the quotes f selects (NULL: all, in added order).
 * The cursor streams: one row is in memory at a time.  Free it with
 * qdb_cursor_free before closing db.
 */
int qdb_cursor_open(qdb_cursor **out, qdb *db, const qdb_filter *f);

/*
 * Moves to the next quote.  Returns 0 and sets *out to a quote borrowed
 * until the next call or qdb_cursor_free; QDB_ITEROVER at the end.
 */
int qdb_cursor_next(const qdb_quote **out, qdb_cursor *c);

/* The highlighted snippet of the current row when searching, else NULL. */
const char *qdb_cursor_snippet(qdb_cursor *c);

void qdb_cursor_free(qdb_cursor *c);

/*
 * Calls cb once per selected quote, in order.  A non-zero return from cb
 * stops the walk and is returned.  The quote is borrowed for the call.
 */
typedef int (*qdb_quote_cb)(const qdb_quote *q, void *payload);
int qdb_foreach(qdb *db, const qdb_filter *f, qdb_quote_cb cb, void *payload);

/* Number of quotes f selects (NULL: all). */
int qdb_count(int64_t *out, qdb *db, const qdb_filter *f);

/* ---- Speakers and outlets ------------------------------------------ */

typedef enum qdb_entity_kind { QDB_SPEAKER = 0, QDB_OUTLET = 1 } qdb_entity_kind;

/* One speaker or outlet.  aliases is "a; b; c" or NULL.  Borrowed. */
typedef struct qdb_entity {
	const char *name;
	const char *aliases;
	int64_t quotes;
} qdb_entity;

typedef int (*qdb_entity_cb)(const qdb_entity *e, void *payload);

/* Walks every speaker or outlet by name, with aliases and quote counts. */
int qdb_entity_foreach(qdb *db, qdb_entity_kind kind, qdb_entity_cb cb,
		       void *payload);

/*
 * Makes alias another name of the entity called name (a canonical name or
 * an alias).  Fails with QDB_EEXISTS if alias names a different entity.
 */
int qdb_entity_alias(qdb *db, qdb_entity_kind kind, const char *name,
		     const char *alias);

/*
 * Merges entity from into entity into: its quotes, aliases and its name
 * (as an alias) move over, and from disappears.
 */
int qdb_entity_merge(qdb *db, qdb_entity_kind kind, const char *into,
		     const char *from);

/* ---- Import -------------------------------------------------------- */

typedef struct qdb_import_stats {
	size_t size;
	int64_t quotes_read;     /* records in the file */
	int64_t quotes_added;    /* new rows */
	int64_t quotes_same;     /* already present with identical content */
} qdb_import_stats;

#define QDB_IMPORT_STATS_INIT { .size = sizeof(qdb_import_stats) }

/*
 * Imports one YAML file (see docs/format.md) in one transaction: all of it
 * or none of it.  On failure err (if not NULL) says where; the database is
 * as it was.  stats (if not NULL) is added to, so one struct can count
 * several files.
 */
int qdb_import_file(qdb *db, const char *path, qdb_import_stats *stats,
		    qdb_error *err);

/*
 * Imports several files and directories in one transaction: every file or
 * none.  A directory stands for the *.yaml and *.yml files directly in it,
 * in name order (not its subdirectories).
 */
int qdb_import_paths(qdb *db, const char *const *paths, size_t n,
		     qdb_import_stats *stats, qdb_error *err);

/* The same for a file already in memory; name is used in messages. */
int qdb_import_buffer(qdb *db, const char *name, const void *buf, size_t len,
		      qdb_import_stats *stats, qdb_error *err);

/* ---- Dates --------------------------------------------------------- */

/*
 * Parses an EDTF date (level 0 and the qualifiers and intervals of level 1:
 * 2023, 2023-10, 2023-10-09, 2023-10-09~, 2023?, 2023%, 2023-10-25/2023-10-31,
 * ../2023, 2023/.., 202X, 2023-1X) of len bytes into the earliest and latest
 * day it allows, as yyyymmdd.  Returns QDB_EINVALID for anything else, with a
 * reason in err->text when err is not NULL.
 */
int qdb_date_parse(int32_t *out_lo, int32_t *out_hi, const char *s, size_t len,
		   qdb_error *err);

/* ---- Verify -------------------------------------------------------- */

typedef enum qdb_verify_status {
	QDB_VERIFIED = 0,
	QDB_NOT_FOUND = 1,
	QDB_DIFFERS = 2
} qdb_verify_status;

/*
 * Where a quote stands against its source text.  For QDB_DIFFERS, the
 * closest passage is source[near_off, near_off + near_len) and the first
 * differing character starts at quote[quote_off], against the one at
 * source[source_off] (whole UTF-8 characters, so they print cleanly).
 * For QDB_VERIFIED, the match is source[near_off, near_off + near_len).
 */
typedef struct qdb_verify_result {
	size_t size;
	qdb_verify_status status;
	size_t near_off, near_len;
	size_t quote_off;
	size_t source_off;
} qdb_verify_result;

#define QDB_VERIFY_RESULT_INIT { .size = sizeof(qdb_verify_result) }

/*
 * Looks for quote in source under the matching contract of docs/verify.md:
 * exact bytes, except that a run of whitespace (line breaks included)
 * equals any run of whitespace, an ellipsis ("…" or "...") matches any
 * omitted passage between its parts, in order, and a [bracketed] insertion
 * matches the words it replaces or nothing.
 */
int qdb_verify_text(qdb_verify_result *out, const char *quote, size_t qlen,
		    const char *source, size_t slen);

/* ---- Export through plugins ---------------------------------------- */

/*
 * Loads the export plugin name: a path when name contains '/', else
 * NAME.so searched along $QUOTEDB_PLUGIN_PATH, the install directory and,
 * when running from the build tree, its plugins directory.  err says why a
 * plugin was refused.  Free with qdb_plugin_unload.
 */
int qdb_plugin_load(qdb_plugin_handle **out, const char *name, qdb_error *err);
void qdb_plugin_unload(qdb_plugin_handle *p);

/* The descriptor of a loaded plugin (struct qdb_plugin in plugin.h). */
const struct qdb_plugin *qdb_plugin_descriptor_of(const qdb_plugin_handle *p);

/* The file the plugin was loaded from; borrowed. */
const char *qdb_plugin_path(const qdb_plugin_handle *p);

/* Calls cb with the path of every plugin found along the search path. */
typedef int (*qdb_path_cb)(const char *path, void *payload);
int qdb_plugin_foreach(qdb_path_cb cb, void *payload);

/* Writes len bytes somewhere; returns 0, or non-zero to fail the export. */
typedef int (*qdb_write_fn)(const void *buf, size_t len, void *payload);

/*
 * Streams the quotes f selects through plugin p into write, in this
 * process.  options is a NULL-terminated list of "key=value" strings (may
 * be NULL); each is checked against the plugin's table (its name, and its
 * value against the option's type) before the plugin starts.  The quotes
 * come in f's sort, or when f leaves it at QDB_SORT_ADDED, in the order
 * the plugin asks for.
 */
int qdb_export(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
	       const char *const *options, qdb_write_fn write, void *payload);

/*
 * Flags of qdb_export_file and qdb_export_fd.
 *
 * QDB_EXPORT_ISOLATE runs the plugin in a child process (fork) with its
 * own read-only connection, so a plugin that crashes, aborts or hangs
 * fails the export with a message instead of taking the caller down.  The
 * child reports progress through the callback of db, in the child.  A
 * database in memory cannot be reopened by a child: its export runs in
 * this process whatever the flag says.
 */
#define QDB_EXPORT_ISOLATE 0x1

/*
 * The export into the file path: written to a temporary file beside it,
 * synced and renamed into place only when everything succeeded, so a
 * failed export leaves no partial file and the old file intact.  With
 * QDB_EXPORT_ISOLATE, a child that writes nothing new for
 * $QUOTEDB_EXPORT_TIMEOUT seconds (default 300) is stopped.  A path that
 * is a device or a pipe (/dev/stdout) is written directly, without the
 * timeout (a slow reader cannot be told from a hung plugin) and, after a
 * failure, with whatever was written already.
 */
int qdb_export_file(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
		    const char *const *options, const char *path,
		    unsigned flags);

/*
 * The export into the open file descriptor fd (standard output, a pipe),
 * which stays open; no timeout.  A failure may leave part of the output
 * written.  When the reader of a pipe goes away the export fails with
 * QDB_EIO.
 */
int qdb_export_fd(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
		  const char *const *options, int fd, unsigned flags);

/* ---- Words ----------------------------------------------------------- */

/*
 * The candidate closest to word by edit distance (insertions, deletions
 * and substitutions of bytes), when it is at most max_distance away and
 * not word itself; NULL otherwise.  For "did you mean" messages.  The
 * result is one of candidates (borrowed).
 */
const char *qdb_suggest(const char *word, const char *const *candidates,
			size_t n, size_t max_distance);

#ifdef __cplusplus
}
#endif

#endif /* QUOTEDB_H */
