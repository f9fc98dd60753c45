/*
 * test_cli.c: the quotedb command as a user meets it: exit codes (0 done,
 * 1 failed, 2 misuse), help on every command, data on stdout and messages
 * on stderr, where the database is, and the seed collection in quotes/
 * imported, listed, searched, shown and verified.  Runs build/quotedb from
 * the repository root through the shell, in an environment of its own:
 * no QUOTEDB_DB, and XDG_DATA_HOME and HOME inside the temporary directory.
 * What only happens on a terminal (the table, search snippets in bold,
 * progress) is run on pseudo-terminals and measured with wcwidth().
 */
#define _XOPEN_SOURCE 700  /* wcwidth(), posix_openpt() */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define SEED_DIR "quotes/"
#define SEED_FILE "quotes/000_ce5212642387543b.yaml"
#define SEED_COUNT 86
#define DATA "tests/data/cli"

/* Runs `quotedb ARGS` (a shell fragment) in the clean environment. */
__attribute__((format(printf, 3, 4)))
static int cli(char **out, char **err, const char *fmt, ...)
{
	char args[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	const char *t = th_tmpdir();
	return th_run(out, err, "env -u QUOTEDB_DB XDG_DATA_HOME='%s/xdg' "
		      "HOME='%s/home' NO_COLOR=1 COLUMNS=100 '%s' %s", t, t,
		      th_cli(), args);
}

/* Asserts a command's exit code, stdout and stderr at once; NULL for a
 * stream means "do not care". */
static void expect(int code, const char *want_out, const char *want_err,
		   int got, const char *out, const char *err, int line)
{
	char msg[256];
	snprintf(msg, sizeof msg, "exit code %d, want %d", got, code);
	CU_assertImplementation(got == code, (unsigned)line, msg, __FILE__, "",
				CU_FALSE);
	if (want_out) {
		int ok = out && strcmp(out, want_out) == 0;
		CU_assertImplementation(ok, (unsigned)line, "stdout", __FILE__,
					"", CU_FALSE);
		if (!ok)
			fprintf(stderr, "\n  line %d stdout:\n  want: %s\n"
				"  got:  %s\n", line, want_out,
				out ? out : "(null)");
	}
	if (want_err) {
		int ok = err && strcmp(err, want_err) == 0;
		CU_assertImplementation(ok, (unsigned)line, "stderr", __FILE__,
					"", CU_FALSE);
		if (!ok)
			fprintf(stderr, "\n  line %d stderr:\n  want: %s\n"
				"  got:  %s\n", line, want_err,
				err ? err : "(null)");
	}
}

#define EXPECT(code, wout, werr, fmt, ...) do { \
		char *o_ = NULL, *e_ = NULL; \
		int c_ = cli(&o_, &e_, fmt, __VA_ARGS__); \
		expect(code, wout, werr, c_, o_, e_, __LINE__); \
		free(o_); \
		free(e_); \
	} while (0)

static int has(const char *s, const char *part)
{
	return s && strstr(s, part) != NULL;
}

static int starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* A database path of our own, removed first. */
static const char *db_at(const char *name)
{
	static char buf[4][1024];
	static int n;
	char *p = buf[n++ % 4];
	snprintf(p, 1024, "%s", th_path(name));
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -f '%s' '%s-wal' '%s-shm'", p, p, p);
	if (system(cmd) != 0)
		CU_FAIL("rm");
	return p;
}

/* ---- running on a terminal ------------------------------------------ */

/* How tty_cli() connects the command: which of stdout and stderr are
 * terminals (each a pseudo-terminal of its own, cols columns wide; the
 * others are pipes), and environment variables to set ("NAME=value ...").
 * COLUMNS and NO_COLOR are unset unless env sets them. */
typedef struct tty_setup {
	int out_tty, err_tty;
	unsigned short cols;
	const char *env;
} tty_setup;

/* fd[1] for the command to write to, fd[0] to read what it wrote: a pipe,
 * or a pseudo-terminal cols wide that passes output on as written (no
 * "\n" to "\r\n").  posix_openpt() rather than openpty(): it is in every
 * C library, with no -lutil to link on some and not on others. */
static int open_stream(int fd[2], int tty, unsigned short cols)
{
	if (!tty)
		return pipe(fd);
	struct winsize ws = { .ws_row = 24, .ws_col = cols };
	struct termios t;
	const char *name;
	fd[1] = -1;
	fd[0] = posix_openpt(O_RDWR | O_NOCTTY);
	if (fd[0] >= 0 && grantpt(fd[0]) == 0 && unlockpt(fd[0]) == 0 &&
	    (name = ptsname(fd[0])) != NULL &&
	    (fd[1] = open(name, O_RDWR | O_NOCTTY)) >= 0 &&
	    ioctl(fd[1], TIOCSWINSZ, &ws) == 0 && tcgetattr(fd[1], &t) == 0) {
		t.c_oflag &= ~(tcflag_t)OPOST;
		if (tcsetattr(fd[1], TCSANOW, &t) == 0)
			return 0;
	}
	if (fd[0] >= 0)
		close(fd[0]);
	if (fd[1] >= 0)
		close(fd[1]);
	return -1;
}

/* Runs `quotedb ARGS` as cli() does, but with stdout and stderr connected
 * as *how says and stdin /dev/null; *out and *err get what it wrote to
 * each.  Returns the exit status, or -1. */
__attribute__((format(printf, 4, 5)))
static int tty_cli(char **out, char **err, const tty_setup *how,
		   const char *fmt, ...)
{
	char args[4096], cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	const char *t = th_tmpdir();
	/* exec: the shell becomes quotedb, so a kill reaches quotedb. */
	snprintf(cmd, sizeof cmd, "exec env -u QUOTEDB_DB -u COLUMNS -u NO_COLOR "
		 "XDG_DATA_HOME='%s/xdg' HOME='%s/home' %s '%s' %s", t, t,
		 how->env, th_cli(), args);
	int s[2][2];
	if (open_stream(s[0], how->out_tty, how->cols) != 0)
		return -1;
	if (open_stream(s[1], how->err_tty, how->cols) != 0) {
		close(s[0][0]);
		close(s[0][1]);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0 && (null == 0 || dup2(null, 0) == 0) &&
		    dup2(s[0][1], 1) == 1 && dup2(s[1][1], 2) == 2) {
			if (null > 2)
				close(null);
			for (int i = 0; i < 2; i++) {
				close(s[i][0]);
				close(s[i][1]);
			}
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		}
		_exit(127);
	}
	close(s[0][1]);
	close(s[1][1]);
	int fd[2] = { s[0][0], s[1][0] };
	th_buf got[2] = { { NULL, 0, 0 }, { NULL, 0, 0 } };
	/* Until both are closed: a pipe reads 0 then, a terminal EIO (once
	 * everything written to it has been read). */
	time_t give_up = time(NULL) + 300;
	while (pid > 0 && (fd[0] >= 0 || fd[1] >= 0)) {
		struct pollfd pf[2];
		int which[2];
		nfds_t n = 0;
		for (int i = 0; i < 2; i++)
			if (fd[i] >= 0) {
				pf[n].fd = fd[i];
				pf[n].events = POLLIN;
				pf[n].revents = 0;
				which[n++] = i;
			}
		int r = poll(pf, n, 1000);
		if (r < 0 && errno != EINTR)
			break;
		if (time(NULL) > give_up) {
			CU_FAIL("tty_cli: the command did not finish");
			kill(pid, SIGKILL);
			break;
		}
		for (nfds_t k = 0; r > 0 && k < n; k++) {
			if (!pf[k].revents)
				continue;
			char buf[4096];
			int i = which[k];
			ssize_t len = read(fd[i], buf, sizeof buf);
			if (len > 0) {
				th_buf_write(buf, (size_t)len, &got[i]);
			} else if (len == 0 || errno != EINTR) {
				close(fd[i]);
				fd[i] = -1;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	int st = -1;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	char **dst[2] = { out, err };
	for (int i = 0; i < 2; i++) {
		if (dst[i])
			*dst[i] = got[i].data ? got[i].data : strdup("");
		else
			th_buf_free(&got[i]);
	}
	if (pid < 0 || st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A terminal's output is measured in the C library's UTF-8 locale. */
static locale_t utf8_locale;

/* The columns a line of terminal output takes, by wcwidth(): what the
 * terminal makes of it, not what quotedb thinks.  Escape sequences
 * (ESC [ ... letter) take none.  -1 when the line has invalid UTF-8 (a
 * character cut in two) or a character a terminal does not print (a
 * control character). */
static int display_width(const char *s, size_t n)
{
	if (!utf8_locale)
		return -1;
	locale_t old = uselocale(utf8_locale);
	mbstate_t st;
	memset(&st, 0, sizeof st);
	int width = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] == '\x1b' && i + 1 < n && s[i + 1] == '[') {
			for (i += 2; i < n && (s[i] < 0x40 || s[i] > 0x7e); i++)
				;
			i++;
			continue;
		}
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + i, n - i, &st);
		int w = k == 0 || k > n - i ? -1 : wcwidth(wc);
		if (w < 0) {
			width = -1;
			break;
		}
		width += w;
		i += k;
	}
	uselocale(old);
	return width;
}

/* Asserts that every line of terminal output is valid UTF-8 no wider
 * than cols; returns the widest line's width. */
