/*
 * test_iofault.c: the "iofault" suite: I/O errors and a full disk under
 * the database itself.  A wrapper VFS in front of SQLite's own (the way
 * SQLite's ioerr tests work, sqlite.org/testing.html) counts the calls of
 * one kind (xRead, xWrite, xSync, xTruncate, xShmMap, xOpen) an operation
 * makes, then runs it again with call N failing, for every N (or a sample
 * when there are many): once, or from N on like a disk that stays full.
 *
 * The operations: those that write (an import, an add, a delete, a
 * merge), qdb_open itself on an existing file and on a new one, and a
 * listing and a search.  After each fault the call has either succeeded
 * or failed with QDB_EIO and a message; the file passes SQLite's
 * integrity and foreign-key checks and FTS5's own check against the
 * quotes; and its whole content, every row of every table, is exactly the
 * state before the call or exactly the state after it, as the return code
 * says (the rules, and why they hold, are above one_run).
 * Data: tests/data/iofault/base.yaml (the collection each run starts
 * from) and import.yaml.  IOFAULT_ALL=1 tries every N instead of a sample;
 * IOFAULT_VERBOSE=1 prints every failure's message.
 */
#include "helpers.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA_DIR "tests/data/iofault"

/* ---- the failing VFS ---------------------------------------------- */

enum io_kind { IO_READ, IO_WRITE, IO_SYNC, IO_TRUNCATE, IO_SHMMAP, IO_OPEN,
	       IO_KINDS };
static const char *const io_names[IO_KINDS] = {
	"xRead", "xWrite", "xSync", "xTruncate", "xShmMap", "xOpen" };

/* One process-wide fault plan: SQLite calls the VFS from the thread that
 * runs the statement, and the suite runs on one thread. */
static struct {
	sqlite3_vfs *real;      /* what every call goes on to */
	long calls[IO_KINDS];   /* counted since io_reset() */
	int armed;
	enum io_kind kind;      /* which calls can fail */
	long at;                /* the first of them that fails, from 1 */
	int persistent;         /* every one from `at` on fails */
	int torn;               /* the first failing write writes half */
	int code;               /* what a failing call returns */
	long injected;          /* failures returned since io_reset() */
} io;

static void io_reset(void)
{
	memset(io.calls, 0, sizeof io.calls);
	io.armed = 0;
	io.injected = 0;
}

/* Counts one call; the error it is to fail with, or SQLITE_OK. */
static int io_fault(enum io_kind kind)
{
	long n = ++io.calls[kind];
	if (!io.armed || kind != io.kind)
		return SQLITE_OK;
	if (n == io.at || (io.persistent && n > io.at)) {
		io.injected++;
		return io.code;
	}
	return SQLITE_OK;
}

/* The real file lives right after ours, in the szOsFile bytes SQLite
 * gives xOpen. */
typedef struct io_file {
	sqlite3_file base;
	sqlite3_file *real;
} io_file;

#define REAL(f) (((io_file *)(f))->real)
#define RM(f) (REAL(f)->pMethods)

static int f_close(sqlite3_file *f)
{
	return RM(f)->xClose(REAL(f));
}

static int f_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	int rc = io_fault(IO_READ);
	return rc ? rc : RM(f)->xRead(REAL(f), buf, amt, off);
}

static int f_write(sqlite3_file *f, const void *buf, int amt,
		   sqlite3_int64 off)
{
	int rc = io_fault(IO_WRITE);
	if (rc == SQLITE_OK)
		return RM(f)->xWrite(REAL(f), buf, amt, off);
	/* A disk filling up in the middle of a write leaves part of it
	 * written, as unixWrite does on a short write: a torn page or WAL
	 * frame that SQLite must never take for a whole one. */
	if (io.torn && io.injected == 1 && amt > 1)
		RM(f)->xWrite(REAL(f), buf, amt / 2, off);
	return rc;
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = io_fault(IO_TRUNCATE);
	return rc ? rc : RM(f)->xTruncate(REAL(f), size);
}

/* Counted, not done: a sync changes nothing another process can see,
 * only what survives a power cut, which these tests do not cut; and
 * hundreds of real fsyncs would make the suite slow on a disk. */
static int f_sync(sqlite3_file *f, int flags)
{
	(void)f;
	(void)flags;
	return io_fault(IO_SYNC);
}

static int f_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return RM(f)->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int lock)
{
	return RM(f)->xLock(REAL(f), lock);
}

static int f_unlock(sqlite3_file *f, int lock)
{
	return RM(f)->xUnlock(REAL(f), lock);
}

static int f_check_reserved(sqlite3_file *f, int *out)
{
	return RM(f)->xCheckReservedLock(REAL(f), out);
}

