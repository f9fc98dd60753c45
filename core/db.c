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
	if (code == QDB_EBUSY)
		return qdb__fail(db, code, "%s: the database stayed locked by "
				 "another writer for %d s; try again when it "
				 "has finished", what, QDB_BUSY_TIMEOUT_MS / 1000);
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

static int migrate(qdb *db)
{
	int version, appid, tables;
	int rc = pragma_int(db, "PRAGMA user_version", &version);
	if (!rc)
		rc = pragma_int(db, "PRAGMA application_id", &appid);
	if (rc)
		return rc;
	if (version > qdb__schema_version)
		return qdb__fail(db, QDB_EINVALID,
				 "%s: schema version %d is newer than this "
				 "quotedb understands (%d); upgrade quotedb",
				 db->path, version, qdb__schema_version);
	if (appid != QDB_APPLICATION_ID) {
		if (count_foreign_tables(db, &tables))
			return QDB_ERROR;
		if (appid != 0 || tables != 0)
			return qdb__fail(db, QDB_EINVALID,
					 "%s: not a quotedb database",
					 db->path);
	}
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
	if (!path || !*path)
		return qdb__fail(db, QDB_EINVALID, "no database path given");
	db->path = strdup(path);
	if (!db->path)
		return qdb__fail(db, QDB_ENOMEM, "out of memory");
	db->readonly = (flags & QDB_OPEN_READONLY) != 0;
	int oflags = db->readonly ? SQLITE_OPEN_READONLY
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
	sqlite3_busy_timeout(db->sql, QDB_BUSY_TIMEOUT_MS);
	int rc = qdb__exec(db, "PRAGMA foreign_keys = ON");
	if (!rc && !db->readonly) {
		/* WAL lets readers go on while an import writes; NORMAL sync is
		 * durable enough in WAL and keeps imports fast.  A 16 MiB page
		 * cache holds the indexes a large import keeps touching; read-
		 * only handles (exports, listings) keep SQLite's 2 MiB. */
		rc = qdb__exec(db, "PRAGMA journal_mode = WAL; "
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
