/*
 * floor_import.c: the least work that turns a quotes/ YAML file into
 * SQLite rows, as the floor quotedb's import is measured against: libyaml's
 * event parser, one prepared INSERT per quote into one flat table, one
 * transaction, the same journal settings as quotedb (WAL, synchronous
 * NORMAL).  No validation, no speaker or outlet tables, no dates parsed.
 * With --fts the rows also go into an FTS5 index with quotedb's tokenizer
 * (porter over unicode61, schema.c), one INSERT per quote; with
 * --fts-rebuild the rows go in first and FTS5 builds the same index from
 * the table at the end ('rebuild'), the best a single thread can do.
 *
 * Usage: floor_import [--fts | --fts-rebuild] DB FILE
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

enum { K_ID, K_TEXT, K_SPEAKER, K_ROLE, K_DATE, K_DATE_TEXT, K_OUTLET,
	K_PROGRAMME, K_OCCASION, K_REPORTED_BY, K_LOCATOR, K_LANGUAGE,
	K_TRANSLATED, K_CONTEXT, K_TAGS, K_S_TITLE, K_S_AUTHOR, K_S_DATE,
	K_S_URL, K_S_FILE, NK };
static const char *const keys[K_TAGS] = {
	"id", "text", "speaker", "role", "date", "date_text", "outlet",
	"programme", "occasion", "reported_by", "locator", "language",
	"translated", "context"
};
static const char *const skeys[5] = { "title", "author", "date", "url",
	"file" };

typedef struct slot {
	size_t off, len;
	int set;
} slot;

typedef struct floor {
	yaml_parser_t p;
	yaml_event_t ev;
	char *arena;
	size_t len, cap;
	slot s[NK];
	char *fsrc[5];           /* the file's source, the default */
	sqlite3_stmt *ins, *fts;
	long quotes;
} floor_t;

static void fail(const char *what, const char *why)
{
	fprintf(stderr, "floor_import: %s: %s\n", what, why);
	exit(1);
}

static void next(floor_t *f)
{
	yaml_event_delete(&f->ev);
	if (!yaml_parser_parse(&f->p, &f->ev))
		fail("yaml", f->p.problem ? f->p.problem : "error");
}

static void keep(floor_t *f, int k)
{
	size_t n = f->ev.data.scalar.length;
	if (f->len + n + 2 > f->cap) {
		while (f->len + n + 2 > f->cap)
			f->cap = f->cap ? f->cap * 2 : 4096;
		if (!(f->arena = realloc(f->arena, f->cap)))
			fail("memory", "out of memory");
	}
	if (f->s[k].set) {            /* another tag: join with U+001F */
		f->arena[f->len - 1] = '\x1f';
		f->s[k].len += 1 + n;
	} else {
		f->s[k].off = f->len;
		f->s[k].len = n;
		f->s[k].set = 1;
	}
	memcpy(f->arena + f->len, f->ev.data.scalar.value, n);
	f->len += n;
	f->arena[f->len++] = '\0';
}

/* Consumes the node starting at the current event. */
static void skip(floor_t *f)
{
	int depth = 0;
	do {
		switch (f->ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (depth)
			next(f);
	} while (depth);
}

static int lookup(const char *const *names, int n, const yaml_event_t *ev)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], (const char *)ev->data.scalar.value))
			return i;
	return -1;
}

