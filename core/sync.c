/*
 * sync.c: making the database mirror a set of YAML files (qdb_sync_paths,
 * `quotedb sync`).
 *
 * The files are the source of truth.  One transaction holds the whole
 * run: every file read is parsed into it (import.c) with a claim hook
 * that records which file holds each id, a quote whose id a row has is
 * changed in place (quote.c), and at the end the quotes of the files read
 * that no file claimed any more are removed, with the files that are
 * gone.  A file whose bytes hash to what the last sync stored is not
 * parsed: nothing in the database can have moved away from it, since
 * delete refuses a file's quote and aliases in a file are its own.
 *
 * A file is hashed, then parsed from the same open descriptor while it
 * is hashed again: a file rewritten in between is reported, never half
 * read.  Like git's index, files.hash keeps beside the hash the size,
 * modification time and inode the file had, and when it was hashed: a
 * file whose stat still says the same is not read at all (a million
 * quotes in 100 unchanged files: 600 MB not read).
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum file_state { F_SAME, F_READ, F_GONE };

typedef struct sync_file {
	char *path;
	sqlite3_int64 id;          /* files row; 0 while new */
	enum file_state state;
	char hash[128];            /* files.hash: see file_sig */
	int64_t added, changed, removed;
} sync_file;

typedef struct sync_run {
	qdb__import_hooks hooks;   /* first: the hooks are the run */
	qdb *db;
	sync_file *files;
	size_t n, cap;
	sync_file *cur;
	/* of the quote being stored, set by claim for stored */
	sync_file *moved_from;
	int adopted;
	qdb_sync_cb cb;
	void *payload;
	qdb_error *err;
} sync_run;

/* ---- the list of files --------------------------------------------- */

/* path without "./" in front and '/' at the end: the form stored. */
static char *clean_path(const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		for (path += 2; *path == '/'; path++)
			;
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	return strndup(path, n);
}

static sync_file *find_file(sync_run *r, const char *path)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->files[i].path, path))
			return &r->files[i];
	return NULL;
}

static sync_file *file_by_id(sync_run *r, sqlite3_int64 id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->files[i].id == id)
			return &r->files[i];
	return NULL;
}

/* Adds path (taken over) unless it is there already. */
static int add_file(sync_run *r, char *path, enum file_state state)
{
	if (find_file(r, path)) {
		free(path);
		return 0;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		sync_file *f = realloc(r->files, cap * sizeof *f);
		if (!f) {
			free(path);
			return qdb__error_set(r->err, QDB_ENOMEM, "out of memory");
		}
		r->files = f;
		r->cap = cap;
	}
	sync_file *f = &r->files[r->n++];
	memset(f, 0, sizeof *f);
	f->path = path;
	f->state = state;
	return 0;
}

/* Whether the stored path lies under one of the given paths (a file
 * given, or a directory's file). */
static int in_scope(const char *path, char *const *given, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(given[i]);
		if (!strcmp(given[i], ".") && !strchr(path, '/'))
			return 1;   /* "./a.yaml" is stored as "a.yaml" */
		if (!strcmp(path, given[i]) || (!strncmp(path, given[i], l) &&
						path[l] == '/' &&
						!strchr(path + l + 1, '/')))
			return 1;
	}
	return 0;
}

/* The files of the given paths, then the known ones under them that
 * are gone.  A path that does not exist is a known file gone, or an
 * error. */
