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

/* Compiles tests/data/faults/SRC (or tests/data/hardening/SRC when
 * local) into <tmpdir>/OUT with flags; the path, or NULL. */
static const char *build_so(const char *src, const char *out,
			    const char *flags, int local)
{
	static char p[8][PATH_MAX];
	static int k;
	char *d = p[k++ % 8];
	char cwd[PATH_MAX - 64];
	if (!getcwd(cwd, sizeof cwd))
		return NULL;
	snprintf(d, PATH_MAX, "%s", th_path(out));
	char *err = NULL;
	int rc = th_run(NULL, &err, "mkdir -p \"$(dirname '%s')\" && cc "
			"-std=c11 -Wall -Werror -shared -fPIC "
			"-fvisibility=hidden -I'%s/core/include' %s -o '%s' "
			"'%s/%s/%s' && chmod 755 '%s'", d, cwd,
			flags ? flags : "", d, cwd, local ? DATA
			: "tests/data/faults", src, d);
	if (rc)
		fprintf(stderr, "\n  cc %s failed: %s\n", src, err ? err : "");
	free(err);
	return rc ? NULL : d;
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

/* ---- 1: a plugin swapped between check and load --------------------- */

static void test_plugin_directories_checked(void)
{
	/* The plugin in <tmp>/pd/outer/inner/ctor.so; each case sets the
	 * modes and owners of outer and inner, and says what the message
	 * must hold (NULL: it loads). */
	static const struct {
		const char *setup, *refusal;
	} cases[] = {
		{ "true", NULL },
		{ "chmod 777 outer/inner", "inner is writable by others (mode "
		  "777)" },
		{ "chmod 775 outer/inner", "inner is writable by others (mode "
		  "775)" },
		{ "chmod 757 outer", "outer is writable by others (mode 757)" },
		{ "chmod 1777 outer/inner", NULL },   /* root's and sticky */
		{ "chmod 1777 outer/inner && chown 65534 outer/inner",
		  "inner is owned by another user (uid 65534)" },
		{ "chown 65534 outer", "outer is owned by another user" },
		{ "chmod 666 outer/inner/ctor.so", "plugin is writable by "
		  "others" },
	};
	const char *so = build_so("ctor_plugin.c", "pd/ctor.so", NULL, 0);
	CU_ASSERT_FATAL(so != NULL);
	const char *t = th_tmpdir();
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "cd '%s/pd' && rm -rf "
			"outer marker && mkdir -p outer/inner && chmod 755 "
			"outer outer/inner && cp ctor.so outer/inner/ && %s",
			t, cases[i].setup), 0);
		char *err = NULL;
		int rc = th_run(NULL, &err, "QDB_FAULTS_MARKER='%s/pd/marker' "
				"'%s' --db '%s' export --format '%s/pd/outer/"
				"inner/ctor.so' -o /dev/null", t, th_cli(),
				seed, t);
		int loaded = access(th_path("pd/marker"), F_OK) == 0;
		if (cases[i].refusal) {
			CU_ASSERT_EQUAL(rc, 1);
			ASSERT_HAS(err, cases[i].refusal);
			CU_ASSERT(!loaded);
		} else {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT(loaded);
			if (rc)
				fprintf(stderr, "\n  case %zu: %s\n", i, err);
		}
		free(err);
	}
	th_run(NULL, NULL, "chown -R 0 '%s/pd'", t);
}

/* What dlopen loads is the descriptor that was checked, by its
 * /proc/self/fd name, not the path again. */
static void test_plugin_loaded_from_checked_descriptor(void)
{
	char *err = NULL;
	int rc = th_run(NULL, &err, "LD_DEBUG=files '%s' formats", th_cli());
	CU_ASSERT_EQUAL(rc, 0);
	ASSERT_HAS(err, "file=/proc/self/fd/");
	CU_ASSERT(!has(err, "file=/work"));
	CU_ASSERT(!has(err, "plugins/csv.so [0];  dynamically loaded"));
	free(err);
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
			"f.fifo && sleep 0.2 && cat fifo.count && test -p "
			"f.fifo",
			t, th_cli(), seed);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(out && atoi(out) >= 87);
	free(out);
}

/* ---- 6: signals in the middle of an export ------------------------- */

/* The pid of pid's first child, or 0 (Linux's children list). */
static pid_t child_of(pid_t pid)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/task/%d/children", (int)pid,
		 (int)pid);
	char *s = th_read_file(p, NULL);
	pid_t c = s ? (pid_t)atoi(s) : 0;
	free(s);
	return c;
}

