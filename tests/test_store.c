/*
 * test_store.c: the store itself (core/db.c, quote.c, cursor.c,
 * entity.c): opening, the schema and its migrations, refusing files that
 * are not ours, the add/get/delete round trip byte for byte, content keys,
 * every filter and sort order, full-text search and its index, the query
 * plan of a filter, speakers and outlets, and streaming a large walk.
 */
#include "helpers.h"
#include "../core/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#define QDB_APPLICATION_ID 0x51444231

static qdb_str S(const char *s)
{
	qdb_str r = { s, s ? strlen(s) : 0 };
	return r;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Runs SQL on the file through a connection of its own; 0 on success. */
static int sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	int rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* FTS5's own check that the index is sound and, with rank 1, that it
 * holds exactly the text and context of every row in quotes. */
static int fts_intact(const char *path)
{
	return sql_exec(path, "INSERT INTO quotes_fts(quotes_fts, rank) "
			"VALUES('integrity-check', 1)") == SQLITE_OK &&
	       th_sql_int(path, "SELECT count(*) FROM quotes_fts_docsize") ==
	       th_sql_int(path, "SELECT count(*) FROM quotes");
}

/* A path of our own that stays valid for the test (th_path rotates). */
static const char *keep_path(const char *name)
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

/* The ids f selects, space-separated, in the cursor's order. */
static char *ids_of(qdb *db, const qdb_filter *f)
{
	qdb_cursor *c;
	th_buf b = { 0 };
	th_buf_write("", 0, &b);
	if (qdb_cursor_open(&c, db, f) != 0) {
		th_buf_write("(error)", 7, &b);
		return b.data;
	}
	const qdb_quote *q;
	int rc, n = 0;
	while ((rc = qdb_cursor_next(&q, c)) == 0) {
		if (n++)
			th_buf_write(" ", 1, &b);
		th_buf_write(q->id.ptr, q->id.len, &b);
	}
	if (rc != QDB_ITEROVER)
		th_buf_write(" (error)", 8, &b);
	qdb_cursor_free(c);
	/* qdb_count agrees with the walk. */
	int64_t cnt = -1;
	CU_ASSERT_EQUAL(qdb_count(&cnt, db, f), 0);
	if (f == NULL || f->limit == 0)
		CU_ASSERT_EQUAL(cnt, n);
	return b.data;
}

#define ASSERT_IDS(db, f, want) do { \
		char *got_ = ids_of(db, f); \
		CU_ASSERT_STRING_EQUAL(got_, want); \
		if (strcmp(got_, want)) \
			fprintf(stderr, "\n  line %d: want '%s', got '%s'\n", \
				__LINE__, want, got_); \
		free(got_); \
	} while (0)

/* ---- open, schema, migration, refusal ------------------------------ */

static void test_open_close(void)
{
	const char *path = keep_path("open.db");
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "not an error");
	qdb_close(db);
	qdb_close(NULL);
	CU_ASSERT_EQUAL(th_sql_int(path, "PRAGMA user_version"),
			qdb_schema_version());
	CU_ASSERT_EQUAL(th_sql_int(path, "PRAGMA application_id"),
			QDB_APPLICATION_ID);
	CU_ASSERT_EQUAL(qdb_schema_version(), 6);
	CU_ASSERT_STRING_EQUAL(qdb_version(), QDB_VERSION);
	/* Opening again changes nothing; read-only works on it. */
	CU_ASSERT_EQUAL(qdb_open(&db, path, 0), 0);
	qdb_close(db);
	CU_ASSERT_EQUAL(qdb_open(&db, path, QDB_OPEN_READONLY), 0);
	int64_t n = -1;
	CU_ASSERT_EQUAL(qdb_count(&n, db, NULL), 0);
	CU_ASSERT_EQUAL(n, 0);
	qdb_quote q = QDB_QUOTE_INIT;
	q.text = S("x");
	q.speaker = S("y");
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "the database is open read-only");
	qdb_close(db);

	/* No path: refused, with a handle to ask why. */
	CU_ASSERT_EQUAL(qdb_open(&db, "", 0), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "no database path given");
	qdb_close(db);
	/* Read-only never creates a file. */
	const char *none = keep_path("none.db");
	CU_ASSERT_EQUAL(qdb_open(&db, none, QDB_OPEN_READONLY), QDB_EIO);
	CU_ASSERT(strstr(qdb_errmsg(db), "cannot open") != NULL);
	qdb_close(db);
	CU_ASSERT_PTR_NULL(th_read_file(none, NULL));
}

/* Schema version 1 exactly as released: the first step of db.c's list. */
static const char schema_v1[] =
	"CREATE TABLE speakers ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE);"
	"CREATE TABLE speaker_aliases ("
	"  alias TEXT PRIMARY KEY COLLATE NOCASE,"
	"  speaker_id INTEGER NOT NULL REFERENCES speakers(id)"
	"    ON DELETE CASCADE) WITHOUT ROWID;"
	"CREATE INDEX speaker_aliases_speaker ON speaker_aliases(speaker_id);"
	"CREATE TABLE outlets ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE);"
	"CREATE TABLE outlet_aliases ("
	"  alias TEXT PRIMARY KEY COLLATE NOCASE,"
	"  outlet_id INTEGER NOT NULL REFERENCES outlets(id)"
	"    ON DELETE CASCADE) WITHOUT ROWID;"
	"CREATE INDEX outlet_aliases_outlet ON outlet_aliases(outlet_id);"
	"CREATE TABLE sources ("
	"  id INTEGER PRIMARY KEY,"
	"  title TEXT NOT NULL, author TEXT, date TEXT, url TEXT, file TEXT);"
	"CREATE INDEX sources_title ON sources(title);"
	"CREATE TABLE quotes ("
	"  qid INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  text TEXT NOT NULL CHECK (length(text) > 0),"
	"  speaker_id INTEGER NOT NULL REFERENCES speakers(id),"
	"  role TEXT, date TEXT, date_lo INTEGER, date_hi INTEGER,"
	"  date_text TEXT,"
	"  outlet_id INTEGER REFERENCES outlets(id),"
	"  programme TEXT, occasion TEXT, reported_by TEXT,"
	"  source_id INTEGER REFERENCES sources(id),"
	"  locator TEXT, language TEXT, translated TEXT, context TEXT,"
	"  tags TEXT);"
	"CREATE INDEX quotes_speaker ON quotes(speaker_id, date_lo);"
	"CREATE INDEX quotes_outlet ON quotes(outlet_id, date_lo);"
	"CREATE INDEX quotes_date ON quotes(date_lo, date_hi);"
	"CREATE INDEX quotes_source ON quotes(source_id);"
	"CREATE TABLE quote_tags ("
	"  tag TEXT NOT NULL,"
	"  qid INTEGER NOT NULL REFERENCES quotes(qid) ON DELETE CASCADE,"
	"  PRIMARY KEY (tag, qid)) WITHOUT ROWID;"
	"CREATE INDEX quote_tags_qid ON quote_tags(qid);"
	"PRAGMA user_version = 1;";

static void test_migrate_from_v1(void)
{
	const char *path = keep_path("v1.db");
	CU_ASSERT_EQUAL_FATAL(sql_exec(path, schema_v1), SQLITE_OK);
	char appid[64];
	snprintf(appid, sizeof appid, "PRAGMA application_id = %d",
		 QDB_APPLICATION_ID);
	CU_ASSERT_EQUAL_FATAL(sql_exec(path, appid), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sql_exec(path,
		"INSERT INTO speakers (id, name) VALUES (1, 'Old Speaker');"
		"INSERT INTO speaker_aliases VALUES ('Oldie', 1);"
		"INSERT INTO quotes (id, text, speaker_id, date, date_lo,"
		"  date_hi,"
		"  context, tags) VALUES ('old-1', 'Peace in our time, d\xc3\xa9"
		"tente', 1, '1938-09', 19380901, 19380930, 'from version 1',"
		"  'a' || char(31) || 'b');"
		"INSERT INTO quote_tags VALUES ('a', 1), ('b', 1);"), SQLITE_OK);
	CU_ASSERT_EQUAL(th_sql_int(path, "PRAGMA user_version"), 1);

	/* Read-only cannot migrate, and says what to do. */
	qdb *db = NULL;
	CU_ASSERT_EQUAL(qdb_open(&db, path, QDB_OPEN_READONLY), QDB_EINVALID);
	char want[1400];
	snprintf(want, sizeof want, "%s: schema version 1 needs migrating to "
		 "%d; open it writable once", path, qdb_schema_version());
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), want);
	qdb_close(db);

	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	CU_ASSERT_EQUAL(th_sql_int(path, "PRAGMA user_version"),
			qdb_schema_version());
	/* The index was built from the rows already there. */
	qdb_filter f = QDB_FILTER_INIT;
	f.search = "detente";
	ASSERT_IDS(db, &f, "old-1");
	f.search = "version";
	ASSERT_IDS(db, &f, "old-1");
	const char *sp[] = { "oldie" };
	qdb_filter g = QDB_FILTER_INIT;
	g.speakers.v = sp;
	g.speakers.n = 1;
	g.from = "1938";
	g.to = "1938";
	g.strict_dates = 1;
	ASSERT_IDS(db, &g, "old-1");
	qdb_quote *q = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&q, db, "old-1"), 0);
	CU_ASSERT_STRING_EQUAL(q->speaker.ptr, "Old Speaker");
	CU_ASSERT_EQUAL(q->ntags, 2);
	CU_ASSERT_STRING_EQUAL(q->tags[1].ptr, "b");
	qdb_quote_free(q);
	qdb_close(db);
	CU_ASSERT(fts_intact(path));
	/* Once migrated, read-only opens it. */
	CU_ASSERT_EQUAL(qdb_open(&db, path, QDB_OPEN_READONLY), 0);
	qdb_close(db);
}

