/*
 * test_sync.c: qdb_sync_paths and `quotedb sync`: quotes added, changed
 * in place, moved and removed; files gone; one id in two files; nothing
 * written on an error or a dry run; aliases scoped to their file; and a
 * seeded sequence of random edits after each of which the database
 * equals a fresh import of the same files, table by table.
 */
#include "helpers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

/* ---- helpers ---------------------------------------------------------- */

static void put(const char *dir, const char *name, const char *text)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	CU_ASSERT_EQUAL_FATAL(th_write_file(p, text, strlen(text)), 0);
}

static const char *mkdir_in(const char *name)
{
	const char *d = th_path(name);
	mkdir(d, 0700);
	return d;
}

/* What the events said, one line each: "+ FILE ID", "FILE +1 ~0 -0". */
typedef struct log_buf {
	char text[8192];
	size_t len;
	const char *strip;   /* the directory left out of the paths */
} log_buf;

static const char *rel(const log_buf *l, const char *path)
{
	size_t n = l->strip ? strlen(l->strip) : 0;
	return n && !strncmp(path, l->strip, n) && path[n] == '/'
		? path + n + 1 : path;
}

static int log_event(const qdb_sync_event *e, void *payload)
{
	log_buf *l = payload;
	size_t room = sizeof l->text - l->len;
	int n;
	if (e->id)
		n = snprintf(l->text + l->len, room, "%c %s %s%s%s\n",
			     e->change, rel(l, e->file), e->id,
			     e->other ? " " : "",
			     e->other ? rel(l, e->other) : "");
	else
		n = snprintf(l->text + l->len, room, "%s +%lld ~%lld -%lld%s\n",
			     rel(l, e->file), (long long)e->added,
			     (long long)e->changed, (long long)e->removed,
			     e->unchanged ? " unchanged" : "");
	if (n > 0 && (size_t)n < room)
		l->len += (size_t)n;
	return 0;
}

static int sync_dir(qdb *db, const char *dir, unsigned flags, log_buf *l,
		    qdb_error *err)
{
	const char *paths[] = { dir };
	if (l) {
		l->len = 0;
		l->text[0] = '\0';
		l->strip = dir;
	}
	return qdb_sync_paths(db, paths, 1, flags, l ? log_event : NULL, l,
			      err);
}

/* Every table, as text a person can compare: rows by what they hold,
 * never by row id, which differ between a sync and an import. */
static const char *const dump_sql[] = {
	"SELECT q.id, q.text, s.name, q.role, q.date, q.date_lo, q.date_hi, "
	"  q.date_text, o.name, q.programme, q.occasion, q.reported_by, "
	"  src.title, src.author, src.date, src.url, src.file, q.locator, "
	"  q.language, q.translated, q.context, q.tags, f.path "
	"FROM quotes q JOIN speakers s ON s.id = q.speaker_id "
	"LEFT JOIN outlets o ON o.id = q.outlet_id "
	"LEFT JOIN sources src ON src.id = q.source_id "
	"LEFT JOIN files f ON f.id = q.file_id ORDER BY q.id",
	"SELECT name FROM speakers ORDER BY name",
	"SELECT name FROM outlets ORDER BY name",
	"SELECT a.alias, s.name, coalesce(f.path, '') FROM speaker_aliases a "
	"JOIN speakers s ON s.id = a.speaker_id LEFT JOIN files f "
	"ON f.id = a.file_id ORDER BY 1, 3",
	"SELECT a.alias, o.name, coalesce(f.path, '') FROM outlet_aliases a "
	"JOIN outlets o ON o.id = a.outlet_id LEFT JOIN files f "
	"ON f.id = a.file_id ORDER BY 1, 3",
	"SELECT title, author, date, url, file FROM sources ORDER BY 1, 2, 3, "
	"  4, 5",
	"SELECT t.tag, q.id FROM quote_tags t JOIN quotes q ON q.qid = t.qid "
	"ORDER BY 1, 2",
	"SELECT path FROM files ORDER BY path",
	"SELECT count(*) FROM quotes_fts_docsize",
};

static char *dump(const char *path)
{
	sqlite3 *db = NULL;
	th_buf b = { 0 };
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	for (size_t i = 0; i < sizeof dump_sql / sizeof dump_sql[0]; i++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, dump_sql[i], -1, &st, NULL) !=
		    SQLITE_OK) {
			th_buf_write("prepare failed\n", 15, &b);
			continue;
		}
		th_buf_write("--\n", 3, &b);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const char *v = (const char *)
					sqlite3_column_text(st, c);
				th_buf_write(c ? "|" : "", c ? 1 : 0, &b);
				th_buf_write(v ? v : "NULL",
					     strlen(v ? v : "NULL"), &b);
			}
			th_buf_write("\n", 1, &b);
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	th_buf_write("", 1, &b);
	return b.data;
}

/* The full-text index agrees with the rows (through a connection of its
 * own: the check is a write). */
static int fts_intact(const char *path)
{
	sqlite3 *db = NULL;
	int ok = sqlite3_open(path, &db) == SQLITE_OK &&
		sqlite3_exec(db, "INSERT INTO quotes_fts(quotes_fts, rank) "
			     "VALUES('integrity-check', 1)", NULL, NULL,
			     NULL) == SQLITE_OK;
	sqlite3_close(db);
	return ok;
}

static long long count_where(qdb *db, const char *search)
{
	qdb_filter f = QDB_FILTER_INIT;
	f.search = search;
	int64_t n = -1;
	if (qdb_count(&n, db, &f))
		return -1;
	return n;
}

static char *text_of(qdb *db, const char *id)
{
	qdb_quote *q = NULL;
	if (qdb_quote_get(&q, db, id))
		return NULL;
	char *t = strdup(q->text.ptr);
	qdb_quote_free(q);
	return t;
}

/* ---- the cases -------------------------------------------------------- */

static const char a1[] =
	"source:\n  title: \"Article A\"\n"
	"speakers:\n  - name: \"Joe Biden\"\n    aliases: [\"Biden\"]\n"
	"quotes:\n"
	"  - id: \"a1\"\n    text: \"first words\"\n    speaker: \"Biden\"\n"
	"    tags: [\"one\"]\n"
	"  - id: \"a2\"\n    text: \"second words\"\n    speaker: \"Joe Biden\"\n"
	"  - id: \"a3\"\n    text: \"third words\"\n    speaker: \"Biden\"\n";

