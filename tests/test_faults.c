/*
 * test_faults.c: the "faults" suite: what quotedb does when things go
 * wrong around it.  A process killed in the middle of an import, imports
 * racing a reader, a full disk, a plugin that fails, crashes or breaks the
 * ABI, an allocation that fails, a plugin file anyone may write, a
 * database carrying someone else's triggers.  Each test runs the real
 * build/quotedb (or $QDB_CLI) and checks what a user would: the exit
 * status and message, the files left behind, the rows in the database.
 *
 * The helper plugins and the allocator shim are C files in
 * tests/data/faults/, compiled with cc into the temporary directory.
 * FAULTS_KILLS=1000 makes the kill test ten times longer than its default.
 */
#define _DEFAULT_SOURCE
#include "helpers.h"
#include "quotedb/plugin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- paths -------------------------------------------------------- */

/* th_path's buffers are reused after eight calls; the paths a test holds
 * on to are kept here until the suite ends. */
static char *kept[256];
static int nkept;

/* A copy of s that lasts until the suite ends; NULL when out of room. */
static const char *keep(const char *s)
{
	if (nkept == 256)
		return NULL;
	kept[nkept] = strdup(s);
	return kept[nkept] ? kept[nkept++] : NULL;
}

/* <tmpdir>/name, valid until the suite ends. */
static const char *tp(const char *name)
{
	const char *p = keep(th_path(name));
	return p ? p : th_path(name);
}

/* ---- files of quotes ---------------------------------------------- */

/* A YAML file of n quotes whose ids all start with "<prefix>-". */
typedef struct qfile {
	char path[PATH_MAX];
	char prefix;
	long long n;
} qfile;

static qfile big, mid, small, tiny, medium;

/* Writes n quotes with every kind of field, non-ASCII text and two tags
 * each; about 300 bytes a quote. */
static int gen_yaml(qfile *f, const char *name, char prefix, long long n)
{
	snprintf(f->path, sizeof f->path, "%s", th_path(name));
	f->prefix = prefix;
	f->n = n;
	FILE *out = fopen(f->path, "w");
	if (!out)
		return -1;
	fprintf(out, "source:\n  title: \"Faults %c\"\n  date: \"2024\"\n"
		"speakers:\n  - name: \"Speaker 00\"\n"
		"    aliases: [\"S-zero-%c\"]\n"
		"outlets:\n  - name: \"Outlet 0\"\nquotes:\n", prefix, prefix);
	for (long long i = 0; i < n; i++)
		fprintf(out,
			"  - id: \"%c-%06lld\"\n"
			"    text: \"Quote %lld of file %c: \\u201cwe will not "
			"stop\\u201d, they said\\u2026 na\\u00efve \\u2014 "
			"caf\\u00e9, words enough to weigh something %lld\"\n"
			"    speaker: \"Speaker %02lld\"\n"
			"    date: \"2023-%02lld-%02lld\"\n"
			"    outlet: \"Outlet %lld\"\n"
			"    locator: \"para. %lld\"\n"
			"    context: \"file %c, quote %lld\"\n"
			"    tags: [\"t%lld\", \"faults\"]\n",
			prefix, i, i, prefix, i * 7919 % 100000, i % 40,
			i % 12 + 1, i % 28 + 1, i % 7, i, prefix, i, i % 10);
	return fclose(out);
}

static int faults_init(void)
{
	th_tmpdir();
	if (gen_yaml(&big, "big.yaml", 'a', 20000) ||
	    gen_yaml(&mid, "mid.yaml", 'b', 2000) ||
	    gen_yaml(&medium, "medium.yaml", 'e', 5000) ||
	    gen_yaml(&small, "small.yaml", 'c', 200) ||
	    gen_yaml(&tiny, "tiny.yaml", 'd', 12))
		return -1;
	return 0;
}

static int faults_clean(void)
{
	while (nkept > 0)
		free(kept[--nkept]);
	th_cleanup();
	return 0;
}

/* ---- processes ---------------------------------------------------- */

typedef struct spawn_opts {
	const char *out;            /* stdout to this file (else /dev/null) */
	const char *err;            /* stderr likewise */
	const char *cwd;
	const char *const *env;     /* "K=V" sets, "K" unsets */
	long fsize_limit;           /* RLIMIT_FSIZE in bytes; 0: none */
} spawn_opts;

static pid_t spawn(const spawn_opts *o, const char *const argv[])
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	if (o && o->cwd && chdir(o->cwd) != 0)
		_exit(126);
	for (const char *const *e = o ? o->env : NULL; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq) {
			unsetenv(*e);
		} else {
			char k[256];
			snprintf(k, sizeof k, "%.*s", (int)(eq - *e), *e);
			setenv(k, eq + 1, 1);
		}
	}
	if (o && o->fsize_limit) {
		struct rlimit rl = { (rlim_t)o->fsize_limit,
				     (rlim_t)o->fsize_limit };
		/* Ignored, SIGXFSZ turns into EFBIG: a full disk, as far as
		 * the writer can tell. */
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
	}
	const char *files[2] = { o && o->out ? o->out : "/dev/null",
				 o && o->err ? o->err : "/dev/null" };
	for (int i = 0; i < 2; i++) {
		int fd = open(files[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, i + 1) < 0)
			_exit(126);
		close(fd);
	}
	execv(argv[0], (char *const *)argv);
	dprintf(2, "spawn: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int wait_for(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

/* Runs argv to the end; its stderr into *err (caller frees) when err is
 * not NULL.  Returns the wait status. */
static int run(char **err, const spawn_opts *o, const char *const argv[])
{
	spawn_opts local = { 0 };
	if (o)
		local = *o;
	char errpath[PATH_MAX];
	snprintf(errpath, sizeof errpath, "%s", th_path(".spawn.err"));
	if (!local.err)
		local.err = errpath;
	int st = wait_for(spawn(&local, argv));
	char *e = th_read_file(local.err, NULL);
	if (err)
		*err = e ? e : strdup("");
	else
		free(e);
	return st;
}

/* run, with stdout read into *out as well (when out is not NULL). */
static int run_out(char **out, char **err, const spawn_opts *o,
		   const char *const argv[])
{
	spawn_opts local = { 0 };
	if (o)
		local = *o;
	char outpath[PATH_MAX];
	snprintf(outpath, sizeof outpath, "%s", th_path(".spawn.out"));
	local.out = outpath;
	int st = run(err, &local, argv);
	char *s = th_read_file(outpath, NULL);
	if (out)
		*out = s ? s : strdup("");
	else
		free(s);
	return st;
}

static int exited(int st, int code)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* xorshift64*: a fixed seed, so a failing run can be repeated. */
static unsigned long long rng_state = 0x5144423146415554ULL;
static unsigned rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* ---- files and databases ------------------------------------------ */

static void rm_db(const char *path)
{
	char p[PATH_MAX + 8];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static int copy_file(const char *from, const char *to)
{
	size_t n;
	char *d = th_read_file(from, &n);
	int rc = d ? th_write_file(to, d, n) : -1;
	free(d);
	return rc;
}

static int file_is(const char *path, const char *content)
{
	size_t n;
	char *d = th_read_file(path, &n);
	int same = d && n == strlen(content) && !memcmp(d, content, n);
	free(d);
	return same;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Entries of dir whose name starts with prefix; removes them when rm. */
static int count_prefixed(const char *dir, const char *prefix, int rm)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return -1;
	struct dirent *de;
	size_t pl = strlen(prefix);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, pl) != 0)
			continue;
		n++;
		if (rm) {
			char p[PATH_MAX];
			snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
			unlink(p);
		}
	}
	closedir(d);
	return n;
}

/* Temporary files qdb_export_file would leave beside path: PATH.tmp*. */
static int temp_files_beside(const char *path, int rm)
{
	char dir[PATH_MAX], base[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	snprintf(base, sizeof base, "%s.tmp", slash + 1);
	return count_prefixed(dir, base, rm);
}

static int sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;
	int rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "\n  %s: %s\n", path,
			msg ? msg : "open failed");
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc;
}

/* Quotes in the database whose id starts with f's prefix. */
static long long count_of(sqlite3 *db, const qfile *f)
{
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM quotes WHERE id "
		 "GLOB '%c-*'", f->prefix);
	return th_sql_int_on(db, sql);
}

/*
 * Checks the database at path the way the kill and allocation tests need:
 * SQLite's integrity check passes, the schema is wholly there or wholly
 * absent, the full-text index agrees with the quotes, each file's quotes
 * are all there or none, and the tags agree with the quotes.  Opening it
 * read-write also replays or discards what a killed writer left in the
 * WAL, as the next quotedb would.  Returns 0 or -1 with why filled in;
 * counts[i] gets the number of quotes of files[i].
 */