/* A file of schema 2 (FTS5 over unicode61 alone, tags with case): the
 * index is rebuilt to stem English words, from the rows already there. */
static void test_migrate_from_v2(void)
{
	const char *path = keep_path("v2.db");
	char sql[4096];
	snprintf(sql, sizeof sql, "%.*s"
		 "CREATE VIRTUAL TABLE quotes_fts USING fts5("
		 "  text, context, content='quotes', content_rowid='qid',"
		 "  tokenize='unicode61 remove_diacritics 2');"
		 "INSERT INTO speakers (id, name) VALUES (1, 'S');"
		 "INSERT INTO quotes (id, text, speaker_id, context, tags) "
		 "VALUES ('v2-1', 'We offer our condolences', 1, 'mourning "
		 "the victims', 'Grief');"
		 "INSERT INTO quote_tags VALUES ('Grief', 1);"
		 /* schema 2 kept an open end as 99991231, as 9999-12-31 */
		 "INSERT INTO quotes (id, text, speaker_id, date, date_lo, "
		 "date_hi) VALUES ('open', 'o', 1, '2023/..', 20230101, "
		 "99991231), ('last', 'l', 1, '9999-12-31', 99991231, "
		 "99991231);"
		 "INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild');"
		 "PRAGMA user_version = 2; PRAGMA application_id = %d;",
		 (int)(strstr(schema_v1, "PRAGMA") - schema_v1), schema_v1,
		 QDB_APPLICATION_ID);
	CU_ASSERT_EQUAL_FATAL(sql_exec(path, sql), SQLITE_OK);
	qdb *db = NULL;
	qdb_filter f = QDB_FILTER_INIT;
	int64_t n = -1;
	/* Before: the words as written only. */
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM quotes_fts "
				   "WHERE quotes_fts MATCH 'condolence'"), 0);
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	CU_ASSERT_EQUAL(th_sql_int(path, "PRAGMA user_version"),
			qdb_schema_version());
	f.search = "condolence";
	ASSERT_IDS(db, &f, "v2-1");
	f.search = "victim mourn";
	ASSERT_IDS(db, &f, "v2-1");
	f.search = NULL;
	const char *tag[] = { "grief" };
	f.tags.v = tag;
	f.tags.n = 1;
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), 0);
	CU_ASSERT_EQUAL(n, 1);
	qdb_close(db);
	CU_ASSERT(fts_intact(path));
	/* The open end is told from the real last day by the date as
	 * written. */
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT date_hi FROM quotes WHERE "
				   "id = 'open'"), QDB_DATE_OPEN_HI);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT date_hi FROM quotes WHERE "
				   "id = 'last'"), 99991231);
}

/*
 * A file of the release before sort keys and original texts (schema 5):
 * its speakers sort by name as before, its quotes have no original, and
 * both can be given afterwards.  Steps never change once released, so the
 * first five build exactly what that release made.
 */
static void test_migrate_from_v5(void)
{
	const char *path = keep_path("v5.db");
	char sql[256];
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL_FATAL(sql_exec(path, qdb__migrations[i]),
				      SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA user_version = 5; "
		 "PRAGMA application_id = %d;", QDB_APPLICATION_ID);
	CU_ASSERT_EQUAL_FATAL(sql_exec(path, sql), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sql_exec(path,
		"INSERT INTO speakers (id, name) VALUES (1, 'Ali Khamenei'),"
		"  (2, 'Joe Biden'), (3, 'Hassan Nasrallah');"
		"INSERT INTO quotes (id, text, speaker_id, translated) VALUES"
		"  ('k', 'words', 1, 'fa'), ('b', 'more', 2, NULL),"
		"  ('n', 'others', 3, 'ar');"
		"INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild');"),
		SQLITE_OK);
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	CU_ASSERT_EQUAL(th_sql_int(path, "PRAGMA user_version"), 6);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM speakers "
				   "WHERE sort_as IS NULL"), 3);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM quotes "
				   "WHERE original IS NULL"), 3);
	qdb_filter f = QDB_FILTER_INIT;
	f.sort = QDB_SORT_SPEAKER;
	ASSERT_IDS(db, &f, "k n b");
	qdb_quote *got = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&got, db, "k"), 0);
	CU_ASSERT_PTR_NULL(got->original.ptr);
	CU_ASSERT_EQUAL(got->translated.len, 2);
	qdb_quote_free(got);
	/* Sort keys and an original, given afterwards. */
	static const char yaml[] =
		"source: {title: T}\n"
		"speakers:\n"
		"  - {name: Ali Khamenei, sort_as: 'Khamenei, Ali'}\n"
		"  - {name: Hassan Nasrallah, sort_as: 'Nasrallah, Hassan'}\n"
		"quotes:\n"
		"  - {id: o, text: 'in English', speaker: Ali Khamenei,\n"
		"     translated: fa, original: \"\u0628\u0647 \u0641\"}\n";
	qdb_error err;
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "k.yaml", yaml, strlen(yaml),
					  NULL, &err), 0);
	ASSERT_IDS(db, &f, "b k o n");
	CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&got, db, "o"), 0);
	CU_ASSERT_STRING_EQUAL(got->original.ptr, "\xd8\xa8\xd9\x87 "
			       "\xd9\x81");
	qdb_quote_free(got);
	qdb_close(db);
	CU_ASSERT(fts_intact(path));
}

/* Schema version 2 exactly as released: version 1, then the full-text
 * index of step 1 -> 2. */
static const char schema_v2_step[] =
	"CREATE VIRTUAL TABLE quotes_fts USING fts5("
	"  text, context, content='quotes', content_rowid='qid',"
	"  tokenize='unicode61 remove_diacritics 2');"
	"INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild');"
	"PRAGMA user_version = 2;";

/* A database of the release before sync: its aliases become global, its
 * quotes belong to no file (a delete works, a sync adopts them), and
 * everything else reads as before. */
static void test_migrate_from_v2_to_sync(void)
{
	const char *path = keep_path("v2-sync.db");
	CU_ASSERT_EQUAL_FATAL(sql_exec(path, schema_v1), SQLITE_OK);
	char appid[64];
	snprintf(appid, sizeof appid, "PRAGMA application_id = %d",
		 QDB_APPLICATION_ID);
	CU_ASSERT_EQUAL_FATAL(sql_exec(path, appid), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sql_exec(path,
		"INSERT INTO speakers (id, name) VALUES (1, 'Old Speaker');"
		"INSERT INTO speaker_aliases VALUES ('Oldie', 1);"
		"INSERT INTO outlets (id, name) VALUES (1, 'Old Outlet');"
		"INSERT INTO outlet_aliases VALUES ('OO', 1);"
		"INSERT INTO quotes (id, text, speaker_id, outlet_id, context)"
		"  VALUES ('old-1', 'words of version 2', 1, 1, 'ctx'),"
		"  ('old-2', 'more words', 1, NULL, NULL);"), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sql_exec(path, schema_v2_step), SQLITE_OK);
	CU_ASSERT_EQUAL(th_sql_int(path, "PRAGMA user_version"), 2);

	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	CU_ASSERT_EQUAL(th_sql_int(path, "PRAGMA user_version"),
			qdb_schema_version());
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM files"), 0);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM quotes "
				   "WHERE file_id IS NULL"), 2);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM "
				   "speaker_aliases WHERE file_id = 0"), 1);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM "
				   "outlet_aliases WHERE file_id = 0"), 1);
	const char *sp[] = { "OLDIE" }, *ou[] = { "oo" };
	qdb_filter f = QDB_FILTER_INIT;
	f.speakers.v = sp;
	f.speakers.n = 1;
	ASSERT_IDS(db, &f, "old-1 old-2");
	f.outlets.v = ou;
	f.outlets.n = 1;
	ASSERT_IDS(db, &f, "old-1");
	qdb_filter g = QDB_FILTER_INIT;
	g.search = "version";
	ASSERT_IDS(db, &g, "old-1");
	/* A global alias still resolves a new quote. */
	qdb_quote q = QDB_QUOTE_INIT;
	q.id = S("new-1");
	q.text = S("new words");
	q.speaker = S("oldie");
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), 0);
	qdb_quote *got = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&got, db, "new-1"), 0);
	CU_ASSERT_STRING_EQUAL(got->speaker.ptr, "Old Speaker");
	qdb_quote_free(got);
	/* No file: delete works as it did. */
	CU_ASSERT_EQUAL(qdb_quote_delete(db, "old-2"), 0);
	qdb_close(db);
	CU_ASSERT(fts_intact(path));
}

