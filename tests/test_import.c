/*
 * test_import.c: the YAML importer (core/import.c) against the promises of
 * docs/format.md: every scalar a string, byte for byte; what YAML would
 * silently change refused with file, line, column and field; a file (or a
 * set of files) imported completely or not at all; importing again adds
 * nothing.
 *
 * Cases are folders in tests/data/import/, in the manner of jansson's
 * test/suites/.  Adding a case is adding a folder:
 *   CASE/input.yaml + CASE/error.txt      the file is refused, and
 *       qdb_error_format gives exactly error.txt (one final newline
 *       aside).  It is imported on top of base.yaml, and every row, name,
 *       tag and full-text entry must be as before.
 *   CASE/input.yaml + CASE/expected.json  the file imports into an empty
 *       database and `quotedb list --json` prints exactly expected.json;
 *       importing it again adds nothing.
 * Messages name the file as given, so the suite runs from the repository
 * root like the rest of the runner.
 */
#include "helpers.h"
#include "../core/internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>

#define DATA_DIR "tests/data/import"
#define BASE_FILE DATA_DIR "/base.yaml"

/* An assertion that names the case it failed for. */
#define CASE_ASSERT(cond, name) \
	case_assert(!!(cond), __LINE__, #cond, name)

static void case_assert(int ok, int line, const char *cond, const char *name)
{
	char buf[512];
	snprintf(buf, sizeof buf, "case %s: %s", name, cond);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned)line, buf,
				__FILE__, "", CU_FALSE);
}

/* Drops one trailing newline: error.txt files end their line. */
static void chomp(char *s, size_t *len)
{
	if (*len && s[*len - 1] == '\n')
		s[--*len] = '\0';
}

/* Says where two outputs part, so a failing case is quick to read. */
static void show_diff(const char *name, const char *want, size_t wlen,
		      const char *got, size_t glen)
{
	size_t i = 0;
	while (i < wlen && i < glen && want[i] == got[i])
		i++;
	size_t from = i > 40 ? i - 40 : 0;
	fprintf(stderr, "\n%s: differs at byte %zu\n  want: %.*s\n  got:  "
		"%.*s\n", name, i, (int)(wlen - from > 120 ? 120 : wlen - from),
		want + from, (int)(glen - from > 120 ? 120 : glen - from),
		got + from);
}

/* ---- the state of a database, to prove a failed import left none ---- */

/*
 * Everything an import writes, as one string: row counts of every table,
 * the full-text index's own row count, and the contents of quotes, names,
 * aliases, sources and tags.  Read through a connection of its own, as
 * another program would see the file.
 */
static char *snapshot(const char *dbpath)
{
	static const char *const q[] = {
		"SELECT 'quotes ' || count(*) FROM quotes",
		"SELECT 'speakers ' || count(*) FROM speakers",
		"SELECT 'speaker_aliases ' || count(*) FROM speaker_aliases",
		"SELECT 'outlets ' || count(*) FROM outlets",
		"SELECT 'outlet_aliases ' || count(*) FROM outlet_aliases",
		"SELECT 'sources ' || count(*) FROM sources",
		"SELECT 'quote_tags ' || count(*) FROM quote_tags",
		"SELECT 'fts ' || count(*) FROM quotes_fts",
		"SELECT 'fts docsize ' || count(*) FROM quotes_fts_docsize",
		/* quote() tells NULL from '' and keeps every byte. */
		"SELECT 'rows ' || group_concat(r, char(30)) FROM (SELECT "
		"  quote(qid) ||','|| quote(id) ||','|| quote(text) ||','|| "
		"  quote(speaker_id) ||','|| quote(role) ||','|| quote(date) "
		"  ||','|| quote(date_lo) ||','|| quote(date_hi) ||','|| "
		"  quote(date_text) ||','|| quote(outlet_id) ||','|| "
		"  quote(programme) ||','|| quote(occasion) ||','|| "
		"  quote(reported_by) ||','|| quote(source_id) ||','|| "
		"  quote(locator) ||','|| quote(language) ||','|| "
		"  quote(translated) ||','|| quote(context) ||','|| quote(tags)"
		"  AS r FROM quotes ORDER BY qid)",
		"SELECT 'names ' || group_concat(r, '|') FROM (SELECT id || '=' "
		"  || name AS r FROM speakers UNION ALL SELECT speaker_id || '~' "
		"  || alias FROM speaker_aliases UNION ALL SELECT id || 'o=' || "
		"  name FROM outlets UNION ALL SELECT outlet_id || 'o~' || alias "
		"  FROM outlet_aliases ORDER BY 1)",
		"SELECT 'sources ' || group_concat(r, '|') FROM (SELECT "
		"  quote(id) ||','|| quote(title) ||','|| quote(author) ||','||"
		"  quote(date) ||','|| quote(url) ||','|| quote(file) AS r "
		"  FROM sources ORDER BY id)",
		"SELECT 'tags ' || group_concat(r, '|') FROM (SELECT qid || ':' "
		"  || tag AS r FROM quote_tags ORDER BY qid, tag)",
	};
	sqlite3 *db;
	th_buf out = { 0 };
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL)) {
		sqlite3_close(db);
		return NULL;
	}
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		sqlite3_stmt *st;
		const char *v = "(error)";
		if (sqlite3_prepare_v2(db, q[i], -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			v = (const char *)sqlite3_column_text(st, 0);
		else if (st && sqlite3_column_type(st, 0) == SQLITE_NULL)
			v = "(none)";
		th_buf_write(v, strlen(v), &out);
		th_buf_write("\n", 1, &out);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return out.data;
}

/* FTS5's own check that the index is sound and, with rank 1, that it
 * holds exactly the text and context of every row in quotes. */
static int fts_intact(const char *dbpath)
{
	sqlite3 *db;
	int rc = sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "INSERT INTO quotes_fts(quotes_fts, rank) "
				  "VALUES('integrity-check', 1)", NULL, NULL,
				  NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK;
}

/* A database of its own for one test; any earlier one of that name goes.
 * *path stays valid until the next call (th_path's slots rotate). */
static qdb *fresh(const char *name, const char **path)
{
	static char buf[1024];
	snprintf(buf, sizeof buf, "%s", th_path(name));
	*path = buf;
	return th_open_fresh(name);
}

static int64_t count_all(qdb *db)
{
	int64_t n = -1;
	CU_ASSERT_EQUAL(qdb_count(&n, db, NULL), 0);
	return n;
}

static int64_t count_search(qdb *db, const char *query)
{
	qdb_filter f = QDB_FILTER_INIT;
	int64_t n = -1;
	f.search = query;
	f.search_fts = 1;   /* OR */
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), 0);
	return n;
}