static int check_db(const char *path, qfile *const *files, int nfiles,
		    long long *counts, char *why, size_t whylen)
{
	for (int i = 0; i < nfiles; i++)
		counts[i] = 0;
	why[0] = '\0';
	if (!exists(path))
		return 0;    /* killed before it was created */
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL)) {
		snprintf(why, whylen, "cannot open: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	int rc = -1;
	sqlite3_stmt *st;
	const char *ok = NULL;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		ok = (const char *)sqlite3_column_text(st, 0);
	if (!ok || strcmp(ok, "ok") != 0) {
		snprintf(why, whylen, "integrity_check: %s",
			 ok ? ok : sqlite3_errmsg(db));
		sqlite3_finalize(st);
		goto out;
	}
	sqlite3_finalize(st);
	long long version = th_sql_int_on(db, "PRAGMA user_version");
	long long objects = th_sql_int_on(db,
					  "SELECT count(*) FROM sqlite_schema");
	if (version == 0 && objects == 0) {
		rc = 0;     /* killed while creating the schema: none of it */
		goto out;
	}
	if (version != qdb_schema_version()) {
		snprintf(why, whylen, "schema version %lld with %lld objects",
			 version, objects);
		goto out;
	}
	/* rank 1: also compare the index with the quotes table. */
	if (sqlite3_exec(db, "INSERT INTO quotes_fts(quotes_fts, rank) "
			 "VALUES ('integrity-check', 1)", NULL, NULL, NULL)) {
		snprintf(why, whylen, "full-text index: %s",
			 sqlite3_errmsg(db));
		goto out;
	}
	long long total = 0;
	for (int i = 0; i < nfiles; i++) {
		counts[i] = count_of(db, files[i]);
		total += counts[i];
		if (counts[i] != 0 && counts[i] != files[i]->n) {
			snprintf(why, whylen, "%lld of the %lld quotes of "
				 "file %c", counts[i], files[i]->n,
				 files[i]->prefix);
			goto out;
		}
	}
	long long all = th_sql_int_on(db, "SELECT count(*) FROM quotes");
	long long tags = th_sql_int_on(db, "SELECT count(*) FROM quote_tags");
	if (all != total || tags != 2 * total) {
		snprintf(why, whylen, "%lld quotes (%lld expected), %lld tags",
			 all, total, tags);
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(db);
	return rc;
}

/* A database holding the quotes of f, made once through the CLI. */
static const char *db_with(const qfile *f, const char *name)
{
	const char *p = tp(name);
	if (!exists(p)) {
		const char *argv[] = { th_cli(), "--db", p, "import", f->path,
				       NULL };
		if (!exited(run(NULL, NULL, argv), 0))
			return NULL;
	}
	return p;
}

/* Compiles tests/data/faults/<src> into the temporary directory as out,
 * with extra compiler flags; returns the path or NULL. */
static const char *build_so(const char *src, const char *out,
			    const char *flags)
{
	char p[PATH_MAX], dir[PATH_MAX];
	char cwd[PATH_MAX - 64];
	if (!getcwd(cwd, sizeof cwd))
		return NULL;
	snprintf(p, sizeof p, "%s", th_path(out));
	snprintf(dir, sizeof dir, "%s", p);
	*strrchr(dir, '/') = '\0';
	mkdir(dir, 0755);
	char *err = NULL;
	int rc = th_run(NULL, &err, "cc -std=c11 -Wall -Werror -shared -fPIC "
			"-fvisibility=hidden -I'%s/core/include' %s -o '%s' "
			"'%s/tests/data/faults/%s' -ldl", cwd,
			flags ? flags : "", p, cwd, src);
	if (rc != 0)
		fprintf(stderr, "\n  cc %s failed: %s\n", src, err ? err : "");
	free(err);
	if (rc != 0)
		return NULL;
	chmod(p, 0755);
	return keep(p);
}

static int has(const char *s, const char *part)
{
	return s && strstr(s, part) != NULL;
}

#define ASSERT_HAS(s, part) do { \
		if (!has(s, part)) \
			fprintf(stderr, "\n  expected \"%s\" in: %s\n", part, \
				s ? s : "(null)"); \
		CU_ASSERT(has(s, part)); \
	} while (0)

/* ---- SIGKILL during imports --------------------------------------- */

/*
 * Imports one of three files (20000, 2000 and 200 quotes) into one
 * database and kills quotedb with SIGKILL after a random 0-300 ms.  After
 * every kill the database must be sound and each file wholly in or out:
 * a transaction either committed or left no trace.  When every file is in,
 * and at random, the database starts over.
 */
static void test_kill_during_import(void)
{
	const char *env = getenv("FAULTS_KILLS");
	int n = env && atoi(env) > 0 ? atoi(env) : 100;
	if (th_under_valgrind()) {
		/* As for the allocation sweeps (shim_unusable). */
		fprintf(stderr, "\n  skipped: quotedb runs natively under "
			"valgrind (make test kills it)\n");
		return;
	}
	const char *db = tp("kill.db");
	qfile *files[3] = { &big, &mid, &small };
	int in[3] = { 0, 0, 0 };
	int seen_in[3] = { 0, 0, 0 }, seen_out[3] = { 0, 0, 0 };
	int killed = 0, finished = 0, resets = 0;
	rm_db(db);
	for (int i = 0; i < n; i++) {
		int open_files[3], nopen = 0;
		for (int k = 0; k < 3; k++)
			if (!in[k])
				open_files[nopen++] = k;
		/* Now and then a fresh start, so kills also land in schema
		 * creation and files that went in can go in again. */
		if (nopen == 0 || rnd() % 8 == 0) {
			rm_db(db);
			memset(in, 0, sizeof in);
			resets++;
			i--;
			continue;
		}
		int k = open_files[rnd() % (unsigned)nopen];
		unsigned delay = rnd() % 301;
		const char *argv[] = { th_cli(), "--db", db, "import",
				       files[k]->path, NULL };
		pid_t pid = spawn(NULL, argv);
		sleep_ms(delay);
		kill(pid, SIGKILL);
		int st = wait_for(pid);
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
			killed++;
		} else {
			CU_ASSERT(exited(st, 0));
			finished++;
		}
		long long counts[3];
		char why[512];
		if (check_db(db, files, 3, counts, why, sizeof why) != 0) {
			fprintf(stderr, "\n  kill %d (%s after %u ms): %s\n",
				i + 1, files[k]->path, delay, why);
			CU_FAIL("database damaged or a file half imported");
			return;
		}
		for (int j = 0; j < 3; j++) {
			/* What was committed stays committed. */
			CU_ASSERT(!in[j] || counts[j] == files[j]->n);
			in[j] = counts[j] == files[j]->n;
		}
		if (exited(st, 0))
			CU_ASSERT(in[k]);
		if (in[k])
			seen_in[k]++;
		else
			seen_out[k]++;
	}
	fprintf(stderr, "\n  %d imports: %d killed, %d finished first, "
		"%d fresh starts; wholly in/out after the attempt: "
		"20000 quotes %d/%d, 2000 quotes %d/%d, 200 quotes %d/%d\n",
		n, killed, finished, resets, seen_in[0], seen_out[0],
		seen_in[1], seen_out[1], seen_in[2], seen_out[2]);
	CU_ASSERT(killed > 0);
}

/* ---- two writers and a reader ------------------------------------- */

/*
 * Two quotedb processes import different files (5000 and 2000 quotes)
 * into one database while this process counts the quotes over and over
 * (qdb_count through its own read-only handle) and starts "quotedb list"
 * now and then.  Both imports must succeed (WAL, BEGIN IMMEDIATE and the
 * busy timeout queue them) and no reader may see part of a file: only 0,
 * 2000, 5000 or 7000.  The second writer waits at most the busy timeout
 * (10 s) for the first: files small enough for a sanitizer build.
 */