/* Whether dir holds a name starting with prefix. */
static int any_file(const char *dir, const char *prefix)
{
	char *out = NULL;
	th_run(&out, NULL, "ls -a '%s'", dir);
	int found = has(out, prefix);
	free(out);
	return found;
}

static void test_signal_mid_export(void)
{
	const char *hang = build_so("crash_plugin.c", "sig/hang.so",
				    "-DCRASH_HANG", 0);
	CU_ASSERT_FATAL(hang != NULL);
	char dir[PATH_MAX], out[PATH_MAX + 16];
	snprintf(dir, sizeof dir, "%s", th_path("sig"));
	snprintf(out, sizeof out, "%s/out.txt", dir);
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(th_write_file(out, "old\n", 4), 0);
		pid_t pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_RDWR);
			dup2(null, 1);
			dup2(null, 2);
			signal(SIGINT, SIG_DFL);
			execl(th_cli(), "quotedb", "--db", seed, "export",
			      "--format", hang, "-o", out, (char *)NULL);
			_exit(127);
		}
		/* Until the plugin's child runs (at most 20 s). */
		pid_t child = 0;
		for (int k = 0; k < 2000 && !(child = child_of(pid)); k++)
			usleep(10000);
		CU_ASSERT_FATAL(child > 0);
		CU_ASSERT(any_file(dir, "out.txt.tmp"));
		usleep(100000);   /* the plugin is in its hang by now */
		kill(pid, sigs[i]);
		int st = 0;
		waitpid(pid, &st, 0);
		CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 128 + sigs[i]);
		if (!WIFEXITED(st))
			fprintf(stderr, "\n  %s: killed by signal %d\n",
				strsignal(sigs[i]), WTERMSIG(st));
		/* The child is gone, no temporary file is left, and the old
		 * export is untouched. */
		int gone = 0;
		for (int k = 0; k < 500 && !gone; k++) {
			gone = kill(child, 0) != 0 ||
			       waitpid(child, NULL, WNOHANG) != 0;
			char p[64];
			snprintf(p, sizeof p, "/proc/%d/stat", (int)child);
			char *stat = th_read_file(p, NULL);
			/* A zombie waiting for init counts as gone. */
			if (stat && strstr(stat, ") Z "))
				gone = 1;
			free(stat);
			if (!gone)
				usleep(10000);
		}
		CU_ASSERT(gone);
		if (!gone)
			kill(child, SIGKILL);
		CU_ASSERT(!any_file(dir, "out.txt.tmp"));
		char *old = th_read_file(out, NULL);
		CU_ASSERT_STRING_EQUAL(old ? old : "", "old\n");
		free(old);
		th_run(NULL, NULL, "rm -f '%s'.tmp*", out);
	}
}

/* ---- 5: what a re-export keeps of the file it replaces -------------- */

static void test_export_keeps_mode_owner_links(void)
{
	/* Each case: how the target is made (in its directory, as out.csv;
	 * "old" in it), the export's extra options, the exit status, the
	 * mode and owner after, and whether it holds the export. */
	static const struct {
		const char *setup, *opts;
		int rc;
		unsigned mode, uid;
		int replaced;
		const char *msg;
	} cases[] = {
		{ "chmod 600 out.csv", "", 0, 0600, 0, 1, NULL },
		{ "chmod 640 out.csv && chown 65534:65534 out.csv", "", 0, 0640,
		  65534, 1, NULL },
		{ "chmod 444 out.csv", "", 1, 0444, 0, 0, "is read-only (mode "
		  "444); --force replaces it" },
		{ "chmod 444 out.csv", "--force", 0, 0444, 0, 1, NULL },
		{ "chmod 644 out.csv && ln out.csv other.csv", "", 1, 0644, 0,
		  0, "has 2 hard links" },
		{ "chmod 644 out.csv && ln out.csv other.csv", "--force", 0,
		  0644, 0, 1, NULL },
		{ "rm out.csv", "", 0, 0644, 0, 1, NULL },   /* umask 022 */
	};
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", th_path("modes"));
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "rm -rf '%s' && mkdir "
			"'%s' && cd '%s' && echo old > out.csv && %s", dir, dir,
			dir, cases[i].setup), 0);
		char *err = NULL;
		int rc = qdb_cmd(NULL, &err, "--db '%s' export --format csv %s "
				 "-o '%s/out.csv'", seed, cases[i].opts, dir);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (cases[i].msg)
			ASSERT_HAS(err, cases[i].msg);
		free(err);
		char p[PATH_MAX + 16];
		snprintf(p, sizeof p, "%s/out.csv", dir);
		struct stat st;
		CU_ASSERT_FATAL(stat(p, &st) == 0);
		CU_ASSERT_EQUAL(st.st_mode & 0777, cases[i].mode);
		CU_ASSERT_EQUAL(st.st_uid, cases[i].uid);
		if ((st.st_mode & 0777) != cases[i].mode ||
		    st.st_uid != cases[i].uid)
			fprintf(stderr, "\n  case %zu: mode %03o uid %u\n", i,
				(unsigned)(st.st_mode & 0777),
				(unsigned)st.st_uid);
		CU_ASSERT_EQUAL(st.st_size > 100, cases[i].replaced);
		/* No temporary file left either way. */
		CU_ASSERT(!any_file(dir, "out.csv.tmp"));
		/* The other name of a link keeps the old content, as the
		 * man page says, whether or not --force replaced it. */
		if (strstr(cases[i].setup, " ln ")) {
			char *old = th_read_file(th_path("modes/other.csv"),
						 NULL);
			CU_ASSERT_STRING_EQUAL(old ? old : "", "old\n");
			free(old);
		}
	}
}

