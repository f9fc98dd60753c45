/*
 * cursor.c: selecting quotes.  A qdb_filter becomes one SQL statement made
 * of fixed fragments with every value bound, and the cursor walks its rows
 * one at a time: a quote lent by qdb_cursor_next points into SQLite's row,
 * so memory stays flat however many quotes the walk passes.
 */
#include "internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct qdb_cursor {
	qdb *db;
	sqlite3_stmt *st;
	int searching;
	int done;                /* stepping past the end would restart */
	qdb_quote q;
	qdb_buf tagbuf;          /* the current row's tags, NUL-separated */
	qdb_str *tags;
	size_t tagcap;
};

#define FROM_JOINS \
	" FROM quotes q JOIN speakers s ON s.id = q.speaker_id" \
	" LEFT JOIN outlets o ON o.id = q.outlet_id" \
	" LEFT JOIN sources src ON src.id = q.source_id"

#define FROM_SPEAKERS_FIRST \
	" FROM speakers s CROSS JOIN quotes q ON s.id = q.speaker_id" \
	" LEFT JOIN outlets o ON o.id = q.outlet_id" \
	" LEFT JOIN sources src ON src.id = q.source_id"

/* Values to bind, in the order their '?' appear in the SQL: room for
 * every filter full at once (the names twice: name and alias; a source
 * three times: title, text, YAML file), the search, the dates and the
 * limit.  Each filter takes QDB_MAX_FILTER_VALUES, as the man page says,
 * whatever the others. */
#define MAX_BINDS (1 + 11 * QDB_MAX_FILTER_VALUES + 4)
typedef struct binds {
	const char *v[MAX_BINDS];
	int32_t ints[4];
	int kind[MAX_BINDS];     /* 0 text, 1 int index into ints, 2 json */
	int n, nints;
	qdb_buf json;            /* a long id list, as a JSON array */
} binds;

/* The statement being built.  An append that fails for want of memory
 * leaves its fragment out, and what remains can still be valid SQL: a
 * filter gone, the ORDER BY gone, or a '?' bound to another filter's
 * value.  qdb_buf remembers the failure, and such a statement is never
 * prepared. */
static void add(qdb_buf *sql, const char *frag)
{
	(void)qdb__buf_addstr(sql, frag);
}

/* Appends head, one '?' per value of l, then tail. */
static int add_values(qdb_buf *sql, binds *b, const qdb_strlist *l,
		      const char *head, const char *tail)
{
	if (l->n > QDB_MAX_FILTER_VALUES || b->n + (int)l->n > MAX_BINDS - 4)
		return QDB_EINVALID;
	add(sql, head);
	for (size_t i = 0; i < l->n; i++) {
		add(sql, i ? ",?" : "?");
		b->kind[b->n] = 0;
		b->v[b->n++] = l->v[i];
	}
	add(sql, tail);
	return 0;
}

/* One filter: " AND head ?,?,... tail", nothing when l is empty. */
static int add_list(qdb_buf *sql, binds *b, const qdb_strlist *l,
		    const char *head, const char *tail)
{
	if (!l->n)
		return 0;
	add(sql, " AND ");
	return add_values(sql, b, l, head, tail);
}

static void add_int(qdb_buf *sql, binds *b, const char *frag, int32_t v)
{
	add(sql, frag);
	b->kind[b->n] = 1;
	b->v[b->n++] = NULL;
	b->ints[b->nints++] = v;
}

/* The columns a row is read from: one per field of the table, in its
 * order, then the date's range (next() reads them in the same order). */
static void add_columns(qdb_buf *sql)
{
	for (size_t i = 0; i < qdb__nfields; i++) {
		add(sql, i ? ", " : "");
		add(sql, qdb__fields[i].column);
	}
	add(sql, ", q.date_lo, q.date_hi");
}