static void test_concurrent_imports_and_reader(void)
{
	const char *db = tp("concurrent.db");
	rm_db(db);
	const char *init[] = { th_cli(), "--db", db, "init", NULL };
	CU_ASSERT_FATAL(exited(run(NULL, NULL, init), 0));
	char err1[PATH_MAX], err2[PATH_MAX], listout[PATH_MAX];
	snprintf(err1, sizeof err1, "%s", tp("writer1.err"));
	snprintf(err2, sizeof err2, "%s", tp("writer2.err"));
	snprintf(listout, sizeof listout, "%s", tp("reader.out"));
	const char *a1[] = { th_cli(), "--db", db, "import", medium.path,
			     NULL };
	const char *a2[] = { th_cli(), "--db", db, "import", mid.path, NULL };
	spawn_opts o1 = { .err = err1 }, o2 = { .err = err2 };
	pid_t w1 = spawn(&o1, a1), w2 = spawn(&o2, a2);
	int st1 = -1, st2 = -1, running = 2;
	long long valid[4] = { 0, mid.n, medium.n, medium.n + mid.n };
	int seen[4] = { 0, 0, 0, 0 }, bad = 0, reads = 0, lists = 0;
	while (running > 0) {
		int st;
		if (st1 == -1 && waitpid(w1, &st, WNOHANG) == w1)
			st1 = st, running--;
		if (st2 == -1 && waitpid(w2, &st, WNOHANG) == w2)
			st2 = st, running--;
		long long got[2];
		int ngot = 0;
		qdb *h = NULL;
		int64_t c = -1;
		if (qdb_open(&h, db, QDB_OPEN_READONLY) == 0 &&
		    qdb_count(&c, h, NULL) == 0)
			got[ngot++] = c;
		else
			fprintf(stderr, "\n  reader: %s\n", qdb_errmsg(h));
		qdb_close(h);
		reads++;
		if (reads % 10 == 1) {
			const char *la[] = { th_cli(), "--db", db, "list",
					     NULL };
			spawn_opts lo = { .out = listout };
			if (exited(run(NULL, &lo, la), 0)) {
				size_t len;
				char *out = th_read_file(listout, &len);
				long long lines = 0;
				for (size_t i = 0; out && i < len; i++)
					lines += out[i] == '\n';
				free(out);
				got[ngot++] = lines;
				lists++;
			} else {
				bad++;
			}
		}
		for (int g = 0; g < ngot; g++) {
			int ok = 0;
			for (int v = 0; v < 4; v++)
				if (got[g] == valid[v])
					seen[v]++, ok = 1;
			if (!ok) {
				fprintf(stderr, "\n  a reader saw %lld "
					"quotes\n", got[g]);
				bad++;
			}
		}
	}
	char *e1 = th_read_file(err1, NULL), *e2 = th_read_file(err2, NULL);
	CU_ASSERT(exited(st1, 0));
	CU_ASSERT(exited(st2, 0));
	ASSERT_HAS(e1, "imported 5000 quotes: 5000 new");
	ASSERT_HAS(e2, "imported 2000 quotes: 2000 new");
	free(e1);
	free(e2);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes"),
			medium.n + mid.n);
	fprintf(stderr, "\n  %d counts and %d lists while importing; seen "
		"0: %d, 2000: %d, 5000: %d, 7000: %d\n", reads, lists,
		seen[0], seen[1], seen[2], seen[3]);
}

/* ---- full disks and failing exports ------------------------------- */

static void test_export_to_dev_full(void)
{
	const char *db = db_with(&small, "export.db");
	CU_ASSERT_FATAL(db != NULL);
	char *err = NULL;
	const char *a[] = { th_cli(), "--db", db, "export", "--format", "csv",
			    "-o", "/dev/full", NULL };
	CU_ASSERT(exited(run(&err, NULL, a), 1));
	ASSERT_HAS(err, "/dev/full");
	ASSERT_HAS(err, "No space left on device");
	free(err);
	/* The same through stdout. */
	const char *b[] = { th_cli(), "--db", db, "export", "--format", "csv",
			    NULL };
	spawn_opts o = { .out = "/dev/full" };
	CU_ASSERT(exited(run(&err, &o, b), 1));
	ASSERT_HAS(err, "write failed");
	free(err);
}

static void test_export_temp_file_impossible(void)
{
	const char *db = db_with(&small, "export.db");
	CU_ASSERT_FATAL(db != NULL);
	char *err = NULL;
	/* No directory to put the temporary file in. */
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s", tp("no-such-dir/out.csv"));
	const char *a[] = { th_cli(), "--db", db, "export", "--format", "csv",
			    "-o", out, NULL };
	CU_ASSERT(exited(run(&err, NULL, a), 1));
	ASSERT_HAS(err, "cannot create");
	ASSERT_HAS(err, "no-such-dir/out.csv");
	CU_ASSERT(!exists(th_path("no-such-dir")));
	free(err);

	/* A directory no one may write to (root may write anywhere). */
	if (geteuid() != 0) {
		char ro[PATH_MAX - 16];
		snprintf(ro, sizeof ro, "%s", tp("read-only"));
		mkdir(ro, 0555);
		snprintf(out, sizeof out, "%s/out.csv", ro);
		CU_ASSERT(exited(run(&err, NULL, a), 1));
		ASSERT_HAS(err, "Permission denied");
		CU_ASSERT_EQUAL(count_prefixed(ro, "out", 0), 0);
		free(err);
		chmod(ro, 0755);
	}

	/* The target is a directory: the rename fails, the temporary file
	 * goes, the directory stays as it was. */
	char dir[PATH_MAX], inside[PATH_MAX + 8];
	snprintf(dir, sizeof dir, "%s", tp("out-is-a-dir"));
	mkdir(dir, 0755);
	snprintf(inside, sizeof inside, "%s/keep", dir);
	th_write_file(inside, "keep\n", 5);
	const char *b[] = { th_cli(), "--db", db, "export", "--format", "csv",
			    "-o", dir, NULL };
	CU_ASSERT(exited(run(&err, NULL, b), 1));
	ASSERT_HAS(err, "out-is-a-dir");
	CU_ASSERT(file_is(inside, "keep\n"));
	CU_ASSERT_EQUAL(temp_files_beside(dir, 1), 0);
	free(err);
}

/*
 * An export that fails after it started writing: the plugin refuses a
 * quote, fails in end, refuses an option value, or the disk fills up
 * (RLIMIT_FSIZE).  Each time exit 1 with the reason, the old file at the
 * -o path untouched and no temporary file beside it.
 */