/* The case folders, in name order; caller frees with free_cases. */
static char **list_cases(size_t *n)
{
	struct dirent **ents;
	int k = scandir(DATA_DIR, &ents, NULL, alphasort);
	char **names = NULL;
	*n = 0;
	if (k < 0)
		return NULL;
	names = calloc((size_t)k + 1, sizeof *names);
	for (int i = 0; i < k; i++) {
		char p[512];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", DATA_DIR, ents[i]->d_name);
		if (names && ents[i]->d_name[0] != '.' && stat(p, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			names[(*n)++] = strdup(ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return names;
}

static void free_cases(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int has_file(const char *name, const char *file)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s/%s", DATA_DIR, name, file);
	return stat(p, &st) == 0;
}

/* ---- refused files --------------------------------------------------- */

static void run_reject_case(const char *name)
{
	char input[512], errpath[512];
	snprintf(input, sizeof input, "%s/%s/input.yaml", DATA_DIR, name);
	snprintf(errpath, sizeof errpath, "%s/%s/error.txt", DATA_DIR, name);
	size_t wlen;
	char *want = th_read_file(errpath, &wlen);
	CASE_ASSERT(want != NULL, name);
	if (!want)
		return;
	chomp(want, &wlen);

	const char *path;
	qdb *db = fresh("reject.db", &path);
	qdb_import_stats stats = QDB_IMPORT_STATS_INIT;
	qdb_error err;
	CASE_ASSERT(qdb_import_file(db, BASE_FILE, &stats, &err) == 0, name);
	CASE_ASSERT(stats.quotes_added == 3, name);
	char *before = snapshot(path);

	int rc = qdb_import_file(db, input, &stats, &err);
	char got[1024];
	qdb_error_format(&err, got, sizeof got);
	size_t glen = strlen(got);
	CASE_ASSERT(rc == QDB_EINVALID || rc == QDB_EEXISTS, name);
	CASE_ASSERT(err.code == rc, name);
	CASE_ASSERT(strcmp(err.file, input) == 0, name);
	CASE_ASSERT(glen == wlen && memcmp(got, want, wlen) == 0, name);
	if (glen != wlen || memcmp(got, want, wlen) != 0)
		show_diff(name, want, wlen, got, glen);
	/* qdb_errmsg tells the same as the caller's struct. */
	CASE_ASSERT(strcmp(qdb_errmsg(db), got) == 0, name);
	/* The stats of the refused file are not counted. */
	CASE_ASSERT(stats.quotes_read == 3 && stats.quotes_added == 3 &&
		    stats.quotes_same == 0, name);

	/* Nothing of the file is left: rows, names, tags, index. */
	char *after = snapshot(path);
	CASE_ASSERT(before && after && strcmp(before, after) == 0, name);
	CASE_ASSERT(count_all(db) == 3, name);
	CASE_ASSERT(count_search(db, "forgiveness OR ship OR dangerous") == 0,
		    name);
	CASE_ASSERT(fts_intact(path), name);

	/* No transaction is left open: the handle goes on working. */
	static const char ok[] = "quotes:\n  - text: \"after\"\n"
		"    speaker: \"Ada Lovelace\"\n";
	CASE_ASSERT(qdb_import_buffer(db, "after.yaml", ok, sizeof ok - 1,
				      NULL, NULL) == 0, name);
	CASE_ASSERT(count_all(db) == 4, name);
	CASE_ASSERT(strcmp(qdb_errmsg(db), "not an error") == 0, name);

	free(before);
	free(after);
	free(want);
	qdb_close(db);
}

static void test_rejected_files(void)
{
	size_t n, ran = 0;
	char **names = list_cases(&n);
	CU_ASSERT_FATAL(names != NULL);
	for (size_t i = 0; i < n; i++) {
		if (has_file(names[i], "error.txt")) {
			run_reject_case(names[i]);
			ran++;
		}
	}
	/* A case folder lost by accident is noticed. */
	CU_ASSERT(ran >= 30);
	free_cases(names, n);
}

/* ---- accepted files -------------------------------------------------- */

static void run_accept_case(const char *name)
{
	char input[512], jpath[512];
	snprintf(input, sizeof input, "%s/%s/input.yaml", DATA_DIR, name);
	snprintf(jpath, sizeof jpath, "%s/%s/expected.json", DATA_DIR, name);
	size_t wlen;
	char *want = th_read_file(jpath, &wlen);
	CASE_ASSERT(want != NULL, name);
	if (!want)
		return;

	const char *path;
	qdb *db = fresh("accept.db", &path);
	qdb_import_stats st = QDB_IMPORT_STATS_INIT;
	qdb_error err;
	int rc = qdb_import_file(db, input, &st, &err);
	if (rc) {
		char buf[1024];
		fprintf(stderr, "\n%s: %s\n", name,
			qdb_error_format(&err, buf, sizeof buf));
	}
	CASE_ASSERT(rc == 0, name);
	int64_t n = count_all(db);
	CASE_ASSERT(st.quotes_read == n && st.quotes_added == n &&
		    st.quotes_same == 0, name);
	qdb_close(db);

	char *got = NULL;
	int code = th_run(&got, NULL, "'%s' --db '%s' list --json", th_cli(),
			  path);
	CASE_ASSERT(code == 0, name);
	size_t glen = got ? strlen(got) : 0;
	CASE_ASSERT(got && glen == wlen && memcmp(got, want, wlen) == 0, name);
	if (got && (glen != wlen || memcmp(got, want, wlen) != 0))
		show_diff(name, want, wlen, got, glen);

	/* Importing the same file again adds nothing and changes nothing. */
	char *before = snapshot(path);
	CASE_ASSERT(qdb_open(&db, path, 0) == 0, name);
	qdb_import_stats again = QDB_IMPORT_STATS_INIT;
	CASE_ASSERT(qdb_import_file(db, input, &again, &err) == 0, name);
	CASE_ASSERT(again.quotes_read == n && again.quotes_added == 0 &&
		    again.quotes_same == n, name);
	char *after = snapshot(path);
	CASE_ASSERT(before && after && strcmp(before, after) == 0, name);
	CASE_ASSERT(fts_intact(path), name);
	qdb_close(db);
	free(before);
	free(after);
	free(got);
	free(want);
}

static void test_accepted_files(void)
{
	size_t n, ran = 0;
	char **names = list_cases(&n);
	CU_ASSERT_FATAL(names != NULL);
	for (size_t i = 0; i < n; i++) {
		if (has_file(names[i], "expected.json")) {
			run_accept_case(names[i]);
			ran++;
		}
	}
	CU_ASSERT(ran >= 4);
	free_cases(names, n);
}

/* Every case folder is one or the other, never both or neither. */
static void test_case_folders_are_complete(void)
{
	size_t n;
	char **names = list_cases(&n);
	CU_ASSERT_FATAL(names != NULL);
	for (size_t i = 0; i < n; i++) {
		int e = has_file(names[i], "error.txt");
		int j = has_file(names[i], "expected.json");
		CASE_ASSERT(has_file(names[i], "input.yaml"), names[i]);
		CASE_ASSERT(e + j == 1, names[i]);
	}
	free_cases(names, n);
}

/* ---- fields the JSON listing does not show ----------------------------- */

static void test_all_fields_through_api(void)
{
	const char *path;
	qdb *db = fresh("fields.db", &path);
	qdb_error err;
	CU_ASSERT_EQUAL_FATAL(qdb_import_file(db, DATA_DIR "/all-fields/"
					      "input.yaml", NULL, &err), 0);
	qdb_quote *q = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&q, db,
					    "p14-biden-no-clear-evidence"), 0);
	CU_ASSERT_STRING_EQUAL(q->source.ptr, "File source");
	CU_ASSERT_STRING_EQUAL(q->source_author.ptr, "A. Author");
	CU_ASSERT_STRING_EQUAL(q->source_date.ptr, "2024-01-29");
	CU_ASSERT_STRING_EQUAL(q->source_url.ptr, "https://example.org/file");
	CU_ASSERT_STRING_EQUAL(q->source_file.ptr, "quotes/file.txt");
	CU_ASSERT_EQUAL(q->date_lo, 20231015);
	CU_ASSERT_EQUAL(q->date_hi, 20231015);
	qdb_quote_free(q);

	/* A quote's own source replaces the file's whole source, not just
	 * the fields it names. */
	qdb_filter f = QDB_FILTER_INIT;
	const char *sp[] = { "BIDEN" };
	f.speakers.v = sp;
	f.speakers.n = 1;
	f.search = "\"another document\"";
	qdb_cursor *c;
	const qdb_quote *cq;
	CU_ASSERT_EQUAL_FATAL(qdb_cursor_open(&c, db, &f), 0);
	CU_ASSERT_EQUAL_FATAL(qdb_cursor_next(&cq, c), 0);
	CU_ASSERT_STRING_EQUAL(cq->source.ptr, "Another document");
	CU_ASSERT_STRING_EQUAL(cq->source_url.ptr, "https://example.org/other");
	CU_ASSERT_PTR_NULL(cq->source_author.ptr);
	CU_ASSERT_PTR_NULL(cq->source_date.ptr);
	CU_ASSERT_PTR_NULL(cq->source_file.ptr);
	CU_ASSERT_EQUAL(cq->date_lo, 20231025);
	CU_ASSERT_EQUAL(cq->date_hi, 20231031);
	CU_ASSERT_EQUAL(qdb_cursor_next(&cq, c), QDB_ITEROVER);
	qdb_cursor_free(c);
	qdb_close(db);
}

/* The escapes of a double-quoted scalar arrive as the bytes they name. */
static void test_escapes_byte_exact(void)
{
	const char *path;
	qdb *db = fresh("escapes.db", &path);
	CU_ASSERT_EQUAL_FATAL(qdb_import_file(db, DATA_DIR "/verbatim-text/"
					      "input.yaml", NULL, NULL), 0);
	static const struct { const char *id; const char *text; } want[] = {
		{ "escapes", "tab\there, NEL\xc2\x85here, LS\xe2\x80\xa8here, "
		  "quote \" and backslash \\ and \xc3\xa9" },
		{ "unicode", "cafe\xcc\x81 vs caf\xc3\xa9, \xd7\xa9\xd7\x9c\xd7"
		  "\x95\xd7\x9d, \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7, "
		  "\xe6\xbc\xa2\xe5\xad\x97, \xf0\x9f\x98\x80" },
		{ "block", "First paragraph, kept as written.\n  Indented "
		  "line.\n\nLast paragraph.\n" },
		{ "block-strip", "no trailing line break" },
		{ "single", "it's single-quoted: \\n stays two characters" },
		{ "sql", "'); DROP TABLE quotes;--" },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		qdb_quote *q = NULL;
		CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&q, db, want[i].id), 0);
		CASE_ASSERT(q->text.len == strlen(want[i].text) &&
			    memcmp(q->text.ptr, want[i].text, q->text.len) == 0,
			    want[i].id);
		qdb_quote_free(q);
	}
	qdb_close(db);
}