static int check_lines(const char *out, int cols, int line)
{
	int widest = 0;
	for (const char *p = out; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int w = display_width(p, n);
		char msg[128];
		if (w < 0)
			snprintf(msg, sizeof msg, "a line with invalid UTF-8 or a "
				 "control character");
		else
			snprintf(msg, sizeof msg, "a line %d columns wide on a "
				 "terminal of %d", w, cols);
		CU_assertImplementation(w >= 0 && w <= cols, (unsigned)line,
					msg, __FILE__, "", CU_FALSE);
		if (w < 0 || w > cols)
			fprintf(stderr, "\n  line %d: %.*s\n", line, (int)n, p);
		if (w > widest)
			widest = w;
		p += n + (end != NULL);
	}
	return widest;
}

/* Compares s with the file at path; on a difference, says where. */
static void expect_file(const char *s, const char *path, int line)
{
	char *want = th_read_file(path, NULL);
	int ok = want && s && strcmp(s, want) == 0;
	char msg[256];
	snprintf(msg, sizeof msg, "output differs from %s", path);
	CU_assertImplementation(ok, (unsigned)line, msg, __FILE__, "",
				CU_FALSE);
	if (!ok)
		fprintf(stderr, "\n  line %d: want %s, got:\n%s", line, path,
			s ? s : "(null)");
	free(want);
}

/* The seed collection, imported once for the tests that only read it. */
static char seed_db[1024];

static int suite_init(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!utf8_locale)
		fprintf(stderr, "no C.UTF-8 locale: the terminal tests cannot "
			"measure widths\n");
	snprintf(seed_db, sizeof seed_db, "%s", db_at("seed.db"));
	char *err = NULL;
	int rc = cli(NULL, &err, "--db '%s' import " SEED_DIR, seed_db);
	if (rc != 0)
		fprintf(stderr, "import of the seed failed: %s", err);
	free(err);
	return rc == 0 ? 0 : 1;
}

static int suite_clean(void)
{
	if (utf8_locale)
		freelocale(utf8_locale);
	utf8_locale = (locale_t)0;
	th_cleanup();
	return 0;
}

/* ---- version, help, misuse ------------------------------------------ */

static void test_version(void)
{
	char *out = NULL, *err = NULL;
	int rc = cli(&out, &err, "--version");
	CU_ASSERT_EQUAL(rc, 0);
	char want[64];
	snprintf(want, sizeof want, "quotedb %s (schema %d, plugin ABI ",
		 QDB_VERSION, qdb_schema_version());
	CU_ASSERT(starts(out, want));
	CU_ASSERT_EQUAL(count_lines(out), 1);
	CU_ASSERT_STRING_EQUAL(err, "");
	free(out);
	free(err);
}

static void test_help_on_every_command(void)
{
	static const char *const cmds[] = { "init", "import", "add", "list",
		"search", "show", "delete", "speakers", "speaker", "outlets",
		"outlet", "export", "formats", "verify", "info" };
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char *out = NULL, *err = NULL;
		int rc = cli(&out, &err, "%s --help", cmds[i]);
		char msg[128];
		snprintf(msg, sizeof msg, "%s --help: exit 0, Usage on stdout, "
			 "nothing on stderr", cmds[i]);
		int ok = rc == 0 && starts(out, "Usage: quotedb ") &&
			 err && !*err;
		CU_assertImplementation(ok, __LINE__, msg, __FILE__, "",
					CU_FALSE);
		free(out);
		free(err);
	}
	/* `help CMD` and -h say the same as --help. */
	char *out = NULL, *err = NULL, *out2 = NULL, *out3 = NULL;
	CU_ASSERT_EQUAL(cli(&out, NULL, "import --help"), 0);
	CU_ASSERT_EQUAL(cli(&out2, NULL, "help import"), 0);
	CU_ASSERT_EQUAL(cli(&out3, NULL, "import -h"), 0);
	CU_ASSERT(out && out2 && strcmp(out, out2) == 0);
	CU_ASSERT(out && out3 && strcmp(out, out3) == 0);
	free(out);
	free(out2);
	free(out3);
	CU_ASSERT_EQUAL(cli(&out, &err, "--help"), 0);
	CU_ASSERT(starts(out, "Usage: quotedb [--db PATH] COMMAND"));
	/* Every command is in the overview. */
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char line[32];
		snprintf(line, sizeof line, "\n  %s ", cmds[i]);
		CU_ASSERT(has(out, line));
	}
	CU_ASSERT_STRING_EQUAL(err, "");
	free(out);
	free(err);
	/* Filters are explained where they are taken. */
	CU_ASSERT_EQUAL(cli(&out, NULL, "list --help"), 0);
	CU_ASSERT(has(out, "--strict-dates"));
	CU_ASSERT(has(out, "a repeated filter is OR"));
	free(out);
}

static void test_misuse_exits_2(void)
{
	const char *db = db_at("misuse.db");
	/* Nothing on stdout, the reason on stderr, exit 2. */
	EXPECT(2, "", "quotedb: 'lst' is not a command; did you mean 'list'?\n",
	       "--db '%s' lst", db);
	EXPECT(2, "", "quotedb: 'serach' is not a command; did you mean "
	       "'search'?\n", "--db '%s' serach x", db);
	EXPECT(2, "", "quotedb: 'frobnicate' is not a command; see 'quotedb "
	       "--help'\n", "--db '%s' frobnicate", db);
	EXPECT(2, "", "quotedb: 'lst' is not a command; did you mean 'list'?\n",
	       "help %s", "lst");
	EXPECT(2, "", "quotedb: 'frobnicate' is not a command; see 'quotedb "
	       "--help'\n", "help %s", "frobnicate");
	EXPECT(2, "", "quotedb: list: unknown option '--bogus'\nTry 'quotedb "
	       "list --help'.\n", "list --db '%s' --bogus", db);
	EXPECT(2, "", "quotedb: list: option '--speaker' needs a value\nTry "
	       "'quotedb list --help'.\n", "list --db '%s' --speaker", db);
	EXPECT(2, "", "quotedb: list: --limit needs a positive number, not "
	       "'0'\nTry 'quotedb list --help'.\n", "list --db '%s' --limit 0",
	       db);
	EXPECT(2, "", "quotedb: list: --sort takes date, speaker, outlet, "
	       "source, added or rank, not 'sideways'\nTry 'quotedb list "
	       "--help'.\n",
	       "list --db '%s' --sort sideways", db);
	EXPECT(2, "", "quotedb: import: needs at least one FILE or DIR\n"
	       "Try 'quotedb import --help'.\n", "import --db '%s'", db);
	EXPECT(2, "", "quotedb: add: needs --text and --speaker\nTry "
	       "'quotedb add --help'.\n", "add --db '%s' --text x", db);
	EXPECT(2, "", "quotedb: show: needs an ID\nTry 'quotedb show "
	       "--help'.\n", "show --db '%s'", db);
	EXPECT(2, "", "quotedb: search: needs WORDS to search for\nTry 'quotedb "
	       "search --help'.\n", "search --db '%s'", db);
	EXPECT(2, "", NULL, "--db '%s' list stray", db);
	EXPECT(2, "", NULL, "--db '%s' speaker alias onlyone", db);
	/* Options before the command: unknown ones and none at all. */
	char *out = NULL, *err = NULL;
	CU_ASSERT_EQUAL(cli(&out, &err, "--frob list"), 2);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT(starts(err, "quotedb: unknown option '--frob'\nUsage: "));
	free(out);
	free(err);
	CU_ASSERT_EQUAL(cli(&out, &err, "--db '%s'", db), 2);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT(starts(err, "Usage: quotedb"));
	free(out);
	free(err);
	/* Misuse never creates the database. */
	CU_ASSERT(!exists(db));
}

/* ---- where the database is ----------------------------------------- */

static void test_database_selection(void)
{
	const char *t = th_tmpdir();
	char flag[1024], after[1024], env[1024], both[1024], xdg[1024];
	snprintf(flag, sizeof flag, "%s", db_at("flag.db"));
	snprintf(after, sizeof after, "%s", db_at("after.db"));
	snprintf(env, sizeof env, "%s", db_at("env.db"));
	snprintf(both, sizeof both, "%s", db_at("both.db"));
	snprintf(xdg, sizeof xdg, "%s/xdg/quotedb/quotes.db", t);

	char want[1200];
	snprintf(want, sizeof want, "quotedb: database %s (schema %d)\n", flag,
		 qdb_schema_version());
	EXPECT(0, "", want, "--db '%s' init", flag);
	CU_ASSERT(exists(flag));
	/* --db after the command. */
	EXPECT(0, "", NULL, "init --db '%s'", after);
	CU_ASSERT(exists(after));
	EXPECT(0, NULL, "", "--db='%s' info", after);
	/* $QUOTEDB_DB, and --db before it. */
	char *out = NULL;
	int rc = th_run(&out, NULL, "QUOTEDB_DB='%s' '%s' init", env, th_cli());
	CU_ASSERT_EQUAL(rc, 0);
	free(out);
	CU_ASSERT(exists(env));
	rc = th_run(&out, NULL, "QUOTEDB_DB='%s' '%s' add --db '%s' --text t "
		    "--speaker s", env, th_cli(), both);
	CU_ASSERT_EQUAL(rc, 0);
	free(out);
	CU_ASSERT_EQUAL(th_sql_int(both, "SELECT count(*) FROM quotes"), 1);
	CU_ASSERT_EQUAL(th_sql_int(env, "SELECT count(*) FROM quotes"), 0);
	/* Neither: $XDG_DATA_HOME/quotedb/quotes.db, directories made. */
	CU_ASSERT(!exists(xdg));
	EXPECT(0, "", NULL, "init%s", "");
	CU_ASSERT(exists(xdg));
	snprintf(want, sizeof want, "database      %s\n", xdg);
	rc = cli(&out, NULL, "info");
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(starts(out, want));
	free(out);
	/* Reading commands never create one. */
	const char *none = db_at("none.db");
	snprintf(want, sizeof want, "quotedb: list: %s: no database here; run "
		 "'quotedb init' or 'quotedb import' first (or give --db)\n",
		 none);
	EXPECT(1, "", want, "list --db '%s'", none);
	CU_ASSERT(!exists(none));
}