static int f_file_control(sqlite3_file *f, int op, void *arg)
{
	return RM(f)->xFileControl(REAL(f), op, arg);
}

static int f_sector_size(sqlite3_file *f)
{
	return RM(f)->xSectorSize(REAL(f));
}

static int f_device_characteristics(sqlite3_file *f)
{
	return RM(f)->xDeviceCharacteristics(REAL(f));
}

/* The WAL index (journal_mode=WAL): forwarded, or WAL could not work. */
static int f_shm_map(sqlite3_file *f, int region, int size, int extend,
		     void volatile **out)
{
	int rc = io_fault(IO_SHMMAP);
	if (rc) {
		*out = NULL;
		return rc;
	}
	return RM(f)->xShmMap(REAL(f), region, size, extend, out);
}

static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return RM(f)->xShmLock(REAL(f), offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
	RM(f)->xShmBarrier(REAL(f));
}

static int f_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return RM(f)->xShmUnmap(REAL(f), delete_flag);
}

/* Memory-mapped reads would bypass xRead; SQLite only asks when
 * mmap_size > 0, which quotedb never sets, but forwarded all the same. */
static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **out)
{
	return RM(f)->xFetch(REAL(f), off, amt, out);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return RM(f)->xUnfetch(REAL(f), off, p);
}

/* One table per iVersion: a file's methods claim exactly the version of
 * the real file's methods, so SQLite never calls through to a method the
 * real file lacks. */
#define IO_METHODS(v) { v, f_close, f_read, f_write, f_truncate, f_sync, \
	f_file_size, f_lock, f_unlock, f_check_reserved, f_file_control, \
	f_sector_size, f_device_characteristics, f_shm_map, f_shm_lock, \
	f_shm_barrier, f_shm_unmap, f_fetch, f_unfetch }
static const sqlite3_io_methods io_methods[4] = {
	IO_METHODS(0), IO_METHODS(1), IO_METHODS(2), IO_METHODS(3) };

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
		  int flags, int *out_flags)
{
	(void)vfs;
	io_file *p = (io_file *)f;
	p->base.pMethods = NULL;
	p->real = (sqlite3_file *)(p + 1);
	int rc = io_fault(IO_OPEN);
	if (rc)
		return rc;
	memset(p->real, 0, (size_t)io.real->szOsFile);
	rc = io.real->xOpen(io.real, name, p->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		/* SQLite closes what xOpen left methods on even when it
		 * failed; ours are unset, so the real file is closed here. */
		if (p->real->pMethods)
			p->real->pMethods->xClose(p->real);
		return rc;
	}
	int v = p->real->pMethods->iVersion;
	p->base.pMethods = &io_methods[v < 1 ? 1 : v > 3 ? 3 : v];
	return SQLITE_OK;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	(void)sync_dir;     /* no directory fsync either: see f_sync */
	return io.real->xDelete(io.real, name, 0);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return io.real->xAccess(io.real, name, flags, out);
}

static int v_full_pathname(sqlite3_vfs *vfs, const char *name, int n,
			   char *out)
{
	(void)vfs;
	return io.real->xFullPathname(io.real, name, n, out);
}

static void *v_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return io.real->xDlOpen(io.real, name);
}

static void v_dlerror(sqlite3_vfs *vfs, int n, char *msg)
{
	(void)vfs;
	io.real->xDlError(io.real, n, msg);
}

typedef void (*sym_fn)(void);
static sym_fn v_dlsym(sqlite3_vfs *vfs, void *h, const char *sym)
{
	(void)vfs;
	return io.real->xDlSym(io.real, h, sym);
}

static void v_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	io.real->xDlClose(io.real, h);
}

static int v_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return io.real->xRandomness(io.real, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return io.real->xSleep(io.real, us);
}

static int v_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return io.real->xCurrentTime(io.real, out);
}

static int v_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return io.real->xGetLastError(io.real, n, out);
}

static int v_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return io.real->xCurrentTimeInt64(io.real, out);
}

static int v_set_syscall(sqlite3_vfs *vfs, const char *name,
			 sqlite3_syscall_ptr p)
{
	(void)vfs;
	return io.real->xSetSystemCall(io.real, name, p);
}

static sqlite3_syscall_ptr v_get_syscall(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return io.real->xGetSystemCall(io.real, name);
}

static const char *v_next_syscall(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return io.real->xNextSystemCall(io.real, name);
}

static sqlite3_vfs io_vfs = {
	.zName = "iofault",
	.xOpen = v_open, .xDelete = v_delete, .xAccess = v_access,
	.xFullPathname = v_full_pathname, .xDlOpen = v_dlopen,
	.xDlError = v_dlerror, .xDlSym = v_dlsym, .xDlClose = v_dlclose,
	.xRandomness = v_randomness, .xSleep = v_sleep,
	.xCurrentTime = v_current_time, .xGetLastError = v_last_error,
	.xCurrentTimeInt64 = v_current_time64,
	.xSetSystemCall = v_set_syscall, .xGetSystemCall = v_get_syscall,
	.xNextSystemCall = v_next_syscall,
};