/* SELECT ... FROM ...: what the statement reads and how it walks. */
static void add_select(qdb_buf *sql, const qdb_filter *f, int counting)
{
	if (counting) {
		add(sql, "SELECT count(*)");
	} else {
		add(sql, "SELECT ");
		add_columns(sql);
		if (f->search)
			add(sql, ", snippet(quotes_fts, 0, char(2), char(3), "
			    "'…', 16)");
	}
	if (f->sort == QDB_SORT_SPEAKER && !f->search && !counting)
		/* Speakers in sort order from their index, each one's quotes
		 * from quotes_speaker: only each speaker's rows are sorted,
		 * not every row of the collection at once (a fifth faster at
		 * 100,000 quotes, and the sorter never spills to disk). */
		add(sql, FROM_SPEAKERS_FIRST);
	else
		add(sql, FROM_JOINS);
	if (f->search)
		add(sql, " JOIN quotes_fts ON quotes_fts.rowid = q.qid");
}

/*
 * A list of ids longer than a statement's values allow (the ids a
 * manuscript cites: quotedb export --cited-in) as one value, a JSON
 * array that json_each reads, however many there are.
 */
static int add_json_ids(qdb_buf *sql, binds *b, const qdb_strlist *l)
{
	static const char hex[] = "0123456789abcdef";
	qdb_buf *j = &b->json;
	if (b->n >= 200)
		return QDB_EINVALID;
	add(sql, " AND q.id IN (SELECT value FROM json_each(?))");
	(void)qdb__buf_add(j, "[", 1);
	for (size_t i = 0; i < l->n; i++) {
		(void)qdb__buf_add(j, i ? ",\"" : "\"", i ? 2 : 1);
		for (const unsigned char *p = (const unsigned char *)l->v[i];
		     *p; p++) {
			char e[6] = { '\\', 'u', '0', '0', hex[*p >> 4],
				      hex[*p & 15] };
			/* \" and \\; a control character \u00XX */
			if (*p == '"' || *p == '\\')
				(void)qdb__buf_add(j, e, 1);
			if (*p < 0x20)
				(void)qdb__buf_add(j, e, 6);
			else
				(void)qdb__buf_add(j, (const char *)p, 1);
		}
		(void)qdb__buf_add(j, "\"", 1);
	}
	(void)qdb__buf_add(j, "]", 1);
	b->kind[b->n++] = 2;
	return 0;
}

/* The filters on names, tags and ids; QDB_EINVALID when there are more
 * values than a statement takes. */
static int add_filters(qdb_buf *sql, binds *b, const qdb_filter *f)
{
	int rc = 0;
	add(sql, " WHERE 1");
	if (f->search) {
		add(sql, " AND quotes_fts MATCH ?");
		b->kind[b->n] = 0;
		b->v[b->n++] = f->search;
	}
	if (f->ids.n > 64)
		rc |= add_json_ids(sql, b, &f->ids);
	else
		rc |= add_list(sql, b, &f->ids, "q.id IN (", ")");
	/* Names resolve through the alias tables, whose columns compare
	 * without case, so --speaker kirby finds John Kirby. */
	if (f->speakers.n) {
		rc |= add_list(sql, b, &f->speakers, "q.speaker_id IN (SELECT "
			       "id FROM speakers WHERE name IN (", ")");
		rc |= add_values(sql, b, &f->speakers, " UNION SELECT "
				 "speaker_id FROM speaker_aliases WHERE alias "
				 "IN (", "))");
	}
	if (f->outlets.n) {
		rc |= add_list(sql, b, &f->outlets, "q.outlet_id IN (SELECT "
			       "id FROM outlets WHERE name IN (", ")");
		rc |= add_values(sql, b, &f->outlets, " UNION SELECT "
				 "outlet_id FROM outlet_aliases WHERE alias "
				 "IN (", "))");
	}
	rc |= add_list(sql, b, &f->reported_by,
		       "q.reported_by COLLATE NOCASE IN (", ")");
	/* Tags without case too, through quote_tags_nocase. */
	rc |= add_list(sql, b, &f->tags, "q.qid IN (SELECT qid FROM "
		       "quote_tags WHERE tag COLLATE NOCASE IN (", "))");
	rc |= add_list(sql, b, &f->languages,
		       "q.language COLLATE NOCASE IN (", ")");
	/* A source by its title or its text's path, or the YAML file. */
	if (f->sources.n) {
		rc |= add_list(sql, b, &f->sources, "(q.source_id IN (SELECT "
			       "id FROM sources WHERE title IN (", ")");
		rc |= add_values(sql, b, &f->sources, " OR file IN (", "))");
		rc |= add_values(sql, b, &f->sources, " OR q.file_id IN "
				 "(SELECT id FROM files WHERE path IN (",
				 ")))");
	}
	return rc ? QDB_EINVALID : 0;
}