static void test_add_change_remove(void)
{
	const char *dir = mkdir_in("basic");
	char dbp[1024];
	snprintf(dbp, sizeof dbp, "%s", th_path("basic.db"));
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, dbp, 0), 0);
	put(dir, "a.yaml", a1);
	log_buf l;
	qdb_error err;
	CU_ASSERT_EQUAL_FATAL(sync_dir(db, dir, 0, &l, &err), 0);
	CU_ASSERT_STRING_EQUAL(l.text, "+ a.yaml a1\n+ a.yaml a2\n"
			       "+ a.yaml a3\na.yaml +3 ~0 -0\n");
	long long qid = th_sql_int(dbp, "SELECT qid FROM quotes WHERE "
				   "id = 'a1'");
	/* Unchanged: not read. */
	CU_ASSERT_EQUAL(sync_dir(db, dir, 0, &l, &err), 0);
	CU_ASSERT_STRING_EQUAL(l.text, "a.yaml +0 ~0 -0 unchanged\n");

	/* a1 changed in place: same row, the index and tags follow; a3
	 * gone; a4 new. */
	put(dir, "a.yaml",
	    "source:\n  title: \"Article A\"\n"
	    "speakers:\n  - name: \"Joe Biden\"\n    aliases: [\"Biden\"]\n"
	    "quotes:\n"
	    "  - id: \"a1\"\n    text: \"first changed\"\n"
	    "    speaker: \"Biden\"\n    tags: [\"two\"]\n"
	    "  - id: \"a2\"\n    text: \"second words\"\n"
	    "    speaker: \"Joe Biden\"\n"
	    "  - id: \"a4\"\n    text: \"fourth words\"\n"
	    "    speaker: \"Biden\"\n");
	CU_ASSERT_EQUAL_FATAL(sync_dir(db, dir, 0, &l, &err), 0);
	CU_ASSERT_STRING_EQUAL(l.text, "~ a.yaml a1\n+ a.yaml a4\n"
			       "- a.yaml a3\na.yaml +1 ~1 -1\n");
	CU_ASSERT_EQUAL(th_sql_int(dbp, "SELECT qid FROM quotes WHERE "
				   "id = 'a1'"), qid);
	char *t = text_of(db, "a1");
	CU_ASSERT_STRING_EQUAL(t, "first changed");
	free(t);
	CU_ASSERT_EQUAL(count_where(db, "first"), 1);
	CU_ASSERT_EQUAL(count_where(db, "words"), 2);
	CU_ASSERT_EQUAL(count_where(db, "third"), 0);
	CU_ASSERT_EQUAL(th_sql_int(dbp, "SELECT count(*) FROM quote_tags "
				   "WHERE tag = 'one'"), 0);
	CU_ASSERT_EQUAL(th_sql_int(dbp, "SELECT count(*) FROM quote_tags "
				   "WHERE tag = 'two'"), 1);
	CU_ASSERT(fts_intact(dbp));

	/* A quote added by hand is no file's: sync leaves it alone, and
	 * delete works on it but not on a file's quote. */
	qdb_quote q = QDB_QUOTE_INIT;
	q.id = (qdb_str){ "h1", 2 };
	q.text = (qdb_str){ "by hand", 7 };
	q.speaker = (qdb_str){ "Biden", 5 };
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), 0);
	CU_ASSERT_EQUAL(qdb_quote_delete(db, "a2"), QDB_EINVALID);
	char want[2048];
	snprintf(want, sizeof want, "the quote 'a2' comes from %s/a.yaml: "
		 "delete it there, then run 'quotedb sync'", dir);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), want);

	/* The file gone takes its quotes, names and aliases with it. */
	char p[1024];
	snprintf(p, sizeof p, "%s/a.yaml", dir);
	unlink(p);
	CU_ASSERT_EQUAL_FATAL(sync_dir(db, dir, 0, &l, &err), 0);
	CU_ASSERT_STRING_EQUAL(l.text, "- a.yaml a1\n- a.yaml a2\n"
			       "- a.yaml a4\na.yaml +0 ~0 -3\n");
	CU_ASSERT_EQUAL(th_sql_int(dbp, "SELECT count(*) FROM quotes"), 1);
	CU_ASSERT_EQUAL(th_sql_int(dbp, "SELECT count(*) FROM files"), 0);
	CU_ASSERT_EQUAL(th_sql_int(dbp, "SELECT count(*) FROM "
				   "speaker_aliases"), 0);
	/* "Biden" resolved through a.yaml's alias when h1 was added; it
	 * stays with h1. */
	CU_ASSERT_EQUAL(th_sql_int(dbp, "SELECT count(*) FROM speakers"), 1);
	CU_ASSERT_EQUAL(qdb_quote_delete(db, "h1"), 0);
	CU_ASSERT(fts_intact(dbp));
	qdb_close(db);
}

static void test_move_and_claims(void)
{
	const char *dir = mkdir_in("move");
	char dbp[1024];
	snprintf(dbp, sizeof dbp, "%s", th_path("move.db"));
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, dbp, 0), 0);
	put(dir, "a.yaml", a1);
	put(dir, "b.yaml", "quotes:\n  - id: \"b1\"\n    text: \"bee\"\n"
	    "    speaker: \"Ada\"\n");
	log_buf l;
	qdb_error err;
	CU_ASSERT_EQUAL_FATAL(sync_dir(db, dir, 0, &l, &err), 0);
	char *before = dump(dbp);
	long long qid = th_sql_int(dbp, "SELECT qid FROM quotes WHERE "
				   "id = 'a3'");

	/* b.yaml also claims a3, a.yaml unchanged: refused, naming both;
	 * nothing changes. */
	put(dir, "b.yaml", "quotes:\n  - id: \"b1\"\n    text: \"bee\"\n"
	    "    speaker: \"Ada\"\n  - id: \"a3\"\n    text: \"third words\"\n"
	    "    speaker: \"Joe Biden\"\n");
	CU_ASSERT_EQUAL(sync_dir(db, dir, 0, &l, &err), QDB_EEXISTS);
	char want[2048], got[2048];
	snprintf(want, sizeof want, "%s/b.yaml:5:9: quotes[1].id: the id "
		 "'a3' is also claimed in %s/a.yaml; an id names one quote",
		 dir, dir);
	CU_ASSERT_STRING_EQUAL(qdb_error_format(&err, got, sizeof got), want);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), want);
	char *after = dump(dbp);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(after);

	/* Both files read and both claim it: both places, with lines. */
	char a1b[2048];
	snprintf(a1b, sizeof a1b, "%s  - id: \"a9\"\n    text: \"x\"\n"
		 "    speaker: \"Biden\"\n", a1);
	put(dir, "a.yaml", a1b);
	CU_ASSERT_EQUAL(sync_dir(db, dir, 0, &l, &err), QDB_EEXISTS);
	snprintf(want, sizeof want, "%s/b.yaml:5:9: quotes[1].id: the id "
		 "'a3' is also claimed at %s/a.yaml:14:9; an id names one "
		 "quote", dir, dir);
	CU_ASSERT_STRING_EQUAL(qdb_error_format(&err, got, sizeof got), want);
	after = dump(dbp);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(after);

	/* Moved: taken out of a.yaml, it keeps its id and its row. */
	put(dir, "a.yaml",
	    "source:\n  title: \"Article A\"\n"
	    "speakers:\n  - name: \"Joe Biden\"\n    aliases: [\"Biden\"]\n"
	    "quotes:\n"
	    "  - id: \"a1\"\n    text: \"first words\"\n    speaker: \"Biden\"\n"
	    "    tags: [\"one\"]\n"
	    "  - id: \"a2\"\n    text: \"second words\"\n"
	    "    speaker: \"Joe Biden\"\n");
	CU_ASSERT_EQUAL_FATAL(sync_dir(db, dir, QDB_SYNC_DRY_RUN, &l, &err), 0);
	CU_ASSERT_STRING_EQUAL(l.text, "- a.yaml a3 b.yaml\n"
			       "+ b.yaml a3 a.yaml\n"
			       "a.yaml +0 ~0 -1\nb.yaml +1 ~0 -0\n");
	/* The dry run wrote nothing. */
	after = dump(dbp);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(after);
	CU_ASSERT_EQUAL_FATAL(sync_dir(db, dir, 0, &l, &err), 0);
	CU_ASSERT_EQUAL(th_sql_int(dbp, "SELECT qid FROM quotes WHERE "
				   "id = 'a3'"), qid);
	snprintf(want, sizeof want, "SELECT count(*) FROM quotes q JOIN "
		 "files f ON f.id = q.file_id WHERE q.id = 'a3' AND "
		 "f.path = '%s/b.yaml'", dir);
	CU_ASSERT_EQUAL(th_sql_int(dbp, want), 1);
	free(before);

	/* A bad file anywhere: nothing changes, and the place is named. */
	before = dump(dbp);
	put(dir, "a.yaml", "quotes:\n  - id: \"a1\"\n    text: \"ok\"\n"
	    "    speaker: \"Biden\"\n    date: \"2023-02-30\"\n");
	CU_ASSERT_EQUAL(sync_dir(db, dir, 0, &l, &err), QDB_EINVALID);
	CU_ASSERT_EQUAL(err.line, 5);
	CU_ASSERT_STRING_EQUAL(err.field, "quotes[0].date");
	after = dump(dbp);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(after);
	free(before);
	CU_ASSERT(fts_intact(dbp));
	qdb_close(db);
}