/* ---- what a database holds ---------------------------------------- */

static void put(th_buf *b, const char *s)
{
	th_buf_write(s, strlen(s), b);
}

/* One value, its type told apart: NULL, 0, '' and x'' all differ. */
static void put_value(th_buf *b, sqlite3_stmt *st, int i)
{
	char num[64];
	const void *p;
	int n;
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		put(b, "NULL");
		return;
	case SQLITE_INTEGER:
		snprintf(num, sizeof num, "i%lld", sqlite3_column_int64(st, i));
		put(b, num);
		return;
	case SQLITE_FLOAT:
		snprintf(num, sizeof num, "f%.17g",
			 sqlite3_column_double(st, i));
		put(b, num);
		return;
	case SQLITE_TEXT:
		p = sqlite3_column_text(st, i);
		n = sqlite3_column_bytes(st, i);
		snprintf(num, sizeof num, "t%d:", n);
		break;
	default:
		p = sqlite3_column_blob(st, i);
		n = sqlite3_column_bytes(st, i);
		snprintf(num, sizeof num, "b%d:", n);
		break;
	}
	put(b, num);
	if (n > 0)
		th_buf_write(p, (size_t)n, b);
}

/* Appends every row sql returns, one line each; -1 on an SQL error. */
static int put_rows(th_buf *b, sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			if (i)
				put(b, "|");
			put_value(b, st, i);
		}
		put(b, "\n");
	}
	sqlite3_finalize(st);
	return s == SQLITE_DONE ? 0 : -1;
}

/* Every row of every table, in a fixed order: the shadow tables of the
 * full-text index too, so the index is compared byte for byte as well. */
static int dump(th_buf *b, sqlite3 *db)
{
	char line[96];
	snprintf(line, sizeof line, "user_version %lld, application_id %lld\n",
		 th_sql_int_on(db, "PRAGMA user_version"),
		 th_sql_int_on(db, "PRAGMA application_id"));
	put(b, line);
	if (put_rows(b, db, "SELECT type, name, tbl_name, sql FROM "
		     "sqlite_schema ORDER BY type, name"))
		return -1;
	sqlite3_stmt *tabs;
	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE "
			       "type = 'table' AND sql NOT LIKE "
			       "'CREATE VIRTUAL%' ORDER BY name", -1, &tabs,
			       NULL) != SQLITE_OK)
		return -1;
	int rc = 0, s;
	while (!rc && (s = sqlite3_step(tabs)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(tabs, 0);
		char *all = sqlite3_mprintf("SELECT * FROM \"%w\"", t);
		sqlite3_stmt *st = NULL;
		int cols = all && sqlite3_prepare_v2(db, all, -1, &st, NULL)
			== SQLITE_OK ? sqlite3_column_count(st) : 0;
		sqlite3_finalize(st);
		/* Ordered by every column: the same rows, the same text,
		 * whatever plan SQLite picks. */
		th_buf sql = { 0 };
		put(&sql, all ? all : "");
		for (int i = 1; i <= cols; i++) {
			snprintf(line, sizeof line, "%s%d",
				 i == 1 ? " ORDER BY " : ", ", i);
			put(&sql, line);
		}
		put(b, "table ");
		put(b, t);
		put(b, "\n");
		rc = cols > 0 && sql.data ? put_rows(b, db, sql.data) : -1;
		th_buf_free(&sql);
		sqlite3_free(all);
	}
	if (!rc && s != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(tabs);
	return rc;
}

/* What snapshot() gives for no file or a file without a schema. */
static const char empty_state[] = "user_version 0, application_id 0\n";

/*
 * The content of the database at path, after the checks every state must
 * pass: SQLite's integrity check, no dangling foreign key, and FTS5's
 * check that the index holds exactly the text and context of every quote.
 * Opened read-write, as the next quotedb would, so a WAL left behind is
 * recovered.  A missing file reads as an empty database.  NULL, with why
 * filled in, when a check fails.  Caller frees.
 */
static char *snapshot(const char *path, char *why, size_t whylen)
{
	th_buf b = { 0 };
	why[0] = '\0';
	if (access(path, F_OK) != 0) {
		put(&b, empty_state);
		return b.data;
	}
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL)) {
		snprintf(why, whylen, "cannot open: %s", sqlite3_errmsg(db));
		goto fail;
	}
	th_buf ic = { 0 };
	int rc = put_rows(&ic, db, "PRAGMA integrity_check");
	int ok = !rc && ic.data && !strcmp(ic.data, "t2:ok\n");
	if (!ok)
		snprintf(why, whylen, "integrity_check: %s",
			 rc ? sqlite3_errmsg(db) : ic.data ? ic.data : "");
	th_buf_free(&ic);
	if (!ok)
		goto fail;
	th_buf fk = { 0 };
	rc = put_rows(&fk, db, "PRAGMA foreign_key_check");
	ok = !rc && fk.len == 0;
	if (!ok)
		snprintf(why, whylen, "foreign_key_check: %s",
			 rc ? sqlite3_errmsg(db) : fk.data);
	th_buf_free(&fk);
	if (!ok)
		goto fail;
	if (th_sql_int_on(db, "SELECT count(*) FROM sqlite_schema WHERE name = "
		    "'quotes_fts'") == 1) {
		if (sqlite3_exec(db, "INSERT INTO quotes_fts(quotes_fts, rank) "
				 "VALUES ('integrity-check', 1)", NULL, NULL,
				 NULL) != SQLITE_OK) {
			snprintf(why, whylen, "full-text index: %s",
				 sqlite3_errmsg(db));
			goto fail;
		}
		long long docs = th_sql_int_on(db, "SELECT count(*) FROM "
					 "quotes_fts_docsize");
		long long quotes = th_sql_int_on(db,
						 "SELECT count(*) FROM quotes");
		if (docs != quotes) {
			snprintf(why, whylen, "full-text index: %lld documents "
				 "for %lld quotes", docs, quotes);
			goto fail;
		}
	}
	if (dump(&b, db)) {
		snprintf(why, whylen, "reading: %s", sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_close(db);
	return b.data;
fail:
	sqlite3_close(db);
	th_buf_free(&b);
	return NULL;
}

/* ---- the database each run starts from ---------------------------- */

static char work[PATH_MAX];     /* the file the operations run on */
static char *base_img;          /* base.yaml imported: the file's bytes */
static size_t base_len;
static char *base_state;        /* and its snapshot */
static char *import_doc;        /* import.yaml */
static size_t import_len;
static long long base_quotes;
/* A word of base.yaml's quotes, and how many of them the index finds. */
#define LIST_SEARCH "committee"
static long long base_found;

static int iofault_clean(void);

static void rm_work(void)
{
	char p[PATH_MAX + 16];
	const char *suffix[] = { "", "-wal", "-shm", "-journal" };
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", work, suffix[i]);
		unlink(p);
	}
}