/* --from and --to: the quotes whose day range overlaps [from, to], or
 * lies inside it with strict_dates.  A message on db when one is bad. */
static int add_dates(qdb_buf *sql, binds *b, qdb *db, const qdb_filter *f)
{
	int32_t flo = 0, fhi = QDB_DATE_OPEN_HI, tlo, thi;
	qdb_error err = { 0 };
	/* err.text quotes the date already. */
	if (f->from && qdb_date_parse(&flo, &fhi, f->from, strlen(f->from),
				      &err))
		return qdb__fail(db, QDB_EINVALID, "--from: %s", err.text);
	if (f->to && qdb_date_parse(&tlo, &thi, f->to, strlen(f->to), &err))
		return qdb__fail(db, QDB_EINVALID, "--to: %s", err.text);
	if (f->from && f->to && flo > thi)
		return qdb__fail(db, QDB_EINVALID, "--from %s is after --to %s",
				 f->from, f->to);
	if (!f->from && !f->to)
		return 0;
	int32_t lo = f->from ? flo : 0, hi = f->to ? thi : QDB_DATE_OPEN_HI;
	if (f->strict_dates) {
		add_int(sql, b, " AND q.date_lo >= ?", lo);
		add_int(sql, b, " AND q.date_hi <= ?", hi);
	} else {
		/* Overlap: a quote dated 2023-10 is in 15-20 Oct. */
		add_int(sql, b, " AND q.date_lo <= ?", hi);
		add_int(sql, b, " AND q.date_hi >= ?", lo);
	}
	return 0;
}

/* ORDER BY and LIMIT. */
static int add_order(qdb_buf *sql, binds *b, qdb *db, const qdb_filter *f)
{
	static const char *const order[] = {
		[QDB_SORT_ADDED] = " ORDER BY q.qid",
		[QDB_SORT_DATE] = " ORDER BY q.date_lo IS NULL, q.date_lo,"
			" q.date_hi DESC, q.qid",
		/* the sort key (sort_as, else the name), as speakers_sort
		 * (schema.c) has it, so the speakers come from that index */
		[QDB_SORT_SPEAKER] = " ORDER BY coalesce(s.sort_as, s.name)"
			" COLLATE NOCASE, s.name, q.date_lo IS NULL,"
			" q.date_lo, q.date_hi DESC, q.qid",
		[QDB_SORT_OUTLET] = " ORDER BY o.name IS NULL, o.name,"
			" q.date_lo IS NULL, q.date_lo, q.date_hi DESC,"
			" q.qid",
		/* rank alone: FTS5 then yields rows best first, so a LIMIT
		 * stops early and snippets are made only for the rows
		 * returned.  A tie-breaker here would sort every match (and
		 * snippet it) first. */
		[QDB_SORT_RANK] = " ORDER BY quotes_fts.rank",
		/* src.id after the title: two sources of one title stay
		 * apart, each one's quotes together */
		[QDB_SORT_SOURCE] = " ORDER BY src.title IS NULL, src.title,"
			" src.id, q.locator, q.date_lo IS NULL, q.date_lo,"
			" q.date_hi DESC, q.qid",
	};
	qdb_sort s = f->sort;
	if ((unsigned)s > QDB_SORT_SOURCE)
		return qdb__fail(db, QDB_EINVALID, "unknown sort order");
	if (s == QDB_SORT_RANK && !f->search)
		s = QDB_SORT_ADDED;
	add(sql, order[s]);
	if (f->limit > 0)
		add_int(sql, b, " LIMIT ?", (int32_t)(f->limit > INT32_MAX
						     ? INT32_MAX : f->limit));
	return 0;
}

/* ---- the words of a search ------------------------------------------ */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\f' || c == '\v';
}