/* An alias declared in a file resolves that file's quotes only; the same
 * alias may name two entities in two files. */
static void test_scoped_aliases(void)
{
	const char *dir = mkdir_in("scoped");
	qdb *db = th_open_fresh("scoped.db");
	put(dir, "a.yaml", "speakers:\n  - name: \"Emmanuel Macron\"\n"
	    "    aliases: [\"the palace\"]\nquotes:\n  - id: \"a\"\n"
	    "    text: \"one\"\n    speaker: \"the palace\"\n");
	put(dir, "b.yaml", "speakers:\n  - name: \"Buckingham Palace\"\n"
	    "    aliases: [\"the palace\"]\nquotes:\n  - id: \"b\"\n"
	    "    text: \"two\"\n    speaker: \"The Palace\"\n");
	put(dir, "c.yaml", "quotes:\n  - id: \"c\"\n    text: \"three\"\n"
	    "    speaker: \"the palace\"\n");
	qdb_error err;
	CU_ASSERT_EQUAL_FATAL(sync_dir(db, dir, 0, NULL, &err), 0);
	static const char *const want[][2] = {
		{ "a", "Emmanuel Macron" }, { "b", "Buckingham Palace" },
		{ "c", "the palace" },
	};
	for (int i = 0; i < 3; i++) {
		qdb_quote *q = NULL;
		CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&q, db, want[i][0]), 0);
		CU_ASSERT_STRING_EQUAL(q->speaker.ptr, want[i][1]);
		qdb_quote_free(q);
	}
	/* A global alias (speaker alias) holds where no file says
	 * otherwise. */
	CU_ASSERT_EQUAL(qdb_entity_alias(db, QDB_SPEAKER, "Emmanuel Macron",
					 "Macron"), 0);
	put(dir, "c.yaml", "quotes:\n  - id: \"c\"\n    text: \"three\"\n"
	    "    speaker: \"Macron\"\n");
	CU_ASSERT_EQUAL_FATAL(sync_dir(db, dir, 0, NULL, &err), 0);
	qdb_quote *q = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&q, db, "c"), 0);
	CU_ASSERT_STRING_EQUAL(q->speaker.ptr, "Emmanuel Macron");
	qdb_quote_free(q);
	qdb_close(db);
}

/* Paths: remembered from the last sync; a missing one is an error, not
 * an empty collection; import keeps its meaning. */