/* A fresh copy of the base database as work, with no WAL or index left
 * from the run before; or no file at all. */
static int restore(int from_base)
{
	rm_work();
	return from_base ? th_write_file(work, base_img, base_len) : 0;
}

static int iofault_init(void)
{
	io.real = sqlite3_vfs_find(NULL);
	if (!io.real)
		return -1;
	io_vfs.iVersion = io.real->iVersion < 3 ? io.real->iVersion : 3;
	io_vfs.szOsFile = (int)sizeof(io_file) + io.real->szOsFile;
	io_vfs.mxPathname = io.real->mxPathname;
	/* The default for the suite's duration: quotedb opens with the
	 * default VFS (no name passed to sqlite3_open_v2). */
	if (sqlite3_vfs_register(&io_vfs, 1) != SQLITE_OK)
		return -1;
	char base[PATH_MAX];
	snprintf(base, sizeof base, "%s", th_path("base.db"));
	snprintf(work, sizeof work, "%s", th_path("work.db"));
	qdb *db = NULL;
	qdb_error err = { 0 };
	int rc = qdb_open(&db, base, 0);
	if (!rc)
		rc = qdb_import_file(db, DATA_DIR "/base.yaml", NULL, &err);
	if (rc)
		fprintf(stderr, "\n  base database: %s\n", qdb_errmsg(db));
	qdb_close(db);
	/* lone-1 as if added by hand: a quote from a file is deleted in
	 * its file, not by qdb_quote_delete. */
	sqlite3 *raw = NULL;
	if (!rc && (sqlite3_open(base, &raw) != SQLITE_OK ||
		    sqlite3_exec(raw, "UPDATE quotes SET file_id = NULL "
				 "WHERE id = 'lone-1'", NULL, NULL,
				 NULL) != SQLITE_OK))
		rc = -1;
	sqlite3_close(raw);
	/* Closing the last connection checkpoints the WAL into the file
	 * and deletes it: the file alone is the whole database. */
	char why[512];
	base_img = rc ? NULL : th_read_file(base, &base_len);
	base_state = base_img ? snapshot(base, why, sizeof why) : NULL;
	if (base_img && !base_state)
		fprintf(stderr, "\n  base database: %s\n", why);
	base_quotes = th_sql_int(base, "SELECT count(*) FROM quotes");
	base_found = th_sql_int(base, "SELECT count(*) FROM quotes_fts "
				"WHERE quotes_fts MATCH '" LIST_SEARCH "'");
	import_doc = th_read_file(DATA_DIR "/import.yaml", &import_len);
	if (base_state && base_quotes > 0 && base_found > 0 && import_doc)
		return 0;
	/* CUnit runs no cleanup after a failed init: the VFS must not
	 * stay the default for the suites after this one. */
	iofault_clean();
	return -1;
}