/* ---- idempotence, stats, directories, several paths ------------------ */

static void test_seed_twice_adds_nothing(void)
{
	const char *path;
	qdb *db = fresh("seed.db", &path);
	qdb_import_stats st = QDB_IMPORT_STATS_INIT;
	qdb_error err;
	CU_ASSERT_EQUAL_FATAL(qdb_import_file(db, "quotes", &st, &err), 0);
	CU_ASSERT_EQUAL(st.quotes_read, 86);
	CU_ASSERT_EQUAL(st.quotes_added, 86);
	CU_ASSERT_EQUAL(st.quotes_same, 0);
	char *before = snapshot(path);

	qdb_import_stats again = QDB_IMPORT_STATS_INIT;
	CU_ASSERT_EQUAL(qdb_import_file(db, "quotes/", &again, &err), 0);
	CU_ASSERT_EQUAL(again.quotes_read, 86);
	CU_ASSERT_EQUAL(again.quotes_added, 0);
	CU_ASSERT_EQUAL(again.quotes_same, 86);
	char *after = snapshot(path);
	CU_ASSERT(before && after && strcmp(before, after) == 0);
	CU_ASSERT_EQUAL(count_all(db), 86);
	free(before);
	free(after);
	qdb_close(db);
}

/* One struct counts several files; a refused one counts for nothing. */
static void test_stats_accumulate(void)
{
	const char *path;
	qdb *db = fresh("stats.db", &path);
	qdb_import_stats st = QDB_IMPORT_STATS_INIT;
	static const char a[] = "quotes:\n"
		"  - {text: \"one\", speaker: \"S\"}\n"
		"  - {text: \"two\", speaker: \"S\"}\n";
	static const char b[] = "quotes:\n"
		"  - {text: \"two\", speaker: \"S\"}\n"
		"  - {text: \"three\", speaker: \"S\"}\n";
	static const char bad[] = "quotes:\n"
		"  - {text: \"four\", speaker: \"S\"}\n"
		"  - {text: \"five\"}\n";
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "a", a, sizeof a - 1, &st, NULL),
			0);
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "b", b, sizeof b - 1, &st, NULL),
			0);
	CU_ASSERT_EQUAL(st.quotes_read, 4);
	CU_ASSERT_EQUAL(st.quotes_added, 3);
	CU_ASSERT_EQUAL(st.quotes_same, 1);
	qdb_error err;
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "bad", bad, sizeof bad - 1, &st,
					  &err), QDB_EINVALID);
	CU_ASSERT_EQUAL(st.quotes_read, 4);
	CU_ASSERT_EQUAL(st.quotes_added, 3);
	CU_ASSERT_EQUAL(st.quotes_same, 1);
	CU_ASSERT_EQUAL(count_all(db), 3);

	/* A struct from an older caller, too short, is refused. */
	qdb_import_stats old = { .size = sizeof(size_t) };
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "a", a, sizeof a - 1, &old, NULL),
			QDB_EINVALID);
	qdb_close(db);
}

