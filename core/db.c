/*
 * db.c: opening and closing a quotedb database, running the migrations of
 * schema.c, statements, transactions, and the error state every other
 * file reports through.
 *
 * The database is opened defensively: a file can carry views and triggers
 * written by someone else, so SQLITE_DBCONFIG_DEFENSIVE is on,
 * trusted_schema is off and extension loading is disabled.  The full-text
 * index is kept in step by library code, not triggers, for the same reason.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* How long a writer waits for another, unless $QUOTEDB_BUSY_TIMEOUT
 * (seconds) says otherwise. */
#define QDB_BUSY_TIMEOUT_MS 120000
/* 'QDB1': tells a quotedb file from any other SQLite database. */
#define QDB_APPLICATION_ID 0x51444231

/* Empties the handle's row id caches (see internal.h). */
static void names_clear(qdb *db)
{
	qdb__slots_clear(db->names[QDB_SPEAKER]);
	qdb__slots_clear(db->names[QDB_OUTLET]);
	qdb__slots_clear(db->sources);
}

int qdb_schema_version(void)
{
	return qdb__schema_version;
}

const char *qdb_version(void)
{
	return QDB_VERSION;
}

/* ---- errors ------------------------------------------------------- */

static void refresh_msg(qdb *db)
{
	qdb_error_format(&db->err, db->msg, sizeof db->msg);
}

void qdb__error_to_db(qdb *db, const qdb_error *err)
{
	if (db != NULL && err != NULL && &db->err != err) {
		db->err = *err;
		refresh_msg(db);
	}
}

int qdb__fail(qdb *db, int code, const char *fmt, ...)
{
	if (!db)
		return code;
	memset(&db->err, 0, sizeof db->err);
	va_list ap;
	va_start(ap, fmt);
	qdb__error_vset(&db->err, code, fmt, ap);
	va_end(ap);
	refresh_msg(db);
	return code;
}

/* Whether the database or its -wal is within a page of the file-size
 * limit (RLIMIT_FSIZE), where a write fails with EFBIG. */
static int at_size_limit(const qdb *db)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	static const char *const suffix[] = { "", "-wal", "-journal" };
	for (size_t i = 0; i < 3; i++) {
		char p[4096];
		struct stat st;
		snprintf(p, sizeof p, "%s%s", db->path, suffix[i]);
		if (stat(p, &st) == 0 &&
		    (rlim_t)st.st_size + 65536 >= rl.rlim_cur)
			return 1;
	}
	return 0;
}

int qdb__fail_sql(qdb *db, const char *what)
{
	int rc = sqlite3_errcode(db->sql), code = QDB_ERROR;
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = QDB_EBUSY;
		break;
	case SQLITE_NOMEM:
		code = QDB_ENOMEM;
		break;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
		code = QDB_EIO;
		break;
	default:
		break;
	}
	/* What the busy handler saw is the truth: SQLite also answers
	 * BUSY without waiting, where waiting could deadlock. */
	if (code == QDB_EBUSY && db->busy_waited_ms >= db->busy_timeout_ms)
		return qdb__fail(db, code, "%s: the database stayed locked by "
				 "another writer for %ld s; try again when it "
				 "has finished", what,
				 db->busy_timeout_ms / 1000);
	if (code == QDB_EBUSY)
		return qdb__fail(db, code, "%s: the database is locked by "
				 "another process, which SQLite could not "
				 "wait for (after %.1f s); try again", what,
				 (double)db->busy_waited_ms / 1000);
	/* The file-size limit (ulimit -f): SQLite says "disk I/O error" or
	 * "database or disk is full", and its errno is not kept. */
	if (code == QDB_EIO && at_size_limit(db))
		return qdb__fail(db, code, "%s: file too large: %s (or its "
				 "-wal or -shm file) would pass the file-size "
				 "limit (ulimit -f)", what, db->path);
	/* A message can hide its cause: a read failing while FTS5 loads
	 * the index's configuration comes back as "vtable constructor
	 * failed: quotes_fts", the I/O error only in the code. */
	const char *msg = sqlite3_errmsg(db->sql), *cause = sqlite3_errstr(rc);
	if (code != QDB_ERROR && !strstr(msg, cause))
		return qdb__fail(db, code, "%s: %s (%s)", what, msg, cause);
	return qdb__fail(db, code, "%s: %s", what, msg);
}

void qdb__ok(qdb *db)
{
	if (db) {
		memset(&db->err, 0, sizeof db->err);
		db->msg[0] = '\0';
	}
}