static void test_paths_and_import(void)
{
	const char *dir = mkdir_in("paths");
	qdb *db = th_open_fresh("paths.db");
	put(dir, "a.yaml", a1);
	qdb_error err;
	CU_ASSERT_EQUAL_FATAL(sync_dir(db, dir, 0, NULL, &err), 0);
	put(dir, "b.yaml", "quotes:\n  - id: \"b1\"\n    text: \"bee\"\n"
	    "    speaker: \"Ada\"\n");
	log_buf l = { .strip = dir };
	CU_ASSERT_EQUAL_FATAL(qdb_sync_paths(db, NULL, 0, 0, log_event, &l,
					     &err), 0);
	CU_ASSERT_STRING_EQUAL(l.text, "+ b.yaml b1\na.yaml +0 ~0 -0 "
			       "unchanged\nb.yaml +1 ~0 -0\n");
	char gone[1024];
	snprintf(gone, sizeof gone, "%s/none", dir);
	const char *paths[] = { gone };
	CU_ASSERT_EQUAL(qdb_sync_paths(db, paths, 1, 0, NULL, NULL, &err),
			QDB_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(err.file, gone);
	CU_ASSERT_STRING_EQUAL(err.text, "cannot open: No such file or "
			       "directory");

	/* import refuses changed content, as it always did. */
	char p[1024];
	snprintf(p, sizeof p, "%s/b.yaml", dir);
	put(dir, "b.yaml", "quotes:\n  - id: \"b1\"\n    text: \"changed\"\n"
	    "    speaker: \"Ada\"\n");
	CU_ASSERT_EQUAL(qdb_import_file(db, p, NULL, &err), QDB_EEXISTS);
	CU_ASSERT_EQUAL_FATAL(sync_dir(db, dir, 0, NULL, &err), 0);
	char *t = text_of(db, "b1");
	CU_ASSERT_STRING_EQUAL(t, "changed");
	free(t);
	qdb_close(db);
}

/* The command: per file +N ~N -N, --dry-run quote by quote, the paths
 * of the last sync, and file:line:column on an error. */
static void test_cli(void)
{
	const char *dir = mkdir_in("cli");
	char dbp[1024];
	snprintf(dbp, sizeof dbp, "%s", th_path("cli.db"));
	put(dir, "a.yaml", a1);
	char *out = NULL, *err = NULL;
	CU_ASSERT_EQUAL(th_run(&out, &err, "cd '%s' && '%s' --db '%s' sync .",
			       dir, th_cli(), dbp), 0);
	CU_ASSERT_STRING_EQUAL(out, "a.yaml: +3 ~0 -0\n");
	CU_ASSERT_STRING_EQUAL(err, "quotedb: synced 1 file (1 read, 0 "
			       "unchanged): 3 added, 0 changed, 0 removed\n");
	free(out);
	free(err);
	put(dir, "a.yaml",
	    "source:\n  title: \"Article A\"\n"
	    "speakers:\n  - name: \"Joe Biden\"\n    aliases: [\"Biden\"]\n"
	    "quotes:\n"
	    "  - id: \"a1\"\n    text: \"first changed\"\n"
	    "    speaker: \"Biden\"\n");
	CU_ASSERT_EQUAL(th_run(&out, &err, "cd '%s' && '%s' --db '%s' sync "
			       "--dry-run", dir, th_cli(), dbp), 0);
	CU_ASSERT_STRING_EQUAL(out, "~ a.yaml a1\n- a.yaml a2\n- a.yaml a3\n"
			       "a.yaml: +0 ~1 -2\n");
	CU_ASSERT_STRING_EQUAL(err, "quotedb: would sync 1 file (1 read, 0 "
			       "unchanged): 0 added, 1 changed, 2 removed; "
			       "nothing written\n");
	free(out);
	free(err);
	CU_ASSERT_EQUAL(th_run(&out, &err, "cd '%s' && '%s' --db '%s' sync",
			       dir, th_cli(), dbp), 0);
	CU_ASSERT_STRING_EQUAL(out, "a.yaml: +0 ~1 -2\n");
	free(out);
	free(err);
	put(dir, "a.yaml", "quotes:\n  - id: \"a1\"\n    text: \"x\"\n"
	    "    speaker: \"Biden\"\n    dates: \"2023\"\n");
	CU_ASSERT_EQUAL(th_run(&out, &err, "cd '%s' && '%s' --db '%s' sync",
			       dir, th_cli(), dbp), 1);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_STRING_EQUAL(err, "quotedb: sync: a.yaml:5:5: quotes[0]: "
			       "unknown key 'dates' (did you mean 'date'?)\n");
	free(out);
	free(err);
	CU_ASSERT_EQUAL(th_run(&out, &err, "'%s' --db '%s' delete a1",
			       th_cli(), dbp), 1);
	CU_ASSERT_STRING_EQUAL(err, "quotedb: delete: the quote 'a1' comes "
			       "from a.yaml: delete it there, then run "
			       "'quotedb sync'\n");
	free(out);
	free(err);
	/* The file gone, under the remembered ".": its quote goes. */
	char p[1024];
	snprintf(p, sizeof p, "%s/a.yaml", dir);
	unlink(p);
	CU_ASSERT_EQUAL(th_run(&out, &err, "cd '%s' && '%s' --db '%s' sync",
			       dir, th_cli(), dbp), 0);
	CU_ASSERT_STRING_EQUAL(out, "a.yaml: +0 ~0 -1\n");
	free(out);
	free(err);
}

/* A file's source: defaults: and a speaker's role fill what a quote
 * leaves out; what is stored is the resolved value. */
static void test_defaults(void)
{
	static const char doc[] =
		"source:\n  title: \"Defaults\"\n  defaults:\n"
		"    date: \"2024-01-29\"\n    outlet: \"CBS\"\n"
		"    occasion: \"interview\"\n"
		"speakers:\n  - name: \"Joe Biden\"\n    aliases: [\"Biden\"]\n"
		"    role: \"President\"\n"
		"quotes:\n"
		"  - id: \"d1\"\n    text: \"one\"\n    speaker: \"Biden\"\n"
		"  - id: \"d2\"\n    text: \"two\"\n    speaker: \"Joe Biden\"\n"
		"    role: \"Senator\"\n    date: \"1990\"\n"
		"  - id: \"d3\"\n    text: \"three\"\n    speaker: \"Kirby\"\n";
	qdb *db = th_open_fresh("defaults.db");
	qdb_error err;
	CU_ASSERT_EQUAL_FATAL(qdb_import_buffer(db, "d.yaml", doc,
						sizeof doc - 1, NULL, &err), 0);
	static const char *const want[][5] = {
		{ "d1", "President", "2024-01-29", "CBS", "interview" },
		{ "d2", "Senator", "1990", "CBS", "interview" },
		{ "d3", NULL, "2024-01-29", "CBS", "interview" },
	};
	for (int i = 0; i < 3; i++) {
		qdb_quote *q = NULL;
		CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&q, db, want[i][0]), 0);
		const qdb_str got[] = { q->role, q->date, q->outlet,
					q->occasion };
		for (int j = 0; j < 4; j++) {
			if (!want[i][j + 1]) {
				CU_ASSERT_PTR_NULL(got[j].ptr);
			} else {
				CU_ASSERT(got[j].ptr && !strcmp(got[j].ptr,
							       want[i][j + 1]));
			}
		}
		qdb_quote_free(q);
	}
	/* A bad default is reported at its place, for the quote using it. */
	static const char bad[] =
		"source:\n  title: \"Defaults\"\n  defaults:\n"
		"    date: \"2024-02-30\"\n"
		"quotes:\n  - text: \"one\"\n    speaker: \"Biden\"\n";
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "bad.yaml", bad, sizeof bad - 1,
					  NULL, &err), QDB_EINVALID);
	CU_ASSERT_EQUAL(err.line, 4);
	CU_ASSERT_EQUAL(err.column, 11);
	CU_ASSERT_STRING_EQUAL(err.field, "quotes[0].date");
	qdb_close(db);
}

static void collect(const qdb_error *w, void *payload)
{
	log_buf *l = payload;
	char buf[1024];
	int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s\n",
			 qdb_error_format(w, buf, sizeof buf));
	if (n > 0 && (size_t)n < sizeof l->text - l->len)
		l->len += (size_t)n;
}

/* The speaker guard: a new name close to a known one, or sharing its
 * surname, is a warning; with strict an error that changes nothing. */
static void test_guard(void)
{
	static const char doc[] =
		"speakers:\n  - name: \"Ant\u00f3nio Guterres\"\n"
		"outlets:\n  - name: \"The Guardian\"\n"
		"quotes:\n"
		"  - text: \"one\"\n    speaker: \"Guteres\"\n"
		"  - text: \"two\"\n    speaker: \"Jill Guterres\"\n"
		"  - text: \"three\"\n    speaker: \"Joe Biden\"\n"
		"    outlet: \"The Guardain\"\n";
	qdb *db = th_open_fresh("guard.db");
	log_buf l = { .len = 0 };
	qdb_warnings(db, collect, &l, 0);
	qdb_error err;
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "g.yaml", doc, sizeof doc - 1,
					  NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(l.text,
		"g.yaml:7:14: quotes[0].speaker: new speaker 'Guteres' (did "
		"you mean 'Ant\xc3\xb3nio Guterres'?)\n"
		"g.yaml:9:14: quotes[1].speaker: new speaker 'Jill Guterres' "
		"(did you mean 'Ant\xc3\xb3nio Guterres'?)\n"
		"g.yaml:12:13: quotes[2].outlet: new outlet 'The Guardain' "
		"(did you mean 'The Guardian'?)\n");
	qdb_close(db);

	db = th_open_fresh("guard-strict.db");
	qdb_warnings(db, NULL, NULL, 1);
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "g.yaml", doc, sizeof doc - 1,
					  NULL, &err), QDB_EINVALID);
	char got[1024];
	CU_ASSERT_STRING_EQUAL(qdb_error_format(&err, got, sizeof got),
		"g.yaml:7:14: quotes[0].speaker: new speaker 'Guteres' (did "
		"you mean 'Ant\xc3\xb3nio Guterres'? declare it in speakers: "
		"to keep it)");
	int64_t n = -1;
	CU_ASSERT_EQUAL(qdb_count(&n, db, NULL), 0);
	CU_ASSERT_EQUAL(n, 0);
	qdb_close(db);
}

/* The same warnings in a run of many new names, where the guard looks
 * names up in its index rather than comparing each with every other. */