/* The name given to qdb_import_buffer is the file in messages. */
static void test_buffer_name_in_message(void)
{
	const char *path;
	qdb *db = fresh("buffer.db", &path);
	static const char bad[] = "quotes:\n  - text: \"x\"\n"
		"    speeker: \"y\"\n";
	qdb_error err;
	char buf[512];
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "clipboard", bad, sizeof bad - 1,
					  NULL, &err), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_error_format(&err, buf, sizeof buf),
			       "clipboard:3:5: quotes[0]: unknown key 'speeker' "
			       "(did you mean 'speaker'?)");
	CU_ASSERT_EQUAL(err.line, 3);
	CU_ASSERT_EQUAL(err.column, 5);
	CU_ASSERT_STRING_EQUAL(err.field, "quotes[0]");
	CU_ASSERT_EQUAL(qdb_import_buffer(db, NULL, bad, sizeof bad - 1, NULL,
					  &err), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(err.file, "<buffer>");
	/* The same refusal from a buffer as from a file: UTF-16. */
	static const char u16[] = "\xff\xfeq\0u\0o\0t\0e\0s\0:\0\n\0";
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "u16", u16, sizeof u16 - 1, NULL,
					  &err), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_error_format(&err, buf, sizeof buf),
			       "u16:1:1: the file is UTF-16; save it as UTF-8");
	CU_ASSERT_EQUAL(count_all(db), 0);
	qdb_close(db);
}