static void test_refuse_foreign_file(void)
{
	const char *path = keep_path("foreign.db");
	CU_ASSERT_EQUAL_FATAL(sql_exec(path, "CREATE TABLE notes (x TEXT);"
				       "INSERT INTO notes VALUES ('mine');"),
			      SQLITE_OK);
	qdb *db = NULL;
	char want[1200];
	snprintf(want, sizeof want, "%s: not a quotedb database", path);
	CU_ASSERT_EQUAL(qdb_open(&db, path, 0), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), want);
	qdb_close(db);
	/* Left as it was: no tables of ours, no version stamped. */
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM sqlite_schema"),
			1);
	CU_ASSERT_EQUAL(th_sql_int(path, "PRAGMA user_version"), 0);
	CU_ASSERT_EQUAL(th_sql_int(path, "PRAGMA application_id"), 0);

	/* Another program's application id, even on an empty file. */
	const char *other = keep_path("other-app.db");
	CU_ASSERT_EQUAL_FATAL(sql_exec(other, "PRAGMA application_id = 42"),
			      SQLITE_OK);
	snprintf(want, sizeof want, "%s: not a quotedb database", other);
	CU_ASSERT_EQUAL(qdb_open(&db, other, 0), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), want);
	qdb_close(db);

	/* Not SQLite at all. */
	const char *text = keep_path("text.db");
	static const char junk[] = "this is not a database, just some text "
		"that is long enough to fill the header of one\n";
	CU_ASSERT_EQUAL(th_write_file(text, junk, sizeof junk - 1), 0);
	CU_ASSERT_NOT_EQUAL(qdb_open(&db, text, 0), 0);
	CU_ASSERT(strstr(qdb_errmsg(db), text) != NULL);
	qdb_close(db);
	size_t len;
	char *after = th_read_file(text, &len);
	CU_ASSERT(after && len == sizeof junk - 1 && !memcmp(after, junk, len));
	free(after);
}

static void test_refuse_newer_schema(void)
{
	const char *path = keep_path("newer.db");
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	qdb_close(db);
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
		 qdb_schema_version() + 1);
	CU_ASSERT_EQUAL_FATAL(sql_exec(path, sql), SQLITE_OK);
	char want[1400];
	snprintf(want, sizeof want, "%s: schema version %d is newer than this "
		 "quotedb understands (%d); upgrade quotedb", path,
		 qdb_schema_version() + 1, qdb_schema_version());
	CU_ASSERT_EQUAL(qdb_open(&db, path, 0), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), want);
	qdb_close(db);
	CU_ASSERT_EQUAL(qdb_open(&db, path, QDB_OPEN_READONLY), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), want);
	qdb_close(db);
	CU_ASSERT_EQUAL(th_sql_int(path, "PRAGMA user_version"),
			qdb_schema_version() + 1);
}

/* ---- add, get, delete -------------------------------------------- */

static void assert_same_str(qdb_str got, qdb_str want, const char *field)
{
	int ok = (got.ptr == NULL) == (want.ptr == NULL) &&
		 got.len == want.len &&
		 (!want.ptr || memcmp(got.ptr, want.ptr, want.len) == 0) &&
		 (!got.ptr || got.ptr[got.len] == '\0');
	char msg[128];
	snprintf(msg, sizeof msg, "field %s comes back byte for byte", field);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, __LINE__, msg,
				__FILE__, "", CU_FALSE);
}

static void assert_same_quote(const qdb_quote *got, const qdb_quote *want)
{
#define F(x) assert_same_str(got->x, want->x, #x)
	F(text); F(speaker); F(role); F(date); F(date_text); F(outlet);
	F(programme); F(occasion); F(reported_by); F(source);
	F(source_author); F(source_date); F(source_url); F(source_file);
	F(locator); F(language); F(translated); F(context);
#undef F
	CU_ASSERT_EQUAL(got->ntags, want->ntags);
	for (size_t i = 0; i < got->ntags && i < want->ntags; i++)
		assert_same_str(got->tags[i], want->tags[i], "tags[i]");
	if (!want->ntags)
		CU_ASSERT_PTR_NULL(got->tags);
}

static void test_roundtrip_every_field(void)
{
	const char *path = keep_path("roundtrip.db");
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	static const qdb_str tags[] = {
		{ "\xe2\x80\x9cquoted\xe2\x80\x9d", 12 }, { "a,b", 3 },
		{ "x' OR '1'='1", 12 }, { "z", 1 } };
	qdb_quote q = QDB_QUOTE_INIT;
	q.id = S("every-field");
	/* Text keeps line breaks, tabs, NEL, curly quotes, a decomposed
	 * accent and an astral character. */
	q.text = S("\xe2\x80\x9cLine one\xe2\x80\x9d\n\tline two\xc2\x85"
		   "cafe\xcc\x81 \xf0\x9f\x98\x80 [sic] \xe2\x80\xa6 end  ");
	q.speaker = S("Speaker \xc3\x98");
	q.role = S("role");
	q.date = S("2023-10-25/2023-10-31");
	q.date_text = S("that week");
	q.outlet = S("Outlet");
	q.programme = S("Programme");
	q.occasion = S("occasion");
	q.reported_by = S("Reporter");
	q.source = S("Source title");
	q.source_author = S("Author");
	q.source_date = S("2024-01");
	q.source_url = S("https://example.org/a?b=c&d");
	q.source_file = S("quotes/x.txt");
	q.locator = S("p. 3");
	q.language = S("en");
	q.translated = S("fa");
	q.context = S("context\nover two lines");
	q.tags = tags;
	q.ntags = 4;
	char *id = NULL;
	int added = -1;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_add(&id, &added, db, &q), 0);
	CU_ASSERT_STRING_EQUAL(id, "every-field");
	CU_ASSERT_EQUAL(added, 1);
	qdb_free(id);

	qdb_quote *got = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&got, db, "every-field"), 0);
	CU_ASSERT(got->size >= sizeof(qdb_quote));
	CU_ASSERT_STRING_EQUAL(got->id.ptr, "every-field");
	assert_same_quote(got, &q);
	CU_ASSERT_EQUAL(got->date_lo, 20231025);
	CU_ASSERT_EQUAL(got->date_hi, 20231031);
	/* A copy is as good as the original, and one free releases it. */
	qdb_quote *dup = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_dup(&dup, got), 0);
	assert_same_quote(dup, &q);
	CU_ASSERT_EQUAL(dup->date_lo, got->date_lo);
	qdb_quote_free(dup);
	qdb_quote_free(got);
	qdb_quote_free(NULL);

	/* The same again: nothing added, same id. */
	CU_ASSERT_EQUAL(qdb_quote_add(&id, &added, db, &q), 0);
	CU_ASSERT_EQUAL(added, 0);
	CU_ASSERT_STRING_EQUAL(id, "every-field");
	qdb_free(id);
	/* Reopened, the bytes are still the same. */
	qdb_close(db);
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, QDB_OPEN_READONLY), 0);
	CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&got, db, "every-field"), 0);
	assert_same_quote(got, &q);
	qdb_quote_free(got);
	qdb_close(db);
}

static void test_absent_stays_absent(void)
{
	const char *path = keep_path("absent.db");
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	qdb_quote q = QDB_QUOTE_INIT;
	q.text = S("only the words");
	q.speaker = S("Someone");
	char *id = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_add(&id, NULL, db, &q), 0);
	qdb_quote *got = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&got, db, id), 0);
	const qdb_str *opt[] = { &got->role, &got->date, &got->date_text,
		&got->outlet, &got->programme, &got->occasion,
		&got->reported_by, &got->source, &got->source_author,
		&got->source_date, &got->source_url, &got->source_file,
		&got->locator, &got->language, &got->translated, &got->context };
	for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++) {
		CU_ASSERT_PTR_NULL(opt[i]->ptr);
		CU_ASSERT_EQUAL(opt[i]->len, 0);
	}
	CU_ASSERT_EQUAL(got->ntags, 0);
	CU_ASSERT_PTR_NULL(got->tags);
	CU_ASSERT_EQUAL(got->date_lo, 0);
	CU_ASSERT_EQUAL(got->date_hi, 0);
	qdb_quote_free(got);
	/* In the table too: NULL, never ''. */
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM quotes WHERE "
		"role IS NULL AND date IS NULL AND date_lo IS NULL AND "
		"outlet_id IS NULL AND source_id IS NULL AND context IS NULL "
		"AND tags IS NULL"), 1);
	qdb_free(id);

	/* "" is not a way of saying absent. */
	q.role = S("");
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "role: role is empty; leave the "
			       "field out when the source does not say");
	CU_ASSERT_STRING_EQUAL(qdb_last_error(db)->field, "role");
	q.role = S(NULL);
	q.text = S("");
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "text: text is required and may "
			       "not be empty");
	q.text = S(NULL);
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "text is required");
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM quotes"), 1);
	qdb_close(db);
}

