/*
 * helpers.h: what several test suites share: reading files, temporary
 * directories, running the quotedb command and capturing its output.
 */
#ifndef QDB_TEST_HELPERS_H
#define QDB_TEST_HELPERS_H

#include <stddef.h>
#include <CUnit/CUnit.h>
#include <sqlite3.h>
#include "quotedb.h"

/* Adds a suite and its tests: QDB_ADD_SUITE("name", setup, teardown, {...}) */
#define QDB_TEST(fn) { #fn, fn }
typedef struct qdb_test_def { const char *name; void (*fn)(void); } qdb_test_def;
void th_add_suite(const char *name, int (*init)(void), int (*clean)(void),
		  const qdb_test_def *tests, size_t n);
#define TH_SUITE(name, init, clean, tests) \
	th_add_suite(name, init, clean, tests, sizeof(tests) / sizeof(tests[0]))

/* Reads a whole file; *len gets its size.  Caller frees.  NULL on error. */
char *th_read_file(const char *path, size_t *len);

/* Writes len bytes to path; 0 on success. */
int th_write_file(const char *path, const void *buf, size_t len);

/* A fresh empty directory under $TMPDIR (or /tmp), removed by th_cleanup. */
const char *th_tmpdir(void);

/* "<tmpdir>/name" in a static rotating buffer (8 slots). */
const char *th_path(const char *name);

/* Removes the temporary directory. */
void th_cleanup(void);

/* Runs a shell command; stdout into *out (caller frees, may be NULL to
 * discard), stderr into *err likewise.  Returns the exit status, or -1. */
int th_run(char **out, char **err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The quotedb command of the build tree, as an absolute path, or
 * $QDB_CLI when set (the sanitizer and coverage builds). */
const char *th_cli(void);

/* The plugin NAME.so of the build being tested: $QDB_PLUGINS (a directory,
 * set by the sanitizer and coverage builds) or build/plugins.  Static
 * rotating buffer, like th_path. */
const char *th_plugin(const char *name);

/* 1 when this process runs under valgrind (its preload library is in
 * LD_PRELOAD; valgrind takes it out of what an untraced child sees). */
int th_under_valgrind(void);

/* Opens a new database in the temporary directory; asserts on failure. */
qdb *th_open_fresh(const char *name);

/* The first column of sql's first row as an integer (-1 on failure),
 * through a read-only connection of its own, or through db. */
long long th_sql_int(const char *dbpath, const char *sql);
long long th_sql_int_on(sqlite3 *db, const char *sql);

/* A growing memory buffer, usable as a qdb_write_fn payload. */
typedef struct th_buf { char *data; size_t len, cap; } th_buf;
int th_buf_write(const void *buf, size_t len, void *payload);
void th_buf_free(th_buf *b);

#endif