static int list_files(sync_run *r, char *const *given, size_t n)
{
	int rc = 0;
	char *missing = NULL;
	for (size_t i = 0; i < n && !rc; i++) {
		struct stat st;
		if (stat(given[i], &st) != 0) {
			if (!missing)
				missing = given[i];
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			char *p = strdup(given[i]);
			rc = p ? add_file(r, p, F_READ)
				: qdb__error_set(r->err, QDB_ENOMEM,
						 "out of memory");
			continue;
		}
		char **names;
		size_t k;
		if ((rc = qdb__yaml_files(&names, &k, given[i], r->err)))
			break;
		for (size_t j = 0; j < k && !rc; j++) {
			char *p = clean_path(names[j]);
			rc = p ? add_file(r, p, F_READ)
				: qdb__error_set(r->err, QDB_ENOMEM,
						 "out of memory");
		}
		qdb__yaml_files_free(names, k);
	}
	if (rc)
		return rc;
	sqlite3_stmt *st;
	if ((rc = qdb__prepare(&st, r->db, "SELECT id, path, hash FROM files "
			       "ORDER BY path")))
		return rc;
	int s;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 1);
		const char *hash = (const char *)sqlite3_column_text(st, 2);
		sync_file *f = find_file(r, path);
		if (!f && in_scope(path, given, n)) {
			char *p = strdup(path);
			if (!p || (rc = add_file(r, p, F_GONE))) {
				rc = qdb__error_set(r->err, QDB_ENOMEM,
						    "out of memory");
				break;
			}
			f = &r->files[r->n - 1];
		}
		if (!f)
			continue;
		f->id = sqlite3_column_int64(st, 0);
		if (hash)
			snprintf(f->hash, sizeof f->hash, "%s", hash);
	}
	if (!rc && s != SQLITE_DONE)
		rc = qdb__fail_sql(r->db, "files");
	sqlite3_finalize(st);
	if (rc)
		return rc;
	/* A path given that is neither there nor known. */
	for (size_t i = 0; missing && i < n; i++) {
		struct stat sb;
		if (stat(given[i], &sb) == 0 || find_file(r, given[i]))
			continue;
		snprintf(r->err->file, sizeof r->err->file, "%s", given[i]);
		return qdb__error_set(r->err, QDB_ENOTFOUND, "cannot open: %s",
				      strerror(ENOENT));
	}
	return 0;
}

/* The paths to sync: those given, else the last sync's, else quotes. */
static int given_paths(char ***out, size_t *out_n, qdb *db,
		       const char *const *paths, size_t n, qdb_error *err)
{
	char **v = NULL;
	size_t k = 0, cap = n ? n : 8;
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (!(v = calloc(cap, sizeof *v)))
		return qdb__error_set(err, QDB_ENOMEM, "out of memory");
	if (!n && (rc = qdb__prepare(&st, db, "SELECT path FROM sync_paths "
				     "ORDER BY pos")))
		goto fail;
	for (;;) {
		const char *p;
		if (n) {
			if (k == n)
				break;
			p = paths[k];
		} else {
			int s = sqlite3_step(st);
			if (s == SQLITE_DONE)
				break;
			if (s != SQLITE_ROW) {
				rc = qdb__fail_sql(db, "sync paths");
				goto fail;
			}
			p = (const char *)sqlite3_column_text(st, 0);
		}
		if (k == cap) {
			char **nv = realloc(v, 2 * cap * sizeof *v);
			if (!nv)
				goto oom;
			v = nv;
			cap *= 2;
		}
		if (!(v[k] = clean_path(p)))
			goto oom;
		k++;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!k && !(v[k++] = strdup("quotes")))
		goto oom;
	*out = v;
	*out_n = k;
	return 0;
oom:
	rc = qdb__error_set(err, QDB_ENOMEM, "out of memory");
fail:
	if (rc && err->code == 0)
		*err = *qdb_last_error(db);
	sqlite3_finalize(st);
	for (size_t i = 0; i < k; i++)
		free(v[i]);
	free(v);
	return rc;
}

/* ---- events --------------------------------------------------------- */

static int tell(sync_run *r, const sync_file *f, int change, const char *id,
		const sync_file *other)
{
	if (!r->cb)
		return 0;
	qdb_sync_event e = { sizeof e, f->path, change, id,
			     other ? other->path : NULL, 0, 0, 0, 0 };
	if (!r->cb(&e, r->payload))
		return 0;
	return qdb__error_set(r->err, QDB_EUSER, "stopped by the sync "
			      "callback");
}

static int tell_file(sync_run *r, const sync_file *f)
{
	if (!r->cb)
		return 0;
	qdb_sync_event e = { sizeof e, f->path, 0, NULL, NULL, f->added,
			     f->changed, f->removed, f->state == F_SAME };
	if (!r->cb(&e, r->payload))
		return 0;
	return qdb__error_set(r->err, QDB_EUSER, "stopped by the sync "
			      "callback");
}

/* ---- the hooks the parse calls -------------------------------------- */

/* Who holds id in this run: 1 and the place, 0 when no file yet. */
static int seen_at(sync_run *r, qdb_str id, sqlite3_int64 *file, int *line,
		   int *col)
{
	sqlite3_stmt *st;
	if (qdb__prepare(&st, r->db, "SELECT file, line, col FROM "
			 "temp.sync_seen WHERE id = ?1"))
		return -1;
	qdb__bind_str(st, 1, id);
	int found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		*file = sqlite3_column_int64(st, 0);
		*line = sqlite3_column_int(st, 1);
		*col = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	return found;
}