static void test_guard_many(void)
{
	static const char *const sur[] = {
		"Adams", "Brown", "Chavez", "Dubois", "Eriksen", "Fischer",
		"Gonzalez", "Hakimi", "Ivanova", "Jensen", "Kowalski",
		"Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov",
		"Quispe", "Rossi", "Schmidt", "Tanaka",
	};
	th_buf b = { 0 };
	char line[256];
	const char *head = "speakers:\n  - name: \"Ant\u00f3nio Guterres\"\n"
		"outlets:\n  - name: \"The Guardian\"\n"
		"  - name: \"Al Jazeera\"\nquotes:\n";
	th_buf_write(head, strlen(head), &b);
	for (size_t i = 0; i < sizeof sur / sizeof *sur; i++) {
		int n = snprintf(line, sizeof line, "  - text: \"q%zu\"\n"
				 "    speaker: \"Person %s\"\n"
				 "    outlet: \"Radio %s\"\n", i, sur[i], sur[i]);
		th_buf_write(line, (size_t)n, &b);
	}
	const char *tail =
		"  - text: \"one\"\n    speaker: \"Guteres\"\n"
		"  - text: \"two\"\n    speaker: \"Jill Guterres\"\n"
		"  - text: \"three\"\n    speaker: \"Joe Biden\"\n"
		"    outlet: \"The Guardain\"\n"
		"  - text: \"four\"\n    speaker: \"Joe Biden\"\n"
		"    outlet: \"Al-Jazeera\"\n";
	th_buf_write(tail, strlen(tail), &b);
	qdb *db = th_open_fresh("guard-many.db");
	log_buf l = { .len = 0 };
	qdb_warnings(db, collect, &l, 0);
	qdb_error err;
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "g.yaml", b.data, b.len, NULL,
					  &err), 0);
	CU_ASSERT_STRING_EQUAL(l.text,
		"g.yaml:68:14: quotes[20].speaker: new speaker 'Guteres' (did "
		"you mean 'Ant\xc3\xb3nio Guterres'?)\n"
		"g.yaml:70:14: quotes[21].speaker: new speaker 'Jill Guterres' "
		"(did you mean 'Ant\xc3\xb3nio Guterres'?)\n"
		"g.yaml:73:13: quotes[22].outlet: new outlet 'The Guardain' "
		"(did you mean 'The Guardian'?)\n"
		"g.yaml:76:13: quotes[23].outlet: new outlet 'Al-Jazeera' "
		"(did you mean 'Al Jazeera'?)\n");
	qdb_close(db);
	th_buf_free(&b);
}

/* out with each line cut after its second tab-separated field: verify's
 * lines, without where the quote was found (test_cli checks that).
 * out is changed in place. */
static char *two_cols(char *out)
{
	char *w = out;
	for (char *r = out; r && *r;) {
		char *nl = strchr(r, '\n');
		size_t len = nl ? (size_t)(nl - r) : strlen(r);
		char *t1 = memchr(r, '\t', len);
		char *t2 = t1 ? memchr(t1 + 1, '\t', len - (size_t)(t1 + 1 - r))
			: NULL;
		size_t keep = t2 ? (size_t)(t2 - r) : len;
		memmove(w, r, keep);
		w += keep;
		if (nl)
			*w++ = '\n';
		r = nl ? nl + 1 : r + len;
	}
	if (out)
		*w = '\0';
	return out;
}

/* Two articles: sources lists both; --source by title, by the text's
 * file or by the YAML file selects one; verify --source checks only its
 * quotes. */
static void test_sources(void)
{
	const char *dir = mkdir_in("two");
	char dbp[1024];
	snprintf(dbp, sizeof dbp, "%s", th_path("two.db"));
	put(dir, "one.txt", "The first article says: peace is near.\n");
	put(dir, "two.txt", "The second article says: war is far.\n");
	put(dir, "one.yaml", "source:\n  title: \"One\"\n"
	    "  url: \"https://example.org/1\"\n  file: \"one.txt\"\n"
	    "quotes:\n  - id: \"o1\"\n    text: \"peace is near\"\n"
	    "    speaker: \"Ada\"\n");
	put(dir, "two.yaml", "source:\n  title: \"Two\"\n"
	    "  file: \"two.txt\"\n"
	    "quotes:\n  - id: \"t1\"\n    text: \"war is far\"\n"
	    "    speaker: \"Ada\"\n  - id: \"t2\"\n"
	    "    text: \"war is far.\"\n    speaker: \"Ada\"\n");
	char *out = NULL, *err = NULL;
	CU_ASSERT_EQUAL(th_run(NULL, NULL, "cd '%s' && '%s' --db '%s' sync .",
			       dir, th_cli(), dbp), 0);
	CU_ASSERT_EQUAL(th_run(&out, NULL, "cd '%s' && '%s' --db '%s' sources "
			       "| cat", dir, th_cli(), dbp), 0);
	CU_ASSERT_STRING_EQUAL(out, "1\tOne\t\t\thttps://example.org/1\t"
			       "one.txt\tone.yaml\n2\tTwo\t\t\t\ttwo.txt\t"
			       "two.yaml\n");
	free(out);
	CU_ASSERT_EQUAL(th_run(&out, NULL, "cd '%s' && '%s' --db '%s' sources "
			       "--json", dir, th_cli(), dbp), 0);
	CU_ASSERT_STRING_EQUAL(out, "[\n  {\"title\": \"One\", \"author\": "
			       "null, \"date\": null, \"url\": "
			       "\"https://example.org/1\", \"file\": "
			       "\"one.txt\", \"yaml\": \"one.yaml\", "
			       "\"quotes\": 1},\n  {\"title\": \"Two\", "
			       "\"author\": null, \"date\": null, \"url\": "
			       "null, \"file\": \"two.txt\", \"yaml\": "
			       "\"two.yaml\", \"quotes\": 2}\n]\n");
	free(out);
	static const char *const by[] = { "Two", "two.txt", "two.yaml" };
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(th_run(&out, NULL, "cd '%s' && '%s' --db '%s' "
				       "list --source '%s' | cut -f1", dir,
				       th_cli(), dbp, by[i]), 0);
		CU_ASSERT_STRING_EQUAL(out, "t1\nt2\n");
		free(out);
	}
	/* verify --source: that source's quotes, each against its text. */
	CU_ASSERT_EQUAL(th_run(&out, &err, "cd '%s' && '%s' --db '%s' verify "
			       "--source one.txt", dir, th_cli(), dbp), 0);
	CU_ASSERT_STRING_EQUAL(two_cols(out), "verified\to1\n");
	CU_ASSERT_STRING_EQUAL(err, "quotedb: 1 verified, 0 not verified\n");
	free(out);
	free(err);
	CU_ASSERT_EQUAL(th_run(&out, &err, "cd '%s' && '%s' --db '%s' verify "
			       "--source Two", dir, th_cli(), dbp), 0);
	CU_ASSERT_STRING_EQUAL(two_cols(out), "verified\tt1\nverified\tt2\n");
	free(out);
	free(err);
}

/* The README's two-article walk-through runs as written, in an empty
 * directory, with the quotedb under test first on PATH. */
static void test_readme_walkthrough(void)
{
	char *readme = th_read_file("README.md", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(readme);
	char *sec = strstr(readme, "\n## Two articles");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sec);
	char *end = strstr(sec + 1, "\n## ");
	if (end)
		*end = '\0';
	th_buf script = { 0 };
	th_buf_write("set -e\n", 7, &script);
	for (char *p = sec; (p = strstr(p, "```sh\n")) != NULL;) {
		p += 6;
		char *q = strstr(p, "```");
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		th_buf_write(p, (size_t)(q - p), &script);
		p = q + 3;
	}
	th_buf_write("", 1, &script);
	const char *dir = mkdir_in("readme");
	char sh[1024];
	snprintf(sh, sizeof sh, "%s/walk.sh", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(sh, script.data,
					    strlen(script.data)), 0);
	char *out = NULL, *err = NULL;
	int rc = th_run(&out, &err, "cd '%s' && mkdir -p bin && ln -sf '%s' "
			"bin/quotedb && PATH=\"$PWD/bin:$PATH\" QUOTEDB_DB="
			"\"$PWD/my.db\" bash walk.sh", dir, th_cli());
	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		fprintf(stderr, "\n%s\n%s\n", out ? out : "", err ? err : "");
	CU_ASSERT(out && strstr(out, "~ quotes/eu.yaml eu-2\n"));
	/* --split named the files after the sources' texts */
	char split[1024];
	snprintf(split, sizeof split, "%s/shared/eu.yaml", dir);
	CU_ASSERT_EQUAL(access(split, R_OK), 0);
	snprintf(split, sizeof split, "%s/shared/un.yaml", dir);
	CU_ASSERT_EQUAL(access(split, R_OK), 0);
	CU_ASSERT(out && strstr(two_cols(out), "verified\tun-1\nverified\tun-2\n"
				"verified\teu-1\nverified\teu-2\n"));
	free(out);
	free(err);
	th_buf_free(&script);
	free(readme);
}