static int iofault_clean(void)
{
	sqlite3_vfs_unregister(&io_vfs);
	if (io.real)
		sqlite3_vfs_register(io.real, 1);
	free(base_img);
	free(base_state);
	free(import_doc);
	base_img = base_state = import_doc = NULL;
	th_cleanup();
	return 0;
}

/* ---- the operations ----------------------------------------------- */

static qdb_str S(const char *s)
{
	qdb_str r = { s, s ? strlen(s) : 0 };
	return r;
}

static int op_import(qdb *db, qdb_error *err)
{
	qdb_import_stats stats = QDB_IMPORT_STATS_INIT;
	int rc = qdb_import_buffer(db, "import.yaml", import_doc, import_len,
				   &stats, err);
	/* A failed import counts nothing: stats are as they were.  A
	 * whole one counts import.yaml's five quotes, one already there. */
	if (rc ? stats.quotes_read || stats.quotes_added
	    : stats.quotes_read != 5 || stats.quotes_added != 4 ||
	    stats.quotes_same != 1)
		return QDB_ERROR;
	return rc;
}

/* Every field, a new speaker, outlet and source: all of quote.c's
 * inserts in one call. */
static int op_add(qdb *db, qdb_error *err)
{
	(void)err;
	static const qdb_str tags[] = { { "added", 5 }, { "t3", 2 } };
	qdb_quote q = QDB_QUOTE_INIT;
	q.id = S("added-1");
	q.text = S("Every field of this quote, “verbatim” — naïve café …");
	q.speaker = S("Grace Nakamura");
	q.role = S("Auditor");
	q.date = S("2024-04-01~");
	q.date_text = S("on April Fools' Day");
	q.outlet = S("Morning Bulletin");
	q.programme = S("Morning Bulletin Live");
	q.occasion = S("press conference");
	q.reported_by = S("Wire Service");
	q.source = S("Bulletin transcript");
	q.source_author = S("Desk");
	q.source_date = S("2024-04-02");
	q.source_url = S("https://example.org/bulletin");
	q.source_file = S("quotes/bulletin.txt");
	q.locator = S("00:14:10");
	q.language = S("en");
	q.context = S("added through qdb_quote_add");
	q.tags = tags;
	q.ntags = 2;
	char *id = NULL;
	int added = -1;
	int rc = qdb_quote_add(&id, &added, db, &q);
	/* The id comes back only with success, and then it is the one. */
	if (rc == 0 && (!id || strcmp(id, "added-1") || added != 1))
		rc = QDB_ERROR;
	if (rc != 0 && id)
		rc = QDB_ERROR;
	qdb_free(id);
	return rc;
}

/* The one quote of its speaker, outlet and source: those go too. */
static int op_delete(qdb *db, qdb_error *err)
{
	(void)err;
	return qdb_quote_delete(db, "lone-1");
}

static int op_merge(qdb *db, qdb_error *err)
{
	(void)err;
	return qdb_entity_merge(db, QDB_SPEAKER, "Chioma Okafor", "Volkov");
}

/* A walk that counts what it is given. */
static int count_quote(const qdb_quote *q, void *payload)
{
	(void)q;
	++*(long long *)payload;
	return 0;
}

/*
 * Reading has its own way to go wrong: a walk that stops at a read error
 * and looks finished, a short list or export with no error.  Every quote,
 * then a full-text search, in full or a failure; a short count is
 * returned as QDB_ERROR, which one_run reports.
 */
static int op_list(qdb *db, qdb_error *err)
{
	(void)err;
	long long n = 0;
	int rc = qdb_foreach(db, NULL, count_quote, &n);
	if (rc)
		return rc;
	if (n != base_quotes)
		return QDB_ERROR;
	qdb_filter f = QDB_FILTER_INIT;
	f.search = LIST_SEARCH;
	f.sort = QDB_SORT_RANK;
	n = 0;
	if ((rc = qdb_foreach(db, &f, count_quote, &n)) != 0)
		return rc;
	return n == base_found ? 0 : QDB_ERROR;
}

typedef struct op_def {
	const char *name;
	int (*run)(qdb *db, qdb_error *err); /* NULL: the open is the op */
	int from_base;      /* starts from base.db, else from no file */
	int writes;         /* the after state differs from the before */
} op_def;