/* What validation refuses through the API, with the message it gives. */
static void test_validation_messages(void)
{
	const char *path = keep_path("valid.db");
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	static const struct {
		const char *text; size_t len; const char *date;
		const char *msg;
	} cases[] = {
		{ "a\x01z", 3, NULL, "text: text holds the control character "
		  "U+0001 (line 1 of the value)" },
		{ "a\nb\n\x7f", 5, NULL, "text: text holds the control "
		  "character U+007F (line 3 of the value)" },
		{ "a\0b", 3, NULL, "text: text holds a NUL byte" },
		{ "ab\xc3(", 4, NULL, "text: text has invalid UTF-8 at byte 2" },
		{ "\xed\xa0\x80", 3, NULL, "text: text has invalid UTF-8 at "
		  "byte 0" },
		{ "\xc0\xaf", 2, NULL, "text: text has invalid UTF-8 at byte 0" },
		{ "ok", 2, "2023-13", "date: bad date \"2023-13\": there is no "
		  "month 13; accepted: 2023, 2023-10, 2023-10-09, each "
		  "optionally followed by ~ ? or %; 202X, 2023-XX, 2023-10-XX; "
		  "intervals A/B, ../B, A/.., /B, A/" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		qdb_quote q = QDB_QUOTE_INIT;
		q.text.ptr = cases[i].text;
		q.text.len = cases[i].len;
		q.speaker = S("S");
		q.date = S(cases[i].date);
		CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), QDB_EINVALID);
		CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), cases[i].msg);
	}
	/* A speaker is one line. */
	qdb_quote q = QDB_QUOTE_INIT;
	q.text = S("ok");
	q.speaker = S("two\nlines");
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "speaker: speaker holds the "
			       "control character U+000A (line 1 of the value)");
	/* A source's details need its title. */
	q.speaker = S("S");
	q.source_url = S("https://example.org/");
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "source: a source needs a title");
	/* A caller built against a smaller struct is refused, not misread. */
	qdb_quote small = QDB_QUOTE_INIT;
	small.size = offsetof(qdb_quote, tags);
	small.text = S("ok");
	small.speaker = S("S");
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &small), QDB_EINVALID);
	CU_ASSERT(strstr(qdb_errmsg(db), "qdb_quote of ") != NULL);
	CU_ASSERT(strstr(qdb_errmsg(db), "shorter than any release's") != NULL);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM quotes"), 0);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM speakers"), 0);
	qdb_close(db);
}

static void test_content_key(void)
{
	const char *path = keep_path("key.db");
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	qdb_quote q = QDB_QUOTE_INIT;
	q.text = S("We are not going to speculate");
	q.speaker = S("John Kirby");
	char *id1 = NULL, *id2 = NULL, *id3 = NULL;
	int added = -1;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_add(&id1, &added, db, &q), 0);
	/* FNV-1a of "speaker\0text": the same key in every version. */
	CU_ASSERT_STRING_EQUAL(id1, "q963da712854bdf6b");
	CU_ASSERT_EQUAL(qdb_entity_alias(db, QDB_SPEAKER, "John Kirby",
					 "Kirby"), 0);
	/* By alias or in another case: the same speaker, the same key. */
	q.speaker = S("Kirby");
	CU_ASSERT_EQUAL(qdb_quote_add(&id2, &added, db, &q), 0);
	CU_ASSERT_EQUAL(added, 0);
	q.speaker = S("JOHN KIRBY");
	CU_ASSERT_EQUAL(qdb_quote_add(&id3, &added, db, &q), 0);
	CU_ASSERT_EQUAL(added, 0);
	CU_ASSERT_STRING_EQUAL(id2, id1);
	CU_ASSERT_STRING_EQUAL(id3, id1);
	qdb_free(id2);
	qdb_free(id3);
	/* Other words, other key; one byte is enough. */
	q.text = S("We are not going to speculate.");
	CU_ASSERT_EQUAL(qdb_quote_add(&id2, &added, db, &q), 0);
	CU_ASSERT_EQUAL(added, 1);
	CU_ASSERT_STRING_NOT_EQUAL(id2, id1);
	qdb_free(id2);
	/* The same words said on another day, on another outlet, programme
	 * or occasion: another quote, another key; none of those fields
	 * kept the key above. */
	q.text = S("We are not going to speculate");
	q.date = S("2023-10-09");
	CU_ASSERT_EQUAL(qdb_quote_add(&id2, &added, db, &q), 0);
	CU_ASSERT_EQUAL(added, 1);
	CU_ASSERT_STRING_NOT_EQUAL(id2, id1);
	q.date = S("2023-10-10");
	CU_ASSERT_EQUAL(qdb_quote_add(&id3, &added, db, &q), 0);
	CU_ASSERT_EQUAL(added, 1);
	CU_ASSERT_STRING_NOT_EQUAL(id3, id2);
	qdb_free(id2);
	qdb_free(id3);
	qdb_str *fields[] = { &q.outlet, &q.programme, &q.occasion };
	char *ids[3] = { NULL, NULL, NULL };
	for (int i = 0; i < 3; i++) {
		*fields[i] = S("CNN");
		CU_ASSERT_EQUAL(qdb_quote_add(&ids[i], &added, db, &q), 0);
		CU_ASSERT_EQUAL(added, 1);
		*fields[i] = (qdb_str){ NULL, 0 };
	}
	CU_ASSERT_STRING_NOT_EQUAL(ids[0], ids[1]);
	CU_ASSERT_STRING_NOT_EQUAL(ids[1], ids[2]);
	/* The outlet by an alias: the same quote, the same key. */
	CU_ASSERT_EQUAL(qdb_entity_alias(db, QDB_OUTLET, "CNN", "cnn.com"), 0);
	q.outlet = S("CNN.COM");
	CU_ASSERT_EQUAL(qdb_quote_add(&id2, &added, db, &q), 0);
	CU_ASSERT_EQUAL(added, 0);
	CU_ASSERT_STRING_EQUAL(id2, ids[0]);
	qdb_free(id2);
	for (int i = 0; i < 3; i++)
		qdb_free(ids[i]);
	qdb_free(id1);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM quotes"), 7);
	/* A dated quote 0.2 stored under the key of speaker and text alone
	 * is found again under it: importing its file again adds nothing. */
	qdb_quote old = QDB_QUOTE_INIT;
	old.text = S("Words of 0.2");
	old.speaker = S("S");
	CU_ASSERT_EQUAL_FATAL(qdb_quote_add(&id1, &added, db, &old), 0);
	CU_ASSERT_EQUAL(qdb_quote_delete(db, id1), 0);
	old.id = (qdb_str){ id1, strlen(id1) };
	old.date = S("2023-10-07");
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, &added, db, &old), 0);
	CU_ASSERT_EQUAL(added, 1);
	old.id = (qdb_str){ NULL, 0 };
	CU_ASSERT_EQUAL(qdb_quote_add(&id2, &added, db, &old), 0);
	CU_ASSERT_EQUAL(added, 0);
	CU_ASSERT_STRING_EQUAL(id2, id1);
	qdb_free(id1);
	qdb_free(id2);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM quotes"), 8);
	qdb_close(db);
}

static void test_duplicate_id(void)
{
	const char *path = keep_path("dup.db");
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	qdb_quote q = QDB_QUOTE_INIT;
	q.id = S("x");
	q.text = S("first words");
	q.speaker = S("S");
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), 0);
	q.text = S("other words");
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), QDB_EEXISTS);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "id: a quote with id 'x' already "
			       "exists with different content; give this one "
			       "another id, or delete the old one first");
	CU_ASSERT_EQUAL(qdb_last_error(db)->code, QDB_EEXISTS);
	/* Any field counts as content. */
	q.text = S("first words");
	q.locator = S("p. 2");
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), QDB_EEXISTS);
	qdb_quote *got = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&got, db, "x"), 0);
	CU_ASSERT_STRING_EQUAL(got->text.ptr, "first words");
	CU_ASSERT_PTR_NULL(got->locator.ptr);
	qdb_quote_free(got);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM quotes"), 1);
	qdb_close(db);
}

static void test_delete(void)
{
	const char *path = keep_path("delete.db");
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	qdb_quote q = QDB_QUOTE_INIT;
	q.id = S("gone");
	q.text = S("words about d\xc3\xa9tente");
	q.speaker = S("Lonely Speaker");
	q.outlet = S("Lonely Outlet");
	q.source = S("Lonely Source");
	static const qdb_str tags[] = { { "t", 1 } };
	q.tags = tags;
	q.ntags = 1;
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), 0);
	q.id = S("stays");
	q.text = S("other words");
	q.speaker = S("Kept Speaker");
	q.outlet = S(NULL);
	q.source = S(NULL);
	q.tags = NULL;
	q.ntags = 0;
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), 0);
	CU_ASSERT_EQUAL(qdb_entity_alias(db, QDB_SPEAKER, "Kept Speaker",
					 "Keeper"), 0);

	CU_ASSERT_EQUAL(qdb_quote_delete(db, "gone"), 0);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "not an error");
	qdb_quote *got = NULL;
	CU_ASSERT_EQUAL(qdb_quote_get(&got, db, "gone"), QDB_ENOTFOUND);
	CU_ASSERT_PTR_NULL(got);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "no quote with id 'gone'");
	CU_ASSERT_EQUAL(qdb_quote_delete(db, "gone"), QDB_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "no quote with id 'gone'");
	/* The index forgot it. */
	qdb_filter f = QDB_FILTER_INIT;
	f.search = "detente";
	ASSERT_IDS(db, &f, "");
	f.search = "words";
	ASSERT_IDS(db, &f, "stays");
	/* Names and sources no quote uses go with it. */
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM speakers WHERE "
				   "name = 'Lonely Speaker'"), 0);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM outlets"), 0);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM sources"), 0);
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM quote_tags"), 0);
	qdb_close(db);
	CU_ASSERT(fts_intact(path));
	/* The other quote and its speaker's alias are untouched. */
	CU_ASSERT_EQUAL(qdb_open(&db, path, 0), 0);
	const char *sp[] = { "keeper" };
	qdb_filter g = QDB_FILTER_INIT;
	g.speakers.v = sp;
	g.speakers.n = 1;
	ASSERT_IDS(db, &g, "stays");
	CU_ASSERT_EQUAL(qdb_quote_delete(db, "stays"), 0);
	/* A speaker with an alias someone set stays, with no quotes. */
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM speakers"), 1);
	qdb_close(db);
	CU_ASSERT(fts_intact(path));
}