static void test_export_fails_midway(void)
{
	const char *db = db_with(&mid, "export-mid.db");
	CU_ASSERT_FATAL(db != NULL);
	const char *so = build_so("failing_plugin.c", "failing/failing.so",
				  NULL);
	CU_ASSERT_FATAL(so != NULL);
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s", tp("old.out"));
	const char *old = "the old export\n";
	struct {
		const char *what;
		const char *format, *opt;
		long fsize;
		const char *msg;
	} cases[] = {
		{ "quote refused", so, "fail_after=3", 0,
		  "refusing quote 4 on purpose" },
		{ "end fails", so, "fail_in=end", 0, "failing in end" },
		{ "option value refused", "csv", "bom=2", 0, "bom" },
		{ "unknown option", "csv", "nope=1", 0, "no option 'nope'" },
		{ "disk full", "csv", NULL, 64 * 1024, "File too large" },
		{ "disk full in the plugin", so, "fail_after=-1", 256 * 1024,
		  "File too large" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CU_ASSERT_FATAL(th_write_file(out, old, strlen(old)) == 0);
		const char *argv[] = { th_cli(), "--db", db, "export",
				       "--format", cases[i].format, "-o", out,
				       cases[i].opt ? "-O" : NULL, cases[i].opt,
				       NULL };
		spawn_opts o = { .fsize_limit = cases[i].fsize };
		char *err = NULL;
		int st = run(&err, &o, argv);
		if (!exited(st, 1))
			fprintf(stderr, "\n  %s: status %d\n", cases[i].what,
				st);
		CU_ASSERT(exited(st, 1));
		ASSERT_HAS(err, cases[i].msg);
		CU_ASSERT(file_is(out, old));
		CU_ASSERT_EQUAL(temp_files_beside(out, 1), 0);
		free(err);
	}
	/* The control: the same plugin, not told to fail, replaces it. */
	const char *argv[] = { th_cli(), "--db", db, "export", "--format", so,
			       "-o", out, "-O", "fail_after=-1", "-O",
			       "block=10", NULL };
	CU_ASSERT(exited(run(NULL, NULL, argv), 0));
	size_t len = 0;
	free(th_read_file(out, &len));
	CU_ASSERT_EQUAL(len, 22 + 10 * (size_t)mid.n);
	CU_ASSERT_EQUAL(temp_files_beside(out, 0), 0);
}

/* Whether the file at path holds the string mark (a symbol name). */
static int binary_has(const char *path, const char *mark)
{
	size_t n, m = strlen(mark);
	char *d = th_read_file(path, &n);
	int found = 0;
	for (size_t i = 0; d && !found && i + m <= n; i++)
		found = d[i] == mark[0] && !memcmp(d + i, mark, m);
	free(d);
	return found;
}

/* Why an LD_PRELOAD allocator that fails calls cannot test this CLI, or
 * NULL: a sanitizer's allocator cannot be stood in front of, and gcov's
 * exit-time writer (a coverage build) crashes when its malloc fails. */
static const char *shim_unusable(void)
{
	/* quotedb starts with exec, and valgrind checks only the runner: the
	 * sweep would repeat make test's, of the same native quotedb, with
	 * only the harness around it checked, and slowed. */
	if (th_under_valgrind())
		return "run natively under valgrind (make test sweeps it)";
	if (binary_has(th_cli(), "__asan_init"))
		return "built with a sanitizer";
	if (binary_has(th_cli(), "__gcov_init"))
		return "built for coverage";
	return NULL;
}

/* ---- plugins that crash ----------------------------------------- */

/*
 * A plugin that crashes (SIGSEGV), aborts or hangs in its second quote
 * call, after it wrote some output.  An export with -o runs the plugin in
 * a child process (core/export.c), so quotedb itself survives: exit 1
 * saying the plugin crashed or was stopped, no file at the -o path (an old
 * file there untouched) and no temporary file left beside it.  Whatever
 * happens, the database is byte for byte as it was.
 */
static void test_plugin_crash(void)
{
	const char *db = db_with(&small, "export.db");
	CU_ASSERT_FATAL(db != NULL);
	const char *segv = build_so("crash_plugin.c", "crash/segv.so", NULL);
	const char *abrt = build_so("crash_plugin.c", "crash/abort.so",
				    "-DCRASH_ABORT");
	CU_ASSERT_FATAL(segv && abrt);
	size_t before_len;
	char *before = th_read_file(db, &before_len);
	CU_ASSERT_FATAL(before != NULL);
	const char *plugins[2] = { segv, abrt };
	int sanitized = binary_has(th_cli(), "__asan_init");
	for (int i = 0; i < 2; i++) {
		for (int with_old = 0; with_old < 2; with_old++) {
			char out[PATH_MAX];
			snprintf(out, sizeof out, "%s", tp(with_old
				 ? "crash-old.out" : "crash-new.out"));
			unlink(out);
			if (with_old)
				th_write_file(out, "old\n", 4);
			const char *argv[] = { th_cli(), "--db", db, "export",
					       "--format", plugins[i], "-o",
					       out, NULL };
			char *err = NULL;
			int st = run(&err, NULL, argv);
			if (!exited(st, 1))
				fprintf(stderr, "\n  %s: status %d: %s\n",
					plugins[i], st, err);
			CU_ASSERT(exited(st, 1));
			/* A sanitizer's SEGV handler turns the crash into
			 * exit 1 of the export's child. */
			if (!sanitized || !has(err, "export failed")) {
				ASSERT_HAS(err, "crashed");
				ASSERT_HAS(err, "nothing was written");
			}
			free(err);
			if (with_old) {
				CU_ASSERT(file_is(out, "old\n"));
			} else {
				CU_ASSERT(!exists(out));
			}
			CU_ASSERT_EQUAL(temp_files_beside(out, 1), 0);
		}
	}
	/* A plugin that hangs: stopped when the output stops growing for
	 * QUOTEDB_EXPORT_TIMEOUT seconds. */
	const char *hang = build_so("crash_plugin.c", "crash/hang.so",
				    "-DCRASH_HANG");
	CU_ASSERT_FATAL(hang != NULL);
	char out[PATH_MAX];
	snprintf(out, sizeof out, "%s", tp("hang.out"));
	const char *env[] = { "QUOTEDB_EXPORT_TIMEOUT=1", NULL };
	spawn_opts o = { .env = env };
	const char *argv[] = { th_cli(), "--db", db, "export", "--format",
			       hang, "-o", out, NULL };
	char *err = NULL;
	CU_ASSERT(exited(run(&err, &o, argv), 1));
	ASSERT_HAS(err, "made no progress for 1 s");
	free(err);
	CU_ASSERT(!exists(out));
	CU_ASSERT_EQUAL(temp_files_beside(out, 1), 0);

	/* To stdout the plugin runs in a child too: quotedb survives a
	 * crash or an abort and says so (what was written stays written:
	 * a pipe cannot be taken back); the database is untouched. */
	for (int i = 0; i < 2; i++) {
		const char *to_stdout[] = { th_cli(), "--db", db, "export",
					    "--format", plugins[i], NULL };
		char *e = NULL;
		CU_ASSERT(exited(run(&e, NULL, to_stdout), 1));
		if (!sanitized || !has(e, "export failed")) {
			ASSERT_HAS(e, "crashed");
			ASSERT_HAS(e, "the output is incomplete");
		}
		free(e);
	}

	size_t after_len;
	char *after = th_read_file(db, &after_len);
	CU_ASSERT(after && after_len == before_len &&
		  !memcmp(before, after, before_len));
	free(before);
	free(after);
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes"),
			small.n);
}

/* ---- allocation failure ------------------------------------------- */

/* Whether every line of a message has a reason: none ends in ':' or
 * ": " (the location of an error whose text was lost, as
 * "quotes[31253]: " was). */
static int has_reason(const char *err)
{
	for (const char *l = err; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		while (n && l[n - 1] == ' ')
			n--;
		if (n == 0 || l[n - 1] == ':')
			return 0;
		l = e ? e + 1 : NULL;
	}
	return 1;
}

/*
 * quotedb import of a 12-quote file with the Nth allocation failing (an
 * LD_PRELOAD shim, tests/data/faults/alloc_shim.c): every N of the first
 * 50, then a sample across the rest (FAULTS_ALLOC_STEP=1: every N).
 * Never a crash; success, or exit 1 with a "quotedb: " message; the
 * database sound and either as it was or holding the whole file, exactly
 * as the exit status says.
 */
static void test_allocation_failure(void)
{
	const char *why_not = shim_unusable();
	if (why_not) {
		fprintf(stderr, "\n  skipped: %s is %s\n", th_cli(), why_not);
		return;
	}
	const char *shim = build_so("alloc_shim.c", "shim/alloc_shim.so", NULL);
	CU_ASSERT_FATAL(shim != NULL);
	char base[PATH_MAX], work[PATH_MAX], countfile[PATH_MAX];
	snprintf(base, sizeof base, "%s", tp("alloc-base.db"));
	snprintf(work, sizeof work, "%s", tp("alloc.db"));
	snprintf(countfile, sizeof countfile, "%s", tp("alloc.count"));
	rm_db(base);
	const char *init[] = { th_cli(), "--db", base, "init", NULL };
	CU_ASSERT_FATAL(exited(run(NULL, NULL, init), 0));
	const char *argv[] = { th_cli(), "--db", work, "import", tiny.path,
			       NULL };

	char preload[PATH_MAX + 16], count_env[PATH_MAX + 32];
	snprintf(preload, sizeof preload, "LD_PRELOAD=%s", shim);
	snprintf(count_env, sizeof count_env, "QDB_ALLOC_COUNT_FILE=%s",
		 countfile);
	const char *env0[] = { preload, count_env, NULL };
	spawn_opts o0 = { .env = env0 };
	rm_db(work);
	CU_ASSERT_FATAL(copy_file(base, work) == 0);
	CU_ASSERT_FATAL(exited(run(NULL, &o0, argv), 0));
	char *c = th_read_file(countfile, NULL);
	long total = c ? atol(c) : 0;
	free(c);
	CU_ASSERT_FATAL(total > 0);

	/* Every allocation of the start and then a sample, about 300 runs
	 * in all; FAULTS_ALLOC_STEP=1 tries every one. */
	const char *step_env = getenv("FAULTS_ALLOC_STEP");
	long step = step_env && atol(step_env) > 0 ? atol(step_env)
		: total / 250 + 1;
	int crashes = 0, failed = 0, succeeded = 0, silent = 0, wrong = 0;
	int tried = 0;
	qfile *files[1] = { &tiny };
	for (long n = 1; n <= total; n += n < 50 ? 1 : step) {
		tried++;
		char fail_env[48];
		snprintf(fail_env, sizeof fail_env, "QDB_ALLOC_FAIL_AT=%ld", n);
		const char *env[] = { preload, fail_env, NULL };
		spawn_opts o = { .env = env };
		rm_db(work);
		CU_ASSERT_FATAL(copy_file(base, work) == 0);
		char *err = NULL;
		int st = run(&err, &o, argv);
		long long counts[1];
		char why[512];
		int damaged = check_db(work, files, 1, counts, why,
				       sizeof why) != 0;
		if (WIFSIGNALED(st)) {
			crashes++;
			fprintf(stderr, "\n  allocation %ld failing: killed by "
				"signal %d: %s", n, WTERMSIG(st), err);
		} else if (exited(st, 0)) {
			succeeded++;
			if (damaged || counts[0] != tiny.n) {
				wrong++;
				fprintf(stderr, "\n  allocation %ld failing: "
					"success, but %lld quotes %s", n,
					counts[0], why);
			}
		} else {
			failed++;
			if (!err || strncmp(err, "quotedb: ", 9) != 0 ||
			    !has_reason(err)) {
				silent++;
				fprintf(stderr, "\n  allocation %ld failing: "
					"exit %d without a message: %s", n,
					WEXITSTATUS(st), err ? err : "");
			}
			if (damaged || counts[0] != 0) {
				wrong++;
				fprintf(stderr, "\n  allocation %ld failing: "
					"exit %d, but %lld quotes in %s", n,
					WEXITSTATUS(st), counts[0], why);
			}
		}
		free(err);
	}
	fprintf(stderr, "\n  %ld allocations, %d of them made to fail: %d "
		"successes, %d clean failures, %d crashes, %d without a "
		"message, %d with a database not matching the exit status\n",
		total, tried, succeeded, failed, crashes, silent, wrong);
	CU_ASSERT_EQUAL(crashes, 0);
	CU_ASSERT_EQUAL(silent, 0);
	CU_ASSERT_EQUAL(wrong, 0);
}