/* s[0, n) as an FTS5 string: in double quotes, a quote doubled.  FTS5
 * tokenizes a string as it does the text, so punctuation in it only
 * separates words ("kind-hearted" is the phrase kind hearted) and can
 * never be read as syntax (a '-' as a column filter, a '#' or an
 * apostrophe as an error). */
static void add_fts_string(qdb_buf *q, const char *s, size_t n)
{
	(void)qdb__buf_add(q, "\"", 1);
	for (size_t i = 0; i < n; i++)
		(void)qdb__buf_add(q, s[i] == '"' ? "\"\"" : s + i,
				   s[i] == '"' ? 2 : 1);
	(void)qdb__buf_add(q, "\"", 1);
}

/* The FTS5 query for a user's words: each word an FTS5 string, "a
 * phrase" (to the next '"' or the end) one string, a '*' at the end of a
 * word a prefix query, all of them to match (FTS5's implicit AND).
 * QDB_EINVALID when there is no word at all: FTS5 would call an empty
 * query a syntax error. */
static int words_query(qdb_buf *q, qdb *db, const char *s)
{
	while (*s) {
		if (is_space(*s)) {
			s++;
			continue;
		}
		const char *start, *end;
		int prefix = 0;
		if (*s == '"') {
			start = ++s;
			end = strchr(s, '"');
			if (!end)
				end = s + strlen(s);
			s = *end ? end + 1 : end;
		} else {
			start = s;
			while (*s && !is_space(*s) && *s != '"')
				s++;
			end = s;
			while (end > start && end[-1] == '*') {
				prefix = 1;
				end--;
			}
		}
		if (end == start)
			continue;
		if (q->len)
			(void)qdb__buf_add(q, " ", 1);
		add_fts_string(q, start, (size_t)(end - start));
		if (prefix)
			(void)qdb__buf_add(q, "*", 1);
	}
	if (q->failed) {
		qdb__buf_free(q);
		return qdb__fail(db, QDB_ENOMEM, "out of memory");
	}
	if (!q->len)
		return qdb__fail(db, QDB_EINVALID, "no words to search for");
	return 0;
}

/* An FTS5 query SQLite refused, said in quotedb's words: the "fts5: "
 * prefix goes, and the column filter a bare '-' or ':' makes is named
 * for what it is. */
static int query_error(qdb *db)
{
	const char *m = sqlite3_errmsg(db->sql);
	static const char column[] = "no such column: ";
	if (!strncmp(m, "fts5: ", 6))
		m += 6;
	if (!strncmp(m, column, sizeof column - 1))
		return qdb__fail(db, QDB_EINVALID, "full-text query: '%s' is "
				 "read as a column, and there are only text "
				 "and context; put a word with '-' or ':' in "
				 "double quotes", m + sizeof column - 1);
	return qdb__fail(db, QDB_EINVALID, "full-text query: %s", m);
}

/* ---- filters that name nothing --------------------------------------- */

/*
 * The filters whose values name things in the database.  A value that
 * names nothing there is a mistake, most often a typo, and is told
 * apart from a filter that selects no quotes: exists has a row when ?1
 * names one (as the filter compares it, without case), and names lists
 * every name, for the closest one to suggest.  A new filter of this kind
 * (a source, say) is one more row.
 */
static const struct name_check {
	size_t list;            /* offsetof the qdb_strlist in qdb_filter */
	const char *option;     /* the filter's name in messages */
	const char *what;
	const char *exists;
	const char *names;
} name_checks[] = {
	{ offsetof(qdb_filter, speakers), "speaker", "speaker or alias",
	  "SELECT 1 FROM speakers WHERE name = ?1 UNION ALL SELECT 1 FROM "
	  "speaker_aliases WHERE alias = ?1 LIMIT 1",
	  "SELECT name FROM speakers UNION ALL SELECT alias FROM "
	  "speaker_aliases" },
	{ offsetof(qdb_filter, outlets), "outlet", "outlet or alias",
	  "SELECT 1 FROM outlets WHERE name = ?1 UNION ALL SELECT 1 FROM "
	  "outlet_aliases WHERE alias = ?1 LIMIT 1",
	  "SELECT name FROM outlets UNION ALL SELECT alias FROM "
	  "outlet_aliases" },
	{ offsetof(qdb_filter, tags), "tag", "tag",
	  "SELECT 1 FROM quote_tags WHERE tag = ?1 COLLATE NOCASE LIMIT 1",
	  "SELECT DISTINCT tag FROM quote_tags" },
};