/* ---- filters and sorting ------------------------------------------- */

static const char fixture[] =
	"source:\n"
	"  title: \"Store fixture\"\n"
	"speakers:\n"
	"  - name: \"John Kirby\"\n"
	"    aliases: [\"Kirby\"]\n"
	"  - name: \"Joe Biden\"\n"
	"    aliases: [\"Biden\"]\n"
	"outlets:\n"
	"  - name: \"CBS\"\n"
	"    aliases: [\"CBS News\"]\n"
	"quotes:\n"
	"  - {id: \"k1\", text: \"a new d\xc3\xa9tente is not on the table\",\n"
	"     speaker: \"Kirby\", date: \"2023-10\", outlet: \"CBS News\",\n"
	"     language: \"en\", tags: [\"iran\", \"war\"]}\n"
	"  - {id: \"k2\", text: \"We are not going to speculate\",\n"
	"     speaker: \"John Kirby\", date: \"2023-10-01\", outlet: \"CNN\",\n"
	"     language: \"EN\", tags: [\"iran\"]}\n"
	"  - {id: \"b1\", text: \"there is no clear evidence\", speaker: "
	"\"Biden\",\n"
	"     date: \"2023\", reported_by: \"The Wall Street Journal\",\n"
	"     language: \"de\", tags: [\"war\"]}\n"
	"  - {id: \"b2\", text: \"Iran is involved in a broad sense\",\n"
	"     speaker: \"Joe Biden\", date: \"2023-10-15/2023-10-20\",\n"
	"     context: \"on Iranian complicity\"}\n"
	"  - {id: \"n1\", text: \"We are at war\", speaker: "
	"\"Benjamin Netanyahu\"}\n"
	"  - {id: \"b3\", text: \"an earlier remark\", speaker: \"Biden\",\n"
	"     date: \"2022-05-05\"}\n"
	"  - {id: \"k3\", text: \"deterrence matters\", speaker: \"Kirby\",\n"
	"     date: \"2023-10-09~\"}\n";

static qdb *open_fixture(const char *name, const char **path)
{
	*path = keep_path(name);
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, *path, 0), 0);
	qdb_error err;
	int rc = qdb_import_buffer(db, "fixture", fixture, sizeof fixture - 1,
				   NULL, &err);
	if (rc) {
		char buf[1024];
		fprintf(stderr, "\n%s\n",
			qdb_error_format(&err, buf, sizeof buf));
	}
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	return db;
}

#define LIST(field, ...) do { \
		static const char *const v_[] = { __VA_ARGS__ }; \
		f.field.v = v_; \
		f.field.n = sizeof v_ / sizeof v_[0]; \
	} while (0)

static void test_filter_names(void)
{
	const char *path;
	qdb *db = open_fixture("names.db", &path);
	qdb_filter f = QDB_FILTER_INIT;
	ASSERT_IDS(db, NULL, "k1 k2 b1 b2 n1 b3 k3");
	ASSERT_IDS(db, &f, "k1 k2 b1 b2 n1 b3 k3");
	/* Speaker: canonical name, alias, any case. */
	LIST(speakers, "John Kirby");
	ASSERT_IDS(db, &f, "k1 k2 k3");
	LIST(speakers, "kirby");
	ASSERT_IDS(db, &f, "k1 k2 k3");
	LIST(speakers, "JOHN KIRBY");
	ASSERT_IDS(db, &f, "k1 k2 k3");
	/* A name that names nobody is a mistake, not an empty selection:
	 * refused when the cursor opens, with the closest name. */
	qdb_cursor *c = NULL;
	int64_t n = -1;
	LIST(speakers, "Kirby", "Nobody");
	CU_ASSERT_EQUAL(qdb_cursor_open(&c, db, &f), QDB_ENOTFOUND);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "--speaker 'Nobody' names no "
			       "speaker or alias in the database");
	LIST(speakers, "Jon Kirbi");
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), QDB_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "--speaker 'Jon Kirbi' names "
			       "no speaker or alias in the database; did you "
			       "mean 'John Kirby'?");
	/* Part of a name: the name that holds it. */
	LIST(speakers, "netanya");
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), QDB_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "--speaker 'netanya' names no "
			       "speaker or alias in the database; did you mean "
			       "'Benjamin Netanyahu'?");
	f.speakers.n = 0;
	LIST(outlets, "CBC");
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), QDB_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "--outlet 'CBC' names no "
			       "outlet or alias in the database; did you mean "
			       "'CBS'?");
	f.outlets.n = 0;
	LIST(tags, "wars");
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), QDB_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "--tag 'wars' names no tag in "
			       "the database; did you mean 'war'?");
	f.tags.n = 0;
	/* Repeated: OR. */
	LIST(speakers, "Kirby", "biden");
	ASSERT_IDS(db, &f, "k1 k2 b1 b2 b3 k3");
	f.speakers.n = 0;
	/* Outlet: canonical, alias, any case. */
	LIST(outlets, "cbs news");
	ASSERT_IDS(db, &f, "k1");
	LIST(outlets, "CBS");
	ASSERT_IDS(db, &f, "k1");
	LIST(outlets, "cnn", "CBS");
	ASSERT_IDS(db, &f, "k1 k2");
	f.outlets.n = 0;
	LIST(reported_by, "the wall street journal");
	ASSERT_IDS(db, &f, "b1");
	f.reported_by.n = 0;
	LIST(tags, "war");
	ASSERT_IDS(db, &f, "k1 b1");
	LIST(tags, "iran", "war");
	ASSERT_IDS(db, &f, "k1 k2 b1");
	/* Tags in any case, as names. */
	LIST(tags, "WAR");
	ASSERT_IDS(db, &f, "k1 b1");
	f.tags.n = 0;
	LIST(languages, "en");
	ASSERT_IDS(db, &f, "k1 k2");
	LIST(languages, "EN", "de");
	ASSERT_IDS(db, &f, "k1 k2 b1");
	f.languages.n = 0;
	LIST(ids, "b2", "k1", "nope");
	ASSERT_IDS(db, &f, "k1 b2");
	f.ids.n = 0;
	/* Different filters: AND. */
	LIST(speakers, "Kirby");
	LIST(tags, "war");
	ASSERT_IDS(db, &f, "k1");
	LIST(tags, "iran");
	LIST(outlets, "CNN");
	ASSERT_IDS(db, &f, "k2");
	LIST(languages, "de");
	ASSERT_IDS(db, &f, "");
	qdb_close(db);
}

static void test_filter_dates(void)
{
	const char *path;
	qdb *db = open_fixture("dates.db", &path);
	qdb_filter f = QDB_FILTER_INIT;
	/* Days: a month-dated quote overlaps, but does not lie inside. */
	f.from = "2023-10-15";
	f.to = "2023-10-20";
	ASSERT_IDS(db, &f, "k1 b1 b2");
	f.strict_dates = 1;
	ASSERT_IDS(db, &f, "b2");
	/* Month precision. */
	f.from = f.to = "2023-10";
	f.strict_dates = 0;
	ASSERT_IDS(db, &f, "k1 k2 b1 b2 k3");
	f.strict_dates = 1;
	ASSERT_IDS(db, &f, "k1 k2 b2 k3");
	/* Year precision. */
	f.from = f.to = "2023";
	ASSERT_IDS(db, &f, "k1 k2 b1 b2 k3");
	f.from = f.to = "2022";
	f.strict_dates = 0;
	ASSERT_IDS(db, &f, "b3");
	/* Open ends; undated quotes never match a date filter. */
	f.from = "2023-10-10";
	f.to = NULL;
	ASSERT_IDS(db, &f, "k1 b1 b2");
	f.from = NULL;
	f.to = "2022-12-31";
	ASSERT_IDS(db, &f, "b3");
	/* With another filter: AND. */
	f.to = NULL;
	f.from = "2023";
	LIST(speakers, "Biden");
	ASSERT_IDS(db, &f, "b1 b2");
	/* A bad date is refused with the reason. */
	f.speakers.n = 0;
	f.from = "2023-13";
	qdb_cursor *c = NULL;
	CU_ASSERT_EQUAL(qdb_cursor_open(&c, db, &f), QDB_EINVALID);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(starts_with(qdb_errmsg(db), "--from: bad date \"2023-13\": "
			      "there is no month 13;"));
	f.from = NULL;
	f.to = "October";
	int64_t n;
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), QDB_EINVALID);
	CU_ASSERT(starts_with(qdb_errmsg(db), "--to: bad date \"October\": "));
	/* A failure does not outlive the next call that succeeds. */
	f.to = NULL;
	qdb_cursor *ok = NULL;
	CU_ASSERT_EQUAL(qdb_cursor_open(&ok, db, &f), 0);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "not an error");
	qdb_cursor_free(ok);
	qdb_close(db);
}