/* ---- faults ------------------------------------------------------- */

typedef struct mode_def {
	const char *name;
	enum io_kind kind;
	int code;
	int persistent;
	int torn;
	const char *says;   /* what the message must contain */
} mode_def;

static const mode_def modes[] = {
	{ "read error", IO_READ, SQLITE_IOERR_READ, 0, 0, "disk I/O error" },
	{ "read error, persistent", IO_READ, SQLITE_IOERR_READ, 1, 0,
	  "disk I/O error" },
	{ "write error", IO_WRITE, SQLITE_IOERR_WRITE, 0, 0,
	  "disk I/O error" },
	{ "write error, persistent", IO_WRITE, SQLITE_IOERR_WRITE, 1, 0,
	  "disk I/O error" },
	{ "disk full", IO_WRITE, SQLITE_FULL, 1, 1,
	  "database or disk is full" },
	/* Space freed right after, then the retry on the same handle.
	 * SQLite rolls a transaction back itself after an I/O error, but
	 * after SQLITE_FULL in a statement with a statement journal only
	 * the statement, leaving quotedb's own rollback to do the rest.
	 * (With WAL and quotedb's page cache no page is written before
	 * COMMIT, so today it is the commit that fails, all rolled back.) */
	{ "disk full for one write", IO_WRITE, SQLITE_FULL, 0, 1,
	  "database or disk is full" },
	{ "fsync error", IO_SYNC, SQLITE_IOERR_FSYNC, 0, 0, "disk I/O error" },
	{ "fsync error, persistent", IO_SYNC, SQLITE_IOERR_FSYNC, 1, 0,
	  "disk I/O error" },
	{ "truncate error", IO_TRUNCATE, SQLITE_IOERR_TRUNCATE, 0, 0,
	  "disk I/O error" },
	{ "truncate error, persistent", IO_TRUNCATE, SQLITE_IOERR_TRUNCATE, 1,
	  0, "disk I/O error" },
	{ "shared-memory map error", IO_SHMMAP, SQLITE_IOERR_SHMMAP, 0, 0,
	  "disk I/O error" },
	{ "cannot open a file", IO_OPEN, SQLITE_CANTOPEN, 0, 0,
	  "unable to open" },
};
#define NMODES (sizeof modes / sizeof modes[0])

typedef struct tally {
	long runs, fired, ok, failed, retried, wrong;
} tally;

/* IOFAULT_VERBOSE=1 prints the message of every failure. */
static int verbose(void)
{
	static int v = -1;
	if (v < 0) {
		const char *e = getenv("IOFAULT_VERBOSE");
		v = e && atoi(e) > 0;
	}
	return v;
}

/*
 * Whether call n of total is tried: every one of the first `head`, then
 * about `head` more spread over the rest, and the last (often the commit
 * frame or the final sync).  head is 40, about 1500 runs in all; under
 * valgrind, where a run costs forty times as much, 8.  IOFAULT_ALL=1:
 * every call.
 */
static int sampled(long n, long total)
{
	static long head = -1;
	if (head < 0) {
		const char *all = getenv("IOFAULT_ALL");
		const char *pre = getenv("LD_PRELOAD");
		head = all && atoi(all) > 0 ? LONG_MAX / 4
			: pre && strstr(pre, "vgpreload") ? 8 : 40;
	}
	if (total <= 2 * head || n <= head || n == total)
		return 1;
	long step = (total - head) / head + 1;
	return (n - head) % step == 0;
}

static void say_diff(const char *want_name, const char *want,
		     const char *got)
{
	size_t i = 0, line = 1;
	while (want[i] && want[i] == got[i]) {
		if (want[i] == '\n')
			line++;
		i++;
	}
	fprintf(stderr, "    differs from the %s state at line %zu: has "
		"'%.60s' where that has '%.60s'\n", want_name, line, got + i,
		want + i);
}