const char *qdb_errmsg(const qdb *db)
{
	if (!db)
		return "out of memory";
	return db->msg[0] ? db->msg : "not an error";
}

const qdb_error *qdb_last_error(const qdb *db)
{
	return db ? &db->err : NULL;
}

/* ---- statements and transactions ---------------------------------- */

int qdb__prepare(sqlite3_stmt **out, qdb *db, const char *sql)
{
	if (sqlite3_prepare_v2(db->sql, sql, -1, out, NULL) != SQLITE_OK)
		return qdb__fail_sql(db, "prepare");
	return 0;
}

int qdb__cached(sqlite3_stmt **out, qdb *db, int slot, const char *sql)
{
	sqlite3_stmt *st = db->stmts[slot];
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	} else {
		if (sqlite3_prepare_v3(db->sql, sql, -1,
				       SQLITE_PREPARE_PERSISTENT, &st,
				       NULL) != SQLITE_OK)
			return qdb__fail_sql(db, "prepare");
		db->stmts[slot] = st;
	}
	*out = st;
	return 0;
}

void qdb__done(qdb *db, sqlite3_stmt *st)
{
	if (!st)
		return;
	for (int i = 0; i < QDB_ST_COUNT; i++) {
		if (db->stmts[i] == st) {
			sqlite3_reset(st);
			return;
		}
	}
	sqlite3_finalize(st);
}