/* ---- 10: concurrent first use --------------------------------------- */

static void test_concurrent_first_use(void)
{
	/* Eight imports at once into a database that does not exist yet,
	 * a few times over: every one succeeds. */
	const char *db = th_path("race.db");
	for (int trial = 0; trial < 5; trial++) {
		char *out = NULL;
		int rc = th_run(&out, NULL, "rm -f '%s' '%s-wal' '%s-shm'; "
			"for k in 1 2 3 4 5 6 7 8; do ( '%s' --db '%s' import "
			"quotes/ 2>&1 >/dev/null || echo FAILED ) & done; wait",
			db, db, db, th_cli(), db);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT(!has(out, "FAILED"));
		if (has(out, "FAILED"))
			fprintf(stderr, "\n  trial %d: %s\n", trial, out);
		free(out);
		CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes"),
				86);
	}
	/* A writer that holds the lock past the timeout: the message says
	 * how long quotedb really waited. */
	const char *held = seed_copy("held.db");
	char *err = NULL;
	int rc = th_run(NULL, &err, "python3 -c \"import sqlite3, time; "
		"c = sqlite3.connect('%s', isolation_level=None); c.execute("
		"'BEGIN IMMEDIATE'); print('locked', flush=True); "
		"time.sleep(4)\" | (read line; QUOTEDB_BUSY_TIMEOUT=1 '%s' "
		"--db '%s' add --text 'said' --speaker S)", held, th_cli(),
		held);
	CU_ASSERT_EQUAL(rc, 1);
	ASSERT_HAS(err, "stayed locked by another writer for 1 s");
	free(err);
}

/* ---- 13: the file-size limit (ulimit -f) ---------------------------- */

static void test_file_size_limit(void)
{
	const char *t = th_tmpdir();
	/* Quotes of 60 KB each: the database passes 200 KB; one text of
	 * 20,000 apostrophes: a database of 110 KB, a LaTeX export of
	 * 360 KB. */
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "cd '%s' && python3 -c \""
		"import sys; w = sys.stdout.write; w('quotes:\\n'); "
		"[w('  - id: big-%%d\\n    text: \\\"%%s\\\"\\n    "
		"speaker: S\\n' %% (i, 'w%%d ' %% i * 10000)) for i in "
		"range(4)]\" > big.yaml && python3 -c \"print('quotes:\\n  - "
		"id: q\\n    text: \\\"' + chr(39) * 20000 + '\\\"\\n    "
		"speaker: S')\" > apos.yaml && rm -f apos.db* big.db* && '%s' "
		"--db apos.db import apos.yaml", t, th_cli()), 0);
	static const struct { const char *cmd, *msg; } cases[] = {
		{ "--db big.db import big.yaml", "file too large" },
		{ "--db apos.db export --format latex -o apos.tex",
		  "File too large" },
		{ "--db apos.db export --format latex > apos2.tex",
		  "File too large" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *err = NULL;
		int rc = th_run(NULL, &err, "cd '%s' && ulimit "
				"-f 200 && '%s' %s", t, th_cli(), cases[i].cmd);
		CU_ASSERT_EQUAL(rc, 1);
		ASSERT_HAS(err, cases[i].msg);
		CU_ASSERT(!has(err, "crash"));
		free(err);
	}
	/* Nothing half-made: no rows (the file may not even have its
	 * tables yet: -1), no export, no temporary file. */
	CU_ASSERT(th_sql_int(th_path("big.db"), "SELECT count(*) FROM "
			     "quotes") <= 0);
	CU_ASSERT(access(th_path("apos.tex"), F_OK) != 0);
	CU_ASSERT(!any_file(t, "apos.tex.tmp"));
}