static void test_sort_orders(void)
{
	const char *path;
	qdb *db = open_fixture("sort.db", &path);
	qdb_filter f = QDB_FILTER_INIT;
	f.sort = QDB_SORT_ADDED;
	ASSERT_IDS(db, &f, "k1 k2 b1 b2 n1 b3 k3");
	/* Earliest day first; on the same day the wider range first
	 * (2023-10 before 2023-10-01); undated last. */
	f.sort = QDB_SORT_DATE;
	ASSERT_IDS(db, &f, "b3 b1 k1 k2 k3 b2 n1");
	f.sort = QDB_SORT_SPEAKER;
	ASSERT_IDS(db, &f, "n1 b3 b1 b2 k1 k2 k3");
	f.sort = QDB_SORT_OUTLET;
	ASSERT_IDS(db, &f, "k1 k2 b3 b1 k3 b2 n1");
	/* Rank without a search is the added order. */
	f.sort = QDB_SORT_RANK;
	ASSERT_IDS(db, &f, "k1 k2 b1 b2 n1 b3 k3");
	f.sort = QDB_SORT_DATE;
	f.limit = 2;
	ASSERT_IDS(db, &f, "b3 b1");
	int64_t n = -1;
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), 0);
	CU_ASSERT_EQUAL(n, 7);
	f.limit = 0;
	f.sort = (qdb_sort)99;
	qdb_cursor *c = NULL;
	CU_ASSERT_EQUAL(qdb_cursor_open(&c, db, &f), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "unknown sort order");
	/* A filter struct from an older caller is refused. */
	qdb_filter small = QDB_FILTER_INIT;
	small.size = sizeof(size_t);
	CU_ASSERT_EQUAL(qdb_cursor_open(&c, db, &small), QDB_EINVALID);
	qdb_close(db);
}

/* By source: the title (none last), each source's quotes together even
 * when two share a title, then the locator as written, then the date. */
static void test_sort_source(void)
{
	static const char yaml[] =
		"source:\n"
		"  title: \"B paper\"\n"
		"quotes:\n"
		"  - {id: \"b-p10\", text: \"t1\", speaker: \"S\","
		" locator: \"p. 10\"}\n"
		"  - {id: \"none-1\", text: \"t2\", speaker: \"S\","
		" date: \"2020\", source: {title: \"zz\"}}\n"
		"  - {id: \"b-p2\", text: \"t3\", speaker: \"S\","
		" locator: \"p. 2\"}\n"
		"  - {id: \"a-2\", text: \"t4\", speaker: \"S\","
		" date: \"2023-02\", source: {title: \"A report\"}}\n"
		"  - {id: \"b2-x\", text: \"t5\", speaker: \"S\","
		" source: {title: \"B paper\", url: \"https://b.example/\"}}\n"
		"  - {id: \"a-1\", text: \"t6\", speaker: \"S\","
		" date: \"2023-01\", source: {title: \"A report\"}}\n"
		"  - {id: \"b-nolocator\", text: \"t7\", speaker: \"S\"}\n";
	static const char nosource[] =
		"quotes:\n"
		"  - {id: \"n-2\", text: \"u1\", speaker: \"S\","
		" date: \"2024\"}\n"
		"  - {id: \"n-1\", text: \"u2\", speaker: \"S\","
		" date: \"2021\"}\n";
	const char *path = keep_path("sort-source.db");
	qdb *db = NULL;
	qdb_error err;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	CU_ASSERT_EQUAL_FATAL(qdb_import_buffer(db, "s.yaml", yaml,
						sizeof yaml - 1, NULL, &err), 0);
	CU_ASSERT_EQUAL_FATAL(qdb_import_buffer(db, "n.yaml", nosource,
						sizeof nosource - 1, NULL,
						&err), 0);
	qdb_filter f = QDB_FILTER_INIT;
	f.sort = QDB_SORT_SOURCE;
	/* "B paper" (file) and "B paper" (url) are two sources: each one's
	 * quotes together, the first stored first; "p. 10" before "p. 2",
	 * as written; no locator first; sourceless quotes last, by date. */
	ASSERT_IDS(db, &f, "a-1 a-2 b-nolocator b-p10 b-p2 b2-x none-1 n-1 "
		   "n-2");
	f.sort = (qdb_sort)(QDB_SORT_SOURCE + 1);
	qdb_cursor *c = NULL;
	CU_ASSERT_EQUAL(qdb_cursor_open(&c, db, &f), QDB_EINVALID);
	qdb_close(db);
}

static void test_search(void)
{
	const char *path;
	qdb *db = open_fixture("search.db", &path);
	qdb_filter f = QDB_FILTER_INIT;
	/* Diacritics and case fold in the index, not in the text. */
	f.search = "detente";
	ASSERT_IDS(db, &f, "k1");
	f.search = "D\xc3\x89TENTE";
	ASSERT_IDS(db, &f, "k1");
	f.search = "\"not on the table\"";
	ASSERT_IDS(db, &f, "k1");
	f.search = "\"table the on\"";
	ASSERT_IDS(db, &f, "");
	f.search = "deter*";
	ASSERT_IDS(db, &f, "k3");
	/* The context is searched too. */
	f.search = "complicity";
	ASSERT_IDS(db, &f, "b2");
	/* Words: punctuation separates them and is never syntax; OR is a
	 * word; English endings fold (speculating, speculates). */
	f.search = "speculating";
	ASSERT_IDS(db, &f, "k2");
	f.search = "(speculate)! #not -going";
	ASSERT_IDS(db, &f, "k2");
	f.search = "not-going";
	ASSERT_IDS(db, &f, "k2");
	f.search = "speculate's";
	ASSERT_IDS(db, &f, "");
	f.search = "war OR speculate";
	ASSERT_IDS(db, &f, "");
	f.search = "\"unclosed";
	ASSERT_IDS(db, &f, "");
	/* FTS5 syntax with search_fts. */
	f.search_fts = 1;
	f.search = "war OR speculate";
	LIST(speakers, "Kirby");
	ASSERT_IDS(db, &f, "k2");
	f.speakers.n = 0;
	f.search_fts = 0;
	/* The snippet marks the match with STX and ETX. */
	f.search = "speculate";
	qdb_cursor *c;
	const qdb_quote *q;
	CU_ASSERT_EQUAL_FATAL(qdb_cursor_open(&c, db, &f), 0);
	CU_ASSERT_EQUAL_FATAL(qdb_cursor_next(&q, c), 0);
	CU_ASSERT_STRING_EQUAL(q->text.ptr, "We are not going to speculate");
	CU_ASSERT_STRING_EQUAL(qdb_cursor_snippet(c), "We are not going to "
			       "\x02speculate\x03");
	qdb_cursor_free(c);
	/* Not searching: no snippet. */
	CU_ASSERT_EQUAL_FATAL(qdb_cursor_open(&c, db, NULL), 0);
	CU_ASSERT_EQUAL(qdb_cursor_next(&q, c), 0);
	CU_ASSERT_PTR_NULL(qdb_cursor_snippet(c));
	qdb_cursor_free(c);
	/* Bad query syntax is the user's mistake, not an I/O error, and
	 * told in quotedb's words. */
	f.search_fts = 1;
	f.search = "\"unclosed";
	CU_ASSERT_EQUAL_FATAL(qdb_cursor_open(&c, db, &f), 0);
	CU_ASSERT_EQUAL(qdb_cursor_next(&q, c), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "full-text query: "
			       "unterminated string");
	qdb_cursor_free(c);
	int64_t n;
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "full-text query: "
			       "unterminated string");
	f.search = "not-going";
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "full-text query: 'going' is "
			       "read as a column, and there are only text and "
			       "context; put a word with '-' or ':' in double "
			       "quotes");
	/* Words, but none: nothing to look for. */
	f.search_fts = 0;
	f.search = " \"\" * ";
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "no words to search for");
	qdb_close(db);
}

/* After a refused import, nothing of it is searchable and the index
 * agrees with the rows. */
static void test_search_after_failed_import(void)
{
	const char *path;
	qdb *db = open_fixture("failed.db", &path);
	static const char bad[] = "quotes:\n"
		"  - {text: \"zebras everywhere\", speaker: \"Z\"}\n"
		"  - {text: \"more zebras\", speaker: \"Z\",\n"
		"     date: \"2023-02-30\"}\n";
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "bad", bad, sizeof bad - 1, NULL,
					  NULL), QDB_EINVALID);
	qdb_filter f = QDB_FILTER_INIT;
	f.search = "zebras";
	ASSERT_IDS(db, &f, "");
	f.search = "detente";
	ASSERT_IDS(db, &f, "k1");
	CU_ASSERT_EQUAL(th_sql_int(path, "SELECT count(*) FROM "
				   "quotes_fts_docsize"), 7);
	qdb_close(db);
	CU_ASSERT(fts_intact(path));
}

