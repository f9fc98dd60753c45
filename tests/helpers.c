/*
 * helpers.c: the shared test helpers declared in helpers.h.
 */
#include "helpers.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sqlite3.h>

void th_add_suite(const char *name, int (*init)(void), int (*clean)(void),
		  const qdb_test_def *tests, size_t n)
{
	CU_pSuite s = CU_add_suite(name, init, clean);
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		CU_add_test(s, tests[i].name, tests[i].fn);
}

char *th_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		cap *= 2;
		char *nb = realloc(buf, cap + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
		}
		buf = nb;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

int th_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int rc = fwrite(buf, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

static char tmpdir[PATH_MAX];

const char *th_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(tmpdir, sizeof tmpdir, "%s/qdbtest.XXXXXX",
			 t && *t ? t : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return tmpdir;
}

const char *th_path(const char *name)
{
	static char slots[8][PATH_MAX];
	static int next;
	char *p = slots[next++ % 8];
	snprintf(p, PATH_MAX, "%s/%s", th_tmpdir(), name);
	return p;
}

void th_cleanup(void)
{
	if (tmpdir[0]) {
		char cmd[PATH_MAX + 16];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
		tmpdir[0] = '\0';
	}
}

static char *slurp_fd_file(const char *path)
{
	char *s = th_read_file(path, NULL);
	unlink(path);
	return s;
}

int th_run(char **out, char **err, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	char o[PATH_MAX], e[PATH_MAX];
	snprintf(o, sizeof o, "%s/.run.out", th_tmpdir());
	snprintf(e, sizeof e, "%s/.run.err", th_tmpdir());
	char full[8192 + 2 * PATH_MAX + 32];
	snprintf(full, sizeof full, "( %s ) >'%s' 2>'%s'", cmd, o, e);
	int st = system(full);
	char *so = slurp_fd_file(o), *se = slurp_fd_file(e);
	if (out)
		*out = so;
	else
		free(so);
	if (err)
		*err = se;
	else
		free(se);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

const char *th_plugin(const char *name)
{
	static char slots[4][PATH_MAX];
	static int next;
	char *p = slots[next++ % 4];
	const char *dir = getenv("QDB_PLUGINS");
	snprintf(p, PATH_MAX, "%s/%s.so", dir && *dir ? dir : "build/plugins",
		 name);
	return p;
}

const char *th_cli(void)
{
	static char path[PATH_MAX];
	/* $QDB_CLI: another build of the command (make check-asan). */
	const char *env = getenv("QDB_CLI");
	if (env && *env)
		return env;
	if (!path[0]) {
		/* Room left for the suffix keeps -Wformat-truncation quiet. */
		char cwd[PATH_MAX - 32];
		if (!getcwd(cwd, sizeof cwd))
			return "build/quotedb";
		snprintf(path, sizeof path, "%s/build/quotedb", cwd);
	}
	return path;
}

int th_under_valgrind(void)
{
	const char *preload = getenv("LD_PRELOAD");
	return preload && strstr(preload, "vgpreload") != NULL;
}

qdb *th_open_fresh(const char *name)
{
	const char *p = th_path(name);
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof cmd, "rm -f '%s' '%s-wal' '%s-shm'", p, p, p);
	if (system(cmd) != 0)
		return NULL;
	qdb *db = NULL;
	int rc = qdb_open(&db, p, 0);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	return db;
}

long long th_sql_int_on(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

long long th_sql_int(const char *dbpath, const char *sql)
{
	sqlite3 *db;
	long long v = -1;
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK)
		v = th_sql_int_on(db, sql);
	sqlite3_close(db);
	return v;
}

int th_buf_write(const void *buf, size_t len, void *payload)
{
	th_buf *b = payload;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + len + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, buf, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

void th_buf_free(th_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
