/*
 * test_cli.c: the quotedb command as a user meets it: exit codes (0 done,
 * 1 failed, 2 misuse), help on every command, data on stdout and messages
 * on stderr, where the database is, and the seed collection in quotes/
 * imported, listed, searched, shown and verified.  Runs build/quotedb from
 * the repository root through the shell, in an environment of its own:
 * no QUOTEDB_DB, and XDG_DATA_HOME and HOME inside the temporary directory.
 */
#include "helpers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SEED_DIR "quotes/"
#define SEED_FILE "quotes/000_ce5212642387543b.yaml"
#define SEED_COUNT 86

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

/* The seed collection, imported once for the tests that only read it. */
static char seed_db[1024];

static int suite_init(void)
{
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
	EXPECT(2, "", "quotedb: list: unknown option or missing value: "
	       "'--bogus'\nTry 'quotedb list --help'.\n", "list --db '%s' "
	       "--bogus", db);
	EXPECT(2, "", "quotedb: list: unknown option or missing value: "
	       "'--speaker'\nTry 'quotedb list --help'.\n", "list --db '%s' "
	       "--speaker", db);
	EXPECT(2, "", "quotedb: list: --limit needs a positive number, not "
	       "'0'\nTry 'quotedb list --help'.\n", "list --db '%s' --limit 0",
	       db);
	EXPECT(2, "", "quotedb: list: --sort takes date, speaker, outlet, added "
	       "or rank, not 'sideways'\nTry 'quotedb list --help'.\n",
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
	CU_ASSERT_EQUAL(cli(&out, &err, "--db '%s' search '\"unclosed'",
			    seed_db), 1);
	CU_ASSERT(starts(err, "quotedb: search: search: "));
	free(out);
	free(err);
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
	EXPECT(0, "", "", "--db '%s' delete yes-1", db);
	EXPECT(1, "", "quotedb: show: no quote with id 'yes-1'\n",
	       "--db '%s' show yes-1", db);
	EXPECT(1, "", "quotedb: delete: no quote with id 'yes-1'\n",
	       "--db '%s' delete yes-1", db);
	CU_ASSERT_EQUAL(th_sql_int(db, "SELECT count(*) FROM quotes"), 1);
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
	EXPECT(0, "", "", "--db '%s' speaker alias 'John Kirby' 'Admiral John "
	       "Kirby'", db);
	char *out = NULL;
	CU_ASSERT_EQUAL(cli(&out, NULL, "--db '%s' list --speaker 'admiral "
			    "john kirby'", db), 0);
	CU_ASSERT_EQUAL(count_lines(out), 4);
	free(out);
	EXPECT(1, "", "quotedb: speaker: 'Biden' already names the speaker "
	       "'Joe Biden'; merge the two instead\n", "--db '%s' speaker alias "
	       "Kirby Biden", db);
	EXPECT(0, "", "", "--db '%s' speaker merge Biden 'senior Biden "
	       "administration official'", db);
	CU_ASSERT_EQUAL(cli(&out, NULL, "--db '%s' speakers", db), 0);
	CU_ASSERT(has(out, "3\tJoe Biden\ta senior Biden administration "
		      "official; Biden; President Joe Biden; senior Biden "
		      "administration official\n"));
	CU_ASSERT(!has(out, "\tsenior Biden administration official\t"));
	free(out);
	EXPECT(1, "", "quotedb: speaker: no speaker called 'Nobody'\n",
	       "--db '%s' speaker merge Biden Nobody", db);
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
		QDB_TEST(test_add_show_delete),
		QDB_TEST(test_traps_come_back_unchanged),
		QDB_TEST(test_malformed_file),
		QDB_TEST(test_speaker_alias_and_merge),
	};
	TH_SUITE("cli", suite_init, suite_clean, tests);
}