static void show_first_difference(const char *a, const char *b)
{
	size_t line = 1, i = 0;
	while (a[i] && a[i] == b[i])
		line += a[i++] == '\n';
	const char *la = a + i, *lb = b + i;
	while (la > a && la[-1] != '\n')
		la--;
	while (lb > b && lb[-1] != '\n')
		lb--;
	fprintf(stderr, "\n  dump line %zu:\n  sync:   %.*s\n  import: %.*s\n",
		line, (int)strcspn(la, "\n"), la, (int)strcspn(lb, "\n"), lb);
}

/* What an export to one YAML file keeps: every table but the files, with
 * each alias once, whatever its scope. */
static const char *const content_sql[] = {
	"SELECT q.id, q.text, s.name, q.role, q.date, q.date_lo, q.date_hi, "
	"  q.date_text, o.name, q.programme, q.occasion, q.reported_by, "
	"  src.title, src.author, src.date, src.url, src.file, q.locator, "
	"  q.language, q.translated, q.context, q.tags "
	"FROM quotes q JOIN speakers s ON s.id = q.speaker_id "
	"LEFT JOIN outlets o ON o.id = q.outlet_id "
	"LEFT JOIN sources src ON src.id = q.source_id ORDER BY q.id",
	"SELECT name FROM speakers ORDER BY name",
	"SELECT name FROM outlets ORDER BY name",
	"SELECT DISTINCT a.alias, s.name FROM speaker_aliases a JOIN speakers "
	"s ON s.id = a.speaker_id ORDER BY 1, 2",
	"SELECT DISTINCT a.alias, o.name FROM outlet_aliases a JOIN outlets "
	"o ON o.id = a.outlet_id ORDER BY 1, 2",
	"SELECT title, author, date, url, file FROM sources ORDER BY 1, 2, 3, "
	"  4, 5",
	"SELECT t.tag, q.id FROM quote_tags t JOIN quotes q ON q.qid = t.qid "
	"ORDER BY 1, 2",
};

static char *content(const char *path)
{
	sqlite3 *db = NULL;
	th_buf b = { 0 };
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	for (size_t i = 0; i < sizeof content_sql / sizeof content_sql[0];
	     i++) {
		sqlite3_stmt *st;
		th_buf_write("--\n", 3, &b);
		if (sqlite3_prepare_v2(db, content_sql[i], -1, &st, NULL))
			continue;
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const char *v = (const char *)
					sqlite3_column_text(st, c);
				th_buf_write("|", 1, &b);
				th_buf_write(v ? v : "NULL",
					     strlen(v ? v : "NULL"), &b);
			}
			th_buf_write("\n", 1, &b);
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	th_buf_write("", 1, &b);
	return b.data;
}

/* The whole database exported as YAML imports into the same database:
 * quotes, names, aliases (written under speakers: and outlets:), sources
 * and tags. */
static void test_yaml_round_trip(void)
{
	const char *dir = mkdir_in("round");
	char dbp[1024], again[1024], yaml[1024];
	snprintf(dbp, sizeof dbp, "%s", th_path("round.db"));
	snprintf(again, sizeof again, "%s", th_path("round-again.db"));
	snprintf(yaml, sizeof yaml, "%s/all.yaml", dir);
	put(dir, "a.yaml", a1);
	put(dir, "b.yaml", "speakers:\n  - name: \"Ada Lovelace\"\n"
	    "    aliases: [\"Ada\", \"Lovelace\"]\n"
	    "outlets:\n  - name: \"CBS\"\n    aliases: [\"CBS News\"]\n"
	    "quotes:\n  - id: \"b1\"\n    text: \"bee\"\n"
	    "    speaker: \"Ada\"\n    outlet: \"CBS News\"\n"
	    "    tags: [\"x\"]\n");
	char *out = NULL, *err = NULL;
	CU_ASSERT_EQUAL(th_run(NULL, &err, "'%s' --db '%s' sync '%s' && '%s' "
			       "--db '%s' import quotes && '%s' --db '%s' "
			       "export --format yaml -o '%s' && '%s' --db '%s' "
			       "import '%s'", th_cli(), dbp, dir, th_cli(), dbp,
			       th_cli(), dbp, yaml, th_cli(), again, yaml), 0);
	if (err && strstr(err, "error"))
		fprintf(stderr, "\n%s\n", err);
	free(err);
	char *a = content(dbp), *b = content(again);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT(strstr(a, "|Lovelace|Ada Lovelace\n") != NULL);
	CU_ASSERT(strstr(a, "|CBS News|CBS\n") != NULL);
	CU_ASSERT_STRING_EQUAL(a, b);
	if (strcmp(a, b))
		show_first_difference(a, b);
	free(a);
	free(b);
	free(out);
}