/* ---- 14: plugin listing ---------------------------------------------- */

static void test_plugin_listing(void)
{
	/* 300 plugins in one directory, and a second directory later on
	 * the path with another p070.so: formats lists all 300, sorted,
	 * each from the first directory, and --format p070 loads that. */
	CU_ASSERT_FATAL(build_so("abi_plugin.c", "many/a/abi.so", NULL, 0)
			!= NULL);
	CU_ASSERT_FATAL(build_so("ctor_plugin.c", "many/b/p070.so", NULL, 0)
			!= NULL);
	const char *t = th_tmpdir();
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "cd '%s/many/a' && for i in "
		"$(seq -w 299 -1 0); do cp abi.so p$i.so || exit 1; done && rm "
		"abi.so", t), 0);
	char *out = NULL;
	int rc = th_run(&out, NULL, "QUOTEDB_PLUGIN_PATH='%s/many/a:%s/many/b' "
			"'%s' formats | grep '/many/'", t, t, th_cli());
	CU_ASSERT_EQUAL(rc, 0);
	/* p000 ... p299 in order, then csv, latex, yaml from the build
	 * tree (not under /many/). */
	int n = 0, sorted = 1;
	char prev[64] = "";
	for (char *l = out; l && *l;) {
		char *e = strchr(l, '\n');
		char *p = strstr(l, "/many/a/p");
		if (p && (!e || p < e)) {
			char name[64];
			snprintf(name, sizeof name, "%.4s", p + 8);
			sorted &= strcmp(prev, name) < 0;
			snprintf(prev, sizeof prev, "%s", name);
			n++;
		}
		l = e ? e + 1 : NULL;
	}
	CU_ASSERT_EQUAL(n, 300);
	CU_ASSERT(sorted);
	CU_ASSERT(!has(out, "/many/b/"));
	free(out);
	/* export --format p070 loads the one formats lists: /many/a's
	 * (the ctor plugin in /many/b would leave its marker). */
	rc = th_run(NULL, NULL, "QDB_FAULTS_MARKER='%s/many/marker' "
		    "QUOTEDB_PLUGIN_PATH='%s/many/a:%s/many/b' '%s' --db '%s' "
		    "export --format p070 -o /dev/null", t, t, t, th_cli(),
		    seed);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(access(th_path("many/marker"), F_OK) != 0);
	/* A descriptor symbol that is data: refused by formats and by
	 * export, never called (which would be exit 139). */
	const char *data = build_so("datasym_plugin.c", "datasym/ds.so", NULL,
				    1);
	CU_ASSERT_FATAL(data != NULL);
	char *err = NULL;
	out = NULL;
	rc = th_run(&out, &err, "QUOTEDB_PLUGIN_PATH='%s/datasym' '%s' "
		    "formats", t, th_cli());
	CU_ASSERT_EQUAL(rc, 0);
	ASSERT_HAS(out, "qdb_plugin_descriptor is not a function");
	free(out);
	free(err);
	err = NULL;
	rc = th_run(NULL, &err, "QUOTEDB_PLUGIN_PATH='%s/datasym' '%s' --db "
		    "'%s' export --format ds", t, th_cli(), seed);
	CU_ASSERT_EQUAL(rc, 1);
	ASSERT_HAS(err, "qdb_plugin_descriptor is not a function");
	free(err);
}

/* ---- 15: 64 values for each filter, whatever the others -------------- */

static void test_every_filter_full(void)
{
	/* Each filter at its 64 values, all at once: no match, no error.
	 * A speaker or outlet must name one the database has (a name that
	 * names nothing is an error of its own), so theirs are repeated;
	 * the seed has no tags, and a tag is checked the same way. */
	static const char *const opts[] = { "speaker", "outlet", "id",
		"reported-by", "language" };
	char args[16384];
	size_t n = 0;
	for (size_t k = 0; k < sizeof opts / sizeof *opts; k++)
		for (int i = 0; i < 64; i++)
			n += (size_t)(k == 0 ? snprintf(args + n, sizeof args - n,
							" --speaker Kirby")
				      : k == 1 ? snprintf(args + n,
							  sizeof args - n,
							  " --outlet CBS")
				      : snprintf(args + n, sizeof args - n,
						 " --%s x%d", opts[k], i));
	char *out = NULL, *err = NULL;
	int rc = qdb_cmd(&out, &err, "--db '%s' list%s --from 2000 --to 2030 "
			 "--search iran --limit 5", seed, args);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(out ? out : "(null)", "");
	CU_ASSERT_STRING_EQUAL(err ? err : "(null)", "");
	free(out);
	free(err);
	/* A 65th value of one filter is the misuse the help describes. */
	err = NULL;
	rc = qdb_cmd(NULL, &err, "--db '%s' list%s --speaker x64", seed, args);
	CU_ASSERT_EQUAL(rc, 2);
	ASSERT_HAS(err, "too many values for one filter (64 at most)");
	free(err);
}