/* A quote whose text is n bytes of 'a' (plus a tail), as a buffer. */
static char *long_text_file(size_t n, const char *tail, size_t *len)
{
	static const char head[] = "quotes:\n  - speaker: \"Grace Hopper\"\n"
		"    text: \"";
	size_t tl = strlen(tail);
	char *b = malloc(sizeof head - 1 + n + tl + 1);
	if (!b)
		return NULL;
	memcpy(b, head, sizeof head - 1);
	memset(b + sizeof head - 1, 'a', n);
	memcpy(b + sizeof head - 1 + n, tail, tl + 1);
	*len = sizeof head - 1 + n + tl;
	return b;
}

/*
 * The documented limits (docs/format.md): a field of exactly 1 MiB goes
 * in and comes back byte for byte, one byte more is refused, and a value
 * that never ends is refused once libyaml has read 16 MiB of it, which
 * is what bounds an import's memory: libyaml holds a whole scalar before
 * it reports it.
 */
static void test_size_limits(void)
{
	const char *path;
	qdb *db = fresh("limits.db", &path);
	qdb_error err;
	char buf[512];
	size_t len;
	char *f = long_text_file(1u << 20, "\"\n", &len);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "max", f, len, NULL, &err), 0);
	qdb_filter all = QDB_FILTER_INIT;
	qdb_cursor *c;
	const qdb_quote *q;
	CU_ASSERT_FATAL(qdb_cursor_open(&c, db, &all) == 0);
	CU_ASSERT_FATAL(qdb_cursor_next(&q, c) == 0);
	CU_ASSERT_EQUAL(q->text.len, 1u << 20);
	CU_ASSERT(memcmp(q->text.ptr, f + len - 2 - (1u << 20), 1u << 20) == 0);
	qdb_cursor_free(c);
	free(f);

	f = long_text_file((1u << 20) + 1, "\"\n", &len);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "over", f, len, NULL, &err),
			QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_error_format(&err, buf, sizeof buf),
			       "over:3:11: quotes[0].text: value longer than "
			       "1048576 bytes");
	free(f);

	/* 20 MiB with no closing quote: refused after 16 MiB, not held
	 * whole (no timing here: the benchmark measures, tests check). */
	f = long_text_file(20u << 20, "", &len);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "endless", f, len, NULL, &err),
			QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_error_format(&err, buf, sizeof buf),
			       "endless:3:9: quotes[0].text: no end of a value "
			       "or comment in 16 MiB after this point: values "
			       "are limited to 1048576 bytes");
	free(f);
	CU_ASSERT_EQUAL(count_all(db), 1);
	qdb_close(db);
}