/*
 * The accepted outcomes, and why:
 *
 * - The call returns 0 or a negative code; when negative, QDB_EIO and a
 *   message with what SQLite said (disk I/O error, database or disk is
 *   full, unable to open: qdb__fail_sql adds SQLite's name of the code
 *   when its message hides it, as FTS5's "vtable constructor failed"
 *   does).  The import
 *   also fills its qdb_error with the same code and a text.
 * - Whatever failed, the file passes every check of snapshot().
 * - Success means exactly the after state, failure exactly the before
 *   state.  SQLite's own ioerr tests accept either state after a fault in
 *   COMMIT; quotedb can be held to more because of how it runs SQLite.
 *   In WAL mode with synchronous=NORMAL a commit writes its pages to the
 *   WAL as frames, the frame that marks the commit last, and syncs
 *   nothing, except the header of a WAL started afresh, before the first
 *   frame (the one xSync "in the call" below).  Recovery takes a frame
 *   only when its checksum holds and a commit frame follows it, so a
 *   torn or missing frame drops the whole transaction.  No I/O call is
 *   left between the commit frame's write and COMMIT's return: an error
 *   from COMMIT means the transaction is not in the file.  The other
 *   syncs (WAL, then database file) come at a checkpoint, which quotedb
 *   leaves to qdb_close; a checkpoint that fails leaves the committed
 *   frames in the WAL, where the next open finds them.  So a fault in
 *   qdb_close, after the call reported success, still gives the after
 *   state (qdb_close returns nothing, and needs to say nothing).
 * - A fault that fails the call leaves no lock behind: another connection
 *   sees the before state while the handle is still open (and can write:
 *   FTS5's check takes the write lock).
 * - After a one-time fault the handle still works: the same call again
 *   on it succeeds, and the file ends in the after state.
 * - A persistent fault stays in force through qdb_close, like a disk
 *   still full when the program exits; the next open sees the state the
 *   return code said.
 */
static void one_run(const op_def *op, const mode_def *m, long n,
		    const char *after, tally *t)
{
	char why[512], msg[1024] = "";
	int wrong = 0;
	CU_ASSERT_FATAL(restore(op->from_base) == 0);
	qdb *db = NULL;
	qdb_error err = { 0 };
	int rc;
	if (op->run) {
		CU_ASSERT_FATAL(qdb_open(&db, work, 0) == 0);
	}
	io_reset();
	io.kind = m->kind;
	io.at = n;
	io.persistent = m->persistent;
	io.torn = m->torn;
	io.code = m->code;
	io.armed = 1;
	rc = op->run ? op->run(db, &err) : qdb_open(&db, work, 0);
	int fired = io.injected > 0;
	if (fired && !m->persistent)
		io.armed = 0;
	t->runs++;
	if (rc == 0) {
		t->ok++;
	} else {
		t->failed++;
		snprintf(msg, sizeof msg, "%s", qdb_errmsg(db));
		if (verbose())
			fprintf(stderr, "\n  %s, %s %ld: %d '%s'", op->name,
				m->name, n, rc, msg);
		if (rc != QDB_EIO || !strstr(msg, m->says)) {
			fprintf(stderr, "\n  %s, %s %ld: code %d, message "
				"'%s'\n", op->name, m->name, n, rc, msg);
			wrong = 1;
		}
		if (op->run == op_import && (err.code != rc || !err.text[0])) {
			fprintf(stderr, "\n  %s, %s %ld: qdb_error has code "
				"%d, text '%s'\n", op->name, m->name, n,
				err.code, err.text);
			wrong = 1;
		}
	}

	const char *before = op->from_base ? base_state : empty_state;
	const char *want = rc == 0 ? after : before;
	if (rc != 0 && fired) {
		/* What everyone else sees while the handle is still open:
		 * the before state, and no write lock left held.  A
		 * persistent fault is paused for the look, as it only
		 * stands for this process's disk, not the other reader's. */
		int armed = io.armed;
		io.armed = 0;
		char *mid = snapshot(work, why, sizeof why);
		io.armed = armed;
		if (!mid || strcmp(mid, want)) {
			fprintf(stderr, "\n  %s, %s %ld: failed with '%s'; "
				"seen from another connection: %s\n", op->name,
				m->name, n, msg, mid ? "not the before state"
				: why);
			if (mid)
				say_diff("before", want, mid);
			wrong = 1;
		}
		free(mid);
		if (op->run && !m->persistent) {
			/* The disk is back: the same call on the same
			 * handle now works. */
			memset(&err, 0, sizeof err);
			int again = op->run(db, &err);
			if (again != 0) {
				fprintf(stderr, "\n  %s, %s %ld: the retry on "
					"the same handle failed with %d: %s\n",
					op->name, m->name, n, again,
					qdb_errmsg(db));
				wrong = 1;
			} else {
				t->retried++;
				want = after;
			}
		}
	}
	if (rc == 0 && !op->run && fired && !m->persistent) {
		/* An open that reported success despite the fault gives a
		 * handle that works. */
		io.armed = 0;
		int64_t count = -1;
		int crc = qdb_count(&count, db, NULL);
		if (crc != 0 || count != (op->from_base ? base_quotes : 0)) {
			fprintf(stderr, "\n  %s, %s %ld: opened, but counting "
				"gave %d (%lld quotes): %s\n", op->name,
				m->name, n, crc, (long long)count,
				qdb_errmsg(db));
			wrong = 1;
		}
	}
	qdb_close(db);
	fired = io.injected > 0;
	io.armed = 0;
	t->fired += fired;

	char *state = snapshot(work, why, sizeof why);
	if (!state) {
		fprintf(stderr, "\n  %s, %s %ld (call returned %d): the "
			"database fails a check: %s\n", op->name, m->name, n,
			rc, why);
		wrong = 1;
	} else if (strcmp(state, want) != 0) {
		fprintf(stderr, "\n  %s, %s %ld: returned %d ('%s') but the "
			"database %s\n", op->name, m->name, n, rc, msg,
			!strcmp(state, want == after ? before : after)
			? "holds the other state" : "holds neither state");
		say_diff(want == after ? "after" : "before", want, state);
		wrong = 1;
	}
	free(state);
	t->wrong += wrong;
}