/* ---- allocation failure in exports -------------------------------- */

/*
 * What the allocator shim reported for one run (alloc_shim.c): for
 * quotedb, which leaves by exit(), and for the child an export with -o
 * forks, which leaves by _exit(), the calls counted (the child's go on
 * from its parent's count at the fork) and the allocations still live.
 */
typedef struct shim_report {
	int have_main, have_child;
	long main_calls, main_live;
	long child_calls, child_live;
} shim_report;

/* Reads the shim's $QDB_ALLOC_LIVE_FILE into r and removes it. */
static void shim_report_read(shim_report *r, const char *path)
{
	memset(r, 0, sizeof *r);
	char *d = th_read_file(path, NULL);
	for (char *s = d; s && *s; ) {
		char how[8];
		long calls, live;
		if (sscanf(s, "%7s %ld %ld", how, &calls, &live) == 3) {
			if (!strcmp(how, "exit")) {
				r->have_main = 1;
				r->main_calls = calls;
				r->main_live = live;
			} else if (!strcmp(how, "_exit")) {
				r->have_child = 1;
				r->child_calls = calls;
				r->child_live = live;
			}
		}
		char *nl = strchr(s, '\n');
		if (!nl)
			break;
		s = nl + 1;
	}
	free(d);
	unlink(path);
}

/*
 * One export of test_allocation_failure_exports and the N to try: every N
 * from first to dense_to (-1: to quotedb's own count in the successful
 * run), every N of the last tail, samples more between.
 */
typedef struct alloc_export {
	const char *what;            /* "csv -o", "yaml to stdout" */
	const char *const *argv;
	const char *out;             /* the -o file, or where stdout goes */
	int to_file;
	const char *ref;             /* the same export without the shim */
	const char *shim, *report;   /* the shim, the file it reports to */
	const char *db;              /* the database, and its bytes before */
	const char *db_bytes;
	size_t db_len;
	long first, dense_to;        /* every N from first to dense_to */
	int main_end;                /* every N of quotedb's last main_end */
	int tail, samples;           /* every N of the last tail; samples */
} alloc_export;

/* The N to try after n: every N in a dense range, a sample between. */
static long alloc_next(long n, long step, long dense_to, long main_from,
		       long main_to, long tail_from)
{
	if (n < dense_to || n >= tail_from ||
	    (n >= main_from && n < main_to))
		return n + 1;
	long next = n + step;
	if (n < main_from && next > main_from)
		next = main_from;
	return next < tail_from ? next : tail_from;
}

/* Runs c once under the shim, allocation n failing (0: none); returns
 * the wait status, its stderr in *err (caller frees). */
static int alloc_export_run(const alloc_export *c, long n, char **err,
			    shim_report *r)
{
	char preload[PATH_MAX + 16], report[PATH_MAX + 32], fail[48];
	snprintf(preload, sizeof preload, "LD_PRELOAD=%s", c->shim);
	snprintf(report, sizeof report, "QDB_ALLOC_LIVE_FILE=%s", c->report);
	snprintf(fail, sizeof fail, "QDB_ALLOC_FAIL_AT=%ld", n);
	const char *env[] = { preload, report, "QDB_ALLOC_COUNT_FILE",
			      n > 0 ? fail : "QDB_ALLOC_FAIL_AT", NULL };
	spawn_opts o = { .env = env, .out = c->to_file ? NULL : c->out };
	if (c->to_file)
		unlink(c->out);
	unlink(c->report);
	int st = run(err, &o, c->argv);
	shim_report_read(r, c->report);
	return st;
}

/*
 * Whether a failure's message says that memory ran out, and not something
 * a user would chase instead (a syntax error, bad UTF-8).  What follows
 * "cannot load plugin" is dlerror()'s text, passed on as glibc wrote it:
 * "cannot allocate ...", but also "cannot create shared object
 * descriptor" or, when an allocation fails early in dlopen, "No such file
 * or directory".
 */
static int says_no_memory(const char *err)
{
	return has(err, "out of memory") ||
	       has(err, "Cannot allocate memory") ||
	       has(err, "cannot load plugin");
}

/* Tries c with the Nth allocation failing for each N of its schedule and
 * checks each run; step is $FAULTS_ALLOC_STEP (0: unset).  Returns
 * quotedb's own count of allocations in the successful run. */
