/*
 * internal.h: what the library's own files share and callers never see:
 * the qdb handle, error helpers, transactions and field validation.
 */
#ifndef QDB_INTERNAL_H
#define QDB_INTERNAL_H

#include <stdarg.h>
#include <sqlite3.h>
#include "quotedb.h"

/* Caps that keep one bad file from exhausting memory (docs/format.md). */
#define QDB_MAX_FIELD (1u << 20)   /* bytes in one field */
#define QDB_MAX_TAGS 64            /* tags on one quote */
#define QDB_MAX_DEPTH 8            /* YAML nesting */
/* Bytes the importer lets libyaml read without it producing an event:
 * libyaml holds a whole scalar (or comment) in memory before it says
 * anything, so this is what bounds the memory of a 2 GB one-line value.
 * A value of QDB_MAX_FIELD bytes fits with room for escapes. */
#define QDB_MAX_GAP (16u * QDB_MAX_FIELD)

/* Statements the import path runs once per quote, prepared once per
 * handle: preparing them per call costs more than running them. */
enum qdb_stmt_slot {
	QDB_ST_SPEAKER_FIND, QDB_ST_SPEAKER_INSERT,
	QDB_ST_OUTLET_FIND, QDB_ST_OUTLET_INSERT,
	QDB_ST_SOURCE_FIND, QDB_ST_SOURCE_INSERT, QDB_ST_SPEAKER_NAME,
	QDB_ST_QUOTE_SAME, QDB_ST_QUOTE_INSERT, QDB_ST_FTS_INSERT,
	QDB_ST_TAG_INSERT, QDB_ST_TRIGGERS, QDB_ST_COUNT
};

/*
 * The secondary indexes of quotes, as the current schema has them.  A large
 * import drops and rebuilds them inside its transaction (see import.c):
 * maintaining four randomly-ordered indexes row by row costs more than
 * sorting them once.  Part of migration 0 -> 1; a migration that changes
 * them must change this list too.
 */
#define QDB_QUOTE_INDEXES \
	"CREATE INDEX quotes_speaker ON quotes(speaker_id, date_lo);" \
	"CREATE INDEX quotes_outlet ON quotes(outlet_id, date_lo);" \
	"CREATE INDEX quotes_date ON quotes(date_lo, date_hi);" \
	"CREATE INDEX quotes_source ON quotes(source_id);"
#define QDB_QUOTE_INDEXES_DROP \
	"DROP INDEX quotes_speaker; DROP INDEX quotes_outlet;" \
	"DROP INDEX quotes_date; DROP INDEX quotes_source;"

/* Keys resolved to row ids during the current write transaction: an
 * import asks for the same few speakers, outlets and sources again and
 * again.  Emptied when a transaction begins or rolls back, so it never
 * outlives the rows it points at.  One slot per hash, the last one wins. */
#define QDB_NAME_CACHE 4096
typedef struct qdb_name_slot {
	char *name;
	size_t len;
	sqlite3_int64 id;
} qdb_name_slot;

struct qdb {
	sqlite3 *sql;
	sqlite3_stmt *stmts[QDB_ST_COUNT];
	qdb_name_slot names[2][QDB_NAME_CACHE]; /* by kind: name -> id */
	qdb_name_slot sources[QDB_NAME_CACHE];  /* source_key() -> id */
	qdb_progress_cb progress;
	void *progress_payload;
	int64_t progress_every;
	int readonly;
	qdb_error err;
	char msg[QDB_ERROR_TEXT_LEN + QDB_ERROR_FILE_LEN + 96];
	char *path;
};

/* Sets db's error (no location) and returns code. */
int qdb__fail(qdb *db, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same with SQLite's own message appended; maps SQLITE_BUSY etc. */
int qdb__fail_sql(qdb *db, const char *what);

/* Fills err (which may be NULL) and returns code. */
int qdb__error_set(qdb_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int qdb__error_vset(qdb_error *err, int code, const char *fmt, va_list ap);

/* Copies err into db's last error, so qdb_errmsg tells the same. */
void qdb__error_to_db(qdb *db, const qdb_error *err);

/* Clears db's error: a call that succeeds leaves no stale message. */
void qdb__ok(qdb *db);

/* Runs one statement with no result rows. */
int qdb__exec(qdb *db, const char *sql);

/* Transactions: BEGIN IMMEDIATE, so writers queue on the busy timeout
 * instead of failing half-way when they upgrade from read to write. */
int qdb__begin(qdb *db);
int qdb__commit(qdb *db);
void qdb__rollback(qdb *db);

/*
 * Checks a quote before it is stored: required fields present, no empty
 * strings, valid UTF-8 without NUL or control characters (text may hold
 * LF, TAB and NEL), a valid EDTF date.  On failure fills err with the field.
 */
int qdb__quote_validate(const qdb_quote *q, qdb_error *err);

/* Checks one string field the same way; multiline allows LF, TAB, NEL. */
int qdb__str_validate(qdb_str s, const char *field, int multiline,
		      qdb_error *err);

/*
 * Stores one quote inside the caller's transaction.  *out_added is 1 for
 * a new row, 0 when an identical quote with that id was already there.
 * The id comes back through out_id when not NULL (caller frees).
 */
int qdb__quote_put(qdb *db, const qdb_quote *q, int *out_added, char **out_id,
		   qdb_error *err);

/* Reports done quotes to the progress callback when one is due; returns
 * QDB_EUSER (with a message) when the callback asks to stop. */
int qdb__progress_step(qdb *db, int64_t done);

/* Forgets every cached name (see qdb_name_slot). */
void qdb__names_clear(qdb *db);
/* The slot of tab (QDB_NAME_CACHE long) for key; its id when it holds
 * key (1), or 0; remembering key -> id there (a failed allocation only
 * costs a lookup later). */
qdb_name_slot *qdb__slot(qdb_name_slot *tab, const char *key, size_t len);
int qdb__slot_get(const qdb_name_slot *s, const char *key, size_t len,
		  sqlite3_int64 *id);
void qdb__slot_set(qdb_name_slot *s, const char *key, size_t len,
		   sqlite3_int64 id);

/* Resolves or creates an entity by name or alias inside a transaction. */
int qdb__entity_ensure(sqlite3_int64 *out, qdb *db, qdb_entity_kind kind,
		       const char *name, size_t len);
/* Resolves an entity by name or alias; QDB_ENOTFOUND when unknown. */
int qdb__entity_find(sqlite3_int64 *out, qdb *db, qdb_entity_kind kind,
		     const char *name, size_t len);
/* Adds alias to entity id inside a transaction (no-op when present). */
int qdb__entity_add_alias(qdb *db, qdb_entity_kind kind, sqlite3_int64 id,
			  const char *alias, size_t len);

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

/*
 * The query plan SQLite picks for the statement a cursor over f would run:
 * one EXPLAIN QUERY PLAN detail a line.  For tests that prove a filter
 * uses its index.  *out is the caller's (qdb_free).
 */
int qdb__cursor_plan(char **out, qdb *db, const qdb_filter *f);

/* Dynamic byte buffer used where a length is not known up front. */
typedef struct qdb_buf {
	char *data;
	size_t len, cap;
} qdb_buf;
int qdb__buf_add(qdb_buf *b, const void *p, size_t n);
int qdb__buf_addstr(qdb_buf *b, const char *s);
int qdb__buf_printf(qdb_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void qdb__buf_free(qdb_buf *b);

#endif