/* s in lower case (ASCII letters), cut to fit; into buf of size n. */
static const char *lower(char *buf, size_t n, const char *s)
{
	size_t i = 0;
	for (; s[i] && i + 1 < n; i++)
		buf[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
	buf[i] = '\0';
	return buf;
}

/* The name closest to word among those chk->names lists, walked one row
 * at a time so that memory does not grow with them: one that holds the
 * word (Zelensky in Volodymyr Zelenskyy), else the nearest by edit
 * distance, case ignored, at most a third of the word away.  *out is
 * the caller's (free), NULL when none is close. */
static int closest_name(char **out, qdb *db, const struct name_check *chk,
			const char *word)
{
	sqlite3_stmt *st;
	char lw[72], lbest[72] = "", lcand[72];
	size_t max = strlen(word) / 3 > 2 ? strlen(word) / 3 : 2;
	int holds_best = 0;
	*out = NULL;
	int rc = qdb__prepare(&st, db, chk->names);
	if (rc)
		return rc;
	lower(lw, sizeof lw, word);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (!name)
			continue;
		lower(lcand, sizeof lcand, name);
		int holds = strlen(word) >= 3 && strstr(lcand, lw) != NULL;
		const char *pair[2] = { *out ? lbest : NULL, lcand };
		int better = holds ? !holds_best || strlen(name) <
			strlen(*out) : !holds_best &&
			qdb_suggest(lw, pair, 2, max) == lcand;
		if (!better)
			continue;
		char *copy = malloc(strlen(name) + 1);
		if (!copy) {
			rc = SQLITE_NOMEM;
			break;
		}
		strcpy(copy, name);
		free(*out);
		*out = copy;
		holds_best = holds;
		memcpy(lbest, lcand, sizeof lbest);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		return rc == SQLITE_NOMEM ? qdb__fail(db, QDB_ENOMEM,
						      "out of memory")
			: qdb__fail_sql(db, "names");
	}
	return 0;
}

/* QDB_ENOTFOUND, with a did-you-mean, when a value of a name filter
 * names nothing in the database. */
static int check_names(qdb *db, const qdb_filter *f)
{
	for (size_t i = 0; i < sizeof name_checks / sizeof name_checks[0];
	     i++) {
		const struct name_check *chk = &name_checks[i];
		const qdb_strlist *l = (const qdb_strlist *)(const void *)
			((const char *)f + chk->list);
		if (!l->n)
			continue;
		sqlite3_stmt *st;
		int rc = qdb__prepare(&st, db, chk->exists);
		if (rc)
			return rc;
		for (size_t k = 0; k < l->n; k++) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, l->v[k], -1, SQLITE_STATIC);
			int s = sqlite3_step(st);
			if (s == SQLITE_ROW)
				continue;
			sqlite3_finalize(st);
			if (s != SQLITE_DONE)
				return qdb__fail_sql(db, "names");
			char *best;
			if ((rc = closest_name(&best, db, chk, l->v[k])))
				return rc;
			if (best)
				rc = qdb__fail(db, QDB_ENOTFOUND, "--%s '%s' "
					       "names no %s in the database; "
					       "did you mean '%s'?",
					       chk->option, l->v[k], chk->what,
					       best);
			else
				rc = qdb__fail(db, QDB_ENOTFOUND, "--%s '%s' "
					       "names no %s in the database",
					       chk->option, l->v[k], chk->what);
			free(best);
			return rc;
		}
		sqlite3_finalize(st);
	}
	return 0;
}

/* ---- the statement --------------------------------------------------- */

/* Builds the statement for f (NULL: every quote), with every value
 * bound; counting selects count(*) instead of the rows. */