static long alloc_export_sweep(const alloc_export *c, long step)
{
	char *err = NULL;
	shim_report base, again;
	int st = alloc_export_run(c, 0, &err, &base);
	int st2 = alloc_export_run(c, 0, NULL, &again);
	if (!exited(st, 0) || !exited(st2, 0) || !file_is(c->out, c->ref) ||
	    !base.have_main || !base.have_child) {
		fprintf(stderr, "\n  %s, nothing failing: status %d, output "
			"%s the reference, %s", c->what, st,
			file_is(c->out, c->ref) ? "as" : "not as", err);
		CU_FAIL("the export fails under the shim with no failure");
		free(err);
		return 0;
	}
	free(err);
	/* The leak check compares with this run: it must not vary. */
	if (memcmp(&base, &again, sizeof base) != 0) {
		fprintf(stderr, "\n  %s, nothing failing: %ld then %ld calls, "
			"%ld then %ld live at exit, export child %ld then %ld "
			"live", c->what, base.main_calls, again.main_calls,
			base.main_live, again.main_live, base.child_live,
			again.child_live);
		CU_FAIL("allocations differ between two identical runs");
	}
	long total = base.main_calls > base.child_calls ? base.main_calls
		: base.child_calls;
	long first = step > 0 ? 1 : c->first;
	long dense_to = c->dense_to;
	long main_from = c->main_end ? base.main_calls - c->main_end + 1 : 0;
	long main_to = c->main_end ? base.main_calls + 1 : 0;
	long tail_from = total - c->tail + 1;
	if (step <= 0)
		step = c->samples ? (tail_from - dense_to) / c->samples + 1
			: total;
	int tried = 0, succeeded = 0, failed = 0, crashes = 0, unclear = 0;
	int wrong = 0, left = 0, changed = 0, leaks = 0, child_more = 0;
	for (long n = first; n <= total;
	     n = alloc_next(n, step, dense_to, main_from, main_to, tail_from)) {
		shim_report r;
		tried++;
		st = alloc_export_run(c, n, &err, &r);
		if (WIFSIGNALED(st)) {
			crashes++;
			fprintf(stderr, "\n  %s, allocation %ld failing: "
				"killed by signal %d: %s", c->what, n,
				WTERMSIG(st), err);
		} else if (exited(st, 0)) {
			succeeded++;
			if (!file_is(c->out, c->ref)) {
				wrong++;
				fprintf(stderr, "\n  %s, allocation %ld "
					"failing: exit 0, but not the "
					"reference's output", c->what, n);
			}
		} else {
			failed++;
			if (!exited(st, 1) || !says_no_memory(err) ||
			    strncmp(err, "quotedb: ", 9) != 0 ||
			    !has_reason(err)) {
				unclear++;
				fprintf(stderr, "\n  %s, allocation %ld "
					"failing: exit %d: %s", c->what, n,
					WEXITSTATUS(st), err);
			}
			if (c->to_file && exists(c->out)) {
				left++;
				fprintf(stderr, "\n  %s, allocation %ld "
					"failing: exit %d, but %s exists",
					c->what, n, WEXITSTATUS(st), c->out);
			}
		}
		if (c->to_file && temp_files_beside(c->out, 1) != 0) {
			left++;
			fprintf(stderr, "\n  %s, allocation %ld failing: a "
				"temporary file left beside %s", c->what, n,
				c->out);
		}
		size_t len = 0;
		char *now = th_read_file(c->db, &len);
		if (!now || len != c->db_len || memcmp(now, c->db_bytes, len)) {
			changed++;
			fprintf(stderr, "\n  %s, allocation %ld failing: the "
				"database changed", c->what, n);
		}
		free(now);
		/* A failed dlopen leaves its message with glibc until the
		 * next dlerror() call (two allocations at most, one thread's
		 * worth), which the CLI never makes: glibc's, not a leak. */
		long allowed = base.main_live +
			(has(err, "cannot load plugin") ? 2 : 0);
		if (r.have_main && r.main_live > allowed) {
			leaks++;
			fprintf(stderr, "\n  %s, allocation %ld failing: %ld "
				"allocations live at exit, %ld after success: "
				"%s", c->what, n, r.main_live, base.main_live,
				err);
		}
		if (r.have_child && r.child_live > base.child_live) {
			child_more++;
			fprintf(stderr, "\n  %s, allocation %ld failing: the "
				"export child ends with %ld allocations live, "
				"%ld after success: %s", c->what, n,
				r.child_live, base.child_live, err);
		}
		free(err);
	}
	long long counts[1];
	char why[512];
	qfile *files[1] = { &tiny };
	if (check_db(c->db, files, 1, counts, why, sizeof why) != 0 ||
	    counts[0] != tiny.n) {
		changed++;
		fprintf(stderr, "\n  %s: database after the runs: %lld quotes "
			"%s", c->what, counts[0], why);
	}
	fprintf(stderr, "\n  %s: %ld allocations (quotedb %ld, %ld live at "
		"exit", c->what, total, base.main_calls, base.main_live);
	fprintf(stderr, "; export child to %ld, %ld live at _exit",
		base.child_calls, base.child_live);
	fprintf(stderr, "), %d made to fail: %d successes, %d clean "
		"failures; %d crashes, %d unclear, %d wrong outputs, %d files "
		"left, %d database changes, %d leaks", tried, succeeded,
		failed - unclear, crashes, unclear, wrong, left, changed,
		leaks);
	fprintf(stderr, "; %d export children with more live at _exit",
		child_more);
	CU_ASSERT_EQUAL(crashes, 0);
	CU_ASSERT_EQUAL(child_more, 0);
	CU_ASSERT_EQUAL(unclear, 0);
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(left, 0);
	CU_ASSERT_EQUAL(changed, 0);
	CU_ASSERT_EQUAL(leaks, 0);
	return base.main_calls;
}

/*
 * quotedb export of the 12-quote database in each format, with -o and to
 * stdout, the Nth allocation failing (tests/data/faults/alloc_shim.c).
 * The shim's count is inherited by fork(): with -o, an N past quotedb's
 * count at the fork fails in the export child, and in quotedb too when
 * it gets that far.  For each: every N up to 50 (the CLI, dlopen, opening
 * the database), every N of the last 40 (where the plugin writes and ends
 * and the child's file is synced), 30 more between (mostly SQLite reading
 * the schema and the rows); csv with -o also every N of the last 300 of
 * quotedb's own count (making the temporary file, the fork, the wait, the
 * rename and the close, the same for every format) and 100 between, most
 * of them in dlopen and SQLite's first reading of the schema, where one
 * failure is like the next.  FAULTS_ALLOC_STEP=1 tries every N.  The LaTeX
 * export takes its defaults (charset=any); the fixture's accents,
 * quotation marks, dashes and ellipsis are all Latin.
 *
 * Each run: no crash; exit 0 with the bytes of the same export without
 * the shim, or exit 1 with a "quotedb: " message saying memory ran out;
 * with -o, no file on failure, the whole file on success and no temporary
 * file either way; the database byte for byte as it was.
 *
 * Leaks: the shim counts live allocations, and quotedb may not end a run
 * with more live than it does after success (one that glibc keeps for
 * the process, and stdout's buffer once stdout was written; the same
 * every run, which is checked).  Both ways the export runs in a child
 * (core/export.c): quotedb's side (the plugin load, the checks, fork,
 * wait, rename, close) is compared that way, and so is the export child,
 * which closes its connection before _exit (the shim interposes _exit to
 * report its count): a leak of the cursor, the export, SQLite or libyaml
 * on a failure path shows, unless the failure also spared as many
 * allocations.
 * Not checked: a leak on the success path (the comparison is with
 * success, not zero).
 *
 * Last, csv to stdout again with 27 tag values and a date range, every N
 * from 100 to 250 past quotedb's count in the csv -o export (in the
 * child, around where the cursor builds its statement): a buffer that
 * grows while a date
 * filter is appended.  A statement that lost a fragment that way ran
 * without it: the wrong quotes, and exit 0.
 */
static void test_allocation_failure_exports(void)
{
	const char *why_not = shim_unusable();
	if (why_not) {
		fprintf(stderr, "\n  skipped: %s is %s\n", th_cli(), why_not);
		return;
	}
	const char *shim = build_so("alloc_shim.c", "shim/alloc_shim.so", NULL);
	CU_ASSERT_FATAL(shim != NULL);
	const char *db = db_with(&tiny, "alloc-export.db");
	CU_ASSERT_FATAL(db != NULL);
	size_t db_len = 0;
	char *db_bytes = th_read_file(db, &db_len);
	CU_ASSERT_FATAL(db_bytes != NULL);
	char out[PATH_MAX], refpath[PATH_MAX], report[PATH_MAX];
	snprintf(out, sizeof out, "%s", th_path("alloc-export.out"));
	snprintf(refpath, sizeof refpath, "%s", th_path("alloc-export.ref"));
	snprintf(report, sizeof report, "%s", th_path("alloc-export.live"));
	const char *step_env = getenv("FAULTS_ALLOC_STEP");
	long step = step_env && atol(step_env) > 0 ? atol(step_env) : 0;
	static const char *const formats[] = { "csv", "yaml", "latex" };
	static const char *const filters[] = { "--from", "2023-01-01",
		"--to", "2023-01-31", "--tag", "t0", "--tag", "t1",
		"--tag", "t2", "--tag", "t3", "--tag", "t4", "--tag", "t5",
		"--tag", "t6", "--tag", "t7", "--tag", "t8", "--tag", "t9",
		"--tag", "t0", "--tag", "t1", "--tag", "t2", "--tag", "t3",
		"--tag", "t4", "--tag", "t5", "--tag", "t6", "--tag", "t7",
		"--tag", "t8", "--tag", "t9", "--tag", "t0", "--tag", "t1",
		"--tag", "t2", "--tag", "t3", "--tag", "t4", "--tag", "t5",
		"--tag", "t6", NULL };
	long csv_calls = 0;
	for (size_t i = 0; i < 4; i++) {
		int filtered = i == 3;
		const char *fmt = formats[filtered ? 0 : i];
		for (int to_file = !filtered; to_file >= 0; to_file--) {
			const char *argv[80], *ref_argv[80];
			size_t n = 0;
			const char *head[] = { th_cli(), "--db", db, "export",
					       "--format", fmt };
			for (size_t k = 0; k < sizeof head / sizeof *head; k++)
				argv[n++] = head[k];
			for (const char *const *a = filters; filtered && *a;
			     a++)
				argv[n++] = *a;
			memcpy(ref_argv, argv, n * sizeof *argv);
			ref_argv[n] = "-o";
			ref_argv[n + 1] = refpath;
			ref_argv[n + 2] = NULL;
			argv[n++] = to_file ? "-o" : NULL;
			argv[n++] = out;
			argv[n] = NULL;
			unlink(refpath);
			CU_ASSERT_FATAL(exited(run(NULL, NULL, ref_argv), 0));
			char *ref = th_read_file(refpath, NULL);
			CU_ASSERT_FATAL(ref != NULL);
			char what[64];
			snprintf(what, sizeof what, "%s %s%s", fmt,
				 to_file ? "-o" : "to stdout",
				 filtered ? ", filtered" : "");
			alloc_export c = {
				.what = what, .argv = argv, .out = out,
				.to_file = to_file, .ref = ref, .shim = shim,
				.report = report, .db = db,
				.db_bytes = db_bytes, .db_len = db_len,
				.first = 1, .dense_to = 50, .tail = 40,
				.samples = 30,
			};
			if (i == 0 && to_file) {
				c.main_end = 300;
				c.samples = 100;
			}
			if (filtered) {
				/* Past quotedb's own share, where the child
				 * has opened the database and builds the
				 * statement (about 130 calls in, here). */
				c.first = csv_calls + 100;
				c.dense_to = csv_calls + 250;
				c.tail = c.samples = 0;
			}
			long calls = alloc_export_sweep(&c, step);
			if (i == 0 && to_file)
				csv_calls = calls;
			free(ref);
			unlink(out);
		}
	}
	fprintf(stderr, "\n");
	free(db_bytes);
}