/* ---- the seed collection ------------------------------------------- */

static void test_seed_import_and_verify(void)
{
	const char *db = db_at("workflow.db");
	char want[128];
	snprintf(want, sizeof want, "quotedb: imported %d quotes: %d new, 0 "
		 "already present\n", SEED_COUNT, SEED_COUNT);
	EXPECT(0, "", want, "--db '%s' import " SEED_DIR, db);
	/* Again: nothing new. */
	snprintf(want, sizeof want, "quotedb: imported %d quotes: 0 new, %d "
		 "already present\n", SEED_COUNT, SEED_COUNT);
	EXPECT(0, "", want, "--db '%s' import " SEED_FILE, db);
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes"),
			SEED_COUNT);

	/* Every quote is in its source text, word for word. */
	char *out = NULL, *err = NULL;
	int rc = cli(&out, &err, "--db '%s' verify", db);
	CU_ASSERT_EQUAL(rc, 0);
	snprintf(want, sizeof want, "quotedb: %d verified, 0 not verified\n",
		 SEED_COUNT);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_EQUAL(count_lines(out), SEED_COUNT);
	size_t verified = 0;
	for (const char *p = out; p && *p; p = strchr(p, '\n') + 1)
		verified += starts(p, "verified\t");
	CU_ASSERT_EQUAL(verified, SEED_COUNT);
	free(out);
	free(err);
	/* A quote that is not in its source fails verify: exit 1. */
	EXPECT(0, NULL, "", "--db '%s' add --id made-up --text 'words nobody "
	       "wrote' --speaker Amwaj --source x --source-file " SEED_DIR
	       "000_ce5212642387543b.txt", db);
	rc = cli(&out, &err, "--db '%s' verify --id made-up", db);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT(starts(out, "not found\tmade-up") ||
		  starts(out, "differs\tmade-up"));
	CU_ASSERT_STRING_EQUAL(err, "quotedb: 0 verified, 1 not verified\n");
	free(out);
	free(err);
}

/* list --json is JSON, and every text in it is the YAML's, byte for byte. */
static void test_seed_json_matches_yaml(void)
{
	char json[1024];
	snprintf(json, sizeof json, "%s", th_path("seed.json"));
	char *err = NULL;
	int rc = cli(NULL, &err, "--db '%s' list --json > '%s'", seed_db, json);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	free(err);
	char *out = NULL;
	rc = th_run(&out, &err, "python3 -c 'import json,sys; "
		    "print(len(json.load(sys.stdin)))' < '%s'", json);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(out, "86\n");
	free(out);
	free(err);
	rc = th_run(&out, &err, "python3 tests/data/seed/json_matches_yaml.py "
		    "'%s' " SEED_FILE, json);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(out, "86\n");
	if (rc)
		fprintf(stderr, "\n%s%s", out ? out : "", err ? err : "");
	free(out);
	free(err);
}

static void test_seed_list_search_show(void)
{
	char *out = NULL, *err = NULL;
	/* Piped: one tab-separated line per quote. */
	CU_ASSERT_EQUAL(cli(&out, &err, "--db '%s' list", seed_db), 0);
	CU_ASSERT_EQUAL(count_lines(out), SEED_COUNT);
	CU_ASSERT(starts(out, "p5-foreignministry-1\t2023-10~\tIranian Foreign "
			 "Ministry\t\tlegitimate\n"));
	CU_ASSERT_STRING_EQUAL(err, "");
	free(out);
	free(err);
	/* Filters: alias in any case, AND with a date. */
	CU_ASSERT_EQUAL(cli(&out, NULL, "--db '%s' list --speaker kirby",
			    seed_db), 0);
	CU_ASSERT_EQUAL(count_lines(out), 4);
	free(out);
	CU_ASSERT_EQUAL(cli(&out, NULL, "--db '%s' list --speaker kirby "
			    "--speaker BIDEN", seed_db), 0);
	CU_ASSERT_EQUAL(count_lines(out), 6);
	free(out);
	CU_ASSERT_EQUAL(cli(&out, NULL, "--db '%s' list --speaker khamenei "
			    "--from 2023-10-10 --to 2023-10-10 --strict-dates",
			    seed_db), 0);
	CU_ASSERT(starts(out, "p5-khamenei-1\t2023-10-10\tAli Khamenei\t"));
	CU_ASSERT_EQUAL(count_lines(out), 1);
	free(out);
	/* A bad date is misuse like a bad --sort: exit 2 with the reason. */
	CU_ASSERT_EQUAL(cli(&out, &err, "--db '%s' list --from 2023-13",
			    seed_db), 2);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT(starts(err, "quotedb: list: --from: bad date "
			 "\"2023-13\": there is no month 13;"));
	CU_ASSERT(has(err, "\nTry 'quotedb list --help'.\n"));
	free(out);
	free(err);
	/* Search: words, diacritics folded. */
	CU_ASSERT_EQUAL(cli(&out, &err, "--db '%s' search --json heroic",
			    seed_db), 0);
	CU_ASSERT(has(out, "\"id\": \"p7-nasrallah-1\""));
	CU_ASSERT(has(out, "\"snippet\": "));
	CU_ASSERT_STRING_EQUAL(err, "");
	free(out);
	free(err);
	/* Raw FTS5 behind --fts, its errors told as quotedb's. */
	EXPECT(1, "", "quotedb: search: full-text query: unterminated "
	       "string\n", "--db '%s' search --fts '\"unclosed'", seed_db);
	/* show: every field present, nothing absent. */
	CU_ASSERT_EQUAL(cli(&out, &err, "--db '%s' show p5-khamenei-1",
			    seed_db), 0);
	CU_ASSERT(starts(out, "id           p5-khamenei-1\n"
			 "text         We kiss the hands of those who planned "
			 "the attack on the Zionist regime\n"
			 "speaker      Ali Khamenei\n"
			 "role         Supreme Leader\n"
			 "date         2023-10-10\n"));
	CU_ASSERT(!has(out, "outlet "));
	CU_ASSERT_STRING_EQUAL(err, "");
	free(out);
	free(err);
	EXPECT(1, "", "quotedb: show: no quote with id 'nope'\n",
	       "--db '%s' show nope", seed_db);
	/* speakers and outlets: count, name, aliases. */
	CU_ASSERT_EQUAL(cli(&out, NULL, "--db '%s' outlets", seed_db), 0);
	CU_ASSERT(has(out, "4\tThe Wall Street Journal\tthe Journal\n"));
	free(out);
}

/* search takes words as a writer types them: punctuation separates words
 * and is never query syntax, and English endings fold.  On a terminal the
 * words found are bold in the passage under each row, unless NO_COLOR. */
static void test_search_words(void)
{
	const char *db = db_at("words.db");
	EXPECT(0, "w1\n", "", "--db '%s' add --id w1 --text 'We offer our "
	       "condolences to the world'\\''s kind-hearted #NATO allies' "
	       "--speaker S", db);
	EXPECT(0, "w2\n", "", "--db '%s' add --id w2 --text 'A world apart, "
	       "kind and hearty' --speaker S", db);
	static const char *const finds_w1[] = {
		"\"world's\"", "kind-hearted", "'#NATO'", "condolence",
		"CONDOLENCES", "'\"our condolences\"'", "ally", "condol*",
		"'(offer)' 'hearted!'",
	};
	for (size_t i = 0; i < sizeof finds_w1 / sizeof finds_w1[0]; i++) {
		char *out = NULL, *err = NULL;
		int rc = cli(&out, &err, "--db '%s' search %s", db, finds_w1[i]);
		int ok = rc == 0 && err && !*err && out && starts(out, "w1\t") &&
			 count_lines(out) == 1;
		char msg[160];
		snprintf(msg, sizeof msg, "search %s finds w1 alone",
			 finds_w1[i]);
		CU_assertImplementation(ok, __LINE__, msg, __FILE__, "",
					CU_FALSE);
		if (!ok)
			fprintf(stderr, "\n%s: %d\n%s%s", msg, rc,
				out ? out : "", err ? err : "");
		free(out);
		free(err);
	}
	/* Every word must match; none found is not an error. */
	EXPECT(0, "", "", "--db '%s' search condolence apart", db);
	EXPECT(0, "", "", "--db '%s' list --search 'world OR nothing'", db);
	EXPECT(1, "", "quotedb: search: no words to search for\n",
	       "--db '%s' search '\"\"'", db);
	/* --fts: FTS5's syntax, its mistakes in quotedb's words. */
	EXPECT(0, NULL, "", "--db '%s' search --fts 'condolence OR apart'", db);
	EXPECT(1, "", "quotedb: search: full-text query: 'hearted' is read as "
	       "a column, and there are only text and context; put a word "
	       "with '-' or ':' in double quotes\n", "--db '%s' search --fts "
	       "kind-hearted", db);
	EXPECT(1, "", "quotedb: list: full-text query: syntax error near "
	       "\"#\"\n", "--db '%s' list --fts --search '#NATO'", db);
	/* On a terminal: the inflected form found, in bold. */
	char *out = NULL, *err = NULL;
	tty_setup on = { 1, 1, 80, "" }, off = { 1, 1, 80, "NO_COLOR=1" };
	CU_ASSERT_EQUAL(tty_cli(&out, &err, &on, "--db '%s' search "
				"condolence kind-hearted", db), 0);
	CU_ASSERT(has(out, "\n    We offer our \x1b[1mcondolences\x1b[0m to "
		      "the world's \x1b[1mkind-hearted\x1b[0m #NATO "
		      "allies\n"));
	CU_ASSERT_STRING_EQUAL(err, "");
	free(out);
	free(err);
	CU_ASSERT_EQUAL(tty_cli(&out, NULL, &off, "--db '%s' search "
				"condolence", db), 0);
	CU_ASSERT(has(out, "\n    We offer our condolences to the world's "
		      "kind-hearted #NATO allies\n"));
	CU_ASSERT(!strchr(out, '\x1b'));
	free(out);
}

