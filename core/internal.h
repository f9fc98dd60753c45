/*
 * internal.h: what the library's own files share and callers never see.
 *
 * The library is layered, and calls only go down (the Makefile's LAYERS
 * is the list `make check-layers` proves from the object files):
 *
 *   util                        buffers, UTF-8, hashing, errors
 *   date, field, schema,        texts and tables that need only util
 *   verify, extract, draft
 *   db, extract_yaml            the handle, errors, statements
 *   entity, cursor, plugin,     speakers and outlets, reading, plugins,
 *   source                      sources
 *   quote                       storing one quote
 *   import, export, check,      files in, plugins out, drafts checked,
 *   render                      manuscripts rendered
 *   sync                        the database mirroring the YAML files
 *
 * Each section below belongs to the file named in its heading.
 */
#ifndef QDB_INTERNAL_H
#define QDB_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>
#include <sqlite3.h>
#include "quotedb.h"

/* Caps that keep one bad file from exhausting memory (docs/format.md). */
#define QDB_MAX_FIELD (1u << 20)   /* bytes in one field */
#define QDB_MAX_TAGS 64            /* tags on one quote */
#define QDB_MAX_DEPTH 8            /* YAML nesting */
#define QDB_MAX_FILTER_VALUES 64   /* values of one filter (man page) */
/* Bytes the importer lets libyaml read without it producing an event:
 * libyaml holds a whole scalar (or comment) in memory before it says
 * anything, so this is what bounds the memory of a 2 GB one-line value.
 * A value of QDB_MAX_FIELD bytes fits with room for escapes. */
#define QDB_MAX_GAP (16u * QDB_MAX_FIELD)


/*
 * The smallest size a caller's struct may have: its size in the first
 * release, before anything was appended.  A struct between this and
 * sizeof is from an older header; its missing fields read as zero.
 */
#define QDB__SIZE_UPTO(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#define QDB_QUOTE_SIZE_0_1 QDB__SIZE_UPTO(qdb_quote, date_hi)
#define QDB_FILTER_SIZE_0_1 QDB__SIZE_UPTO(qdb_filter, limit)
#define QDB_IMPORT_STATS_SIZE_0_1 QDB__SIZE_UPTO(qdb_import_stats, quotes_same)
#define QDB_VERIFY_RESULT_SIZE_0_1 QDB__SIZE_UPTO(qdb_verify_result, source_off)

/* ==== util.c: buffers, UTF-8, hashing, errors, a small id cache ===== */