/* ---- loading plugins safely --------------------------------------- */

static void test_plugin_writable_by_others_refused(void)
{
	const char *db = db_with(&tiny, "plugins.db");
	CU_ASSERT_FATAL(db != NULL);
	const char *so = build_so("ctor_plugin.c", "ctor/ctor.so", NULL);
	CU_ASSERT_FATAL(so != NULL);
	char marker[PATH_MAX + 32], out[PATH_MAX];
	snprintf(marker, sizeof marker, "QDB_FAULTS_MARKER=%s",
		 tp("ctor.marker"));
	const char *mpath = marker + strlen("QDB_FAULTS_MARKER=");
	snprintf(out, sizeof out, "%s", tp("ctor.out"));
	const char *env[] = { marker, NULL };
	spawn_opts o = { .env = env };
	const char *argv[] = { th_cli(), "--db", db, "export", "--format", so,
			       "-o", out, NULL };
	mode_t modes[2] = { 0664, 0646 };
	for (int i = 0; i < 2; i++) {
		unlink(mpath);
		CU_ASSERT_FATAL(chmod(so, modes[i]) == 0);
		char *err = NULL;
		CU_ASSERT(exited(run(&err, &o, argv), 1));
		ASSERT_HAS(err, so);
		ASSERT_HAS(err, "writable by others");
		CU_ASSERT(!exists(mpath));   /* its constructor never ran */
		CU_ASSERT(!exists(out));
		free(err);
	}
	/* Found along the search path, listed by "formats": refused too. */
	char dir[PATH_MAX], pp[PATH_MAX + 32];
	snprintf(dir, sizeof dir, "%s", so);
	*strrchr(dir, '/') = '\0';
	snprintf(pp, sizeof pp, "QUOTEDB_PLUGIN_PATH=%s", dir);
	const char *env2[] = { marker, pp, NULL };
	spawn_opts o2 = { .env = env2 };
	const char *fmt[] = { th_cli(), "formats", NULL };
	const char *byname[] = { th_cli(), "--db", db, "export", "--format",
				 "ctor", "-o", out, NULL };
	char *err = NULL;
	char fmtout[PATH_MAX];
	snprintf(fmtout, sizeof fmtout, "%s", tp("formats.out"));
	o2.out = fmtout;
	run(&err, &o2, fmt);
	free(err);
	char *listing = th_read_file(fmtout, NULL);
	ASSERT_HAS(listing, "refused");
	free(listing);
	o2.out = NULL;
	CU_ASSERT(exited(run(&err, &o2, byname), 1));
	ASSERT_HAS(err, "writable by others");
	free(err);
	CU_ASSERT(!exists(mpath));

	/* The control: mode 0644 loads, and the constructor does run. */
	CU_ASSERT_FATAL(chmod(so, 0644) == 0);
	CU_ASSERT(exited(run(NULL, &o, argv), 0));
	CU_ASSERT(exists(mpath));
	CU_ASSERT(exists(out));
	unlink(mpath);
}

/*
 * An empty or relative entry in QUOTEDB_PLUGIN_PATH never means the
 * current directory: evil.so there is not loaded by name, by "formats",
 * or from a relative subdirectory.
 */
static void test_plugin_path_never_cwd(void)
{
	const char *db = db_with(&tiny, "plugins.db");
	CU_ASSERT_FATAL(db != NULL);
	char cwd[PATH_MAX], sub[PATH_MAX + 8];
	snprintf(cwd, sizeof cwd, "%s", tp("cwd"));
	mkdir(cwd, 0755);
	snprintf(sub, sizeof sub, "%s/sub", cwd);
	mkdir(sub, 0755);
	const char *so = build_so("ctor_plugin.c", "cwd/evil.so", NULL);
	CU_ASSERT_FATAL(so != NULL);
	char sub_so[PATH_MAX + 16];
	snprintf(sub_so, sizeof sub_so, "%s/evil.so", sub);
	CU_ASSERT_FATAL(copy_file(so, sub_so) == 0);
	chmod(so, 0644);
	chmod(sub_so, 0644);
	char marker[PATH_MAX + 32];
	snprintf(marker, sizeof marker, "QDB_FAULTS_MARKER=%s",
		 tp("evil.marker"));
	const char *mpath = marker + strlen("QDB_FAULTS_MARKER=");
	const char *paths[] = { "QUOTEDB_PLUGIN_PATH=", "QUOTEDB_PLUGIN_PATH=:",
		"QUOTEDB_PLUGIN_PATH=.", "QUOTEDB_PLUGIN_PATH=./",
		"QUOTEDB_PLUGIN_PATH=sub", "QUOTEDB_PLUGIN_PATH=::.:sub:",
		"QUOTEDB_PLUGIN_PATH=/nonexistent::." , "QUOTEDB_PLUGIN_PATH" };
	const char *argv[] = { th_cli(), "--db", db, "export", "--format",
			       "evil", NULL };
	const char *fmt[] = { th_cli(), "formats", NULL };
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		unlink(mpath);
		const char *env[] = { marker, paths[i], NULL };
		spawn_opts o = { .cwd = cwd, .env = env };
		char *err = NULL;
		CU_ASSERT(exited(run(&err, &o, argv), 1));
		ASSERT_HAS(err, "no plugin 'evil'");
		free(err);
		run(NULL, &o, fmt);
		if (exists(mpath))
			fprintf(stderr, "\n  %s loaded ./evil.so\n", paths[i]);
		CU_ASSERT(!exists(mpath));
	}
	/* A name is a name, not a file name. */
	const char *env[] = { marker, "QUOTEDB_PLUGIN_PATH=.", NULL };
	spawn_opts o = { .cwd = cwd, .env = env };
	const char *dotso[] = { th_cli(), "--db", db, "export", "--format",
				"evil.so", NULL };
	char *err = NULL;
	CU_ASSERT(exited(run(&err, &o, dotso), 1));
	ASSERT_HAS(err, "not a format name");
	free(err);
	CU_ASSERT(!exists(mpath));
	/* The control: the absolute directory finds it. */
	char abs_env[PATH_MAX + 32];
	snprintf(abs_env, sizeof abs_env, "QUOTEDB_PLUGIN_PATH=%s", cwd);
	const char *env_abs[] = { marker, abs_env, NULL };
	spawn_opts oa = { .cwd = cwd, .env = env_abs };
	CU_ASSERT(exited(run(NULL, &oa, argv), 0));
	CU_ASSERT(exists(mpath));
	unlink(mpath);
}

/* Each broken variant of abi_plugin.c is refused with a message that
 * names the file and the rule it breaks. */