/* A speaker or outlet filter is answered from its index, not a scan. */
static void test_filter_uses_index(void)
{
	const char *path;
	qdb *db = open_fixture("plan.db", &path);
	qdb_filter f = QDB_FILTER_INIT;
	LIST(speakers, "Kirby");
	char *plan = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb__cursor_plan(&plan, db, &f), 0);
	CU_ASSERT(strstr(plan, "USING INDEX quotes_speaker") != NULL ||
		  strstr(plan, "USING COVERING INDEX quotes_speaker") != NULL);
	CU_ASSERT(strstr(plan, "SCAN q\n") == NULL);
	if (!strstr(plan, "quotes_speaker"))
		fprintf(stderr, "\nplan:\n%s", plan);
	qdb_free(plan);
	f.sort = QDB_SORT_DATE;
	CU_ASSERT_EQUAL_FATAL(qdb__cursor_plan(&plan, db, &f), 0);
	CU_ASSERT(strstr(plan, "quotes_speaker") != NULL);
	qdb_free(plan);
	f.speakers.n = 0;
	LIST(outlets, "CBS News");
	CU_ASSERT_EQUAL_FATAL(qdb__cursor_plan(&plan, db, &f), 0);
	CU_ASSERT(strstr(plan, "quotes_outlet") != NULL);
	qdb_free(plan);
	/* Everything by speaker: speakers walked in name order, only each
	 * one's quotes sorted, never the whole collection at once. */
	f.outlets.n = 0;
	f.sort = QDB_SORT_SPEAKER;
	CU_ASSERT_EQUAL_FATAL(qdb__cursor_plan(&plan, db, &f), 0);
	CU_ASSERT(strstr(plan, "SCAN s ") != NULL);
	CU_ASSERT(strstr(plan, "quotes_speaker (speaker_id=?)") != NULL);
	CU_ASSERT(strstr(plan, "TEMP B-TREE FOR ORDER BY") == NULL);
	if (!strstr(plan, "SCAN s "))
		fprintf(stderr, "\nplan:\n%s", plan);
	qdb_free(plan);
	/* Tags without case, through their own index. */
	f.sort = QDB_SORT_ADDED;
	LIST(tags, "IRAN");
	CU_ASSERT_EQUAL_FATAL(qdb__cursor_plan(&plan, db, &f), 0);
	CU_ASSERT(strstr(plan, "quote_tags_nocase (tag=?)") != NULL);
	if (!strstr(plan, "quote_tags_nocase"))
		fprintf(stderr, "\nplan:\n%s", plan);
	qdb_free(plan);
	qdb_close(db);
}

/* ---- speakers and outlets ------------------------------------------ */

/* A speaker's sort key: from a file, read back, set and cleared by hand;
 * an outlet has none; a bad one is refused where it stands. */
static void test_speaker_sort_as(void)
{
	const char *path = keep_path("sort-as.db");
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	static const char yaml[] =
		"source: {title: T}\n"
		"speakers:\n"
		"  - name: Hassan Nasrallah\n"
		"    aliases: [Nasrallah]\n"
		"    sort_as: 'Nasrallah, Hassan'\n"
		"quotes:\n"
		"  - {id: n, text: a, speaker: Nasrallah}\n"
		"  - {id: h, text: b, speaker: Hamas}\n"
		"  - {id: z, text: c, speaker: Zed Aaron}\n";
	qdb_error err;
	CU_ASSERT_EQUAL_FATAL(qdb_import_buffer(db, "a.yaml", yaml,
						strlen(yaml), NULL, &err), 0);
	char *key = NULL;
	CU_ASSERT_EQUAL(qdb_speaker_sort_as(&key, db, "nasrallah"), 0);
	CU_ASSERT_STRING_EQUAL(key ? key : "", "Nasrallah, Hassan");
	qdb_free(key);
	CU_ASSERT_EQUAL(qdb_speaker_sort_as(&key, db, "Hamas"), 0);
	CU_ASSERT_PTR_NULL(key);
	CU_ASSERT_EQUAL(qdb_speaker_sort_as(&key, db, "Nobody"),
			QDB_ENOTFOUND);
	qdb_filter f = QDB_FILTER_INIT;
	f.sort = QDB_SORT_SPEAKER;
	ASSERT_IDS(db, &f, "h n z");
	CU_ASSERT_EQUAL(qdb_speaker_set_sort_as(db, "Zed Aaron",
						"Aaron, Zed"), 0);
	ASSERT_IDS(db, &f, "z h n");
	CU_ASSERT_EQUAL(qdb_speaker_set_sort_as(db, "Nasrallah", NULL), 0);
	ASSERT_IDS(db, &f, "z h n");
	CU_ASSERT_EQUAL(qdb_speaker_sort_as(&key, db, "Nasrallah"), 0);
	CU_ASSERT_PTR_NULL(key);
	CU_ASSERT_EQUAL(qdb_speaker_set_sort_as(db, "Hamas", ""),
			QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "sort_as is empty");
	static const char bad[] =
		"source: {title: T}\n"
		"outlets:\n"
		"  - {name: CBS, sort_as: 'CBS'}\n"
		"quotes: []\n";
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "b.yaml", bad, strlen(bad),
					  NULL, &err), QDB_EINVALID);
	char msg[512];
	CU_ASSERT_STRING_EQUAL(qdb_error_format(&err, msg, sizeof msg),
			       "b.yaml:3:26: outlets[0].sort_as: only a "
			       "speaker has a sort_as");
	qdb_close(db);
}

static int collect_entity(const qdb_entity *e, void *payload)
{
	char line[512];
	snprintf(line, sizeof line, "%s|%s|%lld\n", e->name,
		 e->aliases ? e->aliases : "", (long long)e->quotes);
	return th_buf_write(line, strlen(line), payload);
}

static char *entities(qdb *db, qdb_entity_kind kind)
{
	th_buf b = { 0 };
	th_buf_write("", 0, &b);
	CU_ASSERT_EQUAL(qdb_entity_foreach(db, kind, collect_entity, &b), 0);
	return b.data;
}

#define ASSERT_ENTITIES(db, kind, want) do { \
		char *got_ = entities(db, kind); \
		CU_ASSERT_STRING_EQUAL(got_, want); \
		if (strcmp(got_, want)) \
			fprintf(stderr, "\n  line %d: got\n%s", __LINE__, \
				got_); \
		free(got_); \
	} while (0)

static int stop_at_second(const qdb_entity *e, void *payload)
{
	(void)e;
	return ++*(int *)payload == 2 ? 17 : 0;
}

static void test_entities(void)
{
	const char *path;
	qdb *db = open_fixture("entities.db", &path);
	ASSERT_ENTITIES(db, QDB_SPEAKER, "Benjamin Netanyahu||1\n"
			"Joe Biden|Biden|3\nJohn Kirby|Kirby|3\n");
	ASSERT_ENTITIES(db, QDB_OUTLET, "CBS|CBS News|1\nCNN||1\n");

	/* An alias, by canonical name or by another alias. */
	CU_ASSERT_EQUAL(qdb_entity_alias(db, QDB_SPEAKER, "kirby",
					 "Admiral Kirby"), 0);
	qdb_filter f = QDB_FILTER_INIT;
	LIST(speakers, "admiral kirby");
	ASSERT_IDS(db, &f, "k1 k2 k3");
	/* Already this one's: nothing to do. */
	CU_ASSERT_EQUAL(qdb_entity_alias(db, QDB_SPEAKER, "John Kirby",
					 "KIRBY"), 0);
	/* Another entity's name or alias: refused, naming it. */
	CU_ASSERT_EQUAL(qdb_entity_alias(db, QDB_SPEAKER, "Kirby", "biden"),
			QDB_EEXISTS);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "'biden' already names the "
			       "speaker 'Joe Biden'; merge the two instead");
	CU_ASSERT_EQUAL(qdb_entity_alias(db, QDB_SPEAKER, "Nobody", "N"),
			QDB_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "no speaker called 'Nobody'");
	CU_ASSERT_EQUAL(qdb_entity_alias(db, QDB_SPEAKER, "Kirby", ""),
			QDB_EINVALID);
	CU_ASSERT_EQUAL(qdb_entity_alias(db, QDB_OUTLET, "CNN",
					 "Cable News Network"), 0);
	ASSERT_ENTITIES(db, QDB_SPEAKER, "Benjamin Netanyahu||1\n"
			"Joe Biden|Biden|3\n"
			"John Kirby|Admiral Kirby; Kirby|3\n");

	/* Merge: quotes, aliases and the old name move over. */
	CU_ASSERT_EQUAL(qdb_entity_merge(db, QDB_SPEAKER, "Biden",
					 "Benjamin Netanyahu"), 0);
	ASSERT_ENTITIES(db, QDB_SPEAKER, "Joe Biden|Benjamin Netanyahu; "
			"Biden|4\nJohn Kirby|Admiral Kirby; Kirby|3\n");
	LIST(speakers, "benjamin netanyahu");
	ASSERT_IDS(db, &f, "b1 b2 n1 b3");
	CU_ASSERT_EQUAL(qdb_entity_merge(db, QDB_OUTLET, "CBS", "cable news "
					 "network"), 0);
	ASSERT_ENTITIES(db, QDB_OUTLET, "CBS|Cable News Network; CBS News; "
			"CNN|2\n");
	f.speakers.n = 0;
	LIST(outlets, "CNN");
	ASSERT_IDS(db, &f, "k1 k2");
	/* A later quote by the old name lands on the merged entity. */
	qdb_quote q = QDB_QUOTE_INIT;
	q.id = S("n2");
	q.text = S("later words");
	q.speaker = S("Benjamin Netanyahu");
	CU_ASSERT_EQUAL(qdb_quote_add(NULL, NULL, db, &q), 0);
	qdb_quote *got = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&got, db, "n2"), 0);
	CU_ASSERT_STRING_EQUAL(got->speaker.ptr, "Joe Biden");
	qdb_quote_free(got);

	CU_ASSERT_EQUAL(qdb_entity_merge(db, QDB_SPEAKER, "Biden", "Joe Biden"),
			QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "'Biden' and 'Joe Biden' are "
			       "already one speaker");
	CU_ASSERT_EQUAL(qdb_entity_merge(db, QDB_SPEAKER, "Biden", "Nobody"),
			QDB_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(qdb_errmsg(db), "no speaker called 'Nobody'");

	/* A non-zero return stops the walk and comes back. */
	int calls = 0;
	CU_ASSERT_EQUAL(qdb_entity_foreach(db, QDB_SPEAKER, stop_at_second,
					   &calls), 17);
	CU_ASSERT_EQUAL(calls, 2);
	qdb_close(db);
	CU_ASSERT(fts_intact(path));
}

