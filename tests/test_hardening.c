/*
 * test_hardening.c: the "hardening" suite: the attacks of issue 14, each
 * run the way the review ran it, through build/quotedb (or $QDB_CLI):
 * exports aimed at the database itself or through links to descriptors,
 * targets whose mode, owner or links an export must respect, signals in
 * the middle of an export, hostile database content, plugins that are
 * swapped, shadowed or lie about their symbols, resource limits.  Each
 * test checks what a user would: exit status, message, the files left.
 */
#define _DEFAULT_SOURCE
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DATA "tests/data/hardening"

/* The seed collection, imported once for the suite. */
static char seed[PATH_MAX];

/* Runs `quotedb ARGS` (a shell fragment) with no QUOTEDB_DB and the
 * database and home inside the temporary directory. */
__attribute__((format(printf, 3, 4)))
static int qdb_cmd(char **out, char **err, const char *fmt, ...)
{
	char args[6144];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	const char *t = th_tmpdir();
	return th_run(out, err, "env -u QUOTEDB_DB XDG_DATA_HOME='%s/xdg' "
		      "HOME='%s' NO_COLOR=1 '%s' %s", t, t, th_cli(), args);
}

static int has(const char *s, const char *part)
{
	return s && strstr(s, part) != NULL;
}

#define ASSERT_HAS(s, part) do { \
		CU_ASSERT(has(s, part)); \
		if (!has(s, part)) \
			fprintf(stderr, "\n  line %d: want \"%s\" in: %s\n", \
				__LINE__, part, (s) ? (s) : "(null)"); \
	} while (0)

/* A copy of the seed database at name (its -wal and -shm removed). */
__attribute__((unused))
static const char *seed_copy(const char *name)
{
	static char p[4][PATH_MAX];
	static int k;
	char *d = p[k++ % 4];
	snprintf(d, PATH_MAX, "%s", th_path(name));
	if (th_run(NULL, NULL, "rm -f '%s' '%s-wal' '%s-shm' && cp '%s' '%s'",
		   d, d, d, seed, d) != 0)
		CU_FAIL("copy of the seed database");
	return d;
}

static int suite_init(void)
{
	snprintf(seed, sizeof seed, "%s", th_path("seed.db"));
	if (th_run(NULL, NULL, "'%s' --db '%s' import quotes/ && sqlite3 '%s' "
		   "'PRAGMA wal_checkpoint(TRUNCATE)'", th_cli(), seed,
		   seed) != 0)
		return -1;
	return 0;
}

static int suite_clean(void)
{
	th_cleanup();
	return 0;
}

/* ---- 2: export -o onto the database ------------------------------- */

static void test_export_onto_database(void)
{
	/* Each case: the --db given, the -o given, inside a directory of
	 * its own where d.db is the database. */
	static const struct { const char *db, *out; } cases[] = {
		{ "d.db", "d.db" },
		{ "d.db", "./d.db" },
		{ "link.db", "d.db" },          /* --db through a symlink */
		{ "d.db", "link.db" },          /* -o through a symlink */
		{ "d.db", "hard.db" },          /* a hard link to it */
		{ "d.db", "d.db-wal" },
		{ "d.db", "d.db-shm" },
		{ "./sub/../d.db", "d.db" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s", th_path("onto"));
		CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "rm -rf '%s' && mkdir "
			"-p '%s/sub' && cp '%s' '%s/d.db' && cd '%s' && ln -s "
			"d.db link.db && ln d.db hard.db", dir, dir, seed, dir,
			dir), 0);
		char *err = NULL;
		int rc = qdb_cmd(NULL, &err, "--db '%s/%s' export --format csv "
				 "-o '%s/%s'", dir, cases[i].db, dir,
				 cases[i].out);
		CU_ASSERT_EQUAL(rc, 1);
		ASSERT_HAS(err, "is the database itself");
		free(err);
		/* The database is whole: it still lists all the quotes. */
		char *out = NULL;
		rc = qdb_cmd(&out, NULL, "--db '%s/d.db' info", dir);
		CU_ASSERT_EQUAL(rc, 0);
		ASSERT_HAS(out, "86");
		if (rc)
			fprintf(stderr, "\n  case %zu (%s, %s) destroyed it\n",
				i, cases[i].db, cases[i].out);
		free(out);
	}
}

/* ---- 3: -o to something that is not a regular file ---------------- */

static void test_export_to_descriptor_link(void)
{
	const char *t = th_tmpdir();
	/* A link to /dev/stdout, with stdout redirected to a file: the file
	 * gets the export and the link stays a link. */
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "cd '%s' && rm -f so.lnk "
				     "fd.lnk && ln -s /dev/stdout so.lnk && ln "
				     "-s /proc/self/fd/1 fd.lnk", t), 0);
	static const char *const links[] = { "so.lnk", "fd.lnk" };
	for (size_t i = 0; i < 2; i++) {
		char *err = NULL;
		int rc = qdb_cmd(NULL, &err, "--db '%s' export --format csv "
				 "-o '%s/%s' > '%s/redirected.csv'", seed, t,
				 links[i], t);
		CU_ASSERT_EQUAL(rc, 0);
		free(err);
		struct stat st;
		char p[PATH_MAX];
		snprintf(p, sizeof p, "%s/%s", t, links[i]);
		CU_ASSERT(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));
		snprintf(p, sizeof p, "%s/redirected.csv", t);
		CU_ASSERT(stat(p, &st) == 0 && st.st_size > 1000);
		/* And no temporary file beside the link. */
		CU_ASSERT_EQUAL(th_run(NULL, NULL, "ls '%s' | grep -q tmp", t),
				1);
	}
	/* A FIFO is written in place, read by its reader. */
	char *out = NULL;
	int rc = th_run(&out, NULL, "cd '%s' && rm -f f.fifo && mkfifo f.fifo "
			"&& (wc -l < f.fifo > fifo.count &) && env -u "
			"QUOTEDB_DB '%s' --db '%s' export --format csv -o "
			"f.fifo && sleep 0.2 && cat fifo.count && test -p f.fifo",
			t, th_cli(), seed);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(out && atoi(out) >= 87);
	free(out);
}

void test_hardening_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_export_onto_database),
		QDB_TEST(test_export_to_descriptor_link),
	};
	TH_SUITE("hardening", suite_init, suite_clean, tests);
}