/*
 * One operation under every mode: a run without faults counts the calls
 * and gives the after state, then a run with each sampled call failing.
 */
static void run_op(const op_def *op)
{
	char why[512];
	/* The run without faults: the calls it makes, the state it leaves. */
	CU_ASSERT_FATAL(restore(op->from_base) == 0);
	qdb *db = NULL;
	qdb_error err = { 0 };
	long in_call[IO_KINDS] = { 0 };
	if (op->run)
		CU_ASSERT_FATAL(qdb_open(&db, work, 0) == 0);
	io_reset();
	int rc = op->run ? op->run(db, &err) : qdb_open(&db, work, 0);
	if (rc)
		fprintf(stderr, "\n  %s: %s\n", op->name, qdb_errmsg(db));
	CU_ASSERT_FATAL(rc == 0);
	memcpy(in_call, io.calls, sizeof in_call);
	qdb_close(db);
	long total[IO_KINDS];
	memcpy(total, io.calls, sizeof total);
	char *after = snapshot(work, why, sizeof why);
	if (!after)
		fprintf(stderr, "\n  %s: %s\n", op->name, why);
	CU_ASSERT_FATAL(after != NULL);
	CU_ASSERT_EQUAL(strcmp(after, op->from_base ? base_state
			       : empty_state) != 0, op->writes);

	th_buf none = { 0 };
	for (size_t i = 0; i < NMODES; i++) {
		const mode_def *m = &modes[i];
		long calls = total[m->kind];
		if (calls == 0) {
			if (!strstr(none.data ? none.data : "",
				    io_names[m->kind])) {
				put(&none, none.len ? ", " : "");
				put(&none, io_names[m->kind]);
			}
			continue;
		}
		tally t = { 0 };
		for (long n = 1; n <= calls; n++)
			if (sampled(n, calls))
				one_run(op, m, n, after, &t);
		fprintf(stderr, "\n  %s, %s: %ld %s calls (%ld in the call, "
			"%ld in qdb_close), %ld runs, %ld faults injected: %ld "
			"succeeded, %ld failed with a message (%ld retried "
			"fine), %ld wrong", op->name, m->name, calls,
			io_names[m->kind], in_call[m->kind],
			calls - in_call[m->kind], t.runs, t.fired, t.ok,
			t.failed, t.retried, t.wrong);
		CU_ASSERT_EQUAL(t.wrong, 0);
		CU_ASSERT_EQUAL(t.fired, t.runs);
	}
	if (none.len)
		fprintf(stderr, "\n  %s: no %s calls to fail", op->name,
			none.data);
	fprintf(stderr, "\n");
	th_buf_free(&none);
	free(after);
}

static const op_def op_defs[] = {
	{ "import", op_import, 1, 1 },
	{ "add", op_add, 1, 1 },
	{ "delete", op_delete, 1, 1 },
	{ "merge", op_merge, 1, 1 },
	{ "open", NULL, 1, 0 },
	{ "create", NULL, 0, 1 },
	{ "list", op_list, 1, 0 },
};

static void test_import(void)
{
	run_op(&op_defs[0]);
}

static void test_quote_add(void)
{
	run_op(&op_defs[1]);
}

static void test_quote_delete(void)
{
	run_op(&op_defs[2]);
}

static void test_entity_merge(void)
{
	run_op(&op_defs[3]);
}

/* qdb_open on the base database: reads fail, the WAL index cannot be
 * mapped, a file cannot be opened.  Nothing may change. */
static void test_open_existing(void)
{
	run_op(&op_defs[4]);
}

/* qdb_open creating a database: the schema is all there or not at all. */
static void test_open_create(void)
{
	run_op(&op_defs[5]);
}

/* Reading every quote and searching: all of them, or an error. */
static void test_list(void)
{
	run_op(&op_defs[6]);
}

void test_iofault_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_import),
		QDB_TEST(test_quote_add),
		QDB_TEST(test_quote_delete),
		QDB_TEST(test_entity_merge),
		QDB_TEST(test_open_existing),
		QDB_TEST(test_open_create),
		QDB_TEST(test_list),
	};
	TH_SUITE("iofault", iofault_init, iofault_clean, tests);
}