static int claim(void *payload, qdb_str id, int exists,
		 sqlite3_int64 old_file, qdb_error *err)
{
	sync_run *r = payload;
	sqlite3_int64 file;
	int line, col;
	r->moved_from = NULL;
	r->adopted = 0;
	int seen = seen_at(r, id, &file, &line, &col);
	if (seen < 0)
		return qdb__error_set(err, QDB_ERROR, "%s",
				      qdb_errmsg(r->db));
	if (seen) {
		sync_file *f = file_by_id(r, file);
		snprintf(err->field, sizeof err->field, "id");
		return qdb__error_set(err, QDB_EEXISTS, "the id '%.*s' is "
				      "also claimed at %s:%d:%d; an id names "
				      "one quote", (int)id.len, id.ptr,
				      f ? f->path : "?", line, col);
	}
	if (exists && old_file && old_file != r->cur->id) {
		sync_file *f = file_by_id(r, old_file);
		if (!f || f->state == F_SAME) {
			/* A file this run does not read still holds it. */
			sqlite3_stmt *st;
			const char *path = NULL;
			if (!qdb__prepare(&st, r->db, "SELECT path FROM files "
					  "WHERE id = ?1")) {
				sqlite3_bind_int64(st, 1, old_file);
				if (sqlite3_step(st) == SQLITE_ROW)
					path = (const char *)
						sqlite3_column_text(st, 0);
			}
			snprintf(err->field, sizeof err->field, "id");
			qdb__error_set(err, QDB_EEXISTS, "the id '%.*s' is also "
				       "claimed in %s; an id names one quote",
				       (int)id.len, id.ptr, path ? path : "?");
			sqlite3_finalize(st);
			return QDB_EEXISTS;
		}
		r->moved_from = f;
	}
	r->adopted = exists && !old_file;
	sqlite3_stmt *st;
	if (qdb__prepare(&st, r->db, "INSERT INTO temp.sync_seen (id, file, "
			 "line, col) VALUES (?1, ?2, ?3, ?4)"))
		return qdb__error_set(err, QDB_ERROR, "%s", qdb_errmsg(r->db));
	qdb__bind_str(st, 1, id);
	sqlite3_bind_int64(st, 2, r->cur->id);
	sqlite3_bind_int(st, 3, r->hooks.line);
	sqlite3_bind_int(st, 4, r->hooks.column);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0
		: qdb__fail_sql(r->db, "sync");
	sqlite3_finalize(st);
	if (rc)
		return qdb__error_set(err, rc, "%s", qdb_errmsg(r->db));
	return 0;
}

static int stored(qdb__import_hooks *h, const char *id, int what,
		  qdb_error *err)
{
	sync_run *r = (sync_run *)h;
	sync_file *f = r->cur;
	int rc;
	(void)err;
	if (r->moved_from) {
		f->added++;
		r->moved_from->removed++;
		if ((rc = tell(r, r->moved_from, '-', id, f)))
			return rc;
		return tell(r, f, '+', id, r->moved_from);
	}
	if (what == QDB__PUT_ADDED) {
		f->added++;
		return tell(r, f, '+', id, NULL);
	}
	if (what == QDB__PUT_CHANGED || r->adopted) {
		f->changed++;
		return tell(r, f, '~', id, NULL);
	}
	return 0;
}

/* ---- one file -------------------------------------------------------- */

static int hash_stream(uint64_t *out, FILE *fp)
{
	unsigned char buf[65536];
	qdb__hash h;
	size_t n;
	qdb__hash_init(&h);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		qdb__hash_add(&h, buf, n);
	*out = qdb__hash_end(&h);
	return ferror(fp) ? -1 : 0;
}

/*
 * files.hash: "HASH SIZE MTIME.NSEC INODE WHEN", the content hash (hex),
 * then the file's stat when it was hashed, and when (seconds).  Older
 * rows hold the hash alone, or a hash of another function: they never
 * match, and the file is read once more.
 */