static void test_missing_file(void)
{
	const char *path;
	qdb *db = fresh("missing.db", &path);
	qdb_error err;
	char buf[512];
	const char *nope = th_path("no-such-file.yaml");
	CU_ASSERT_EQUAL(qdb_import_file(db, nope, NULL, &err), QDB_ENOTFOUND);
	char want[512];
	snprintf(want, sizeof want, "%s: cannot open: No such file or "
		 "directory", nope);
	CU_ASSERT_STRING_EQUAL(qdb_error_format(&err, buf, sizeof buf), want);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), want);
	qdb_close(db);
}

static void write_in(const char *dir, const char *name, const char *text)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	CU_ASSERT_EQUAL(th_write_file(p, text, strlen(text)), 0);
}

/* A directory: its *.yaml and *.yml files in name order, nothing else. */
static void test_directory_in_name_order(void)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s", th_path("dir-order"));
	mkdir(dir, 0700);
	char sub[1100];
	snprintf(sub, sizeof sub, "%s/sub", dir);
	mkdir(sub, 0700);
	write_in(dir, "b.yaml", "quotes:\n  - {id: \"b\", text: \"from b\", "
		 "speaker: \"S\"}\n");
	write_in(dir, "a.yml", "quotes:\n  - {id: \"a\", text: \"from a\", "
		 "speaker: \"S\"}\n");
	write_in(dir, "c.yaml.txt", "not: [yaml");
	write_in(dir, "notes.txt", "not: [yaml");
	write_in(dir, ".hidden.yaml", "not: [yaml");
	write_in(sub, "d.yaml", "not: [yaml");
	const char *path;
	qdb *db = fresh("dir.db", &path);
	qdb_import_stats st = QDB_IMPORT_STATS_INIT;
	qdb_error err;
	int rc = qdb_import_file(db, dir, &st, &err);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc) {
		char buf[1024];
		fprintf(stderr, "\n%s\n",
			qdb_error_format(&err, buf, sizeof buf));
	}
	CU_ASSERT_EQUAL(st.quotes_read, 2);
	CU_ASSERT_EQUAL(st.quotes_added, 2);
	/* Added order is import order: a.yml before b.yaml. */
	qdb_cursor *c;
	const qdb_quote *q;
	CU_ASSERT_EQUAL_FATAL(qdb_cursor_open(&c, db, NULL), 0);
	CU_ASSERT_EQUAL(qdb_cursor_next(&q, c), 0);
	CU_ASSERT_STRING_EQUAL(q->id.ptr, "a");
	CU_ASSERT_EQUAL(qdb_cursor_next(&q, c), 0);
	CU_ASSERT_STRING_EQUAL(q->id.ptr, "b");
	CU_ASSERT_EQUAL(qdb_cursor_next(&q, c), QDB_ITEROVER);
	qdb_cursor_free(c);
	qdb_close(db);
}

/* A bad second file takes the first one's quotes with it. */
static void test_directory_all_or_nothing(void)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s", th_path("dir-bad"));
	mkdir(dir, 0700);
	write_in(dir, "1-good.yaml", "speakers:\n  - name: \"Good\"\n"
		 "quotes:\n  - {id: \"x\", text: \"first\", speaker: \"Good\","
		 " tags: [\"t\"]}\n");
	/* The same id with other words: which file is second decides which
	 * one the message names. */
	write_in(dir, "2-bad.yaml", "quotes:\n  - {id: \"x\", text: \"second\","
		 " speaker: \"Good\"}\n");
	const char *path;
	qdb *db = fresh("dirbad.db", &path);
	char *before = snapshot(path);
	qdb_import_stats st = QDB_IMPORT_STATS_INIT;
	qdb_error err;
	CU_ASSERT_EQUAL(qdb_import_file(db, dir, &st, &err), QDB_EEXISTS);
	char want[1200], buf[1400];
	snprintf(want, sizeof want, "%s/2-bad.yaml:2:10: quotes[0].id: a quote "
		 "with id 'x' already exists with different content; give this "
		 "one another id, or delete the old one first", dir);
	CU_ASSERT_STRING_EQUAL(qdb_error_format(&err, buf, sizeof buf), want);
	CU_ASSERT_EQUAL(st.quotes_read, 0);
	CU_ASSERT_EQUAL(st.quotes_added, 0);
	char *after = snapshot(path);
	CU_ASSERT(before && after && strcmp(before, after) == 0);
	CU_ASSERT_EQUAL(count_all(db), 0);
	CU_ASSERT_EQUAL(count_search(db, "first"), 0);
	CU_ASSERT(fts_intact(path));
	free(before);
	free(after);
	qdb_close(db);
}