/* Fills err (which may be NULL) and returns code. */
int qdb__error_set(qdb_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int qdb__error_vset(qdb_error *err, int code, const char *fmt, va_list ap);

/*
 * Copies a caller's versioned struct into *local (sizeof local_size):
 * zeroed, then min(size, local_size) bytes of in.  Returns 0, or
 * QDB_EINVALID with a message in err when size is below min (not a
 * struct of any release) or above local_size (from a newer quotedb.h).
 * what names the struct ("qdb_filter").
 */
int qdb__versioned(void *local, size_t local_size, const void *in,
		   size_t size, size_t min, const char *what, qdb_error *err);

/*
 * Dynamic byte buffer used where a length is not known up front.  data
 * is NUL-terminated after every successful add.  An add that fails for
 * want of memory sets failed, and every add after it fails too: a caller
 * can append many pieces and check once that none went missing.
 */
typedef struct qdb_buf {
	char *data;
	size_t len, cap;
	int failed;
} qdb_buf;
int qdb__buf_add(qdb_buf *b, const void *p, size_t n);
int qdb__buf_addstr(qdb_buf *b, const char *s);
void qdb__buf_free(qdb_buf *b);

/*
 * The UTF-8 sequence at p (at most n bytes): its length, and the code
 * point in *cp; 0 when it is not valid UTF-8 (overlong forms, surrogates
 * and code points past U+10FFFF included).
 */
size_t qdb__utf8_decode(const unsigned char *p, size_t n, unsigned *cp);

/*
 * Checks one string value before it is stored: no empty string, at most
 * QDB_MAX_FIELD bytes, valid UTF-8 without NUL or control characters;
 * multiline allows LF, TAB and NEL.  field names it in the message.
 */
int qdb__str_validate(qdb_str s, const char *field, int multiline,
		      qdb_error *err);

/* FNV-1a, 64 bits, continuing from h (start with QDB_FNV_INIT): stable
 * across platforms and versions.  Not a security boundary. */
#define QDB_FNV_INIT 0xcbf29ce484222325ULL
uint64_t qdb__fnv1a(uint64_t h, const void *p, size_t n);

/*
 * A file's content hash, for sync: the same bytes give the same value
 * however they are cut into pieces.  Eight bytes at a time (FNV-1a takes
 * one), so that hashing the files of an unchanged collection costs what
 * reading them does: 600 MB of YAML at a million quotes.
 */
typedef struct qdb__hash {
	uint64_t h, n;
	unsigned char tail[8];
	size_t ntail;
} qdb__hash;
void qdb__hash_init(qdb__hash *s);
void qdb__hash_add(qdb__hash *s, const void *p, size_t n);
uint64_t qdb__hash_end(const qdb__hash *s);

/*
 * A key -> row id cache of QDB_NAME_CACHE slots, one slot per hash, the
 * last one wins.  An import asks for the same few speakers, outlets and
 * sources again and again; the handle empties its caches whenever a
 * transaction begins or rolls back, so they never outlive the rows they
 * point at.  A failed allocation only costs a lookup later.
 */
#define QDB_NAME_CACHE 4096
typedef struct qdb_name_slot {
	char *name;
	size_t len;
	sqlite3_int64 id;
} qdb_name_slot;
qdb_name_slot *qdb__slot(qdb_name_slot *tab, const char *key, size_t len);
/* The id s holds for key: 1 and *id when it holds key, else 0. */
int qdb__slot_get(const qdb_name_slot *s, const char *key, size_t len,
		  sqlite3_int64 *id);
void qdb__slot_set(qdb_name_slot *s, const char *key, size_t len,
		   sqlite3_int64 id);
void qdb__slots_clear(qdb_name_slot *tab);

/* ==== field.c: the field table ====================================== */

/* The table (qdb_fields) and its length. */
extern const qdb_field qdb__fields[];
extern const size_t qdb__nfields;

/* f's key inside its YAML mapping: "url" for "source.url". */
const char *qdb__field_yaml_key(const qdb_field *f);

/* The column of the quotes table that stores f: "role", "speaker_id",
 * "source_id"; NULL for a source field (stored in sources). */
const char *qdb__field_quote_column(const qdb_field *f);

/* ==== schema.c: the schema and its migrations ======================= */

/* migrations[i] brings a file from version i to version i + 1. */
extern const char *const qdb__migrations[];
extern const int qdb__schema_version;

/*
 * The secondary indexes of quotes and of its tags, as the current schema
 * has them.  A large import drops and rebuilds them inside its
 * transaction (see import.c): maintaining seven randomly-ordered indexes
 * row by row costs more than sorting them once.  A migration that changes
 * them must change these too.
 */
extern const char qdb__quote_indexes[];
extern const char qdb__quote_indexes_drop[];

/* ==== draft.c: quotations in a draft ================================ */

/* Whether cp belongs to a word: ASCII letters and digits, and every
 * character outside Latin-1's and Unicode's general punctuation.  The
 * FTS5 index splits words about the same way. */
int qdb__draft_is_word(unsigned cp);

/* ==== db.c: the handle, errors, statements, transactions ============ */

/* Statements the import path runs once per quote, prepared once per
 * handle: preparing them per call costs more than running them. */
enum qdb_stmt_slot {
	QDB_ST_SPEAKER_FIND, QDB_ST_SPEAKER_INSERT,
	QDB_ST_OUTLET_FIND, QDB_ST_OUTLET_INSERT,
	QDB_ST_SOURCE_FIND, QDB_ST_SOURCE_INSERT, QDB_ST_SPEAKER_NAME,
	QDB_ST_QUOTE_SAME, QDB_ST_QUOTE_INSERT, QDB_ST_FTS_INSERT,
	QDB_ST_TAG_INSERT, QDB_ST_TRIGGERS,
	/* a sync's changes */
	QDB_ST_QUOTE_FIND, QDB_ST_QUOTE_UPDATE, QDB_ST_QUOTE_REMOVE,
	QDB_ST_FTS_FORGET, QDB_ST_TAGS_FORGET,
	/* entity.c's guard index; NEAR_SCOPE has one per kind */
	QDB_ST_NEAR_INSERT, QDB_ST_NEAR_FIND, QDB_ST_NEAR_SCOPE,
	QDB_ST_NEAR_SCOPE_OUTLET,
	/* an export's question for each speaker (the host's sort keys) */
	QDB_ST_SPEAKER_SORT, QDB_ST_COUNT
};

struct qdb {
	sqlite3 *sql;
	sqlite3_stmt *stmts[QDB_ST_COUNT];
	qdb_name_slot names[2][QDB_NAME_CACHE]; /* by kind: name -> id */
	qdb_name_slot sources[QDB_NAME_CACHE];  /* source key -> id */
	qdb_progress_cb progress;
	void *progress_payload;
	int64_t progress_every;
	int readonly;
	/* The busy handler's (db.c): the wait allowed, and the last wait's
	 * start and length, for a message that tells the truth. */
	long busy_timeout_ms, busy_since_ms, busy_waited_ms;
	/* The files row of the YAML file being read, whose aliases names
	 * resolve through first (entity.c); 0 outside one. */
	sqlite3_int64 scope;
	/* the speaker guard (qdb_warnings) */
	qdb_warning_cb warn;
	void *warn_payload;
	int strict;
	/* The guard's lookups in this write transaction, by kind, and
	 * whether its index (entity.c, temp.qdb_near) is built: both
	 * start again at each qdb__begin. */
	long near_calls[2];
	int near_ready[2];
	/* A large import's (import.c): rows it inserts with a qid above
	 * fts_after are left out of the full-text index, which indexes
	 * them all at once before the commit; -1 outside one. */
	sqlite3_int64 fts_after;
	/* When set, such a row is handed to it instead (import.c's
	 * builder, which indexes it in another thread). */
	int (*fts_sink)(void *payload, sqlite3_int64 qid, qdb_str text,
			qdb_str context);
	void *fts_payload;
	qdb_error err;
	char msg[QDB_ERROR_TEXT_LEN + QDB_ERROR_FILE_LEN + 96];
	char *path;
};

/* Sets db's error (no location) and returns code. */
int qdb__fail(qdb *db, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same with SQLite's own message appended; maps SQLITE_BUSY etc. */
int qdb__fail_sql(qdb *db, const char *what);

/* Copies err into db's last error, so qdb_errmsg tells the same. */
void qdb__error_to_db(qdb *db, const qdb_error *err);

/* Clears db's error: a call that succeeds leaves no stale message. */
void qdb__ok(qdb *db);

/* Runs one statement with no result rows. */
int qdb__exec(qdb *db, const char *sql);

/* Transactions: BEGIN IMMEDIATE, so writers queue on the busy timeout
 * instead of failing half-way when they upgrade from read to write.  Both
 * begin and rollback empty the name caches. */
int qdb__begin(qdb *db);
int qdb__commit(qdb *db);
void qdb__rollback(qdb *db);

/* Sets db->scope and empties the name caches, which hold what names
 * meant in the previous scope. */
void qdb__scope_set(qdb *db, sqlite3_int64 file);

/* Reports done quotes to the progress callback when one is due; returns
 * QDB_EUSER (with a message) when the callback asks to stop. */
int qdb__progress_step(qdb *db, int64_t done);

/* The cached statement for slot, reset and unbound, prepared from sql on
 * first use.  Borrowed: the handle finalizes it on close. */
int qdb__cached(sqlite3_stmt **out, qdb *db, int slot, const char *sql);

/* Gives back a statement from qdb__cached (reset for the next use) or
 * qdb__prepare (finalized), so callers need not know which it was. */
void qdb__done(qdb *db, sqlite3_stmt *st);

/* Prepares a statement, reporting failure on db. */
int qdb__prepare(sqlite3_stmt **out, qdb *db, const char *sql);

/* Binds s as text with its length, or NULL when absent. */
int qdb__bind_str(sqlite3_stmt *st, int col, qdb_str s);

/* Reads column col into s, pointing into the statement's memory. */
void qdb__column_str(qdb_str *s, sqlite3_stmt *st, int col);

/* ==== entity.c: speakers and outlets ================================ */

/* Resolves or creates an entity by name or alias inside a transaction. */
int qdb__entity_ensure(sqlite3_int64 *out, qdb *db, qdb_entity_kind kind,
		       const char *name, size_t len);
/* Resolves an entity by name or alias; QDB_ENOTFOUND when unknown. */
int qdb__entity_find(sqlite3_int64 *out, qdb *db, qdb_entity_kind kind,
		     const char *name, size_t len);
/*
 * The speaker guard: 1 when name names no entity in db->scope but is
 * close to a known name or alias (or shares a surname with one), which
 * is copied into near (cap bytes); 0 when name is known or nothing is
 * close; a negative code on an SQL failure.
 */
int qdb__entity_near(char *near, size_t cap, qdb *db, qdb_entity_kind kind,
		     const char *name, size_t len);
/*
 * Walks the entities of kind that have aliases, by name, with the
 * aliases one file could declare for all of them (see qdb_plugin_host's
 * entities): cb's non-zero return stops the walk and is returned.
 */
typedef int (*qdb__aliases_cb)(const char *name, const char *const *aliases,
			       size_t naliases, void *payload);
int qdb__entity_aliases(qdb *db, qdb_entity_kind kind, qdb__aliases_cb cb,
			void *payload);
/* The same for the entities the quotes of one source refer to (source
 * a row id of sources; 0: the quotes without a source), and with unused
 * also those no quote refers to: what one file of a split export needs.
 * source -1 is qdb__entity_aliases. */
int qdb__entity_aliases_of(qdb *db, qdb_entity_kind kind,
			   sqlite3_int64 source, int unused,
			   qdb__aliases_cb cb, void *payload);
/* Adds alias to entity id inside a transaction (no-op when present). */
int qdb__entity_add_alias(qdb *db, qdb_entity_kind kind, sqlite3_int64 id,
			  const char *alias, size_t len);
/* Sets (key not NULL) or clears the sort key of speaker id. */
int qdb__speaker_set_sort_as(qdb *db, sqlite3_int64 id, const char *key,
			     size_t len);
/* The sort key of the speaker called name into *out (the caller's, to
 * free), NULL when it has none or there is no such speaker. */
int qdb__speaker_sort_as(char **out, qdb *db, const char *name);

/* ==== cursor.c: selecting quotes ==================================== */

/*
 * The query plan SQLite picks for the statement a cursor over f would run:
 * one EXPLAIN QUERY PLAN detail a line.  For tests that prove a filter
 * uses its index.  *out is the caller's (qdb_free).
 */
int qdb__cursor_plan(char **out, qdb *db, const qdb_filter *f);

/* ==== plugin.c: loading plugins, checking their options ============= */

/*
 * The options given for plugin d, checked against its table: names it
 * has, values of the option's type.  Each option's value (given or
 * default) ends in values[i] and its parsed number in nums[i], for the
 * table's i-th option; both arrays hold one entry per option.  On failure
 * err->text says which option and why: QDB_ENOTFOUND for a name the table
 * lacks, QDB_EINVALID for a value (or a missing "=").
 */
int qdb__plugin_options(const char **values, long long *nums,
			const struct qdb_plugin *d,
			const char *const *options, qdb_error *err);

/* The number of options d declares. */
size_t qdb__plugin_noptions(const struct qdb_plugin *d);

/* ==== quote.c: one quotation in and out of the store ================ */

/*
 * Checks a quote before it is stored: required fields present, no empty
 * strings, valid UTF-8 without NUL or control characters (multi-line
 * fields may hold LF, TAB and NEL), valid EDTF dates.  On failure fills
 * err with the field.
 */
int qdb__quote_validate(const qdb_quote *q, qdb_error *err);

/*
 * How qdb__quote_put stores a quote.  file is the files row of the YAML
 * file it comes from (0: none, added by hand).  Without claim (add,
 * import) a quote whose id is taken must be identical to the row, which
 * keeps its file.  With claim (sync), claim is called once the id is
 * known, with whether a row has it and that row's file (0: none); a
 * non-zero return refuses the quote (err filled).  Then a row with other
 * content is changed in place, and takes the quote's file.
 */
typedef int (*qdb__claim_fn)(void *payload, qdb_str id, int exists,
			     sqlite3_int64 old_file, qdb_error *err);
typedef struct qdb__put {
	sqlite3_int64 file;
	qdb__claim_fn claim;
	void *payload;
} qdb__put;

/* The row id of q's source (q's source fields, as a cursor gives
 * them): 0 when q has none or no such source is stored. */
int qdb__source_id(sqlite3_int64 *out, qdb *db, const qdb_quote *q);

/* What qdb__quote_put did. */
enum { QDB__PUT_SAME = 0, QDB__PUT_ADDED = 1, QDB__PUT_CHANGED = 2 };

/*
 * Stores one quote inside the caller's transaction, as how says (NULL:
 * by hand).  *out_what says what it did.  The id comes back through
 * out_id when not NULL (caller frees).
 */
int qdb__quote_put(qdb *db, const qdb_quote *q, const qdb__put *how,
		   int *out_what, char **out_id, qdb_error *err);

/* Removes row qid, its tags and its place in the full-text index, inside
 * the caller's transaction. */
int qdb__quote_remove(qdb *db, sqlite3_int64 qid);

/* Removes the speakers, outlets and sources nothing refers to any more:
 * no quote, and for an entity no alias either. */
int qdb__gc(qdb *db);

/* ==== import.c: reading YAML files ================================= */

/*
 * What sync.c adds to the parse of one file.  put says how each quote is
 * stored (its file, the claim hook); the parse sets line and column to
 * where the quote's id is (or the quote starts) before it stores one,
 * then calls stored (when set) with the quote's id and what
 * qdb__quote_put did.  hash comes back as the qdb__hash of every byte
 * read.
 */
typedef struct qdb__import_hooks {
	qdb__put put;
	int (*stored)(struct qdb__import_hooks *h, const char *id, int what,
		      qdb_error *err);
	int line, column;
	uint64_t hash;
} qdb__import_hooks;

/* Parses the YAML file f (called name in messages) into the caller's
 * transaction; db->scope must be the file's row (qdb__scope_set). */
int qdb__import_stream(qdb *db, const char *name, FILE *f,
		       qdb__import_hooks *hooks, qdb_import_stats *stats,
		       qdb_error *err);

/* The files row of path, added when new, its hash set to hash (NULL:
 * not known to match the database, so the next sync reads it). */
int qdb__file_row(sqlite3_int64 *out, qdb *db, const char *path,
		  const char *hash);

/* The regular *.yaml and *.yml files directly in dir ("dir/name"), in
 * name order; *out is the caller's, for qdb__yaml_files_free. */
int qdb__yaml_files(char ***out, size_t *out_n, const char *dir,
		    qdb_error *err);
void qdb__yaml_files_free(char **names, size_t n);

#endif