/* ---- writing through the command ------------------------------------ */

static void test_add_show_delete(void)
{
	const char *db = db_at("add.db");
	EXPECT(0, "yes-1\n", "", "--db '%s' add --id yes-1 --text yes "
	       "--speaker NO --date 2023-10-07 --tag on --tag '~'", db);
	/* The same again: the id, and a note that nothing changed. */
	EXPECT(0, "yes-1\n", "quotedb: already present\n", "--db '%s' add --id "
	       "yes-1 --text yes --speaker NO --date 2023-10-07 --tag on "
	       "--tag '~'", db);
	EXPECT(1, "", "quotedb: add: id: a quote with id 'yes-1' already exists "
	       "with different content; give this one another id, or delete "
	       "the old one first\n", "--db '%s' add --id yes-1 --text no "
	       "--speaker NO", db);
	EXPECT(0, "id           yes-1\ntext         yes\nspeaker      NO\n"
	       "date         2023-10-07\ntags         on, ~\n", "",
	       "--db '%s' show yes-1", db);
	/* Text with a tab and a line break: escaped in the piped list,
	 * exact in JSON. */
	EXPECT(0, "tabbed\n", "", "--db '%s' add --id tabbed --text \"$(printf "
	       "'a\\tb\\nc')\" --speaker S", db);
	EXPECT(0, "tabbed\t\tS\t\ta\\tb\\nc\n", "", "--db '%s' list --id tabbed",
	       db);
	char *out = NULL;
	CU_ASSERT_EQUAL(cli(&out, NULL, "--db '%s' list --json --id tabbed",
			    db), 0);
	CU_ASSERT(has(out, "\"text\": \"a\\tb\\nc\""));
	free(out);
	/* A bad field: exit 1, the field named, nothing stored. */
	EXPECT(1, "", NULL, "--db '%s' add --text x --speaker S --date "
	       "'October 2023'", db);
	EXPECT(1, "", "quotedb: add: text: text is required and may not be "
	       "empty\n", "--db '%s' add --text '' --speaker S", db);
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes"), 2);
	/* delete, then it is gone. */
	EXPECT(0, "", "quotedb: deleted 'yes-1'\n", "--db '%s' delete yes-1",
	       db);
	EXPECT(1, "", "quotedb: show: no quote with id 'yes-1'\n",
	       "--db '%s' show yes-1", db);
	EXPECT(1, "", "quotedb: delete: no quote with id 'yes-1'\n",
	       "--db '%s' delete yes-1", db);
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes"), 1);
}

/* add without --id: the same words said on another day or occasion are
 * another quote (the key takes date, outlet, programme and occasion when
 * present); the same quote again is already present. */
static void test_add_derived_key(void)
{
	const char *db = db_at("derived.db");
	char *a = NULL, *b = NULL, *err = NULL;
	CU_ASSERT_EQUAL(cli(&a, &err, "--db '%s' add --text 'We stand with "
			    "Ukraine' --speaker Z --date 2023-10-07", db), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	free(err);
	CU_ASSERT_EQUAL(cli(&b, &err, "--db '%s' add --text 'We stand with "
			    "Ukraine' --speaker Z --date 2023-10-08", db), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	free(err);
	CU_ASSERT(a && b && starts(a, "q") && strlen(a) == 18 &&
		  strcmp(a, b) != 0);
	EXPECT(0, NULL, "", "--db '%s' add --text 'We stand with Ukraine' "
	       "--speaker Z --date 2023-10-07 --occasion 'a press conference'",
	       db);
	EXPECT(0, a, "quotedb: already present\n", "--db '%s' add --text 'We "
	       "stand with Ukraine' --speaker Z --date 2023-10-07", db);
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes"), 3);
	free(a);
	free(b);
}

/* The JSON of show, speakers, outlets, info and formats: what Python's
 * json module reads, with the values the plain output has. */
static void test_json_everywhere(void)
{
	static const struct {
		const char *args, *check;
	} cases[] = {
		{ "show --json p5-khamenei-1 p11-kirby-1", "len(d) == 2 and "
		  "d[0]['speaker'] == 'Ali Khamenei' and d[1]['id'] == "
		  "'p11-kirby-1' and d[0]['outlet'] is None" },
		{ "speakers --json", "any(e['name'] == 'Ali Khamenei' and "
		  "e['aliases'] == ['Ayatollah Ali Khamenei', 'Khamenei'] and "
		  "e['quotes'] == 1 for e in d)" },
		{ "outlets --json", "{'name': 'The Wall Street Journal', "
		  "'aliases': ['the Journal'], 'quotes': 4} in d" },
		{ "info --json", "d['schema'] >= 3 and d['quotes'] == 86 and "
		  "d['database'].endswith('seed.db') and "
		  "isinstance(d['plugin_path'], list)" },
		{ "formats --json", "{f['name'] for f in d} >= {'csv', 'yaml', "
		  "'latex'} and [o for f in d if f['name'] == 'csv' for o in "
		  "f['options'] if o['name'] == 'bom'][0]['type'] == 'bool'" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = NULL, *err = NULL;
		int rc = th_run(&out, &err, "env -u QUOTEDB_DB '%s' --db '%s' %s "
				"| python3 -c \"import json, sys; d = json.load("
				"sys.stdin); sys.exit(0 if %s else 1)\"",
				th_cli(), seed_db, cases[i].args, cases[i].check);
		char msg[256];
		snprintf(msg, sizeof msg, "%s: %s", cases[i].args,
			 cases[i].check);
		CU_assertImplementation(rc == 0, __LINE__, msg, __FILE__, "",
					CU_FALSE);
		if (rc)
			fprintf(stderr, "\n%s\n%s", msg, err ? err : "");
		free(out);
		free(err);
	}
	/* show --json of an id that is not there: said, the rest shown. */
	EXPECT(1, "[]\n", "quotedb: show: no quote with id 'nope'\n",
	       "--db '%s' show --json nope", seed_db);
}

/* YAML 1.1 values come back as written. */
static void test_traps_come_back_unchanged(void)
{
	const char *db = db_at("traps.db");
	char yaml[1024];
	snprintf(yaml, sizeof yaml, "%s", th_path("traps.yaml"));
	static const char text[] = "quotes:\n"
		"  - {id: t1, text: yes, speaker: NO}\n"
		"  - {id: t2, text: ~, speaker: NO}\n"
		"  - {id: t3, text: 2023-10-07, speaker: NO, date: 2023-10-07}\n"
		"  - {id: t4, text: 012, speaker: null}\n";
	CU_ASSERT_EQUAL_FATAL(th_write_file(yaml, text, sizeof text - 1), 0);
	EXPECT(0, "", NULL, "--db '%s' import '%s'", db, yaml);
	EXPECT(0, "id           t1\ntext         yes\nspeaker      NO\n", "",
	       "--db '%s' show t1", db);
	EXPECT(0, "id           t2\ntext         ~\nspeaker      NO\n", "",
	       "--db '%s' show t2", db);
	EXPECT(0, "id           t3\ntext         2023-10-07\nspeaker      NO\n"
	       "date         2023-10-07\n", "", "--db '%s' show t3", db);
	EXPECT(0, "id           t4\ntext         012\nspeaker      null\n", "",
	       "--db '%s' show t4", db);
}

/* A malformed file: exit 1, file:line:column on stderr, nothing stored. */
static void test_malformed_file(void)
{
	const char *db = db_at("malformed.db");
	EXPECT(0, "", NULL, "--db '%s' import " SEED_DIR, db);
	char *before = NULL;
	CU_ASSERT_EQUAL(cli(&before, NULL, "--db '%s' list --json", db), 0);
	char bad[1024];
	snprintf(bad, sizeof bad, "%s", th_path("malformed.yaml"));
	static const char text[] = "quotes:\n"
		"  - text: \"a new quote\"\n"
		"    speaker: \"Amwaj\"\n"
		"  - text: \"another\"\n"
		"    speeker: \"Amwaj\"\n";
	CU_ASSERT_EQUAL_FATAL(th_write_file(bad, text, sizeof text - 1), 0);
	char want[1200];
	snprintf(want, sizeof want, "quotedb: import: %s:5:5: quotes[1]: "
		 "unknown key 'speeker' (did you mean 'speaker'?)\n", bad);
	EXPECT(1, "", want, "--db '%s' import '%s'", db, bad);
	/* With the good seed in the same call: none of it either. */
	EXPECT(1, "", want, "--db '%s' import " SEED_FILE " '%s'", db, bad);
	char *after = NULL;
	CU_ASSERT_EQUAL(cli(&after, NULL, "--db '%s' list --json", db), 0);
	CU_ASSERT(before && after && strcmp(before, after) == 0);
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes"),
			SEED_COUNT);
	free(before);
	free(after);
	/* A file that is not there. */
	snprintf(want, sizeof want, "quotedb: import: %s/absent.yaml: cannot "
		 "open: No such file or directory\n", th_tmpdir());
	EXPECT(1, "", want, "--db '%s' import '%s/absent.yaml'", db,
	       th_tmpdir());
}

static void test_speaker_alias_and_merge(void)
{
	const char *db = db_at("entities.db");
	EXPECT(0, "", NULL, "--db '%s' import " SEED_DIR, db);
	EXPECT(0, "", "quotedb: 'Admiral John Kirby' is now an alias of the "
	       "speaker 'John Kirby'\n", "--db '%s' speaker alias kirby "
	       "'Admiral John Kirby'", db);
	char *out = NULL;
	CU_ASSERT_EQUAL(cli(&out, NULL, "--db '%s' list --speaker 'admiral "
			    "john kirby'", db), 0);
	CU_ASSERT_EQUAL(count_lines(out), 4);
	free(out);
	EXPECT(1, "", "quotedb: speaker: 'Biden' already names the speaker "
	       "'Joe Biden'; merge the two instead\n", "--db '%s' speaker alias "
	       "Kirby Biden", db);
	/* merge says what it did; on a terminal it first asks for --yes,
	 * as it cannot be undone, and changes nothing. */
	char *err = NULL;
	tty_setup err_tty = { 0, 1, 80, "" };
	CU_ASSERT_EQUAL(tty_cli(&out, &err, &err_tty, "--db '%s' speaker merge "
				"Biden 'senior Biden administration official'",
				db), 1);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_STRING_EQUAL(err, "quotedb: speaker: merging 'senior Biden "
			       "administration official' (1 quote) into 'Joe "
			       "Biden' cannot be undone; run again with --yes "
			       "to merge\n");
	free(out);
	free(err);
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM speakers WHERE "
				   "name = 'senior Biden administration "
				   "official'"), 1);
	CU_ASSERT_EQUAL(tty_cli(&out, &err, &err_tty, "--db '%s' speaker merge "
				"--yes Biden 'senior Biden administration "
				"official'", db), 0);
	CU_ASSERT_STRING_EQUAL(err, "quotedb: merged speaker 'senior Biden "
			       "administration official' into 'Joe Biden': 1 "
			       "quote moved; 'senior Biden administration "
			       "official' is now an alias of 'Joe Biden'\n");
	free(out);
	free(err);
	CU_ASSERT_EQUAL(cli(&out, NULL, "--db '%s' speakers", db), 0);
	CU_ASSERT(has(out, "3\tJoe Biden\ta senior Biden administration "
		      "official; Biden; President Joe Biden; senior Biden "
		      "administration official\n"));
	CU_ASSERT(!has(out, "\tsenior Biden administration official\t"));
	free(out);
	EXPECT(1, "", "quotedb: speaker: no speaker called 'Nobody'\n",
	       "--db '%s' speaker merge Biden Nobody", db);
}