/* qdb_import_paths: several paths, one transaction. */
static void test_paths_all_or_nothing(void)
{
	const char *path;
	qdb *db = fresh("paths.db", &path);
	char good[1024], bad[1024];
	snprintf(good, sizeof good, "%s", th_path("paths-good.yaml"));
	snprintf(bad, sizeof bad, "%s", th_path("paths-bad.yaml"));
	static const char g[] = "quotes:\n"
		"  - {text: \"kept?\", speaker: \"S\"}\n";
	static const char b[] = "quotes:\n  - {text: \"x\", speaker: \"S\", "
		"date: \"2023-13\"}\n";
	CU_ASSERT_EQUAL(th_write_file(good, g, sizeof g - 1), 0);
	CU_ASSERT_EQUAL(th_write_file(bad, b, sizeof b - 1), 0);
	const char *both[] = { good, bad };
	qdb_error err;
	CU_ASSERT_EQUAL(qdb_import_paths(db, both, 2, NULL, &err),
			QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(err.file, bad);
	CU_ASSERT_STRING_EQUAL(err.field, "quotes[0].date");
	CU_ASSERT_EQUAL(count_all(db), 0);
	const char *one[] = { good };
	qdb_import_stats st = QDB_IMPORT_STATS_INIT;
	CU_ASSERT_EQUAL(qdb_import_paths(db, one, 1, &st, &err), 0);
	CU_ASSERT_EQUAL(st.quotes_added, 1);
	CU_ASSERT_EQUAL(count_all(db), 1);
	qdb_close(db);
}

/* A read-only handle refuses to import and says so. */
static void test_readonly_refuses(void)
{
	const char *path;
	qdb *db = fresh("ro.db", &path);
	qdb_close(db);
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, QDB_OPEN_READONLY), 0);
	qdb_error err;
	static const char a[] = "quotes:\n  - {text: \"x\", speaker: \"S\"}\n";
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "a", a, sizeof a - 1, NULL, &err),
			QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(err.text, "the database is open read-only");
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "the database is open read-only");
	qdb_close(db);
}

static int suite_clean(void)
{
	th_cleanup();
	return 0;
}

/* The warnings an import gave, in the order it gave them. */
typedef struct warned {
	int n;
	int line[8];
	char text[8][QDB_ERROR_TEXT_LEN];
} warned;

static void on_warning(const qdb_error *w, void *payload)
{
	warned *ws = payload;
	if (ws->n < 8) {
		ws->line[ws->n] = w->line;
		snprintf(ws->text[ws->n], sizeof ws->text[0], "%s", w->text);
	}
	ws->n++;
}

/* 200 one-line quotes after a 3-line header: quote i is on line 4 + i.
 * Quotes 10 and 150 name new speakers close to Clara Jensen (warnings),
 * quote 190 holds an alias (refused while reading), and quote bad_date,
 * when not -1, a month 13 (refused while storing). */
static size_t pipeline_file(char *buf, size_t cap, int bad_date)
{
	size_t n = (size_t)snprintf(buf, cap, "speakers:\n"
				    "  - name: \"Clara Jensen\"\nquotes:\n");
	for (int i = 0; i < 200 && n < cap; i++) {
		const char *who = i == 10 ? "Ingrid Jensen"
			: i == 150 ? "Paul Jensen" : "Clara Jensen";
		if (i == 190)
			n += (size_t)snprintf(buf + n, cap - n, "  - {text: *x, "
					      "speaker: \"%s\"}\n", who);
		else
			n += (size_t)snprintf(buf + n, cap - n, "  - {text: "
					      "\"quote %d\", speaker: \"%s\", "
					      "date: \"2023-%02d\"}\n", i, who,
					      i == bad_date ? 13 : 1 + i % 12);
	}
	CU_ASSERT_FATAL(n < cap);
	return n;
}

/* The file is read in a thread of its own and stored in the caller's:
 * what either refuses comes out in file order, after the warnings of the
 * quotes before it and before none of those after it, and the import
 * leaves nothing behind. */
static void test_errors_and_warnings_in_file_order(void)
{
	static char buf[32768];
	const char *path;
	qdb *db = fresh("order.db", &path);
	warned ws;
	memset(&ws, 0, sizeof ws);
	qdb_warnings(db, on_warning, &ws, 0);
	qdb_error err;
	size_t n = pipeline_file(buf, sizeof buf, -1);
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "order.yaml", buf, n, NULL,
					  &err), QDB_EINVALID);
	CU_ASSERT_EQUAL(err.line, 4 + 190);
	CU_ASSERT_EQUAL(err.column, 12);
	CU_ASSERT_STRING_EQUAL(err.field, "quotes[190].text");
	CU_ASSERT_STRING_EQUAL(err.text, "aliases (*x) are not allowed; "
			       "write the value out");
	CU_ASSERT_EQUAL(ws.n, 2);
	CU_ASSERT_EQUAL(ws.line[0], 4 + 10);
	CU_ASSERT_STRING_EQUAL(ws.text[0], "new speaker 'Ingrid Jensen' "
			       "(did you mean 'Clara Jensen'?)");
	CU_ASSERT_EQUAL(ws.line[1], 4 + 150);
	CU_ASSERT_EQUAL(count_all(db), 0);

	/* A quote refused while storing comes first: the reader, ahead
	 * of it, stops, and the quotes after it warn of nothing. */
	memset(&ws, 0, sizeof ws);
	n = pipeline_file(buf, sizeof buf, 5);
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "order.yaml", buf, n, NULL,
					  &err), QDB_EINVALID);
	CU_ASSERT_EQUAL(err.line, 4 + 5);
	CU_ASSERT_STRING_EQUAL(err.field, "quotes[5].date");
	CU_ASSERT_EQUAL(ws.n, 0);
	CU_ASSERT_EQUAL(count_all(db), 0);
	qdb_close(db);
}