/* ---- 16: dates at the end of time ----------------------------------- */

static void test_dates_at_end_of_time(void)
{
	const char *db = th_path("dates.db");
	CU_ASSERT_EQUAL_FATAL(qdb_cmd(NULL, NULL, "--db '%s' import " DATA
				      "/dates.yaml", db), 0);
	/* An open end is no real day: 2023-10/.. ends after 9999-12-31,
	 * ../2023 starts before 0000-01-01. */
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes WHERE "
				   "date_hi > (SELECT date_hi FROM quotes "
				   "WHERE id = 'd-9999-12-31')"), 2);
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT date_hi FROM quotes WHERE id = "
				   "'d-2023-10-open'"), QDB_DATE_OPEN_HI);
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT date_lo FROM quotes WHERE id = "
				   "'d-open-2023'"), QDB_DATE_OPEN_LO);
	/* Each line of dates.expected: options => the ids, in order. */
	char *cases = th_read_file(DATA "/dates.expected", NULL);
	CU_ASSERT_FATAL(cases != NULL);
	int n = 0;
	for (char *l = cases, *e; l && *l; l = e ? e + 1 : NULL) {
		e = strchr(l, '\n');
		if (e)
			*e = '\0';
		char *arrow = strstr(l, " => ");
		if (*l == '#' || !arrow)
			continue;
		*arrow = '\0';
		char *out = NULL;
		int rc = qdb_cmd(&out, NULL, "--db '%s' list %s | cut -f1 | "
				 "tr '\\n' ' ' | sed 's/ $//'", db, l);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_STRING_EQUAL(out ? out : "", arrow + 4);
		if (!out || strcmp(out, arrow + 4))
			fprintf(stderr, "\n  list %s:\n    got  %s\n    want "
				"%s\n", l, out ? out : "", arrow + 4);
		free(out);
		n++;
	}
	free(cases);
	CU_ASSERT(n >= 10);
	/* The migration that moved open ends off 99991231 is checked on a
	 * real schema 2 file, in test_store's test_migrate_from_v2. */
	char *out = NULL;
	qdb_cmd(&out, NULL, "--db '%s' list --sort date --from 2023 --to "
		"9999-12-31 --strict-dates | cut -f1 | tr '\\n' ' '", db);
	CU_ASSERT_STRING_EQUAL(out ? out : "", "d-2023 d-9999 d-9999-12-31 ");
	free(out);
}

/* ---- 18: URIs, verify's sources, the -wal and -shm files -------------- */

static void test_uri_and_memory_refused(void)
{
	static const char *const dbs[] = {
		"file:u.db?mode=memory", "file:u.db", ":memory:",
	};
	for (size_t i = 0; i < sizeof dbs / sizeof *dbs; i++) {
		char *err = NULL;
		int rc = qdb_cmd(NULL, &err, "--db '%s' add --text said "
				 "--speaker S", dbs[i]);
		CU_ASSERT_EQUAL(rc, 1);
		CU_ASSERT(has(err, "a URI, not a path") ||
			  has(err, "a database in memory"));
		free(err);
	}
}

static void test_verify_reads_regular_files(void)
{
	const char *t = th_tmpdir();
	static const struct { const char *setup, *file, *msg; } cases[] = {
		{ "true", "/dev/zero", "not a regular file" },
		{ "rm -f v.fifo && mkfifo v.fifo", "v.fifo",
		  "not a regular file" },
		{ "mkdir -p v.dir", "v.dir", "Is a directory" },
		{ "truncate -s 65M v.big", "v.big", "larger than 64 MiB" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "cd '%s' && %s", t,
					     cases[i].setup), 0);
		char *err = NULL;
		int rc = th_run(NULL, &err, "cd '%s' && timeout 20 '%s' --db "
				"'%s' verify --id p11-kirby-1 --against '%s'", t,
				th_cli(), seed, cases[i].file);
		CU_ASSERT_EQUAL(rc, 1);
		ASSERT_HAS(err, cases[i].msg);
		free(err);
	}
}