static void test_plugin_abi_refused(void)
{
	const char *db = db_with(&tiny, "plugins.db");
	CU_ASSERT_FATAL(db != NULL);
	char newer[64], newer_msg[64];
	snprintf(newer, sizeof newer, "-DABI_MINOR=%d",
		 QDB_PLUGIN_ABI_MINOR + 1);
	snprintf(newer_msg, sizeof newer_msg, "plugin needs ABI %d.%d",
		 QDB_PLUGIN_ABI_MAJOR, QDB_PLUGIN_ABI_MINOR + 1);
	struct {
		const char *so, *flags, *msg;
	} v[] = {
		{ "abi-nosym.so", "-DNO_SYMBOL",
		  "no symbol qdb_plugin_descriptor" },
		{ "abi-null.so", "-DRETURN_NULL", "returned NULL" },
		{ "abi-major2.so", "-DABI_MAJOR=2", "plugin ABI 2." },
		{ "abi-newer.so", newer, newer_msg },
		{ "abi-short.so", "-DSHORT_SIZE", "shorter than" },
		{ "abi-noname.so", "-DNULL_NAME", "has no name" },
		{ "abi-noquote.so", "-DNULL_QUOTE", "has no quote" },
		{ "abi-nohelp.so", "-DNO_HELP", "has no help" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char rel[64];
		snprintf(rel, sizeof rel, "abi/%s", v[i].so);
		const char *so = build_so("abi_plugin.c", rel, v[i].flags);
		CU_ASSERT_FATAL(so != NULL);
		const char *argv[] = { th_cli(), "--db", db, "export",
				       "--format", so, NULL };
		char *err = NULL;
		CU_ASSERT(exited(run(&err, NULL, argv), 1));
		ASSERT_HAS(err, so);
		ASSERT_HAS(err, v[i].msg);
		free(err);
	}
	/* The control, and a plugin that is not a regular file. */
	const char *so = build_so("abi_plugin.c", "abi/abi-ok.so", NULL);
	CU_ASSERT_FATAL(so != NULL);
	const char *ok[] = { th_cli(), "--db", db, "export", "--format", so,
			     NULL };
	CU_ASSERT(exited(run(NULL, NULL, ok), 0));
	char dir_so[PATH_MAX];
	snprintf(dir_so, sizeof dir_so, "%s", tp("dir.so"));
	mkdir(dir_so, 0755);
	const char *dir[] = { th_cli(), "--db", db, "export", "--format",
			      dir_so, NULL };
	char *err = NULL;
	CU_ASSERT(exited(run(&err, NULL, dir), 1));
	ASSERT_HAS(err, "not a regular file");
	free(err);
}

/*
 * A plugin built for ABI 1.0, with the 1.0 descriptor and options (each
 * smaller than this host's), is accepted by a host of a later minor: it
 * is listed, its string options are read at the stride it was built
 * with, and its export works.
 */
static void test_plugin_abi_1_0_accepted(void)
{
	const char *db = db_with(&tiny, "plugins10.db");
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT_FATAL(QDB_PLUGIN_ABI_MINOR > 0);
	const char *so = build_so("abi_plugin.c", "abi/abi-1.0.so",
				  "-DABI_1_0");
	CU_ASSERT_FATAL(so != NULL);
	const char *argv[] = { th_cli(), "--db", db, "export", "--format", so,
			       "-O", "y=given", NULL };
	char *out = NULL, *err = NULL;
	CU_ASSERT(exited(run_out(&out, &err, NULL, argv), 0));
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	static const char head[] = "x=0\ny=given\nz=(null)\nabi\n";
	CU_ASSERT_NSTRING_EQUAL(out, head, strlen(head));
	free(out);
	free(err);
	/* A value that is not a string's is the plugin's to judge: 1.0
	 * options have no type. */
	const char *anything[] = { th_cli(), "--db", db, "export", "--format",
				   so, "-O", "x=not a number", NULL };
	CU_ASSERT(exited(run_out(NULL, NULL, NULL, anything), 0));
	const char *list[] = { th_cli(), "formats", NULL };
	char *fmt = NULL;
	const char *env[] = { NULL, NULL };
	char pp[PATH_MAX + 32];
	snprintf(pp, sizeof pp, "QUOTEDB_PLUGIN_PATH=%s", th_path("abi"));
	env[0] = pp;
	spawn_opts o = { .env = env };
	CU_ASSERT(exited(run_out(&fmt, NULL, &o, list), 0));
	ASSERT_HAS(fmt, "ABI 1.0 test plugin");
	ASSERT_HAS(fmt, "-O y=why");
	free(fmt);
}

/* ---- a hostile database ------------------------------------------- */

/*
 * A quotedb database someone else added triggers and views to.  A trigger
 * runs on every write with the writer's rights; trusted_schema off and
 * SQLITE_DBCONFIG_DEFENSIVE would keep one from functions, the full-text
 * index and its shadow tables, but not from plain SQL on ordinary tables.
 * So quotedb refuses to write to a file with a trigger it did not create,
 * whatever the trigger does, and reads it as usual: views are never
 * consulted.
 */
static void test_hostile_triggers(void)
{
	const char *refused = "a trigger quotedb did not create";
	struct {
		const char *what, *body;
	} v[] = {
		{ "writes an ordinary table",
		  "INSERT INTO pwned VALUES (new.id);" },
		{ "writes the full-text index",
		  "INSERT INTO quotes_fts(quotes_fts) VALUES ('delete-all');" },
		{ "writes a shadow table", "DELETE FROM quotes_fts_data;" },
		{ "loads an extension",
		  "SELECT load_extension('/nonexistent/evil.so');" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char name[32];
		snprintf(name, sizeof name, "hostile-%zu.db", i);
		const char *db = tp(name);
		rm_db(db);
		const char *init[] = { th_cli(), "--db", db, "init", NULL };
		CU_ASSERT_FATAL(exited(run(NULL, NULL, init), 0));
		char sql[512];
		snprintf(sql, sizeof sql, "CREATE TABLE pwned(what);"
			 "CREATE TRIGGER hostile AFTER INSERT ON quotes BEGIN "
			 "%s END;", v[i].body);
		CU_ASSERT_FATAL(sql_exec(db, sql) == SQLITE_OK);
		const char *argv[] = { th_cli(), "--db", db, "import",
				       tiny.path, NULL };
		char *err = NULL;
		int st = run(&err, NULL, argv);
		long long quotes = th_sql_int(db,
					      "SELECT count(*) FROM quotes");
		long long pwned = th_sql_int(db, "SELECT count(*) FROM pwned");
		CU_ASSERT(exited(st, 1));
		/* The table the trigger writes is not quotedb's either:
		 * refused at open (the hardening suite), before any write. */
		CU_ASSERT(has(err, refused) ||
			  has(err, "not the schema quotedb made"));
		CU_ASSERT_EQUAL(quotes, 0);
		CU_ASSERT_EQUAL(pwned, 0);
		if (quotes || pwned)
			fprintf(stderr, "\n  trigger that %s: ran\n",
				v[i].what);
		free(err);
	}

	/* A trigger on delete: reading ignores it; the delete is refused
	 * before it starts.  (A view quotedb did not make is refused at
	 * open: the hardening suite.) */
	const char *db = tp("hostile-views.db");
	rm_db(db);
	const char *imp[] = { th_cli(), "--db", db, "import", tiny.path, NULL };
	CU_ASSERT_FATAL(exited(run(NULL, NULL, imp), 0));
	CU_ASSERT_FATAL(sql_exec(db,
		"CREATE TRIGGER hostile_delete AFTER DELETE ON quotes BEGIN "
		"INSERT INTO quotes_fts(quotes_fts) VALUES ('delete-all'); "
		"END;") == SQLITE_OK);
	char listout[PATH_MAX];
	snprintf(listout, sizeof listout, "%s", tp("hostile.list"));
	const char *list[] = { th_cli(), "--db", db, "list", NULL };
	spawn_opts lo = { .out = listout };
	CU_ASSERT(exited(run(NULL, &lo, list), 0));
	size_t len = 0;
	char *out = th_read_file(listout, &len);
	long long lines = 0;
	for (size_t i = 0; out && i < len; i++)
		lines += out[i] == '\n';
	free(out);
	CU_ASSERT_EQUAL(lines, tiny.n);
	const char *search[] = { th_cli(), "--db", db, "search", "stop", NULL };
	CU_ASSERT(exited(run(NULL, NULL, search), 0));
	const char *exp[] = { th_cli(), "--db", db, "export", "--format",
			      "csv", NULL };
	CU_ASSERT(exited(run(NULL, NULL, exp), 0));
	const char *del[] = { th_cli(), "--db", db, "delete", "d-000001",
			      NULL };
	char *err = NULL;
	CU_ASSERT(exited(run(&err, NULL, del), 1));
	ASSERT_HAS(err, refused);
	free(err);
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes"),
			tiny.n);
}

void test_faults_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_kill_during_import),
		QDB_TEST(test_concurrent_imports_and_reader),
		QDB_TEST(test_export_to_dev_full),
		QDB_TEST(test_export_temp_file_impossible),
		QDB_TEST(test_export_fails_midway),
		QDB_TEST(test_plugin_crash),
		QDB_TEST(test_allocation_failure),
		QDB_TEST(test_allocation_failure_exports),
		QDB_TEST(test_plugin_writable_by_others_refused),
		QDB_TEST(test_plugin_path_never_cwd),
		QDB_TEST(test_plugin_abi_refused),
		QDB_TEST(test_plugin_abi_1_0_accepted),
		QDB_TEST(test_hostile_triggers),
	};
	TH_SUITE("faults", faults_init, faults_clean, tests);
}