/* Every filter option reaches the selection: names and aliases in any
 * case, OR within a filter, AND across filters, --limit and --sort. */
static void test_filters(void)
{
	static const struct {
		const char *args;
		size_t count;
		const char *first;  /* the first id listed, when it matters */
	} cases[] = {
		{ "--outlet 'the journal'", 4, "p35-wsj-1" },
		{ "--reported-by bbc", 2, "p62-hamad-1" },
		{ "--reported-by BBC --reported-by 'the wall street journal'", 3,
		  NULL },
		{ "--language EN", 31, NULL },
		{ "--language en --outlet 'the journal'", 0, NULL },

		{ "--limit 5", 5, "p5-foreignministry-1" },
		{ "--sort speaker --limit 2", 2, "p70-ubayda-1\t2014-12\tAbu "
		  "Ubayda\t\t" },
		{ "--sort date --limit 1", 1, "p70-ubayda-1\t2014-12\t" },
		{ "--sort outlet --limit 1", 1, "p67-meshal-1\t2023-10-19\tKhaled "
		  "Meshal\tAl-Arabiya\t" },
		{ "--search hamas --speaker kirby", 2, "p11-kirby-1" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = NULL, *err = NULL;
		int rc = cli(&out, &err, "--db '%s' list %s", seed_db,
			     cases[i].args);
		int ok = rc == 0 && err && !*err &&
			 count_lines(out) == cases[i].count &&
			 (!cases[i].first || starts(out, cases[i].first));
		char msg[160];
		snprintf(msg, sizeof msg, "list %s: %zu quotes%s%s",
			 cases[i].args, cases[i].count,
			 cases[i].first ? ", first " : "",
			 cases[i].first ? cases[i].first : "");
		CU_assertImplementation(ok, __LINE__, msg, __FILE__, "",
					CU_FALSE);
		free(out);
		free(err);
	}
}

/* A filter value that names nothing in the database is a mistake in
 * every command that filters: exit 1, the filter named, the closest name
 * suggested, nothing on stdout and no file written.  A filter that names
 * something and selects nothing is not an error; an export of nothing
 * says so. */
static void test_filters_name_nothing(void)
{
	static const char *const cmds[] = {
		"list", "search hamas", "verify", "export -f latex",
		"export -f csv -o '%s/never.csv'",
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char cmd[256], name[64];
		snprintf(cmd, sizeof cmd, cmds[i], th_tmpdir());
		snprintf(name, sizeof name, "%.*s", (int)strcspn(cmd, " "), cmd);
		char want[512];
		snprintf(want, sizeof want, "quotedb: %s: --speaker 'Zelensky' "
			 "names no speaker or alias in the database\n", name);
		EXPECT(1, "", want, "--db '%s' %s --speaker Zelensky", seed_db,
		       cmd);
		snprintf(want, sizeof want, "quotedb: %s: --speaker 'kirbi' "
			 "names no speaker or alias in the database; did you "
			 "mean 'Kirby'?\n", name);
		EXPECT(1, "", want, "--db '%s' %s --speaker biden --speaker "
		       "kirbi", seed_db, cmd);
		snprintf(want, sizeof want, "quotedb: %s: --outlet 'journal' "
			 "names no outlet or alias in the database; did you "
			 "mean 'the Journal'?\n", name);
		EXPECT(1, "", want, "--db '%s' %s --outlet journal", seed_db,
		       cmd);
	}
	char path[1024];
	snprintf(path, sizeof path, "%s/never.csv", th_tmpdir());
	CU_ASSERT(!exists(path));
	/* Tags: any case; a tag that is not there, with the closest. */
	const char *db = db_at("tags.db");
	EXPECT(0, "t1\n", "", "--db '%s' add --id t1 --text a --speaker S "
	       "--tag Ceasefire", db);
	EXPECT(0, "t1\t\tS\t\ta\n", "", "--db '%s' list --tag CEASEFIRE", db);
	EXPECT(1, "", "quotedb: list: --tag 'ceasfire' names no tag in the "
	       "database; did you mean 'Ceasefire'?\n", "--db '%s' list --tag "
	       "ceasfire", db);
	/* Names something, selects nothing: fine, and an export says so. */
	EXPECT(0, "", "", "--db '%s' list --tag ceasefire --from 2024", db);
	EXPECT(0, "quotes: []\n", "quotedb: export: the filters select no "
	       "quotes: the yaml export holds none\n", "--db '%s' export -f "
	       "yaml --tag ceasefire --from 2024", db);
	EXPECT(0, "", "quotedb: export: the filters select no quotes: the "
	       "csv export in /dev/null holds none\n", "--db '%s' export -f "
	       "csv -o /dev/null --speaker s --id nope", db);
}

/* Quotation marks and backslashes come out escaped where the format
 * needs it, and as they are everywhere else. */
static void test_escapes(void)
{
	const char *db = db_at("escapes.db");
	EXPECT(0, "esc\n", "", "--db '%s' add --id esc --text 'say \"no\" \\ "
	       "or \\t' --speaker 'S \\ T'", db);
	EXPECT(0, "esc\t\tS \\\\ T\t\tsay \"no\" \\\\ or \\\\t\n", "",
	       "--db '%s' list", db);
	char *out = NULL;
	CU_ASSERT_EQUAL(cli(&out, NULL, "--db '%s' list --json", db), 0);
	CU_ASSERT(starts(out, "[\n {\"id\": \"esc\", \"text\": \"say \\\"no\\\" "
			 "\\\\ or \\\\t\", \"speaker\": \"S \\\\ T\", "));
	free(out);
	EXPECT(0, "id           esc\ntext         say \"no\" \\ or \\t\nspeaker "
	       "     S \\ T\n", "", "--db '%s' show esc", db);
}

/* ---- on a terminal -------------------------------------------------- */

/* The table `list` prints on a terminal, at several widths, is
 * tests/data/cli/table-WIDTH.txt; measured apart from quotedb, no line is
 * wider than the terminal or cuts a character in two (but a whole id),
 * ids are never cut, and every row's text starts in the column of the
 * header's TEXT.  tests/data/cli/
 * table.yaml has long values, CJK, Hangul, combining accents, Arabic vowel
 * marks, zero-width non-joiners, line breaks and emoji. */
static void test_tty_table(void)
{
	/* How each text of table.yaml starts, in order: no wider than the
	 * narrowest text column, 5. */
	static const char *const text_starts[] = { "Make", "It i", "千里", "천 ",
		"Cafe", "اَل", "ما ", "one ", "✅ d" };
	static const unsigned short widths[] = { 120, 86, 80, 40, 21 };
	const size_t nrows = sizeof text_starts / sizeof text_starts[0];
	const char *db = db_at("table.db");
	EXPECT(0, "", NULL, "--db '%s' import " DATA "/table.yaml", db);
	for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		tty_setup how = { 1, 1, widths[i], "" };
		char *out = NULL, *err = NULL;
		CU_ASSERT_EQUAL(tty_cli(&out, &err, &how, "--db '%s' list", db),
				0);
		CU_ASSERT_STRING_EQUAL(err, "");
		char path[64];
		snprintf(path, sizeof path, DATA "/table-%u.txt",
			 (unsigned)widths[i]);
		expect_file(out, path, __LINE__);
		/* Every id whole, however narrow the terminal: one too wide
		 * for its column is on a line of its own, its row under it
		 * with the id's cell blank.  Those lines aside, the table. */
		CU_ASSERT(has(out, "\nan-id-longer-than-eighteen-columns"));
		CU_ASSERT(!has(out, "an-id-longer-th…"));
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		char *w = out;
		for (const char *r = out; *r;) {
			const char *eol = strchr(r, '\n');
			CU_ASSERT_PTR_NOT_NULL_FATAL(eol);
			int lone = r > out && !memchr(r, ' ', (size_t)(eol - r)) &&
				   eol[1] == ' ';
			if (!lone) {
				memmove(w, r, (size_t)(eol + 1 - r));
				w += eol + 1 - r;
			}
			r = eol + 1;
		}
		*w = '\0';
		check_lines(out, widths[i], __LINE__);
		CU_ASSERT_EQUAL(count_lines(out), nrows + 1);
		CU_ASSERT(starts(out, "ID "));
		const char *text = out ? strstr(out, " TEXT\n") : NULL;
		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		int at = display_width(out, (size_t)(text + 1 - out));
		const char *row = strchr(out, '\n') + 1;
		for (size_t r = 0; r < nrows && *row; r++) {
			const char *t = strstr(row, text_starts[r]);
			const char *eol = strchr(row, '\n');
			CU_ASSERT_PTR_NOT_NULL_FATAL(eol);
			int ok = t && t < eol &&
				 display_width(row, (size_t)(t - row)) == at;
			CU_assertImplementation(ok, __LINE__, "the text in the "
						"TEXT column", __FILE__, "",
						CU_FALSE);
			if (!ok)
				fprintf(stderr, "\n  %u columns, row %zu: %.*s\n",
					(unsigned)widths[i], r + 1,
					(int)(eol - row), row);
			row = eol + 1;
		}
		free(out);
		free(err);
	}
	/* Two ids alike for 18 columns: both whole on a wide terminal,
	 * in a column as wide as the widest. */
	const char *ids = db_at("ids.db");
	EXPECT(0, NULL, "", "--db '%s' add --id itv-l10-zelenskyy-ceasefire-1 "
	       "--text a --speaker S", ids);
	EXPECT(0, NULL, "", "--db '%s' add --id itv-l10-zelenskyy-ceasefire-2 "
	       "--text b --speaker S", ids);
	tty_setup wide = { 1, 1, 200, "" };
	char *table = NULL;
	CU_ASSERT_EQUAL(tty_cli(&table, NULL, &wide, "--db '%s' list", ids), 0);
	CU_ASSERT(has(table, "\nitv-l10-zelenskyy-ceasefire-1 "));
	CU_ASSERT(has(table, "\nitv-l10-zelenskyy-ceasefire-2 "));
	CU_ASSERT(starts(table, "ID                            DATE "));
	CU_ASSERT_EQUAL(count_lines(table), 3);
	check_lines(table, 200, __LINE__);
	free(table);
	/* Piped while stderr is a terminal: data stays tab-separated. */
	char *piped = NULL, *out = NULL, *err = NULL;
	tty_setup pipe_out = { 0, 1, 80, "" };
	CU_ASSERT_EQUAL(cli(&piped, NULL, "--db '%s' list", db), 0);
	CU_ASSERT_EQUAL(tty_cli(&out, &err, &pipe_out, "--db '%s' list", db),
			0);
	CU_ASSERT(piped && out && strcmp(piped, out) == 0);
	CU_ASSERT(has(out, "\nbreaks\t\tGrace Hopper\t\tone\\ntwo\\tthree"));
	CU_ASSERT_STRING_EQUAL(err, "");
	free(piped);
	free(out);
	free(err);
}