/* The -wal and -shm files exist while the database is in use, and not
 * after (the man page, FILES). */
static void test_no_wal_left(void)
{
	const char *db = th_path("wal.db");
	static const char *const cmds[] = {
		"init", "import quotes/", "add --text said --speaker S",
		"list", "show p11-kirby-1", "info", "speakers", "search iran",
		"export --format csv", "export --format yaml -o /dev/null",
		"verify --id p11-kirby-1",
	};
	th_run(NULL, NULL, "rm -f '%s' '%s-wal' '%s-shm'", db, db, db);
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
		qdb_cmd(NULL, NULL, "--db '%s' %s >/dev/null 2>&1", db,
			cmds[i]);
		char p[PATH_MAX + 8];
		snprintf(p, sizeof p, "%s-wal", db);
		int wal = access(p, F_OK) == 0;
		snprintf(p, sizeof p, "%s-shm", db);
		int shm = access(p, F_OK) == 0;
		CU_ASSERT(!wal && !shm);
		if (wal || shm)
			fprintf(stderr, "\n  after %s: -wal or -shm left\n",
				cmds[i]);
	}
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes"), 87);
}

/* ---- 12: write errors on stdout ------------------------------------ */

static void test_write_errors_fail(void)
{
	/* Every command that writes to stdout, with stdout on /dev/full. */
	static const char *const cmds[] = {
		"show p11-kirby-1", "speakers",
		"outlets", "info", "formats", "list", "list --json",
		"search iran", "add --text 'said' --speaker S", "export "
		"--format csv", "export --format yaml -o /dev/full",
		"--help", "--version", "help", "help list", "list --help",
		"speakers --help", "verify --help",
	};
	const char *db = seed_copy("full.db");
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
		char *err = NULL;
		int rc = qdb_cmd(NULL, &err, "--db '%s' %s > /dev/full", db,
				 cmds[i]);
		CU_ASSERT_EQUAL(rc, 1);
		CU_ASSERT(has(err, "No space left on device"));
		if (rc != 1 || !has(err, "No space left on device"))
			fprintf(stderr, "\n  quotedb %s > /dev/full: exit %d, "
				"%s", cmds[i], rc, err ? err : "");
		free(err);
	}
}

/* ---- 9: hostile database content ----------------------------------- */

/* Whether s holds a byte that would drive a terminal: ESC, BEL, CSI in
 * C1, the invalid byte 0xFF, or (bidi set) U+202E. */
static int raw_in(const char *s, int bidi)
{
	return s && (strchr(s, 0x1b) || strchr(s, 0x07) ||
		     strstr(s, "\xc2\x9b") || strchr(s, (char)0xff) ||
		     (bidi && strstr(s, "\xe2\x80\xae")));
}

static int raw_controls(const char *s)
{
	return raw_in(s, 1);
}

static void test_control_characters_escaped(void)
{
	const char *db = seed_copy("ctl.db");
	/* Written behind quotedb's back, as a hostile file would be. */
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "sqlite3 '%s' \"UPDATE quotes "
		"SET text = 'a' || char(27) || ']0;pwned' || char(7) || 'b' || "
		"char(155) || 'c' || char(8238) || 'd' || CAST(X'FF' AS TEXT) "
		"WHERE id = 'p11-kirby-1'; UPDATE speakers SET name = 'K' || "
		"char(27) || '[2J' || char(8238) WHERE name LIKE '%%Kirby%%'\"",
		db), 0);
	/* Each command, piped and on a terminal (script(1) gives it one). */
	static const char *const cmds[] = {
		"list", "list --id p11-kirby-1 --json", "show p11-kirby-1",
		"speakers", "search Kirby", "list --id p11-kirby-1",
	};
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
		for (int tty = 0; tty < 2; tty++) {
			char *out = NULL;
			int rc = tty ? th_run(&out, NULL, "COLUMNS=300 script "
					      "-qec \"'%s' --db '%s' %s\" "
					      "/dev/null", th_cli(), db,
					      cmds[i])
				: qdb_cmd(&out, NULL, "--db '%s' %s", db,
					  cmds[i]);
			/* TSV and JSON are data: a bidi control in a
			 * text stays, a control character does not. */
			int bidi = (tty && !strstr(cmds[i], "json")) ||
				   !strncmp(cmds[i], "show", 4);
			CU_ASSERT(rc == 0 || rc == 1);
			CU_ASSERT(!raw_in(out, bidi));
			if (raw_in(out, bidi))
				fprintf(stderr, "\n  %s%s: raw control in: "
					"%s\n", cmds[i], tty ? " (tty)" : "",
					out);
			free(out);
		}
	}
	/* What the escapes look like, piped (TSV) and in show. */
	char *out = NULL;
	qdb_cmd(&out, NULL, "--db '%s' list --id p11-kirby-1", db);
	ASSERT_HAS(out, "a\\x1B]0;pwned\\x07b\\xC2\\x9Bc\xe2\x80\xae"
		   "d\\xFF");
	free(out);
	out = NULL;
	qdb_cmd(&out, NULL, "--db '%s' show p11-kirby-1", db);
	ASSERT_HAS(out, "a\\x1B]0;pwned\\x07b\\x9Bc\\u{202E}d\\xFF");
	free(out);
	out = NULL;
	qdb_cmd(&out, NULL, "--db '%s' list --id p11-kirby-1 --json", db);
	ASSERT_HAS(out, "a\\u001b]0;pwned\\u0007b\\u009bc\xe2\x80\xae"
		   "d\\ufffd");
	free(out);
}