int qdb__exec(qdb *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db->sql, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = qdb__fail_sql(db, "database");
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

int qdb__bind_str(sqlite3_stmt *st, int col, qdb_str s)
{
	if (!s.ptr)
		return sqlite3_bind_null(st, col);
	/* The explicit length keeps every byte; SQLITE_STATIC because the
	 * caller's string outlives the statement's step. */
	return sqlite3_bind_text64(st, col, s.ptr, s.len, SQLITE_STATIC,
				   SQLITE_UTF8);
}

void qdb__column_str(qdb_str *s, sqlite3_stmt *st, int col)
{
	const char *p = (const char *)sqlite3_column_text(st, col);
	if (!p) {
		s->ptr = NULL;
		s->len = 0;
		return;
	}
	s->ptr = p;
	s->len = (size_t)sqlite3_column_bytes(st, col);
}

/*
 * quotedb creates no triggers, and a trigger runs on every write with the
 * writer's rights: trusted_schema and DEFENSIVE keep one away from
 * functions, the full-text index and its shadow tables, but not from
 * plain SQL on ordinary tables.  So a file that carries one is not
 * written to.  Checked inside the write lock, so one added by another
 * process after qdb_open is seen too.
 */
static int refuse_triggers(qdb *db)
{
	sqlite3_stmt *st;
	int rc = qdb__cached(&st, db, QDB_ST_TRIGGERS, "SELECT name, tbl_name "
			     "FROM sqlite_schema WHERE type = 'trigger' "
			     "LIMIT 1");
	if (rc)
		return rc;
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		rc = qdb__fail(db, QDB_EINVALID, "%s: a trigger quotedb did "
			       "not create ('%s' on %s) would run on every "
			       "write; quotedb does not write to this file "
			       "(reading still works; DROP TRIGGER to use it)",
			       db->path, sqlite3_column_text(st, 0),
			       sqlite3_column_text(st, 1));
	else if (s != SQLITE_DONE)
		rc = qdb__fail_sql(db, "schema");
	qdb__done(db, st);
	return rc;
}

int qdb__begin(qdb *db)
{
	names_clear(db);
	db->near_calls[0] = db->near_calls[1] = 0;
	db->near_ready[0] = db->near_ready[1] = 0;
	if (db->readonly)
		return qdb__fail(db, QDB_EINVALID,
				 "the database is open read-only");
	int rc = qdb__exec(db, "BEGIN IMMEDIATE");
	if (!rc && (rc = refuse_triggers(db)) != 0) {
		/* Keep the refusal's message over the rollback's. */
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	}
	return rc;
}

int qdb__commit(qdb *db)
{
	if (sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = qdb__fail_sql(db, "commit");
		qdb__rollback(db);
		return rc;
	}
	return 0;
}

void qdb__rollback(qdb *db)
{
	names_clear(db);
	if (!sqlite3_get_autocommit(db->sql))
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

void qdb__scope_set(qdb *db, sqlite3_int64 file)
{
	db->scope = file;
	names_clear(db);
}

void qdb_warnings(qdb *db, qdb_warning_cb cb, void *payload, int strict)
{
	if (!db)
		return;
	db->warn = cb;
	db->warn_payload = payload;
	db->strict = strict;
}

void qdb_progress(qdb *db, qdb_progress_cb cb, int64_t every, void *payload)
{
	if (!db)
		return;
	db->progress = every > 0 ? cb : NULL;
	db->progress_every = every;
	db->progress_payload = payload;
}

int qdb__progress_step(qdb *db, int64_t done)
{
	if (!db->progress || done % db->progress_every != 0)
		return 0;
	if (db->progress(done, db->progress_payload) != 0)
		return qdb__fail(db, QDB_EUSER, "stopped by the progress "
				 "callback after %lld quotes", (long long)done);
	return 0;
}

/* ---- open, migrate, close ----------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * SQLite's busy handler: waits for another writer up to the timeout,
 * sleeping a little longer each time (1 ms up to 50 ms), and keeps how
 * long it waited so that a message can say it truly.
 */
static int busy_wait(void *payload, int tries)
{
	qdb *db = payload;
	long now = now_ms();
	if (tries == 0)
		db->busy_since_ms = now;
	db->busy_waited_ms = now - db->busy_since_ms;
	if (db->busy_waited_ms >= db->busy_timeout_ms)
		return 0;
	long ms = tries < 50 ? tries + 1 : 50;
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
	return 1;
}

static long busy_timeout_ms(void)
{
	const char *t = getenv("QUOTEDB_BUSY_TIMEOUT");
	long v = t ? strtol(t, NULL, 10) : 0;
	return v > 0 && v < 86400 ? v * 1000 : QDB_BUSY_TIMEOUT_MS;
}

static int pragma_int(qdb *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = qdb__prepare(&st, db, sql);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = 0;
	} else {
		rc = qdb__fail_sql(db, sql);
	}
	sqlite3_finalize(st);
	return rc;
}

static int count_foreign_tables(qdb *db, int *out)
{
	return pragma_int(db, "SELECT count(*) FROM sqlite_schema", out);
}

/*
 * The schema objects of a database, one "type name tbl_name sql" record
 * each (fields split by 0x1f, records ended by 0x1e), in a fixed order,
 * into b.  Triggers are left out: a file may carry its own, and writes
 * refuse them (refuse_triggers); so is the statistics table ANALYZE
 * makes, which only steers query plans.
 */
static int schema_rows(sqlite3 *sql, qdb_buf *b)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(sql, "SELECT type, name, tbl_name, "
			       "coalesce(sql, '') FROM sqlite_schema WHERE "
			       "type <> 'trigger' AND NOT (type = 'table' AND "
			       "name IN ('sqlite_stat1', 'sqlite_stat4')) "
			       "ORDER BY CASE type WHEN 'table' THEN 0 WHEN "
			       "'view' THEN 1 ELSE 2 END, name", -1, &st, NULL)
	    != SQLITE_OK)
		return SQLITE_ERROR;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 4; i++) {
			const unsigned char *v = sqlite3_column_text(st, i);
			qdb__buf_addstr(b, v ? (const char *)v : "");
			qdb__buf_add(b, i < 3 ? "\x1f" : "\x1e", 1);
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE && !b->failed ? SQLITE_OK : SQLITE_ERROR;
}

/* The first record of a (schema_rows) that b does not hold, or NULL. */
static const char *first_unmatched(const qdb_buf *a, const qdb_buf *b)
{
	const char *r = a->data ? a->data : "";
	while (*r) {
		const char *end = strchr(r, '\x1e');
		size_t n = (size_t)(end - r) + 1;
		int found = 0;
		for (const char *q = b->data ? b->data : ""; *q && !found;) {
			const char *qe = strchr(q, '\x1e');
			found = (size_t)(qe - q) + 1 == n && !memcmp(q, r, n);
			q = qe + 1;
		}
		if (!found)
			return r;
		r = end + 1;
	}
	return NULL;
}

/*
 * Refuses a file whose schema is not exactly the one quotedb builds for
 * its version: a table replaced by a view (one that recurses forever
 * hangs every read), an object added or changed.  Reads must never run
 * SQL someone else wrote.  The expected schema is made by running the
 * migrations in a database in memory.
 */