/* The table is as wide as COLUMNS says, else as the terminal is, else 100
 * columns (quotedb(1), OUTPUT): the seed's widest rows are exactly that
 * wide, a long text filling its column up to the "…". */
static void test_tty_width(void)
{
	static const struct {
		unsigned short tty;
		const char *env;
		int width;
	} cases[] = {
		{ 120, "", 120 },
		{ 80, "", 80 },
		{ 120, "COLUMNS=90", 90 },
		{ 60, "COLUMNS=140", 140 },
		/* COLUMNS of 20 or less, or not a number: the terminal. */
		{ 120, "COLUMNS=20", 120 },
		{ 120, "COLUMNS=wide", 120 },
		/* A terminal of 20 columns or less, or of unknown size. */
		{ 20, "", 100 },
		{ 0, "", 100 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tty_setup how = { 1, 1, cases[i].tty, cases[i].env };
		char *out = NULL;
		CU_ASSERT_EQUAL(tty_cli(&out, NULL, &how, "--db '%s' list",
					seed_db), 0);
		int widest = check_lines(out, cases[i].width, __LINE__);
		char msg[128];
		snprintf(msg, sizeof msg, "terminal %u, %s: widest line %d, "
			 "want %d", (unsigned)cases[i].tty, cases[i].env, widest,
			 cases[i].width);
		CU_assertImplementation(widest == cases[i].width, __LINE__, msg,
					__FILE__, "", CU_FALSE);
		CU_ASSERT_EQUAL(count_lines(out), SEED_COUNT + 1);
		free(out);
	}
}

/* Removes the "ESC [ ... m" sequences from s. */
static void strip_sgr(char *s)
{
	char *w = s;
	for (const char *r = s; r && *r;) {
		if (r[0] == '\x1b' && r[1] == '[') {
			r = strchr(r, 'm');
			r = r ? r + 1 : "";
			continue;
		}
		*w++ = *r++;
	}
	if (w)
		*w = '\0';
}

/* search on a terminal: each row is followed by its snippet on a line of
 * its own, indented, cut to the terminal's width, the matches in bold
 * unless NO_COLOR is set and not empty.  Piped: no snippet, no escapes. */
static void test_tty_search(void)
{
	char *color = NULL, *plain = NULL, *empty = NULL, *piped = NULL;
	char *err = NULL;
	tty_setup on = { 1, 1, 80, "" }, off = { 1, 1, 80, "NO_COLOR=1" };
	tty_setup blank = { 1, 1, 80, "NO_COLOR=" }, pipe_out = { 0, 1, 80, "" };
	CU_ASSERT_EQUAL(tty_cli(&color, &err, &on, "--db '%s' search iran",
				seed_db), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	free(err);
	CU_ASSERT_EQUAL(tty_cli(&plain, NULL, &off, "--db '%s' search iran",
				seed_db), 0);
	CU_ASSERT_EQUAL(tty_cli(&empty, NULL, &blank, "--db '%s' search iran",
				seed_db), 0);
	CU_ASSERT_EQUAL(tty_cli(&piped, NULL, &pipe_out, "--db '%s' search "
				"iran", seed_db), 0);
	CU_ASSERT_FATAL(color && plain && empty && piped);
	size_t found = count_lines(piped);
	CU_ASSERT(found >= 5);
	CU_ASSERT(!strchr(piped, '\x1b'));
	/* The header, then a row and a snippet per quote found. */
	CU_ASSERT(starts(color, "ID "));
	CU_ASSERT_EQUAL(count_lines(color), 1 + 2 * found);
	check_lines(color, 80, __LINE__);
	size_t n = 0, bold = 0;
	const char *p = strchr(color, '\n');
	for (p = p ? p + 1 : ""; *p; n++) {
		const char *eol = strchr(p, '\n');
		CU_ASSERT_PTR_NOT_NULL_FATAL(eol);
		const char *esc = memchr(p, '\x1b', (size_t)(eol - p));
		if (n % 2 == 0) {
			/* A row: no bold in it. */
			CU_ASSERT_PTR_NULL(esc);
		} else {
			/* Every match bold: "Iran", or cut short by "…". */
			CU_ASSERT(starts(p, "    "));
			const char *b = p;
			while ((b = strstr(b, "\x1b[1m")) && b < eol) {
				b += 4;
				const char *e = strstr(b, "\x1b[0m");
				CU_ASSERT_FATAL(e && e < eol);
				size_t len = (size_t)(e - b);
				int ok = (len == 4 && !strncasecmp(b, "iran", 4)) ||
					 (len >= 3 && len <= 6 &&
					  !strncmp(e - 3, "…", 3) &&
					  !strncasecmp(b, "iran", len - 3));
				CU_ASSERT(ok);
				bold++;
				b = e;
			}
		}
		p = eol + 1;
	}
	/* Not one a quote: a quote found by its context has a snippet of
	 * its text without a match. */
	CU_ASSERT(bold > 0);
	CU_ASSERT(has(color, "\n    \x1b[1mIran\x1b[0m has a significant "
		      "relationship with HAMAS\n"));
	/* NO_COLOR: the same lines without the escapes. */
	CU_ASSERT(!strchr(plain, '\x1b'));
	strip_sgr(color);
	CU_ASSERT_STRING_EQUAL(plain, color);
	/* NO_COLOR set but empty is as if unset. */
	CU_ASSERT(has(empty, "\x1b[1m"));
	strip_sgr(empty);
	CU_ASSERT_STRING_EQUAL(plain, empty);
	free(color);
	free(plain);
	free(empty);
	free(piped);
	/* A snippet shows a text's line breaks and tabs as spaces. */
	const char *db = db_at("snippet.db");
	EXPECT(0, "", NULL, "--db '%s' import " DATA "/table.yaml", db);
	CU_ASSERT_EQUAL(tty_cli(&color, NULL, &on, "--db '%s' search three",
				db), 0);
	CU_ASSERT(has(color, "\n    one two \x1b[1mthree\x1b[0m four five\n"));
	free(color);
}

/* speakers and outlets on a terminal: the count right-aligned in six
 * columns, the name, and the aliases in parentheses; piped, the same as
 * tab-separated fields (quotedb(1), COMMANDS). */
static void test_tty_entities(void)
{
	static const char *const kinds[] = { "speakers", "outlets" };
	for (size_t k = 0; k < 2; k++) {
		char *tty = NULL, *piped = NULL, *err = NULL;
		tty_setup how = { 1, 1, 80, "" };
		CU_ASSERT_EQUAL(tty_cli(&tty, &err, &how, "--db '%s' %s",
					seed_db, kinds[k]), 0);
		CU_ASSERT_STRING_EQUAL(err, "");
		CU_ASSERT_EQUAL(cli(&piped, NULL, "--db '%s' %s", seed_db,
				    kinds[k]), 0);
		CU_ASSERT_FATAL(tty && piped);
		/* Each piped line "count\tname\taliases" as the terminal's. */
		size_t cap = strlen(piped) * 2 + 1024, len = 0;
		char *want = calloc(1, cap);
		CU_ASSERT_PTR_NOT_NULL_FATAL(want);
		for (char *p = piped; *p;) {
			char *eol = strchr(p, '\n'), *t1 = strchr(p, '\t');
			char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
			CU_ASSERT_FATAL(eol && t2 && t2 < eol);
			*t1 = *t2 = *eol = '\0';
			len += (size_t)snprintf(want + len, cap - len, "%6s  %s",
						p, t1 + 1);
			if (t2[1])
				len += (size_t)snprintf(want + len, cap - len,
							"  (%s)", t2 + 1);
			len += (size_t)snprintf(want + len, cap - len, "\n");
			p = eol + 1;
		}
		CU_ASSERT_STRING_EQUAL(tty, want);
		CU_ASSERT(count_lines(tty) > 3);
		free(want);
		free(tty);
		free(piped);
		free(err);
	}
	char *out = NULL;
	tty_setup how = { 1, 1, 80, "" };
	CU_ASSERT_EQUAL(tty_cli(&out, NULL, &how, "--db '%s' outlets", seed_db),
			0);
	CU_ASSERT(has(out, "\n     4  The Wall Street Journal  (the "
		      "Journal)\n"));
	free(out);
}

/* A long import or export shows its progress on stderr when that is a
 * terminal: every 10,000 quotes a count and a rate, rewritten in place,
 * and the line cleared before the summary.  Never when stderr is not a
 * terminal, even when stdout is. */
static void test_tty_progress(void)
{
	char yaml[1024], csv[1024];
	snprintf(yaml, sizeof yaml, "%s", th_path("10001.yaml"));
	snprintf(csv, sizeof csv, "%s", th_path("10001.csv"));
	FILE *f = fopen(yaml, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("quotes:\n", f);
	for (int i = 0; i < 10001; i++)
		fprintf(f, "  - {text: q%d, speaker: s}\n", i);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	const char *db = db_at("progress.db");
	char *out = NULL, *err = NULL;
	tty_setup out_tty = { 1, 0, 80, "" }, err_tty = { 0, 1, 80, "" };
	CU_ASSERT_EQUAL(tty_cli(&out, &err, &out_tty, "--db '%s' import '%s'",
				db, yaml), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_STRING_EQUAL(err, "quotedb: imported 10001 quotes: 10001 "
			       "new, 0 already present\n");
	free(out);
	free(err);

	static const char *const verbs[] = { "importing", "exporting" };
	static const char *const after[] = {
		"quotedb: imported 10001 quotes: 0 new, 10001 already present\n",
		"" };
	for (int i = 0; i < 2; i++) {
		int rc = i == 0
			? tty_cli(&out, &err, &err_tty, "--db '%s' import '%s'",
				  db, yaml)
			: tty_cli(&out, &err, &err_tty, "--db '%s' export "
				  "--format csv -o '%s'", db, csv);
		CU_ASSERT_EQUAL(rc, 0);
		/* "\rVERB: 10000 quotes, RATE/s\x1b[K", then "\r\x1b[K". */
		char head[64];
		snprintf(head, sizeof head, "\r%s: 10000 quotes, ", verbs[i]);
		CU_ASSERT(starts(err, head));
		const char *p = err ? err + strlen(head) : "";
		while (*p >= '0' && *p <= '9')
			p++;
		CU_ASSERT(p > err + strlen(head));
		char tail[128];
		snprintf(tail, sizeof tail, "/s\x1b[K\r\x1b[K%s", after[i]);
		CU_ASSERT_STRING_EQUAL(p, tail);
		CU_ASSERT_STRING_EQUAL(out, "");
		free(out);
		free(err);
	}
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes"), 10001);
}

/* ---- verify --------------------------------------------------------- */

static size_t count_char(const char *s, const char *end, char c)
{
	size_t n = 0;
	for (; s < end; s++)
		n += *s == c;
	return n;
}

/* verify's report on tests/data/cli/verify/quotes.yaml is expected.txt:
 * a line per quote, tab-separated, and a second line for one that
 * differs, with valid UTF-8 and no line break or tab of the texts in it;
 * where a quote was found or differs as line, column in characters,
 * paragraph and byte offset.  --against checks every selected quote
 * against one file; a file that cannot be read is named once and its
 * quotes counted as not checked, and the others are still checked. */
static void test_verify_report(void)
{
	const char *db = db_at("verify.db");
	EXPECT(0, "", NULL, "--db '%s' import " DATA "/verify/quotes.yaml", db);
	char *out = NULL, *err = NULL;
	CU_ASSERT_EQUAL(cli(&out, &err, "--db '%s' verify", db), 1);
	expect_file(out, DATA "/verify/expected.txt", __LINE__);
	CU_ASSERT_STRING_EQUAL(err, "quotedb: 1 verified, 4 not verified, 1 "
			       "not checked (no readable source)\n");
	for (const char *p = out; p && *p;) {
		const char *eol = strchr(p, '\n');
		CU_ASSERT_FATAL(eol != NULL);
		/* "differs ID at..." or "\tclosest passage: ...": 3 fields or
		 * 2; the text between tabs is valid UTF-8. */
		if (starts(p, "differs\t") || starts(p, "verified\t"))
			CU_ASSERT_EQUAL(count_char(p, eol, '\t'), 2);
		if (starts(p, "\t"))
			CU_ASSERT_EQUAL(count_char(p, eol, '\t'), 1);
		CU_ASSERT_EQUAL(count_char(p, eol, '\r'), 0);
		for (const char *f = p; f < eol;) {
			const char *t = memchr(f, '\t', (size_t)(eol - f));
			size_t n = (size_t)((t ? t : eol) - f);
			CU_ASSERT(display_width(f, n) >= 0);
			f += n + (t != NULL);
		}
		p = eol + 1;
	}
	free(out);
	free(err);
	/* --against: the file for every selected quote, theirs or none. */
	EXPECT(0, "verified\tno-source\tline 4, column 39, paragraph 2 (byte "
	       "offset 182)\n", "quotedb: 1 verified, 0 not verified\n",
	       "--db '%s' verify --against " DATA "/verify/source.txt --id "
	       "no-source", db);
	EXPECT(1, "verified\tverified\tline 3, column 43, paragraph 2 (byte "
	       "offset 126)\nnot found\tdiffers-crlf\n", "quotedb: 1 "
	       "verified, 1 not verified\n", "--db '%s' verify --against " DATA
	       "/verify/source.txt --id verified --id differs-crlf", db);
	EXPECT(1, "not checked\tverified\tcannot read " DATA "/verify/"
	       "absent.txt\nnot checked\tnot-found\tcannot read " DATA
	       "/verify/absent.txt\n", "quotedb: verify: " DATA "/verify/"
	       "absent.txt: cannot read: No such file or directory\nquotedb: 0 "
	       "verified, 0 not verified, 2 not checked (no readable "
	       "source)\n", "--db '%s' verify --against " DATA
	       "/verify/absent.txt --id verified --id not-found", db);
	EXPECT(1, "not checked\tverified\tcannot read " DATA "/verify\n",
	       "quotedb: verify: " DATA "/verify: cannot read: Is a "
	       "directory\nquotedb: 0 verified, 0 not verified, 1 not checked "
	       "(no readable source)\n", "--db '%s' verify --against " DATA
	       "/verify --id verified", db);
	/* Selecting nothing verifies nothing: an error naming the filter. */
	EXPECT(1, "", "quotedb: verify: no quote is selected by --id "
	       "'no-such-id'\n", "--db '%s' verify --id no-such-id", db);
	EXPECT(1, "", "quotedb: verify: no quote is selected by --speaker "
	       "'the minister' --from '2024'\n", "--db '%s' verify --speaker "
	       "'the minister' --from 2024", db);
	EXPECT(1, "", "quotedb: verify: --speaker 'Zelensky' names no speaker "
	       "or alias in the database\n", "--db '%s' verify --speaker "
	       "Zelensky", db);
	const char *empty = db_at("verify-empty.db");
	EXPECT(0, "", NULL, "--db '%s' init", empty);
	EXPECT(1, "", "quotedb: verify: the database holds no quotes\n",
	       "--db '%s' verify", empty);

	/* Quotes whose file is missing come first: every quote after them
	 * is still checked, and the file is named once. */
	const char *mixed = db_at("verify-mixed.db");
	for (int i = 1; i <= 2; i++)
		EXPECT(0, NULL, "", "--db '%s' add --id gone-%d --text 'words "
		       "%d' --speaker S --source Lost --source-file " DATA
		       "/verify/gone.txt", mixed, i, i);
	EXPECT(0, "", NULL, "--db '%s' import " DATA "/verify/quotes.yaml",
	       mixed);
	CU_ASSERT_EQUAL(cli(&out, &err, "--db '%s' verify", mixed), 1);
	CU_ASSERT(starts(out, "not checked\tgone-1\tcannot read " DATA
			 "/verify/gone.txt\nnot checked\tgone-2\tcannot read "
			 DATA "/verify/gone.txt\nverified\tverified\t"));
	CU_ASSERT_EQUAL(count_lines(out), 2 + 9);
	CU_ASSERT_STRING_EQUAL(err, "quotedb: verify: " DATA "/verify/gone."
			       "txt: cannot read: No such file or directory\n"
			       "quotedb: 1 verified, 4 not verified, 3 not "
			       "checked (no readable source)\n");
	free(out);
	free(err);
}

/* ---- misuse, one by one --------------------------------------------- */

/* Each: exit 2, nothing on stdout, "quotedb: CMD: WHY" and where to look
 * on stderr, and no database made. */
static void test_misuse_messages(void)
{
	/* One value, -O option or tag too many: 65. */
	char speakers[1024] = "", options[1024] = "", tags[1024] = "";
	for (int i = 0; i < 65; i++) {
		strcat(speakers, " --speaker x");
		strcat(options, " -O k=v");
		strcat(tags, " --tag t");
	}
	char add_tags[1100];
	snprintf(add_tags, sizeof add_tags, "--text x --speaker y%s", tags);
	const struct {
		const char *cmd, *args, *why;
	} cases[] = {
		{ "list", speakers, "too many values for one filter (64 at most)" },
		{ "export", options, "too many -O options" },
		{ "add", add_tags, "too many tags" },
		{ "export", "--format csv -O bom", "-O takes key=value, not 'bom'" },
		{ "export", "-o out.csv", "needs --format NAME" },
		{ "export", "--format csv out.csv", "unexpected argument "
		  "'out.csv'" },
		{ "add", "'words said' --speaker S", "unexpected argument 'words "
		  "said' (put the text in --text)" },
		{ "search", "--search iran iran", "give the query as WORDS or "
		  "--search, not both" },
		{ "delete", "", "needs an ID" },
		{ "verify", "stray", "unexpected argument 'stray'" },
		{ "init", "stray", "takes no arguments" },
		{ "speakers", "alias Kirby", "expected 'speaker alias NAME ALIAS', "
		  "'speaker merge INTO FROM' or 'speaker sort-as NAME KEY'" },
		{ "outlet", "sort-as CBS C", "expected 'outlet alias NAME ALIAS' "
		  "or 'outlet merge INTO FROM'" },
		{ "outlet", "rename a b", "expected 'outlet alias NAME ALIAS' or "
		  "'outlet merge INTO FROM'" },
		{ "list", "--limit 5x", "--limit needs a positive number, not "
		  "'5x'" },
		/* Options: unknown, short or long, and values missing or not
		 * taken. */
		{ "list", "-x", "unknown option '-x'" },
		{ "export", "-f csv -z", "unknown option '-z'" },
		{ "list", "--bogus", "unknown option '--bogus'" },
		{ "export", "--format csv -o", "option '-o' needs a value" },
		{ "export", "-f", "option '-f' needs a value" },
		{ "export", "--format", "option '--format' needs a value" },
		{ "export", "-f csv --output", "option '--output' needs a value" },
		{ "list", "--speaker", "option '--speaker' needs a value" },
		{ "list", "--json=yes", "option '--json' takes no value" },
		{ "show", "--help=me", "option '--help' takes no value" },
	};
	const char *db = db_at("misuse-messages.db");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char want[512];
		snprintf(want, sizeof want, "quotedb: %s: %s\nTry 'quotedb %s "
			 "--help'.\n", cases[i].cmd, cases[i].why, cases[i].cmd);
		EXPECT(2, "", want, "%s --db '%s' %s", cases[i].cmd, db,
		       cases[i].args);
	}
	CU_ASSERT(!exists(db));
	/* 64 values are fine. */
	char kirbys[64 * sizeof " --speaker kirby"] = "";
	for (int i = 0; i < 64; i++)
		strcat(kirbys, " --speaker kirby");
	EXPECT(0, NULL, "", "list --db '%s'%s", seed_db, kirbys);
	/* A command name too long (over 60) to be compared with the
	 * commands' names. */
	char name[72], want[128];
	memset(name, 'l', 64);
	strcpy(name + 64, "ist");
	snprintf(want, sizeof want, "quotedb: '%s' is not a command; see "
		 "'quotedb --help'\n", name);
	EXPECT(2, "", want, "%s", name);
}

/* show with several ids: a blank line between quotes, a text of several
 * lines with its continuation lines indented (quotedb(1)); an id that is
 * not there is reported and the others still shown. */
static void test_show_several(void)
{
	const char *db = db_at("show.db");
	EXPECT(0, "two-lines\n", "", "--db '%s' add --id two-lines --text "
	       "\"$(printf 'first line\\nsecond line')\" --speaker S", db);
	EXPECT(0, "tagged\n", "", "--db '%s' add --id tagged --text t "
	       "--speaker S --tag a --tag 'b c'", db);
	static const char two[] = "id           two-lines\n"
		"text         first line\n"
		"             second line\n"
		"speaker      S\n";
	static const char tagged[] = "id           tagged\n"
		"text         t\n"
		"speaker      S\n"
		"tags         a, b c\n";
	char want[512];
	snprintf(want, sizeof want, "%s\n%s", two, tagged);
	EXPECT(0, want, "", "--db '%s' show two-lines tagged", db);
	EXPECT(1, tagged, "quotedb: show: no quote with id 'nope'\n",
	       "--db '%s' show nope tagged", db);
	snprintf(want, sizeof want, "%s\n%s", tagged, two);
	EXPECT(1, want, "quotedb: show: no quote with id 'nope'\n",
	       "--db '%s' show tagged nope two-lines", db);
	/* The tags in JSON too. */
	char *out = NULL;
	CU_ASSERT_EQUAL(cli(&out, NULL, "--db '%s' list --json --id tagged",
			    db), 0);
	CU_ASSERT(has(out, ", \"tags\": [\"a\", \"b c\"]}"));
	free(out);
}

void test_cli_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_version),
		QDB_TEST(test_help_on_every_command),
		QDB_TEST(test_misuse_exits_2),
		QDB_TEST(test_database_selection),
		QDB_TEST(test_seed_import_and_verify),
		QDB_TEST(test_seed_json_matches_yaml),
		QDB_TEST(test_seed_list_search_show),
		QDB_TEST(test_search_words),
		QDB_TEST(test_add_show_delete),
		QDB_TEST(test_add_derived_key),
		QDB_TEST(test_json_everywhere),
		QDB_TEST(test_traps_come_back_unchanged),
		QDB_TEST(test_malformed_file),
		QDB_TEST(test_speaker_alias_and_merge),
		QDB_TEST(test_filters),
		QDB_TEST(test_filters_name_nothing),
		QDB_TEST(test_escapes),
		QDB_TEST(test_tty_table),
		QDB_TEST(test_tty_width),
		QDB_TEST(test_tty_search),
		QDB_TEST(test_tty_entities),
		QDB_TEST(test_tty_progress),
		QDB_TEST(test_verify_report),
		QDB_TEST(test_misuse_messages),
		QDB_TEST(test_show_several),
	};
	TH_SUITE("cli", suite_init, suite_clean, tests);
}