/* ---- walking: foreach, count, a large cursor ------------------------ */

struct walk { int calls, stop_at, ret; };

static int walk_cb(const qdb_quote *q, void *payload)
{
	struct walk *w = payload;
	(void)q;
	return ++w->calls == w->stop_at ? w->ret : 0;
}

static void test_foreach_and_count(void)
{
	const char *path;
	qdb *db = open_fixture("foreach.db", &path);
	struct walk w = { 0, 3, 42 };
	CU_ASSERT_EQUAL(qdb_foreach(db, NULL, walk_cb, &w), 42);
	CU_ASSERT_EQUAL(w.calls, 3);
	struct walk neg = { 0, 1, QDB_EUSER };
	CU_ASSERT_EQUAL(qdb_foreach(db, NULL, walk_cb, &neg), QDB_EUSER);
	CU_ASSERT_EQUAL(neg.calls, 1);
	struct walk all = { 0, -1, 0 };
	CU_ASSERT_EQUAL(qdb_foreach(db, NULL, walk_cb, &all), 0);
	CU_ASSERT_EQUAL(all.calls, 7);
	qdb_filter f = QDB_FILTER_INIT;
	LIST(speakers, "Kirby");
	struct walk some = { 0, -1, 0 };
	CU_ASSERT_EQUAL(qdb_foreach(db, &f, walk_cb, &some), 0);
	CU_ASSERT_EQUAL(some.calls, 3);
	int64_t n = -1;
	CU_ASSERT_EQUAL(qdb_count(&n, db, NULL), 0);
	CU_ASSERT_EQUAL(n, 7);
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), 0);
	CU_ASSERT_EQUAL(n, 3);
	qdb_close(db);
}

#define NBIG 20000

/* 20,000 quotes through the importer, walked by one cursor. */
static void test_large_cursor_walk(void)
{
	th_buf y = { 0 };
	const char *head = "source:\n  title: \"Generated\"\nquotes:\n";
	th_buf_write(head, strlen(head), &y);
	for (int i = 0; i < NBIG; i++) {
		char line[200];
		int n = snprintf(line, sizeof line, "  - {id: \"g%05d\", text: "
				 "\"generated quote number %d\", speaker: "
				 "\"Speaker %d\", date: \"%d\"}\n", i, i,
				 i % 50, 1900 + i % 100);
		th_buf_write(line, (size_t)n, &y);
	}
	const char *path = keep_path("big.db");
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, 0), 0);
	qdb_import_stats st = QDB_IMPORT_STATS_INIT;
	qdb_error err;
	CU_ASSERT_EQUAL_FATAL(qdb_import_buffer(db, "big", y.data, y.len, &st,
						&err), 0);
	th_buf_free(&y);
	CU_ASSERT_EQUAL(st.quotes_added, NBIG);
	qdb_close(db);

	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, path, QDB_OPEN_READONLY), 0);
	qdb_cursor *c;
	const qdb_quote *q;
	CU_ASSERT_EQUAL_FATAL(qdb_cursor_open(&c, db, NULL), 0);
	int i = 0, rc, in_order = 1;
	while ((rc = qdb_cursor_next(&q, c)) == 0) {
		char want[64];
		int n = snprintf(want, sizeof want, "generated quote number %d",
				 i);
		if (q->text.len != (size_t)n || memcmp(q->text.ptr, want, n))
			in_order = 0;
		i++;
	}
	CU_ASSERT_EQUAL(rc, QDB_ITEROVER);
	CU_ASSERT_EQUAL(i, NBIG);
	CU_ASSERT(in_order);
	/* Past the end it stays at the end. */
	CU_ASSERT_EQUAL(qdb_cursor_next(&q, c), QDB_ITEROVER);
	qdb_cursor_free(c);
	int64_t n = -1;
	qdb_filter f = QDB_FILTER_INIT;
	LIST(speakers, "speaker 7");
	f.from = "1950";
	f.to = "1959";
	CU_ASSERT_EQUAL(qdb_count(&n, db, &f), 0);
	/* i % 50 == 7 and i % 100 in 50..59: i % 100 == 57. */
	CU_ASSERT_EQUAL(n, NBIG / 100);
	f.speakers.n = 0;
	f.from = f.to = NULL;
	f.search = "\"number 12345\"";
	ASSERT_IDS(db, &f, "g12345");
	qdb_close(db);
}

static int suite_clean(void)
{
	th_cleanup();
	return 0;
}

static int record_progress(int64_t done, void *payload)
{
	int64_t *seen = payload;
	seen[seen[0] + 1] = done;
	seen[0]++;
	return done >= seen[9] && seen[9] > 0;   /* stop when asked */
}

/* The progress callback sees every tenth quote; stopping it fails the
 * import with QDB_EUSER and leaves nothing behind. */
static void test_progress(void)
{
	qdb *db = th_open_fresh("progress.db");
	char yaml[4096] = "quotes:\n";
	for (int i = 0; i < 25; i++)
		snprintf(yaml + strlen(yaml), sizeof yaml - strlen(yaml),
			 "  - {text: \"q%d\", speaker: \"S\"}\n", i);
	int64_t seen[10] = { 0 };
	qdb_progress(db, record_progress, 10, seen);
	CU_ASSERT_EQUAL(qdb_import_buffer(db, "p.yaml", yaml, strlen(yaml),
					  NULL, NULL), 0);
	CU_ASSERT_EQUAL(seen[0], 2);
	CU_ASSERT_EQUAL(seen[1], 10);
	CU_ASSERT_EQUAL(seen[2], 20);
	qdb *db2 = th_open_fresh("progress2.db");
	memset(seen, 0, sizeof seen);
	seen[9] = 20;
	qdb_progress(db2, record_progress, 10, seen);
	qdb_error err;
	CU_ASSERT_EQUAL(qdb_import_buffer(db2, "p.yaml", yaml, strlen(yaml),
					  NULL, &err), QDB_EUSER);
	int64_t n = -1;
	CU_ASSERT_EQUAL(qdb_count(&n, db2, NULL), 0);
	CU_ASSERT_EQUAL(n, 0);
	qdb_progress(db2, NULL, 0, NULL);
	qdb_close(db2);
	qdb_close(db);
}

void test_store_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_open_close),
		QDB_TEST(test_migrate_from_v1),
		QDB_TEST(test_migrate_from_v2),
		QDB_TEST(test_migrate_from_v2_to_sync),
		QDB_TEST(test_migrate_from_v5),
		QDB_TEST(test_refuse_foreign_file),
		QDB_TEST(test_refuse_newer_schema),
		QDB_TEST(test_roundtrip_every_field),
		QDB_TEST(test_absent_stays_absent),
		QDB_TEST(test_validation_messages),
		QDB_TEST(test_content_key),
		QDB_TEST(test_duplicate_id),
		QDB_TEST(test_delete),
		QDB_TEST(test_filter_names),
		QDB_TEST(test_filter_dates),
		QDB_TEST(test_sort_orders),
		QDB_TEST(test_sort_source),
		QDB_TEST(test_search),
		QDB_TEST(test_search_after_failed_import),
		QDB_TEST(test_filter_uses_index),
		QDB_TEST(test_entities),
		QDB_TEST(test_speaker_sort_as),
		QDB_TEST(test_foreach_and_count),
		QDB_TEST(test_large_cursor_walk),
		QDB_TEST(test_progress),
	};
	TH_SUITE("store", NULL, suite_clean, tests);
}