static void file_sig(char *out, size_t cap, uint64_t h,
		     const struct stat *sb, time_t when)
{
	snprintf(out, cap, "%016llx %lld %lld.%09ld %llu %lld",
		 (unsigned long long)h, (long long)sb->st_size,
		 (long long)sb->st_mtim.tv_sec, (long)sb->st_mtim.tv_nsec,
		 (unsigned long long)sb->st_ino, (long long)when);
}

/*
 * Whether the stat in stored says the file is unchanged: same size,
 * modification time and inode, and modified at least two seconds before
 * it was hashed.  A file changed within the same tick of its file
 * system's clock as the hash was taken could keep its time (git's "racy"
 * case): then the hash decides.
 */
static int stat_same(const char *stored, const struct stat *sb)
{
	char hex[17];
	long long size, sec, when;
	long nsec;
	unsigned long long ino;
	if (sscanf(stored, "%16s %lld %lld.%ld %llu %lld", hex, &size, &sec,
		   &nsec, &ino, &when) != 6)
		return 0;
	return size == (long long)sb->st_size &&
	       sec == (long long)sb->st_mtim.tv_sec &&
	       nsec == (long)sb->st_mtim.tv_nsec &&
	       ino == (unsigned long long)sb->st_ino && when - sec >= 2;
}

static int forget_aliases(qdb *db, sqlite3_int64 file)
{
	char sql[160];
	snprintf(sql, sizeof sql, "DELETE FROM speaker_aliases WHERE "
		 "file_id = %lld; DELETE FROM outlet_aliases WHERE "
		 "file_id = %lld", (long long)file, (long long)file);
	return qdb__exec(db, sql);
}

static int read_file(sync_run *r, sync_file *f, qdb_import_stats *stats)
{
	qdb_error *err = r->err;
	FILE *fp = fopen(f->path, "rb");
	uint64_t h;
	int rc = 0;
	struct stat sb;
	if (fp && f->id && fstat(fileno(fp), &sb) == 0 &&
	    stat_same(f->hash, &sb)) {
		f->state = F_SAME;
		fclose(fp);
		return 0;
	}
	time_t when = time(NULL);
	if (!fp || fstat(fileno(fp), &sb) != 0 || hash_stream(&h, fp)) {
		snprintf(err->file, sizeof err->file, "%s", f->path);
		rc = qdb__error_set(err, QDB_EIO, "cannot %s: %s",
				    fp ? "read" : "open", strerror(errno));
		if (fp)
			fclose(fp);
		return rc;
	}
	char hex[17], sig[sizeof f->hash];
	snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
	file_sig(sig, sizeof sig, h, &sb, when);
	if (f->id && !strncmp(hex, f->hash, 16) &&
	    (f->hash[16] == ' ' || f->hash[16] == '\0')) {
		/* The same bytes (touched, checked out again): kept, with
		 * the stat that will spare the next sync reading it. */
		f->state = F_SAME;
		fclose(fp);
		memcpy(f->hash, sig, sizeof sig);
		if ((rc = qdb__file_row(&f->id, r->db, f->path, sig)))
			*err = *qdb_last_error(r->db);
		return rc;
	}
	memcpy(f->hash, sig, sizeof sig);
	if ((rc = qdb__file_row(&f->id, r->db, f->path, sig)) ||
	    (rc = forget_aliases(r->db, f->id))) {
		*err = *qdb_last_error(r->db);
		fclose(fp);
		return rc;
	}
	r->cur = f;
	r->hooks.put.file = f->id;
	qdb__scope_set(r->db, f->id);
	rewind(fp);
	rc = qdb__import_stream(r->db, f->path, fp, &r->hooks, stats, err);
	qdb__scope_set(r->db, 0);
	if (!rc && (ferror(fp) || r->hooks.hash != h)) {
		snprintf(err->file, sizeof err->file, "%s", f->path);
		rc = qdb__error_set(err, QDB_EIO, ferror(fp) ? "read error"
				    : "the file changed while it was read; "
				    "run the sync again");
	}
	fclose(fp);
	return rc;
}

