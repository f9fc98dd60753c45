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
 * as yyyymmdd integers; an open or unknown end is QDB_DATE_OPEN_LO or
 * QDB_DATE_OPEN_HI, which no real day is; both are 0 when the quote has
 * no date.
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
	/* Appended in 0.3. */
	qdb_str original;     /* the original wording of a translation */
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
#define QDB_FIELD_DEFAULT   0x8  /* a YAML file's source: may give it under
				  * defaults: for quotes that leave it out */

/*
 * One field of a quote.  name is what every flat output calls it (a CSV
 * column, a JSON key, a `show` label, `add --NAME` with '-' for '_'); key
 * is its YAML key as a path ("source.url" is url inside source:), which
 * messages use to name the field; column is
 * the SQL expression a cursor reads it from (quotes q, speakers s, outlets
 * o, sources src), for tools that read the database directly.  offset is
 * offsetof(qdb_quote, member); help says what it holds, in a line.
 */
typedef struct qdb_field {
	const char *name;
	const char *key;
	const char *column;
	qdb_field_kind kind;
	unsigned flags;
	size_t offset;
	const char *help;    /* one line saying what it holds, for --help */
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
 * The date d in English words for an attribution, into buf (size at least
 * 32 for a whole answer): "9 October 2023" for 2023-10-09, "October 2023"
 * for 2023-10, "2023" for 2023; any other EDTF form (qualified, an
 * interval, unspecified digits) as written.  Returns buf, or NULL when d
 * is absent.  Inline, so the LaTeX data plugin spells dates as `render`
 * does without linking the library.
 */
static inline const char *qdb_date_words(char *buf, size_t size, qdb_str d)
{
	static const char *const month[] = { "January", "February", "March",
		"April", "May", "June", "July", "August", "September",
		"October", "November", "December" };
	size_t i;
	int m = 0, day = 0;
	if (!d.ptr || size == 0)
		return NULL;
	for (i = 0; i < d.len; i++)
		if (!((d.ptr[i] >= '0' && d.ptr[i] <= '9') ||
		      (d.ptr[i] == '-' && (i == 4 || i == 7))))
			break;
	if (i == d.len && (d.len == 7 || d.len == 10) && d.ptr[4] == '-' &&
	    (d.len == 7 || d.ptr[7] == '-')) {
		m = (d.ptr[5] - '0') * 10 + (d.ptr[6] - '0');
		if (d.len == 10)
			day = (d.ptr[8] - '0') * 10 + (d.ptr[9] - '0');
	}
	if (i != d.len || d.len < 4 || (d.len != 4 && !(m >= 1 && m <= 12)) ||
	    (d.len == 10 && !(day >= 1 && day <= 31)) || d.len + 1 > size ||
	    size < 32) {
		size_t n = d.len < size - 1 ? d.len : size - 1;
		for (i = 0; i < n; i++)
			buf[i] = d.ptr[i];
		buf[n] = '\0';
		return buf;
	}
	/* "31 September 2023" and longer are at most 18 bytes */
	char *o = buf;
	if (day) {
		if (day >= 10)
			*o++ = (char)('0' + day / 10);
		*o++ = (char)('0' + day % 10);
		*o++ = ' ';
	}
	if (m) {
		for (const char *p = month[m - 1]; *p; p++)
			*o++ = *p;
		*o++ = ' ';
	}
	for (i = 0; i < 4; i++)
		*o++ = d.ptr[i];
	*o = '\0';
	return buf;
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
 * When q->id is absent a content key is derived from the canonical
 * speaker and the text and, those present, the date, the canonical outlet,
 * the programme and the occasion (quotedb(1), CONTENT KEYS); a quote
 * stored under the key of 0.2 (speaker and text alone) is found under it.
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
	QDB_SORT_SPEAKER,    /* speaker: sort_as, else the canonical name;
			      * then date */
	QDB_SORT_OUTLET,     /* outlet name (none last), then date */
	QDB_SORT_RANK,       /* full-text relevance (needs search) */
	QDB_SORT_SOURCE      /* source title (none last), source, locator as
			      * written, then date: a source's quotes
			      * together, for one entry per source */
} qdb_sort;

/*
 * Which quotes to walk.  Each list holds n strings; a quote must match one
 * entry of every non-empty list (a repeated filter is OR, different filters
 * are AND).  Lists take at most 64 strings each, except ids, which takes
 * any number.  from/to are EDTF dates (NULL: open); a quote matches when
 * its day range overlaps [from, to], or lies wholly inside with
 * strict_dates.
 * search (NULL: none) is looked for in text and context as words: every
 * word must occur, "a phrase" as a phrase, word* as a prefix; punctuation
 * only separates words (kind-hearted is the phrase "kind hearted"), and
 * inflected forms of English words match each other (condolence finds
 * condolences).  With search_fts set, search is an FTS5 query instead
 * (OR, NOT, NEAR, column filters); one that is not valid FTS5 fails with
 * QDB_EINVALID.
 *
 * A speakers, outlets or tags value that names no speaker, outlet or tag
 * in the database (by any alias, in any case) is refused with
 * QDB_ENOTFOUND when the cursor opens or the count is taken, with a
 * message naming the filter and the closest name there is: a typo is not
 * an empty selection.  Tags compare without case.
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
	/* Appended in 0.3. */
	int search_fts;           /* search is an FTS5 query, not words */
	/* a source's title, the path of its text (source.file), or the
	 * YAML file a quote came from */
	qdb_strlist sources;
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
 * The sort key of the speaker called name (a canonical name or an alias):
 * what a speakers: entry's sort_as or qdb_speaker_set_sort_as gave it
 * ("Khamenei, Ali").  *out is the caller's (qdb_free), NULL when the
 * speaker has none: it sorts by its name as it is.  QDB_ENOTFOUND when
 * no speaker has that name.  (Not in qdb_entity: callers fill arrays of
 * it, so it cannot grow.)
 */
int qdb_speaker_sort_as(char **out, qdb *db, const char *name);

/* Sets (key not NULL) or clears the sort key of the speaker called name. */
int qdb_speaker_set_sort_as(qdb *db, const char *name, const char *key);

/*
 * Merges entity from into entity into: its quotes, aliases and its name
 * (as an alias) move over, and from disappears.
 */
int qdb_entity_merge(qdb *db, qdb_entity_kind kind, const char *into,
		     const char *from);

/* ---- Sources ------------------------------------------------------- */

/*
 * One source document: its fields (NULL when absent), the YAML files its
 * quotes come from ("a.yaml,b.yaml", NULL for none) and its quote count.
 * Borrowed for the call; size is sizeof(qdb_source) of the library.
 */
typedef struct qdb_source {
	size_t size;
	const char *title;
	const char *author;
	const char *date;
	const char *url;
	const char *file;
	const char *yaml;
	int64_t quotes;
} qdb_source;

typedef int (*qdb_source_cb)(const qdb_source *s, void *payload);

/* Walks every source by title; a non-zero return from cb stops the walk
 * and is returned. */
int qdb_source_foreach(qdb *db, qdb_source_cb cb, void *payload);

/* ---- Import -------------------------------------------------------- */

/*
 * The speaker guard.  A quote read from a file (import, sync) whose
 * speaker or outlet is new, but within a small edit distance of a known
 * name or alias, or sharing a surname with one ("Guteres", "António
 * Guterres"), draws a warning: cb (may be NULL) is called with where and
 * a "did you mean" text.  With strict, each such quote is an error
 * instead, and the import or sync changes nothing.  Borrowed for the
 * call; stays set on db until changed.
 */
typedef void (*qdb_warning_cb)(const qdb_error *w, void *payload);
void qdb_warnings(qdb *db, qdb_warning_cb cb, void *payload, int strict);

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

/* ---- Sync ---------------------------------------------------------- */

/*
 * What a sync did (or, dry, would do).  For a quote: file, change ('+'
 * added, '~' changed in place, '-' removed) and id; other is the file a
 * quote moved from ('+') or to ('-'), else NULL.  For a file's summary,
 * sent after every quote: id is NULL, change is 0, and the counts are
 * set; unchanged is 1 for a file skipped because its content hash is the
 * one of the last sync.  All borrowed for the call.
 */
typedef struct qdb_sync_event {
	size_t size;
	const char *file;
	int change;
	const char *id;
	const char *other;
	int64_t added, changed, removed;
	int unchanged;
} qdb_sync_event;

typedef int (*qdb_sync_cb)(const qdb_sync_event *e, void *payload);

#define QDB_SYNC_DRY_RUN 0x1   /* report, then leave the database as it was */

/*
 * Makes the database mirror the YAML files paths stand for (a directory:
 * its *.yaml and *.yml files), in one transaction: quotes are added,
 * changed in place and removed; a known file under paths that is gone
 * takes its quotes with it; a quote that moves between files keeps its
 * id; quotes added by hand (no file's) are left alone.  A file whose
 * content hash is the one of the last sync is not read.  With n == 0 the
 * paths of the last sync are used, or "quotes".  Two files claiming one
 * id is an error naming both.  On any error nothing changes and err (if
 * not NULL) says where.  cb (may be NULL) hears of every change.
 */
int qdb_sync_paths(qdb *db, const char *const *paths, size_t n,
		   unsigned flags, qdb_sync_cb cb, void *payload,
		   qdb_error *err);

/* ---- Dates --------------------------------------------------------- */

/*
 * The open (or unknown) ends of an interval, outside the real days
 * (00000101 to 99991231) so that "9999-12-31" or "0000/9999" is never
 * taken for an open end: ../2023 is [QDB_DATE_OPEN_LO, 20231231], 2023/..
 * is [20230101, QDB_DATE_OPEN_HI].  Both sort where they should: before
 * and after every day.
 */
#define QDB_DATE_OPEN_LO 0
#define QDB_DATE_OPEN_HI 100000000

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

/* ---- Checking a draft ------------------------------------------------ */

/* The kinds of draft qdb_draft_read understands (docs/check.md). */
typedef enum qdb_draft_format {
	QDB_DRAFT_TEXT = 0,   /* plain text: quotation marks only */
	QDB_DRAFT_MARKDOWN,   /* marks, > block quotes; code is skipped */
	QDB_DRAFT_LATEX       /* ``…'', \enquote, csquotes, quote envs */
} qdb_draft_format;

/* The format a file name's extension says (.md, .markdown: Markdown;
 * .tex, .ltx, .latex: LaTeX; anything else: text). */
qdb_draft_format qdb_draft_format_of(const char *name);

/*
 * One quotation found in a draft.  text is what it prints, without its
 * marks (LaTeX markup read: \emph{x} is x, --- is —); line and column
 * (1-based, the column in characters) are where its opening mark or
 * command stands.  context is the sentence that holds it, with the
 * quotation left out at byte context_at, or for a block quote (and a
 * quotation that is all of its sentence) the previous paragraph's last
 * sentence.  An unterminated quotation comes with unterminated set and
 * an empty text.  Every string is borrowed for the callback's duration.
 */
typedef struct qdb_draft_quote {
	size_t size;
	qdb_str text;
	int line;
	int column;
	qdb_str context;
	size_t context_at;
	int block;           /* a block quotation */
	int unterminated;    /* opened here and never closed */
} qdb_draft_quote;

#define QDB_DRAFT_QUOTE_INIT { .size = sizeof(qdb_draft_quote) }

/* Reads up to len bytes into buf: the count, 0 at the end, or negative
 * on an error. */
typedef ptrdiff_t (*qdb_read_fn)(void *buf, size_t len, void *payload);

/* Called once per quotation, in the order they open; non-zero stops. */
typedef int (*qdb_draft_cb)(const qdb_draft_quote *q, void *payload);

/*
 * Finds the quotations of the draft read reads (from src), one paragraph
 * in memory at a time.  name is used in err.  A line that is not UTF-8,
 * or holds a NUL byte (a binary file), stops the reading with
 * QDB_EINVALID and err->line and err->column where it is; the
 * quotations before it have been given to cb.  A non-zero return of cb
 * stops the reading and is returned.
 */
int qdb_draft_read(const char *name, qdb_draft_format fmt, qdb_read_fn read,
		   void *src, qdb_draft_cb cb, void *payload, qdb_error *err);

/* What a quotation is, checked against the collection (docs/check.md). */
typedef enum qdb_check_verdict {
	QDB_CHECK_EXACT = 0,      /* a stored quote, or a part of one */
	QDB_CHECK_ALTERED,        /* close to one stored quote, not equal */
	QDB_CHECK_MISATTRIBUTED,  /* exact, but the draft names another */
	QDB_CHECK_UNKNOWN,        /* four words or more, nothing close */
	QDB_CHECK_TERM,           /* one to three words, not stored */
	QDB_CHECK_AMBIGUOUS       /* stored under two speakers */
} qdb_check_verdict;

/* "exact", "altered", "misattributed", "unknown", "term", "ambiguous";
 * static. */
const char *qdb_check_verdict_name(qdb_check_verdict v);

/*
 * The verdict on one quotation.  id and speaker are the stored quote's
 * (absent for unknown and term); for ambiguous, other_id and
 * other_speaker are a stored quote of a second speaker.  attributed_to
 * is the speaker (canonical name) the draft names in the quotation's
 * context, when it names one of the collection's.  diff, for altered,
 * is the stored words against the draft's, on one line: [-stored-]
 * where the draft differs, {+draft+} for its words, … for words left
 * out at an ellipsis or bracket.  Strings are borrowed until the next
 * check with the same checker.
 */
typedef struct qdb_check_result {
	size_t size;
	qdb_check_verdict verdict;
	qdb_str id;
	qdb_str speaker;
	qdb_str other_id;
	qdb_str other_speaker;
	qdb_str attributed_to;
	qdb_str diff;
} qdb_check_result;

#define QDB_CHECK_RESULT_INIT { .size = sizeof(qdb_check_result) }

typedef struct qdb_checker qdb_checker;   /* prepared statements, buffers */

/* A checker over db's collection (read-only use); free it before
 * closing db. */
int qdb_checker_open(qdb_checker **out, qdb *db);
void qdb_checker_free(qdb_checker *ck);

/* The verdict on q under docs/check.md.  Returns 0 whatever the verdict,
 * or a negative code with a message in qdb_errmsg(db). */
int qdb_check_quote(qdb_check_result *out, qdb_checker *ck,
		    const qdb_draft_quote *q);

/* Called once per quotation with its verdict; r is NULL when the
 * quotation is unterminated.  Non-zero stops. */
typedef int (*qdb_check_cb)(const qdb_draft_quote *q,
			    const qdb_check_result *r, void *payload);

/*
 * Reads a draft (as qdb_draft_read) and checks each quotation as it is
 * found.  Returns 0; QDB_EINVALID with err filled for a draft that is no
 * UTF-8 text; cb's non-zero return; or another negative code (with a
 * message in err->text).
 */
int qdb_check_draft(qdb_checker *ck, const char *name, qdb_draft_format fmt,
		    qdb_read_fn read, void *src, qdb_check_cb cb,
		    void *payload, qdb_error *err);

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
 * QDB_EXPORT_FORCE lets qdb_export_file replace a target that is
 * read-only or has more than one hard link (refused otherwise: the rename
 * would split the link, the other names keeping the old content).
 */
#define QDB_EXPORT_FORCE 0x2

/*
 * The export into the file path: written to a temporary file beside it,
 * synced and renamed into place only when everything succeeded, so a
 * failed export leaves no partial file and the old file intact.  With
 * QDB_EXPORT_ISOLATE, a child that writes nothing new for
 * $QUOTEDB_EXPORT_TIMEOUT seconds (default 300) is stopped.  A path that
 * is a device or a pipe, or is or leads to a name in /dev or /proc
 * (/dev/stdout), is written directly, without the timeout (a slow reader
 * cannot be told from a hung plugin) and, after a failure, with whatever
 * was written already.  A symbolic link is followed, never replaced.  A
 * path that is the database or its -wal/-shm file is refused
 * (QDB_EINVALID).  A file replaced keeps its mode, and its owner and
 * group where the caller may give them (root); see QDB_EXPORT_FORCE.
 */
int qdb_export_file(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
		    const char *const *options, const char *path,
		    unsigned flags);

/*
 * Writes the quotes f selects into the directory dir, one file per source:
 * NAME.EXT, EXT the plugin's extension, NAME the stem of the source's
 * text file (source.file) when it has one, else its title in lower case,
 * with every run of characters other than ASCII letters, digits and '_'
 * written '-' (at most 64 bytes); "no-source" for the quotes without a
 * source; "-2", "-3" ... added to a name already taken.  The plugin runs
 * once per file, begin to end, told the quotes come by source (f's sort
 * must be QDB_SORT_ADDED or QDB_SORT_SOURCE; another is refused,
 * QDB_EINVALID); its host's entities() walks the speakers and outlets
 * that file's quotes refer to, and in the first file also those no quote
 * refers to.  All or nothing: the files go into a new directory beside
 * dir, renamed to dir when every one is written; on a failure nothing of
 * them is left.  dir may not exist yet or be empty; one that holds
 * files is refused (QDB_EEXISTS) unless flags has QDB_EXPORT_FORCE, and
 * then only when it holds nothing but regular *.EXT files, which are
 * replaced as a whole.  QDB_EXPORT_ISOLATE runs the plugin in a child
 * as for qdb_export_file, without its no-progress timeout.  Interrupted
 * by a signal (qdb_export_interrupt), dir is untouched but the new
 * directory beside it, dir.tmpXXXXXX, may be left behind.
 */
int qdb_export_split(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
		     const char *const *options, const char *dir,
		     unsigned flags);

/*
 * For a signal handler (SIGINT, SIGTERM, SIGHUP) of a program that runs
 * qdb_export_file: removes the temporary file of the export in progress
 * and kills its child, if any.  Async-signal-safe; does nothing when no
 * export runs.  The caller then ends (_exit), so that "a failed export
 * leaves no partial file" holds for signals too.  A child of an isolated
 * export also dies with its parent (Linux: PR_SET_PDEATHSIG).
 */
void qdb_export_interrupt(void);

/*
 * The export into the open file descriptor fd (standard output, a pipe),
 * which stays open; no timeout.  A failure may leave part of the output
 * written.  When the reader of a pipe goes away the export fails with
 * QDB_EIO.
 */
int qdb_export_fd(qdb *db, qdb_plugin_handle *p, const qdb_filter *f,
		  const char *const *options, int fd, unsigned flags);

/* ---- Extract: a draft collection from a source text ----------------- */

/*
 * What qdb_extract found at one pair of quotation marks or one block
 * quotation.  The text is always source[off, off + len): an exact
 * substring, so `quotedb verify` passes on it by construction.
 *
 * kind is QDB_PROPOSAL_QUOTE when the sentence attributes the words to a
 * speaker, QDB_PROPOSAL_SCARE when nothing does (a scare quote, a name,
 * a word mentioned rather than used).  The strings are borrowed for the
 * duration of the callback; an absent one has ptr NULL.  speaker is the
 * canonical name (the database's, or the fullest form the text gives);
 * speaker_as is the form the sentence used when it differs.  date is
 * EDTF and set only when the text's own dates resolve it; date_text is
 * the phrase the text used.  evidence says, in one line, which rule
 * decided and on what words; confidence is 0 to 100.
 */
typedef enum qdb_proposal_kind {
	QDB_PROPOSAL_QUOTE = 0,
	QDB_PROPOSAL_SCARE = 1
} qdb_proposal_kind;

typedef struct qdb_proposal {
	size_t size;
	qdb_proposal_kind kind;
	size_t off, len;          /* the text: source[off, off + len) */
	int line, column;         /* of its first byte, 1-based */
	int para;                 /* the paragraph ("para. N") */
	int para_last;            /* the last one of a block ("paras. N-M") */
	int block;                /* 1 for a block quotation */
	qdb_str speaker;
	qdb_str speaker_as;
	qdb_str role;
	qdb_str outlet;
	qdb_str date;
	qdb_str date_text;
	int confidence;
	qdb_str evidence;
} qdb_proposal;

typedef int (*qdb_proposal_cb)(const qdb_proposal *p, void *payload);

/*
 * A problem in the source that does not stop extraction: a quotation
 * mark without its partner.  w->line and w->column say where (the column
 * counts characters), w->text what.  A non-zero return stops extraction,
 * which then fails with QDB_EUSER.
 */
typedef int (*qdb_extract_warn_cb)(const qdb_error *w, void *payload);

/*
 * Options of qdb_extract (use QDB_EXTRACT_OPTIONS_INIT).  speakers and
 * outlets, when given, are a collection's entities: a name the text uses
 * that is one of their names or aliases (any case) is proposed under its
 * canonical name.  Borrowed for the call.
 */
typedef struct qdb_extract_options {
	size_t size;
	const qdb_entity *speakers;
	size_t nspeakers;
	const qdb_entity *outlets;
	size_t noutlets;
	qdb_extract_warn_cb warn;     /* NULL: warnings are dropped */
} qdb_extract_options;

#define QDB_EXTRACT_OPTIONS_INIT { .size = sizeof(qdb_extract_options) }

/*
 * Finds every quotation in the plain text or Markdown source[0, len)
 * and calls cb once for each, in the order of the text, with payload.
 * A paragraph is a line, or when the text separates paragraphs with
 * blank lines, a run of lines (Markdown).  Invalid UTF-8 is refused with
 * QDB_EINVALID and its line and column in err; an empty source calls cb
 * never and returns 0.  A non-zero return from cb stops the walk and is
 * returned.  opt may be NULL.
 */
int qdb_extract(const char *source, size_t len,
		const qdb_extract_options *opt, qdb_proposal_cb cb,
		void *payload, qdb_error *err);

/*
 * The same, written as a draft YAML collection (docs/format.md) through
 * write: source: with title and file (source_file, as the draft should
 * name the text; may be NULL), the speakers: found with the aliases the
 * text used, and quotes: with one entry per proposal, each under a
 * comment giving its evidence.  Scare quotes are commented-out entries.
 * *out_quotes and *out_scare (either may be NULL) get the counts.
 */
int qdb_extract_yaml(const char *source, size_t len,
		     const char *source_file, const qdb_extract_options *opt,
		     qdb_write_fn write, void *payload, size_t *out_quotes,
		     size_t *out_scare, qdb_error *err);
/* ---- Manuscripts that cite quotes by id ------------------------------ */

/* What qdb_render writes. */
typedef enum qdb_render_format {
	QDB_RENDER_MARKDOWN = 0,  /* Markdown (CommonMark, pandoc) */
	QDB_RENDER_HTML,          /* HTML */
	QDB_RENDER_TEXT           /* plain text */
} qdb_render_format;

typedef struct qdb_render_options {
	size_t size;
	qdb_render_format to;
	int appendix;        /* add the cited quotes, in order of first
			      * citation, after the text */
} qdb_render_options;

#define QDB_RENDER_OPTIONS_INIT { .size = sizeof(qdb_render_options) }

/*
 * Renders the manuscript in_path ("-": standard input) into out_path (NULL
 * or "-": standard output), as o says (NULL: Markdown, no appendix).  Each
 * {{q:ID}} becomes the quote's exact text inline, in the quotation marks of
 * its language, and {{q:ID|block}} a block quotation with its attribution
 * line, escaped for o->to so no text turns into markup; the rest is copied
 * as it is.  The manuscript is streamed.  The output is written to a
 * temporary file and renamed into place (or copied to standard output) only
 * when all of it rendered: after an unknown id or an unclosed marker (err
 * says where: file, line, column) nothing is written.
 */
int qdb_render(qdb *db, const qdb_render_options *o, const char *in_path,
	       const char *out_path, qdb_error *err);

/* Called with each id a manuscript cites; a non-zero return stops. */
typedef int (*qdb_id_cb)(const char *id, void *payload);

/*
 * Calls cb once with each id the manuscript at path cites, in order of
 * first citation: the {{q:ID}} markers of any text, or, in a file whose
 * name ends in .tex, the keys of quotedb.sty's \qdbquote, \qdbblockquote
 * and \qdbattrib (+HH read back as the byte HH) outside comments.  The
 * ids are not looked up.
 */
int qdb_cited_foreach(const char *path, qdb_id_cb cb, void *payload,
		      qdb_error *err);

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