/* The names of the files in dir, sorted, one per line. */
static char *listing(const char *dir)
{
	char *out = NULL;
	if (th_run(&out, NULL, "ls -A '%s' | LC_ALL=C sort", dir) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* --split DIR: one file per source, named from it, that `sync DIR`
 * turns back into the same database; all or nothing, and a directory
 * with files is replaced only with --force, and only when it holds
 * nothing but YAML files. */
static void test_yaml_split(void)
{
	const char *dir = mkdir_in("split-in");
	const char *out = th_path("split-out");
	char dbp[1024], again[1024];
	snprintf(dbp, sizeof dbp, "%s", th_path("split.db"));
	snprintf(again, sizeof again, "%s", th_path("split-again.db"));
	put(dir, "a.yaml", a1);
	put(dir, "b.yaml", "speakers:\n  - name: \"Ada Lovelace\"\n"
	    "    aliases: [\"Ada\", \"Lovelace\"]\n"
	    "  - name: \"Nobody Quoted\"\n    aliases: [\"Nobody\"]\n"
	    "outlets:\n  - name: \"CBS\"\n    aliases: [\"CBS News\"]\n"
	    "quotes:\n  - id: \"b1\"\n    text: \"bee\"\n"
	    "    speaker: \"Ada\"\n    outlet: \"CBS News\"\n");
	put(dir, "c.yaml", "source:\n  title: \"Article A\"\n"
	    "  author: \"Another author\"\nquotes:\n  - id: \"c1\"\n"
	    "    text: \"sea\"\n    speaker: \"Ada Lovelace\"\n");
	char *err = NULL;
	CU_ASSERT_EQUAL(th_run(NULL, &err, "'%s' --db '%s' sync '%s' && '%s' "
			       "--db '%s' import quotes && '%s' --db '%s' "
			       "export --format yaml --split '%s' && '%s' --db "
			       "'%s' sync '%s'", th_cli(), dbp, dir, th_cli(),
			       dbp, th_cli(), dbp, out, th_cli(), again, out),
			0);
	if (err && strstr(err, "error"))
		fprintf(stderr, "\n%s\n", err);
	free(err);
	char *names = listing(out);
	CU_ASSERT_STRING_EQUAL(names ? names : "",
			       "000_ce5212642387543b.yaml\narticle-a-2.yaml\n"
			       "article-a.yaml\nno-source.yaml\n");
	free(names);
	char *a = content(dbp), *b = content(again);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT(strstr(a, "|Nobody|Nobody Quoted\n") != NULL);
	CU_ASSERT_STRING_EQUAL(a, b);
	if (strcmp(a, b))
		show_first_difference(a, b);
	free(a);
	free(b);
	/* One file per source, its source on top, and the aliases its
	 * quotes need. */
	char p[1024];
	snprintf(p, sizeof p, "%s/article-a-2.yaml", out);
	char *c = th_read_file(p, NULL);
	CU_ASSERT_STRING_EQUAL(c ? c : "",
			       "source:\n  title: \"Article A\"\n"
			       "  author: \"Another author\"\nspeakers:\n"
			       "- name: \"Ada Lovelace\"\n"
			       "  aliases: [\"Ada\", \"Lovelace\"]\nquotes:\n"
			       "- id: \"c1\"\n  text: \"sea\"\n"
			       "  speaker: \"Ada Lovelace\"\n");
	free(c);

	/* A directory with files: refused, untouched, nothing left. */
	err = NULL;
	CU_ASSERT_NOT_EQUAL(th_run(NULL, &err, "'%s' --db '%s' export "
				   "--format yaml --split '%s'", th_cli(), dbp,
				   out), 0);
	CU_ASSERT(err && strstr(err, "split-out: is not empty; --force "
				"replaces it"));
	free(err);
	put(out, "article-a.yaml", "old\n");
	CU_ASSERT_EQUAL(th_run(NULL, NULL, "'%s' --db '%s' export --format "
			       "yaml --split '%s/' --force", th_cli(), dbp,
			       out), 0);
	snprintf(p, sizeof p, "%s/article-a.yaml", out);
	c = th_read_file(p, NULL);
	CU_ASSERT(c && !strncmp(c, "source:\n  title: \"Article A\"\n", 29));
	free(c);
	/* --force replaces YAML files only: not the texts beside them. */
	put(out, "article-a.txt", "the article\n");
	err = NULL;
	CU_ASSERT_NOT_EQUAL(th_run(NULL, &err, "'%s' --db '%s' export "
				   "--format yaml --split '%s' --force",
				   th_cli(), dbp, out), 0);
	CU_ASSERT(err && strstr(err, "holds article-a.txt, which a split "
				"export does not write"));
	free(err);
	names = listing(th_path(""));
	CU_ASSERT(names && !strstr(names, "split-out.tmp") &&
		  !strstr(names, "split-out.old"));
	free(names);
	/* Another order would split a source over several files. */
	err = NULL;
	CU_ASSERT_NOT_EQUAL(th_run(NULL, &err, "'%s' --db '%s' export "
				   "--format yaml --split '%s/new' --sort date",
				   th_cli(), dbp, out), 0);
	CU_ASSERT(err && strstr(err, "one file per source"));
	free(err);
}

/* ---- the property test ------------------------------------------------ */

#define NNAMES 8          /* file names a.yaml .. h.yaml */
#define MAXQ 12           /* quotes per file */
#define NSPK 4

static const char *const names[NSPK] = {
	"Joe Biden", "John Kirby", "Ada Lovelace", "Grace Hopper"
};
static const char *const aliases[NSPK][2] = {
	{ "Biden", "President Biden" }, { "Kirby", "Admiral Kirby" },
	{ "Lovelace", "Ada" }, { "Hopper", "Amazing Grace" },
};
/* What a quote's speaker: may say: a name, an alias (which a file may or
 * may not declare), or the alias every file gives its own meaning. */
#define NSAYS (NSPK * 3 + 1)
static const char *says(int i)
{
	return i < NSPK ? names[i] : i < 3 * NSPK
		? aliases[(i - NSPK) / 2][(i - NSPK) % 2] : "the palace";
}
static const char *const outlets[] = { NULL, "CBS", "CBS News", "CNN" };
static const char *const dates[] = { NULL, "2023", "2023-10-09",
				     "2023-10~", "2024-01-29/2024-02-03" };

typedef struct mquote {
	int id;           /* q<id>; -1: none, a content key */
	int text, say, outlet, date, tags, ctx;
} mquote;

typedef struct mfile {
	int exists;
	int name;             /* index into file names */
	unsigned decl[NSPK];  /* bit 0, 1: its aliases; bit 2: declared */
	int palace;           /* whose "the palace" is here; -1: none */
	int cbs_alias;        /* outlets: CBS with alias CBS News */
	mquote q[MAXQ];
	int nq;
} mfile;

typedef struct model {
	mfile f[4];
	int serial;
	unsigned seed;
} model;

static int rnd(model *m, int n)
{
	m->seed = m->seed * 1103515245u + 12345u;
	return (int)((m->seed >> 16) % (unsigned)n);
}

static int id_used(const model *m, int id)
{
	for (int i = 0; i < 4; i++)
		for (int j = 0; m->f[i].exists && j < m->f[i].nq; j++)
			if (m->f[i].q[j].id == id)
				return 1;
	return 0;
}

static int name_used(const model *m, int name)
{
	for (int i = 0; i < 4; i++)
		if (m->f[i].exists && m->f[i].name == name)
			return 1;
	return 0;
}

static void new_quote(model *m, mquote *q)
{
	int id;
	do
		id = rnd(m, 60);
	while (id_used(m, id));
	q->id = rnd(m, 5) ? id : -1;
	q->text = m->serial++;
	q->say = rnd(m, NSAYS);
	q->outlet = rnd(m, 4);
	q->date = rnd(m, 5);
	q->tags = rnd(m, 4);
	q->ctx = rnd(m, 3);
}

static mfile *pick_file(model *m)
{
	int n = 0, which[4];
	for (int i = 0; i < 4; i++)
		if (m->f[i].exists)
			which[n++] = i;
	return n ? &m->f[which[rnd(m, n)]] : NULL;
}

static void write_model(const model *m, const char *dir)
{
	for (int k = 0; k < NNAMES; k++) {
		char p[1024];
		snprintf(p, sizeof p, "%s/%c.yaml", dir, 'a' + k);
		if (!name_used(m, k))
			unlink(p);
	}
	for (int i = 0; i < 4; i++) {
		const mfile *f = &m->f[i];
		if (!f->exists)
			continue;
		char buf[16384];
		size_t n = 0;
#define OUT(...) n += (size_t)snprintf(buf + n, sizeof buf - n, __VA_ARGS__)
		OUT("source:\n  title: \"Document %d\"\n", i % 2);
		OUT("speakers:\n  - name: \"Nobody Declared\"\n");
		for (int s = 0; s < NSPK; s++) {
			if (!f->decl[s] && f->palace != s)
				continue;
			OUT("  - name: \"%s\"\n", names[s]);
			if ((f->decl[s] & 3) || f->palace == s) {
				OUT("    aliases: [");
				const char *sep = "";
				for (int a = 0; a < 2; a++)
					if (f->decl[s] & (1u << a)) {
						OUT("%s\"%s\"", sep,
						    aliases[s][a]);
						sep = ", ";
					}
				if (f->palace == s)
					OUT("%s\"the palace\"", sep);
				OUT("]\n");
			}
		}
		if (f->cbs_alias)
			OUT("outlets:\n  - name: \"CBS\"\n"
			    "    aliases: [\"CBS News\"]\n");
		OUT("quotes:\n");
		if (!f->nq)
			OUT("  []\n");
		for (int j = 0; j < f->nq; j++) {
			const mquote *q = &f->q[j];
			OUT("  - ");
			if (q->id >= 0)
				OUT("id: \"q%d\"\n    ", q->id);
			OUT("text: \"words \\u00e9 %d\"\n", q->text);
			OUT("    speaker: \"%s\"\n", says(q->say));
			if (outlets[q->outlet])
				OUT("    outlet: \"%s\"\n", outlets[q->outlet]);
			if (dates[q->date])
				OUT("    date: \"%s\"\n", dates[q->date]);
			if (q->tags)
				OUT("    tags: [\"t%d\", \"all\"]\n", q->tags);
			if (q->ctx)
				OUT("    context: \"context %d\"\n", q->ctx);
		}
#undef OUT
		char p[1024];
		snprintf(p, sizeof p, "%s/%c.yaml", dir, 'a' + f->name);
		CU_ASSERT_EQUAL(th_write_file(p, buf, n), 0);
	}
}

/* One random edit; its name into what. */
static void edit(model *m, char *what, size_t cap)
{
	mfile *f = pick_file(m);
	int op = f ? rnd(m, 10) : 9;
	mquote *q = f && f->nq ? &f->q[rnd(m, f->nq)] : NULL;
	switch (op) {
	case 0: case 1:
		if (f->nq < MAXQ) {
			new_quote(m, &f->q[f->nq++]);
			snprintf(what, cap, "add a quote to %c", 'a' + f->name);
			return;
		}
		break;
	case 2:
		if (q) {
			int field = rnd(m, 6);
			switch (field) {
			case 0: q->text = m->serial++; break;
			case 1: q->say = rnd(m, NSAYS); break;
			case 2: q->outlet = rnd(m, 4); break;
			case 3: q->date = rnd(m, 5); break;
			case 4: q->tags = rnd(m, 4); break;
			default: q->ctx = rnd(m, 3); break;
			}
			snprintf(what, cap, "change field %d of a quote of %c",
				 field, 'a' + f->name);
			return;
		}
		break;
	case 3:
		if (q) {
			*q = f->q[--f->nq];
			snprintf(what, cap, "delete a quote of %c",
				 'a' + f->name);
			return;
		}
		break;
	case 4: {
		int to = rnd(m, NNAMES);
		if (!name_used(m, to)) {
			snprintf(what, cap, "rename %c to %c", 'a' + f->name,
				 'a' + to);
			f->name = to;
			return;
		}
		break;
	}
	case 5: {
		mfile *g = pick_file(m);
		if (q && g != f && g->nq < MAXQ) {
			g->q[g->nq++] = *q;
			*q = f->q[--f->nq];
			snprintf(what, cap, "move a quote from %c to %c",
				 'a' + f->name, 'a' + g->name);
			return;
		}
		break;
	}
	case 6: case 7: {
		int s = rnd(m, NSPK), k = rnd(m, 4);
		if (k < 3)
			f->decl[s] ^= 1u << k;
		else
			f->palace = f->palace == s ? -1 : s;
		snprintf(what, cap, "change the aliases of %s in %c",
			 names[s], 'a' + f->name);
		return;
	}
	case 8:
		f->cbs_alias = !f->cbs_alias;
		snprintf(what, cap, "toggle CBS News in %c", 'a' + f->name);
		return;
	default:
		break;
	}
	/* A file appears, or (rarely) one goes. */
	for (int i = 0; i < 4; i++) {
		if (m->f[i].exists)
			continue;
		int name = rnd(m, NNAMES);
		if (name_used(m, name))
			break;
		memset(&m->f[i], 0, sizeof m->f[i]);
		m->f[i].exists = 1;
		m->f[i].name = name;
		m->f[i].palace = -1;
		snprintf(what, cap, "new file %c", 'a' + name);
		return;
	}
	if (f && rnd(m, 3) == 0) {
		f->exists = 0;
		snprintf(what, cap, "remove file %c", 'a' + f->name);
		return;
	}
	snprintf(what, cap, "nothing");
}


static void test_random_edits(void)
{
	const char *dir = mkdir_in("prop");
	char dbp[1024], fresh[1024];
	snprintf(dbp, sizeof dbp, "%s", th_path("prop.db"));
	snprintf(fresh, sizeof fresh, "%s", th_path("prop-fresh.db"));
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, dbp, 0), 0);
	model m;
	memset(&m, 0, sizeof m);
	m.seed = 13;
	int bad = 0;
	for (int step = 0; step < 150 && !bad; step++) {
		char what[96];
		edit(&m, what, sizeof what);
		write_model(&m, dir);
		qdb_error err;
		if (sync_dir(db, dir, 0, NULL, &err) != 0) {
			char msg[1024];
			fprintf(stderr, "\n  step %d (%s): %s\n", step, what,
				qdb_error_format(&err, msg, sizeof msg));
			bad = 1;
			break;
		}
		char side[1100];
		for (const char *ext = ""; ; ext = ext[0] ? NULL : "-wal") {
			if (!ext)
				break;
			snprintf(side, sizeof side, "%s%s", fresh, ext);
			unlink(side);
		}
		qdb *f = NULL;
		const char *paths[] = { dir };
		if (qdb_open(&f, fresh, 0) ||
		    qdb_import_paths(f, paths, 1, NULL, &err)) {
			fprintf(stderr, "\n  step %d (%s): import: %s\n", step,
				what, qdb_errmsg(f));
			bad = 1;
		}
		qdb_close(f);
		char *a = dump(dbp), *b = dump(fresh);
		if (!a || !b || strcmp(a, b)) {
			fprintf(stderr, "\n  step %d (%s): the database differs "
				"from a fresh import", step, what);
			if (a && b)
				show_first_difference(a, b);
			bad = 1;
		}
		if (!fts_intact(dbp)) {
			fprintf(stderr, "\n  step %d (%s): index broken\n", step,
				what);
			bad = 1;
		}
		free(a);
		free(b);
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* The sequence did reach every kind of state. */
	CU_ASSERT(th_sql_int(dbp, "SELECT count(*) FROM quotes") > 5);
	CU_ASSERT(th_sql_int(dbp, "SELECT count(*) FROM speaker_aliases") > 0);
	qdb_close(db);
}

static int suite_clean(void)
{
	th_cleanup();
	return 0;
}

void test_sync_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_add_change_remove),
		QDB_TEST(test_move_and_claims),
		QDB_TEST(test_scoped_aliases),
		QDB_TEST(test_paths_and_import),
		QDB_TEST(test_cli),
		QDB_TEST(test_defaults),
		QDB_TEST(test_guard),
		QDB_TEST(test_guard_many),
		QDB_TEST(test_sources),
		QDB_TEST(test_readme_walkthrough),
		QDB_TEST(test_yaml_round_trip),
		QDB_TEST(test_yaml_split),
		QDB_TEST(test_random_edits),
	};
	TH_SUITE("sync", NULL, suite_clean, tests);
}