static int build(sqlite3_stmt **out, qdb *db, const qdb_filter *in,
		 int counting, int *searching)
{
	qdb_filter f = QDB_FILTER_INIT;
	qdb_error err = { 0 };
	if (in && qdb__versioned(&f, sizeof f, in, in->size,
				 QDB_FILTER_SIZE_0_1, "qdb_filter", &err))
		return qdb__fail(db, QDB_EINVALID, "%s", err.text);
	qdb_buf words = { 0 };
	if (f.search && !f.search_fts) {
		int rc = words_query(&words, db, f.search);
		if (rc)
			return rc;
		f.search = words.data;
	}
	int rc = check_names(db, &f);
	if (rc) {
		qdb__buf_free(&words);
		return rc;
	}
	qdb_buf sql = { 0 };
	binds b;
	b.n = b.nints = 0;
	memset(&b.json, 0, sizeof b.json);
	*searching = f.search != NULL;
	add_select(&sql, &f, counting);
	rc = add_filters(&sql, &b, &f);
	if (rc)
		rc = qdb__fail(db, QDB_EINVALID, "too many values for one "
			       "filter (%d at most)", QDB_MAX_FILTER_VALUES);
	if (!rc)
		rc = add_dates(&sql, &b, db, &f);
	if (!rc && !counting)
		rc = add_order(&sql, &b, db, &f);
	if (!rc && (sql.failed || b.json.failed))
		rc = qdb__fail(db, QDB_ENOMEM, "out of memory");
	int prepared = 0;
	if (!rc)
		prepared = !(rc = qdb__prepare(out, db, sql.data));
	qdb__buf_free(&sql);
	/* The caller's strings are bound in place; the query made of the
	 * words is this call's, so SQLite keeps a copy. */
	for (int i = 0, k = 0; !rc && i < b.n; i++) {
		if (b.kind[i] == 1)
			sqlite3_bind_int(*out, i + 1, b.ints[k++]);
		else if (b.kind[i] == 2 &&
			 /* a copy: the array is freed below */
			 sqlite3_bind_text(*out, i + 1, b.json.data, -1,
					   SQLITE_TRANSIENT) != SQLITE_OK)
			rc = qdb__fail(db, QDB_ENOMEM, "out of memory");
		else if (b.kind[i] == 2)
			continue;
		else
			sqlite3_bind_text(*out, i + 1, b.v[i], -1,
					  words.data && b.v[i] == words.data
					  ? SQLITE_TRANSIENT : SQLITE_STATIC);
	}
	qdb__buf_free(&words);
	qdb__buf_free(&b.json);
	if (rc && prepared) {
		sqlite3_finalize(*out);
		*out = NULL;
	}
	return rc;
}

int qdb__cursor_plan(char **out, qdb *db, const qdb_filter *f)
{
	if (!out || !db)
		return QDB_EINVALID;
	*out = NULL;
	sqlite3_stmt *st;
	int searching;
	int rc = build(&st, db, f, 0, &searching);
	if (rc)
		return rc;
	char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqlite3_sql(st));
	sqlite3_finalize(st);
	if (!sql)
		return qdb__fail(db, QDB_ENOMEM, "out of memory");
	rc = qdb__prepare(&st, db, sql);
	sqlite3_free(sql);
	if (rc)
		return rc;
	qdb_buf b = { 0 };
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 3);
		if (qdb__buf_addstr(&b, d ? d : "") ||
		    qdb__buf_add(&b, "\n", 1))
			rc = qdb__fail(db, QDB_ENOMEM, "out of memory");
	}
	sqlite3_finalize(st);
	if (!rc && !b.data && qdb__buf_add(&b, "", 0))
		rc = qdb__fail(db, QDB_ENOMEM, "out of memory");
	if (rc) {
		qdb__buf_free(&b);
		return rc;
	}
	*out = b.data;
	return 0;
}

int qdb_cursor_open(qdb_cursor **out, qdb *db, const qdb_filter *f)
{
	if (!out || !db)
		return QDB_EINVALID;
	*out = NULL;
	qdb_cursor *c = calloc(1, sizeof *c);
	if (!c)
		return qdb__fail(db, QDB_ENOMEM, "out of memory");
	int rc = build(&c->st, db, f, 0, &c->searching);
	if (rc) {
		free(c);
		return rc;
	}
	c->db = db;
	*out = c;
	qdb__ok(db);
	return 0;
}