static void bind(floor_t *f, sqlite3_stmt *st, int col, int k)
{
	if (f->s[k].set)
		sqlite3_bind_text(st, col, f->arena + f->s[k].off,
				  (int)f->s[k].len, SQLITE_STATIC);
	else if (k >= K_S_TITLE && !f->s[K_S_TITLE].set &&
		 f->fsrc[k - K_S_TITLE])
		sqlite3_bind_text(st, col, f->fsrc[k - K_S_TITLE], -1,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

static void quote(floor_t *f, sqlite3 *db)
{
	f->len = 0;
	memset(f->s, 0, sizeof f->s);
	for (;;) {
		next(f);
		if (f->ev.type == YAML_MAPPING_END_EVENT)
			break;
		int k = lookup(keys, K_TAGS, &f->ev);
		int tags = !strcmp((const char *)f->ev.data.scalar.value,
				   "tags");
		int source = !strcmp((const char *)f->ev.data.scalar.value,
				     "source");
		next(f);
		if (k >= 0) {
			keep(f, k);
		} else if (tags) {
			for (next(f); f->ev.type != YAML_SEQUENCE_END_EVENT;
			     next(f))
				keep(f, K_TAGS);
		} else if (source) {
			for (next(f); f->ev.type != YAML_MAPPING_END_EVENT;
			     next(f)) {
				int sk = lookup(skeys, 5, &f->ev);
				next(f);
				if (sk >= 0)
					keep(f, K_S_TITLE + sk);
			}
		} else {
			skip(f);
		}
	}
	sqlite3_reset(f->ins);
	for (int k = 0; k < NK; k++)
		bind(f, f->ins, k + 1, k);
	if (sqlite3_step(f->ins) != SQLITE_DONE)
		fail("insert", sqlite3_errmsg(db));
	if (f->fts) {
		sqlite3_reset(f->fts);
		sqlite3_bind_int64(f->fts, 1, sqlite3_last_insert_rowid(db));
		bind(f, f->fts, 2, K_TEXT);
		bind(f, f->fts, 3, K_CONTEXT);
		if (sqlite3_step(f->fts) != SQLITE_DONE)
			fail("index", sqlite3_errmsg(db));
	}
	f->quotes++;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail(sql, msg ? msg : "error");
}

int main(int argc, char **argv)
{
	int fts = argc > 1 && !strcmp(argv[1], "--fts");
	int rebuild = argc > 1 && !strcmp(argv[1], "--fts-rebuild");
	int opt = fts || rebuild;
	if (argc != 3 + opt) {
		fprintf(stderr, "usage: floor_import [--fts | --fts-rebuild] "
			"DB FILE\n");
		return 2;
	}
	const char *dbpath = argv[1 + opt], *path = argv[2 + opt];
	sqlite3 *db;
	if (sqlite3_open(dbpath, &db) != SQLITE_OK)
		fail(dbpath, sqlite3_errmsg(db));
	exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	     "CREATE TABLE quotes (qid INTEGER PRIMARY KEY, id TEXT, text TEXT,"
	     " speaker TEXT, role TEXT, date TEXT, date_text TEXT, outlet TEXT,"
	     " programme TEXT, occasion TEXT, reported_by TEXT, locator TEXT,"
	     " language TEXT, translated TEXT, context TEXT, tags TEXT,"
	     " source_title TEXT, source_author TEXT, source_date TEXT,"
	     " source_url TEXT, source_file TEXT)");
	if (opt)
		exec(db, "CREATE VIRTUAL TABLE quotes_fts USING fts5(text, "
		     "context, content='quotes', content_rowid='qid', "
		     "tokenize='porter unicode61 remove_diacritics 2')");
	floor_t f;
	memset(&f, 0, sizeof f);
	if (sqlite3_prepare_v2(db, "INSERT INTO quotes (id, text, speaker, "
			       "role, date, date_text, outlet, programme, "
			       "occasion, reported_by, locator, language, "
			       "translated, context, tags, source_title, "
			       "source_author, source_date, source_url, "
			       "source_file) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,"
			       "?,?,?,?,?,?,?)", -1, &f.ins, NULL) != SQLITE_OK)
		fail("prepare", sqlite3_errmsg(db));
	if (fts && sqlite3_prepare_v2(db, "INSERT INTO quotes_fts (rowid, "
				      "text, context) VALUES (?,?,?)", -1,
				      &f.fts, NULL) != SQLITE_OK)
		fail("prepare", sqlite3_errmsg(db));
	FILE *in = fopen(path, "rb");
	if (!in)
		fail(path, "cannot open");
	yaml_parser_initialize(&f.p);
	yaml_parser_set_input_file(&f.p, in);
	exec(db, "BEGIN IMMEDIATE");
	/* stream, document, the top mapping */
	next(&f);
	next(&f);
	next(&f);
	for (;;) {
		next(&f);
		if (f.ev.type != YAML_SCALAR_EVENT)
			break;
		const char *k = (const char *)f.ev.data.scalar.value;
		int is_quotes = !strcmp(k, "quotes");
		int is_source = !strcmp(k, "source");
		next(&f);
		if (is_quotes) {
			for (next(&f); f.ev.type == YAML_MAPPING_START_EVENT;
			     next(&f))
				quote(&f, db);
		} else if (is_source) {
			for (next(&f); f.ev.type != YAML_MAPPING_END_EVENT;
			     next(&f)) {
				int sk = lookup(skeys, 5, &f.ev);
				next(&f);
				if (sk >= 0 && !(f.fsrc[sk] = strdup(
					(const char *)f.ev.data.scalar.value)))
					fail("memory", "out of memory");
			}
		} else {
			skip(&f);
		}
	}
	if (rebuild)
		exec(db, "INSERT INTO quotes_fts(quotes_fts) VALUES('rebuild')");
	exec(db, "COMMIT");
	yaml_event_delete(&f.ev);
	yaml_parser_delete(&f.p);
	fclose(in);
	sqlite3_finalize(f.ins);
	sqlite3_finalize(f.fts);
	if (sqlite3_close(db) != SQLITE_OK)
		fail("close", "statements left open");
	for (int i = 0; i < 5; i++)
		free(f.fsrc[i]);
	free(f.arena);
	fprintf(stderr, "floor_import: %ld quotes\n", f.quotes);
	return 0;
}