/* A file of quotes first to first + n - 1, the last one bad when bad is
 * set. */
static void write_big_from(const char *path, int first, int n, int bad)
{
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("source:\n  title: \"Big\"\nquotes:\n", f);
	for (int i = first; i < first + n; i++)
		fprintf(f, "  - text: \"Quote %d: the words, said exactly as "
			"they were said, long enough to be a real quotation of "
			"a few hundred bytes like the ones writers keep, with a "
			"curly ’ and an ellipsis … and [an insertion].\"\n"
			"    speaker: \"Speaker %d\"\n    outlet: \"Outlet %d\"\n"
			"    date: \"2023-%02d-%02d\"\n    context: \"context %d\"\n",
			i, i % 997, i % 89, 1 + i % 12, 1 + i % 28, i);
	if (bad)
		fputs("  - text: \"last\"\n    speaker: \"X\"\n"
		      "    date: \"2023-13\"\n", f);
	CU_ASSERT_EQUAL(fclose(f), 0);
}

static void write_big(const char *path, int n, int bad)
{
	write_big_from(path, 0, n, bad);
}

/* A large import rebuilds the secondary indexes inside its transaction:
 * after a failure they are all still there, after success as well, and
 * the planner still uses them. */
static void test_large_import_keeps_indexes(void)
{
	const char *path;
	const char *big = th_path("big.yaml");
	static const char *const count_idx = "SELECT count(*) FROM "
		"sqlite_schema WHERE type = 'index' AND tbl_name IN ('quotes', "
		"'quote_tags') AND name LIKE 'quote%'";
	write_big(big, 60000, 1);
	qdb *db = fresh("big.db", &path);
	char dbpath[1024];
	snprintf(dbpath, sizeof dbpath, "%s", path);
	qdb_error err;
	CU_ASSERT_EQUAL(qdb_import_file(db, big, NULL, &err), QDB_EINVALID);
	CU_ASSERT_EQUAL(err.line, 300006);  /* the bad date */
	CU_ASSERT_EQUAL(count_all(db), 0);
	CU_ASSERT_EQUAL(th_sql_int(dbpath, count_idx), 7);
	write_big(big, 60000, 0);
	qdb_import_stats st = QDB_IMPORT_STATS_INIT;
	CU_ASSERT_EQUAL(qdb_import_file(db, big, &st, &err), 0);
	CU_ASSERT_EQUAL(st.quotes_added, 60000);
	CU_ASSERT_EQUAL(th_sql_int(dbpath, count_idx), 7);
	CU_ASSERT(fts_intact(dbpath));
	const char *who[] = { "speaker 7" };
	qdb_filter f = QDB_FILTER_INIT;
	f.speakers.v = who;
	f.speakers.n = 1;
	int64_t n = 0;
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), 0);
	CU_ASSERT_EQUAL(n, (60000 + 996 - 7) / 997);
	char *plan = NULL;
	CU_ASSERT_EQUAL(qdb__cursor_plan(&plan, db, &f), 0);
	CU_ASSERT_PTR_NOT_NULL(plan ? strstr(plan, "quotes_speaker") : NULL);
	qdb_free(plan);
	/* Into a filled database the full-text index learns only the new
	 * rows, in bulk too: the old ones are not indexed twice. */
	CU_ASSERT_EQUAL(count_search(db, "59999"), 1);
	write_big_from(big, 60000, 60000, 0);
	CU_ASSERT_EQUAL(qdb_import_file(db, big, &st, &err), 0);
	CU_ASSERT_EQUAL(count_all(db), 120000);
	CU_ASSERT(fts_intact(dbpath));
	CU_ASSERT_EQUAL(count_search(db, "59999"), 1);
	CU_ASSERT_EQUAL(count_search(db, "60000"), 1);
	CU_ASSERT_EQUAL(count_search(db, "ellipsis"), 120000);
	qdb_close(db);
}

void test_import_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_case_folders_are_complete),
		QDB_TEST(test_rejected_files),
		QDB_TEST(test_accepted_files),
		QDB_TEST(test_all_fields_through_api),
		QDB_TEST(test_escapes_byte_exact),
		QDB_TEST(test_seed_twice_adds_nothing),
		QDB_TEST(test_stats_accumulate),
		QDB_TEST(test_buffer_name_in_message),
		QDB_TEST(test_missing_file),
		QDB_TEST(test_directory_in_name_order),
		QDB_TEST(test_directory_all_or_nothing),
		QDB_TEST(test_paths_all_or_nothing),
		QDB_TEST(test_readonly_refuses),
		QDB_TEST(test_large_import_keeps_indexes),
		QDB_TEST(test_size_limits),
		QDB_TEST(test_errors_and_warnings_in_file_order),
	};
	TH_SUITE("import", NULL, suite_clean, tests);
}