/* Splits the row's U+001F-joined tags into c->tags. */
static int load_tags(qdb_cursor *c, qdb_str joined)
{
	c->q.tags = NULL;
	c->q.ntags = 0;
	if (!joined.ptr)
		return 0;
	c->tagbuf.len = 0;
	if (qdb__buf_add(&c->tagbuf, joined.ptr, joined.len))
		return QDB_ENOMEM;
	size_t n = 1;
	for (size_t i = 0; i < joined.len; i++)
		n += joined.ptr[i] == '\x1f';
	if (n > c->tagcap) {
		qdb_str *t = realloc(c->tags, n * sizeof *t);
		if (!t)
			return QDB_ENOMEM;
		c->tags = t;
		c->tagcap = n;
	}
	char *p = c->tagbuf.data, *end = p + joined.len;
	for (size_t k = 0; k < n; k++) {
		char *sep = memchr(p, '\x1f', (size_t)(end - p));
		if (!sep)
			sep = end;
		*sep = '\0';
		c->tags[k].ptr = p;
		c->tags[k].len = (size_t)(sep - p);
		p = sep + 1;
	}
	c->q.tags = c->tags;
	c->q.ntags = n;
	return 0;
}

int qdb_cursor_next(const qdb_quote **out, qdb_cursor *c)
{
	if (!out || !c)
		return QDB_EINVALID;
	*out = NULL;
	if (c->done)
		return QDB_ITEROVER;
	int s = sqlite3_step(c->st);
	if (s == SQLITE_DONE) {
		c->done = 1;
		return QDB_ITEROVER;
	}
	if (s != SQLITE_ROW) {
		if (c->searching && (sqlite3_errcode(c->db->sql) & 0xff) ==
		    SQLITE_ERROR)
			return query_error(c->db);
		return qdb__fail_sql(c->db, "read");
	}
	qdb_quote *q = &c->q;
	memset(q, 0, sizeof *q);
	q->size = sizeof *q;
	int col = 0;
	for (size_t i = 0; i < qdb__nfields; i++, col++) {
		const qdb_field *f = &qdb__fields[i];
		if (f->kind == QDB_FIELD_TAGS) {
			qdb_str tags;
			qdb__column_str(&tags, c->st, col);
			if (load_tags(c, tags))
				return qdb__fail(c->db, QDB_ENOMEM,
						 "out of memory");
			continue;
		}
		qdb__column_str((qdb_str *)(void *)((char *)q + f->offset),
				c->st, col);
	}
	q->date_lo = sqlite3_column_int(c->st, col);
	q->date_hi = sqlite3_column_int(c->st, col + 1);
	*out = q;
	return 0;
}

const char *qdb_cursor_snippet(qdb_cursor *c)
{
	if (!c || !c->searching)
		return NULL;
	/* After the fields and the date's range (add_select). */
	return (const char *)sqlite3_column_text(c->st,
						 (int)qdb__nfields + 2);
}

void qdb_cursor_free(qdb_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st);
	qdb__buf_free(&c->tagbuf);
	free(c->tags);
	free(c);
}

int qdb_foreach(qdb *db, const qdb_filter *f, qdb_quote_cb cb, void *payload)
{
	if (!db || !cb)
		return QDB_EINVALID;
	qdb_cursor *c;
	int rc = qdb_cursor_open(&c, db, f);
	if (rc)
		return rc;
	const qdb_quote *q;
	while ((rc = qdb_cursor_next(&q, c)) == 0) {
		if ((rc = cb(q, payload)) != 0)
			break;
	}
	qdb_cursor_free(c);
	if (rc == QDB_ITEROVER) {
		qdb__ok(db);
		rc = 0;
	}
	return rc;
}

int qdb_count(int64_t *out, qdb *db, const qdb_filter *f)
{
	if (!out || !db)
		return QDB_EINVALID;
	sqlite3_stmt *st;
	int searching;
	int rc = build(&st, db, f, 1, &searching);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		qdb__ok(db);
	} else {
		rc = searching && (sqlite3_errcode(db->sql) & 0xff) ==
			SQLITE_ERROR ? query_error(db)
			: qdb__fail_sql(db, "count");
	}
	sqlite3_finalize(st);
	return rc;
}