static void test_error_messages_escaped(void)
{
	static const char *const args[] = {
		"show $'p11\\xff\\xe2\\x80\\xae1'",
		"$'lis\\xe2\\x80\\xaet'",
		"--bogus$'\\x1b[2J'",
		"list --speaker $'\\x1b]0;x\\x07'",
		"export --format $'csv\\xe2\\x80\\xae'",
		"list --from $'2023\\xff'",
	};
	for (size_t i = 0; i < sizeof args / sizeof *args; i++) {
		char *err = NULL;
		int rc = th_run(NULL, &err, "bash -c \"'%s' --db '%s' %s\"",
				th_cli(), seed, args[i]);
		CU_ASSERT(rc == 1 || rc == 2 || rc == 0);
		CU_ASSERT(!raw_controls(err));
		if (raw_controls(err))
			fprintf(stderr, "\n  quotedb %s: raw in: %s\n", args[i],
				err);
		free(err);
	}
	char *err = NULL;
	th_run(NULL, &err, "bash -c \"'%s' --db '%s' show $'p\\xe2\\x80\\xae"
	       "\\xff'\"", th_cli(), seed);
	ASSERT_HAS(err, "p\\u{202E}\\xFF");
	free(err);
}

static void test_foreign_schema_refused(void)
{
	/* Each case changes a copy of the database; every reading command
	 * must then refuse it at once (a view that recurses forever would
	 * hang them). */
	static const struct { const char *sql, *what; } cases[] = {
		{ "ALTER TABLE quotes RENAME TO q2; CREATE VIEW quotes AS WITH "
		  "RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) "
		  "SELECT q2.* FROM q2, r", "not the schema quotedb made" },
		{ "DROP TABLE speaker_aliases; CREATE VIEW "
		  "speaker_aliases(alias, speaker_id) AS WITH RECURSIVE "
		  "r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT "
		  "'a', x FROM r",
		  "table 'speaker_aliases' is missing or changed" },
		{ "CREATE VIEW extra AS SELECT 1", "view 'extra' is not one "
		  "quotedb made" },
		{ "CREATE TABLE extra(x)", "table 'extra' is not one quotedb "
		  "made" },
		{ "CREATE INDEX mine ON quotes(text)", "index 'mine' is not "
		  "one quotedb made" },
		{ "DROP INDEX quotes_date", "index 'quotes_date' is missing" },
	};
	static const char *const cmds[] = {
		"list", "info", "export --format csv", "speakers", "show x",
		"search iran", "add --text t --speaker s",
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *db = seed_copy("foreign.db");
		CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "sqlite3 '%s' '%s'",
					     db, cases[i].sql), 0);
		for (size_t k = 0; k < sizeof cmds / sizeof *cmds; k++) {
			char *err = NULL;
			int rc = qdb_cmd(NULL, &err, "--db '%s' %s < /dev/null",
					 db, cmds[k]);
			CU_ASSERT_EQUAL(rc, 1);
			ASSERT_HAS(err, cases[i].what);
			free(err);
		}
	}
	/* ANALYZE's statistics and a trigger are not schema changes that
	 * reading refuses (writes refuse triggers, test_faults). */
	const char *db = seed_copy("analyzed.db");
	CU_ASSERT_EQUAL(th_run(NULL, NULL, "sqlite3 '%s' 'ANALYZE; CREATE "
			       "TRIGGER t AFTER DELETE ON quotes BEGIN SELECT "
			       "1; END'", db), 0);
	CU_ASSERT_EQUAL(qdb_cmd(NULL, NULL, "--db '%s' list", db), 0);
}