static int check_schema(qdb *db, int version)
{
	sqlite3 *mem = NULL;
	qdb_buf want = { 0 }, have = { 0 };
	int rc = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE,
				 NULL);
	for (int v = 0; rc == SQLITE_OK && v < version; v++)
		rc = sqlite3_exec(mem, qdb__migrations[v], NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = schema_rows(mem, &want);
	sqlite3_close(mem);
	if (rc != SQLITE_OK) {
		/* The migrations are this library's own, and run in memory:
		 * what fails there is memory (an allocation inside FTS5
		 * comes back as a plain SQL error). */
		rc = qdb__fail(db, QDB_ENOMEM, "%s: out of memory (building "
			       "the expected schema in memory: %s)", db->path,
			       want.failed ? "out of memory"
			       : sqlite3_errstr(rc));
		goto out;
	}
	if (schema_rows(db->sql, &have) != SQLITE_OK) {
		rc = have.failed ? qdb__fail(db, QDB_ENOMEM, "%s: out of "
					     "memory", db->path)
			: qdb__fail_sql(db, "schema");
		goto out;
	}
	rc = 0;
	if (have.len != want.len || (have.len && memcmp(have.data, want.data,
							have.len))) {
		/* Name the first object quotedb expects and does not find
		 * as it made it, else the first one it did not make. */
		const char *rec = first_unmatched(&want, &have);
		int missing = rec != NULL;
		if (!rec)
			rec = first_unmatched(&have, &want);
		if (!rec)
			rec = "?\x1f?\x1f";
		const char *type_end = strchr(rec, '\x1f');
		const char *name = type_end + 1;
		const char *name_end = strchr(name, '\x1f');
		char why[QDB_ERROR_TEXT_LEN];
		snprintf(why, sizeof why, "%s: not the schema quotedb made: "
			 "%.*s '%.*s' %s; quotedb does not read a file whose "
			 "tables, views or indexes someone else changed",
			 db->path, (int)(type_end - rec), rec,
			 (int)(name_end - name), name, missing
			 ? "is missing or changed" : "is not one quotedb made");
		rc = qdb__fail(db, QDB_EINVALID, "%s", why);
	}
out:
	qdb__buf_free(&want);
	qdb__buf_free(&have);
	return rc;
}

/*
 * Reads the file's version and checks what it holds, all in one read
 * transaction: another process may be creating the schema this very
 * moment, and reads in separate transactions could see its version from
 * before and its tables from after (a quotedb file taken for a foreign
 * one, or for a changed schema).
 */