/* Removes the quotes of f no file claimed in this run. */
static int sweep(sync_run *r, sync_file *f)
{
	sqlite3_stmt *st;
	int rc = qdb__prepare(&st, r->db, "SELECT qid, id FROM quotes WHERE "
			      "file_id = ?1 AND id NOT IN (SELECT id FROM "
			      "temp.sync_seen) ORDER BY qid");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, f->id);
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		f->removed++;
		if ((rc = tell(r, f, '-', (const char *)
			       sqlite3_column_text(st, 1), NULL)))
			break;
		/* Deleting rows of the table being read: SQLite allows it
		 * for rows already visited. */
		if ((rc = qdb__quote_remove(r->db, sqlite3_column_int64(st, 0))))
			break;
	}
	if (!rc && s != SQLITE_DONE)
		rc = qdb__fail_sql(r->db, "sync");
	sqlite3_finalize(st);
	if (rc || f->state != F_GONE)
		return rc;
	char sql[64];
	snprintf(sql, sizeof sql, "DELETE FROM files WHERE id = %lld",
		 (long long)f->id);
	if ((rc = forget_aliases(r->db, f->id)) || (rc = qdb__exec(r->db, sql)))
		return rc;
	return 0;
}

static int store_paths(qdb *db, char *const *given, size_t n)
{
	int rc = qdb__exec(db, "DELETE FROM sync_paths");
	sqlite3_stmt *st;
	if (rc || (rc = qdb__prepare(&st, db, "INSERT INTO sync_paths (path) "
				     "VALUES (?1)")))
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, given[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = qdb__fail_sql(db, "sync paths");
	}
	sqlite3_finalize(st);
	return rc;
}

static int run_sync(sync_run *r, char *const *given, size_t ngiven,
		    int store)
{
	int rc;
	qdb_error *err = r->err;
	qdb_import_stats stats = QDB_IMPORT_STATS_INIT;
	if ((rc = qdb__exec(r->db, "CREATE TEMP TABLE sync_seen ("
			    "  id TEXT PRIMARY KEY, file INTEGER,"
			    "  line INTEGER, col INTEGER) WITHOUT ROWID")))
		goto sqlfail;
	if ((rc = list_files(r, given, ngiven)))
		return rc;
	for (size_t i = 0; i < r->n; i++)
		if (r->files[i].state == F_READ &&
		    (rc = read_file(r, &r->files[i], &stats)))
			return rc;
	int same = 1;
	for (size_t i = 0; i < r->n; i++) {
		if (r->files[i].state == F_SAME)
			continue;
		same = 0;
		if ((rc = sweep(r, &r->files[i])))
			goto sqlfail;
	}
	/* Nothing read and nothing gone: nothing lost its last quote, and
	 * the collection-wide sweep for what did is spared. */
	if ((!same && (rc = qdb__gc(r->db))) ||
	    (store && (rc = store_paths(r->db, given, ngiven))) ||
	    (rc = qdb__exec(r->db, "DROP TABLE temp.sync_seen")))
		goto sqlfail;
	for (size_t i = 0; i < r->n; i++)
		if ((rc = tell_file(r, &r->files[i])))
			return rc;
	return 0;
sqlfail:
	if (!err->code)
		*err = *qdb_last_error(r->db);
	return rc;
}

int qdb_sync_paths(qdb *db, const char *const *paths, size_t n,
		   unsigned flags, qdb_sync_cb cb, void *payload,
		   qdb_error *err)
{
	if (!db || (!paths && n))
		return QDB_EINVALID;
	qdb_error mine;
	memset(&mine, 0, sizeof mine);
	sync_run r;
	memset(&r, 0, sizeof r);
	r.db = db;
	r.cb = cb;
	r.payload = payload;
	r.err = &mine;
	r.hooks.put.claim = claim;
	r.hooks.put.payload = &r;
	r.hooks.stored = stored;
	int rc = qdb__begin(db);
	if (rc) {
		if (err)
			*err = *qdb_last_error(db);
		return rc;
	}
	char **given = NULL;
	size_t ngiven = 0;
	rc = given_paths(&given, &ngiven, db, paths, n, &mine);
	if (!rc)
		rc = run_sync(&r, given, ngiven, n > 0);
	if (!rc && !(flags & QDB_SYNC_DRY_RUN)) {
		if ((rc = qdb__commit(db)) != 0)
			mine = *qdb_last_error(db);
	} else {
		qdb__rollback(db);
	}
	if (rc)
		qdb__error_to_db(db, &mine);
	else
		qdb__ok(db);
	for (size_t i = 0; i < r.n; i++)
		free(r.files[i].path);
	free(r.files);
	for (size_t i = 0; i < ngiven; i++)
		free(given[i]);
	free(given);
	if (err)
		*err = mine;
	return rc;
}