/* ---- 4: the CSV formula guard, proved with LibreOffice -------------- */

/*
 * The export of tests/data/hardening/formulas.yaml with the guard on and
 * off, each imported by LibreOffice Calc with comma, semicolon and tab as
 * the separator (the CSV filter's options string) and saved as flat ODS:
 * with the guard no cell may be a formula; without it some are, which
 * shows the check can see one.  The three imports run at once, each with
 * a profile of its own.
 */
static void test_csv_guard_in_libreoffice(void)
{
	if (th_run(NULL, NULL, "command -v soffice") != 0) {
		CU_FAIL("soffice is missing: apt-get install -y "
			"--no-install-recommends libreoffice-calc-nogui");
		return;
	}
	const char *db = th_path("formulas.db");
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", th_path("lo"));
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "rm -rf '%s' && mkdir -p '%s' "
		"&& '%s' --db '%s' import " DATA "/formulas.yaml && '%s' --db "
		"'%s' export --format csv -O formula_guard=1 -o "
		"'%s/guarded.csv' && '%s' --db '%s' export --format csv -o "
		"'%s/plain.csv'", dir,
		dir, th_cli(), db, th_cli(), db, dir, th_cli(), db, dir), 0);
	static const struct { int code; const char *name; } seps[] = {
		{ 44, "comma" }, { 59, "semicolon" }, { 9, "tab" },
	};
	char cmd[4096] = "";
	size_t n = 0;
	for (size_t i = 0; i < 3; i++)
		n += (size_t)snprintf(cmd + n, sizeof cmd - n, "soffice "
			"--headless -env:UserInstallation=file://%s/profile-%s "
			"--infilter='CSV:%d,34,76,1' --convert-to fods "
			"--outdir '%s/%s' '%s/guarded.csv' '%s/plain.csv' "
			">/dev/null "
			"2>&1 & ", dir, seps[i].name, seps[i].code, dir,
			seps[i].name, dir, dir);
	snprintf(cmd + n, sizeof cmd - n, "wait");
	CU_ASSERT_EQUAL(th_run(NULL, NULL, "%s", cmd), 0);
	for (size_t i = 0; i < 3; i++) {
		char p[PATH_MAX + 64];
		snprintf(p, sizeof p, "%s/%s/guarded.fods", dir, seps[i].name);
		char *g = th_read_file(p, NULL);
		snprintf(p, sizeof p, "%s/%s/plain.fods", dir, seps[i].name);
		char *u = th_read_file(p, NULL);
		CU_ASSERT(g && u);
		CU_ASSERT(!has(g, "table:formula="));
		CU_ASSERT(has(u, "table:formula="));
		if (has(g, "table:formula="))
			fprintf(stderr, "\n  read with %s: a guarded cell is "
				"a formula: %.80s\n", seps[i].name,
				strstr(g, "table:formula="));
		/* And the texts are there, as text. */
		CU_ASSERT(has(g, "Figures;&apos;=1+2") ||
			  has(g, "Figures;'=1+2") || i != 1);
		free(g);
		free(u);
	}
}

void test_hardening_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_plugin_directories_checked),
		QDB_TEST(test_plugin_loaded_from_checked_descriptor),
		QDB_TEST(test_export_onto_database),
		QDB_TEST(test_export_to_descriptor_link),
		QDB_TEST(test_signal_mid_export),
		QDB_TEST(test_export_keeps_mode_owner_links),
		QDB_TEST(test_concurrent_first_use),
		QDB_TEST(test_plugin_listing),
		QDB_TEST(test_every_filter_full),
		QDB_TEST(test_dates_at_end_of_time),
		QDB_TEST(test_uri_and_memory_refused),
		QDB_TEST(test_verify_reads_regular_files),
		QDB_TEST(test_no_wal_left),
		QDB_TEST(test_write_errors_fail),
		QDB_TEST(test_file_size_limit),
		QDB_TEST(test_control_characters_escaped),
		QDB_TEST(test_error_messages_escaped),
		QDB_TEST(test_foreign_schema_refused),
		QDB_TEST(test_csv_guard_in_libreoffice),
	};
	TH_SUITE("hardening", suite_init, suite_clean, tests);
}