static int read_state(qdb *db, int *version)
{
	int appid, tables;
	int rc = qdb__exec(db, "BEGIN");
	if (rc)
		return rc;
	rc = pragma_int(db, "PRAGMA user_version", version);
	if (!rc)
		rc = pragma_int(db, "PRAGMA application_id", &appid);
	if (rc)
		goto out;
	if (*version > qdb__schema_version) {
		rc = qdb__fail(db, QDB_EINVALID, "%s: schema version %d is "
			       "newer than this quotedb understands (%d); "
			       "upgrade quotedb", db->path, *version,
			       qdb__schema_version);
		goto out;
	}
	if (appid != QDB_APPLICATION_ID) {
		if ((rc = count_foreign_tables(db, &tables)) != 0)
			goto out;
		if (appid != 0 || tables != 0) {
			rc = qdb__fail(db, QDB_EINVALID, "%s: not a quotedb "
				       "database", db->path);
			goto out;
		}
	}
	rc = check_schema(db, *version);
out:
	/* A read transaction: COMMIT only ends it. */
	sqlite3_exec(db->sql, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	return rc;
}

/*
 * Runs sql again while SQLite answers BUSY at once, up to the busy
 * timeout.  While another process creates the file or switches it to
 * WAL, SQLite gives that answer without calling the busy handler (waiting
 * there could deadlock); eight imports started together into a file that
 * does not exist yet would otherwise see some of them fail.
 */
static int exec_retry(qdb *db, const char *sql)
{
	long start = now_ms();
	for (;;) {
		int rc = qdb__exec(db, sql);
		if (rc != QDB_EBUSY || now_ms() - start >= db->busy_timeout_ms)
			return rc;
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

static int migrate(qdb *db)
{
	int version;
	long start = now_ms();
	int rc;
	while ((rc = read_state(db, &version)) == QDB_EBUSY &&
	       now_ms() - start < db->busy_timeout_ms) {
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
	if (rc)
		return rc;
	if (version == qdb__schema_version)
		return 0;
	if (db->readonly)
		return qdb__fail(db, QDB_EINVALID,
				 "%s: schema version %d needs migrating to %d; "
				 "open it writable once", db->path, version,
				 qdb__schema_version);
	if ((rc = qdb__begin(db)) != 0)
		return rc;
	/* Read again inside the write lock: another process may have
	 * migrated the file while we waited. */
	if ((rc = pragma_int(db, "PRAGMA user_version", &version)) != 0)
		goto fail;
	for (int v = version; v < qdb__schema_version; v++) {
		if ((rc = qdb__exec(db, qdb__migrations[v])) != 0)
			goto fail;
	}
	char sql[96];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d; "
		 "PRAGMA application_id = %d", qdb__schema_version,
		 QDB_APPLICATION_ID);
	if ((rc = qdb__exec(db, sql)) != 0)
		goto fail;
	return qdb__commit(db);
fail:
	qdb__rollback(db);
	return rc;
}

int qdb_open(qdb **out, const char *path, int flags)
{
	if (!out)
		return QDB_EINVALID;
	*out = NULL;
	qdb *db = calloc(1, sizeof *db);
	if (!db)
		return QDB_ENOMEM;
	*out = db;
	db->fts_after = -1;
	if (!path || !*path)
		return qdb__fail(db, QDB_EINVALID, "no database path given");
	db->path = strdup(path);
	if (!db->path)
		return qdb__fail(db, QDB_ENOMEM, "out of memory");
	db->readonly = (flags & QDB_OPEN_READONLY) != 0;
	/* SQLite (built with SQLITE_USE_URI, as Debian's is) reads
	 * "file:x.db?mode=memory" as a URI: a database that vanishes with
	 * the handle, and every quote added to it lost.  A path is a path;
	 * ":memory:" is the one explicit way to ask for memory. */
	if (!strncmp(path, "file:", 5))
		return qdb__fail(db, QDB_EINVALID, "%s: a URI, not a path; "
				 "quotedb opens files by path (write "
				 "./%s for a file of that name)", path, path);
	/* Read-only is kept by query_only and by db->readonly, but the file
	 * is opened for writing where it may be: the last connection to
	 * close then checkpoints and removes the -wal and -shm files, as it
	 * cannot when opened read-only.  A file that cannot be written is
	 * opened read-only by SQLite all the same. */
	int oflags = db->readonly ? SQLITE_OPEN_READWRITE
		: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db->sql, oflags, NULL) != SQLITE_OK) {
		if (!db->sql)
			return qdb__fail(db, QDB_ENOMEM, "out of memory");
		return qdb__fail(db, QDB_EIO, "%s: cannot open: %s", path,
				 sqlite3_errmsg(db->sql));
	}
	sqlite3_extended_result_codes(db->sql, 0);
	sqlite3_db_config(db->sql, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db->sql, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0,
			  NULL);
	sqlite3_db_config(db->sql, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	/* Writers queue: a second import waits for the first rather than
	 * failing, up to two minutes. */
	db->busy_timeout_ms = busy_timeout_ms();
	sqlite3_busy_handler(db->sql, busy_wait, db);
	int rc = qdb__exec(db, db->readonly
			   ? "PRAGMA foreign_keys = ON; PRAGMA query_only = 1"
			   : "PRAGMA foreign_keys = ON");
	if (!rc && !db->readonly) {
		/* WAL lets readers go on while an import writes; NORMAL sync is
		 * durable enough in WAL and keeps imports fast.  A 16 MiB page
		 * cache holds the indexes a large import keeps touching; read-
		 * only handles (exports, listings) keep SQLite's 2 MiB. */
		rc = exec_retry(db, "PRAGMA journal_mode = WAL; "
			       "PRAGMA synchronous = NORMAL; "
			       "PRAGMA cache_size = -16384");
	}
	if (rc) {
		char why[QDB_ERROR_TEXT_LEN];
		snprintf(why, sizeof why, "%s", db->err.text);
		return qdb__fail(db, rc, "%s: %s", path, why);
	}
	if ((rc = migrate(db)) != 0) {
		/* Name the file, as the failures above do, unless the
		 * message already starts with it. */
		size_t n = strlen(path);
		if (strncmp(db->err.text, path, n) != 0 ||
		    db->err.text[n] != ':') {
			char why[QDB_ERROR_TEXT_LEN];
			snprintf(why, sizeof why, "%s", db->err.text);
			return qdb__fail(db, rc, "%s: %s", path, why);
		}
		return rc;
	}
	qdb__ok(db);
	return 0;
}

void qdb_close(qdb *db)
{
	if (!db)
		return;
	for (int i = 0; i < QDB_ST_COUNT; i++)
		sqlite3_finalize(db->stmts[i]);
	names_clear(db);
	sqlite3_close_v2(db->sql);
	free(db->path);
	free(db);
}
