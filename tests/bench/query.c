/*
 * query.c: times searches and filters inside one process, so process
 * start-up and opening the database are not measured.
 *
 *  search: 100 fixed two-word phrases (corpus.c), the top 20 by rank with
 *    their rows: qdb_cursor_open with filter.search, sort by rank and
 *    limit 20, walked to the end (every field and the snippet touched).
 *  raw:    the same phrases straight through FTS5 on a second connection:
 *    a prepared "SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?
 *    ORDER BY rank LIMIT 20", then each row fetched with the cursor's
 *    columns and joins by a prepared statement.
 *  filter: 100 fixed speaker plus date-range filters (the speaker's name,
 *    --from and --to a few months apart), every matching quote walked.
 *
 * Each query runs once to warm up, then PASSES times; a query's time is
 * the median of its passes, and the figures are percentiles over the 100
 * queries.  Prints JSON on stdout.
 *
 * Usage: query DB [PASSES]
 */
#include "corpus.h"
#include "quotedb.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NQ 100
#define MAXPASS 50

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of n values (sorted in place). */
static double pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	int k = (int)(p / 100.0 * n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static volatile size_t sink;   /* keeps the touched bytes alive */

static void touch(const qdb_quote *q)
{
	const qdb_str *f[] = { &q->id, &q->text, &q->speaker, &q->date,
		&q->outlet, &q->source, &q->context };
	size_t s = 0;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (f[i]->ptr)
			s += f[i]->len + (unsigned char)f[i]->ptr[0];
	sink += s;
}

typedef struct query {
	char phrase[64];
	char speaker[96], from[16], to[16];
	double t[MAXPASS];
	long rows;
} query;

static void die_db(qdb *db, const char *what)
{
	fprintf(stderr, "query: %s: %s\n", what, qdb_errmsg(db));
	exit(1);
}

static void die_sql(sqlite3 *db, const char *what)
{
	fprintf(stderr, "query: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

/* Our search: the top 20 by rank with their rows. */
static long run_ours(qdb *db, const char *phrase)
{
	qdb_filter f = QDB_FILTER_INIT;
	f.search = phrase;
	f.sort = QDB_SORT_RANK;
	f.limit = 20;
	qdb_cursor *c;
	if (qdb_cursor_open(&c, db, &f))
		die_db(db, phrase);
	const qdb_quote *q;
	long n = 0;
	int rc;
	while ((rc = qdb_cursor_next(&q, c)) == 0) {
		touch(q);
		const char *s = qdb_cursor_snippet(c);
		sink += s ? strlen(s) : 0;
		n++;
	}
	if (rc != QDB_ITEROVER)
		die_db(db, phrase);
	qdb_cursor_free(c);
	return n;
}

static sqlite3_stmt *raw_match, *raw_row, *raw_count, *raw_speaker;

static long run_raw(sqlite3 *db, const char *phrase)
{
	sqlite3_int64 ids[20];
	int n = 0;
	sqlite3_reset(raw_match);
	sqlite3_bind_text(raw_match, 1, phrase, -1, SQLITE_STATIC);
	while (sqlite3_step(raw_match) == SQLITE_ROW && n < 20)
		ids[n++] = sqlite3_column_int64(raw_match, 0);
	for (int i = 0; i < n; i++) {
		sqlite3_reset(raw_row);
		sqlite3_bind_int64(raw_row, 1, ids[i]);
		if (sqlite3_step(raw_row) != SQLITE_ROW)
			die_sql(db, "row");
		size_t s = 0;
		for (int c = 0; c < sqlite3_column_count(raw_row); c++) {
			const unsigned char *t;
			if ((t = sqlite3_column_text(raw_row, c)))
				s += (size_t)sqlite3_column_bytes(raw_row, c)
					+ t[0];
		}
		sink += s;
	}
	return n;
}

static long run_filter(qdb *db, const query *qq)
{
	const char *names[1] = { qq->speaker };
	qdb_filter f = QDB_FILTER_INIT;
	f.speakers.v = names;
	f.speakers.n = 1;
	f.from = qq->from;
	f.to = qq->to;
	qdb_cursor *c;
	if (qdb_cursor_open(&c, db, &f))
		die_db(db, "filter");
	const qdb_quote *q;
	long n = 0;
	int rc;
	while ((rc = qdb_cursor_next(&q, c)) == 0) {
		touch(q);
		n++;
	}
	if (rc != QDB_ITEROVER)
		die_db(db, "filter");
	qdb_cursor_free(c);
	return n;
}

/* Per-query medians over the passes, then percentiles over queries. */
static void report(const char *name, query *qs, int passes, const double *ps,
		   int nps, int last)
{
	double med[NQ], tmp[MAXPASS], total = 0;
	long rows = 0;
	for (int i = 0; i < NQ; i++) {
		memcpy(tmp, qs[i].t, (size_t)passes * sizeof *tmp);
		med[i] = pct(tmp, passes, 50);
		total += med[i];
		rows += qs[i].rows;
	}
	printf("  \"%s\": {", name);
	for (int k = 0; k < nps; k++)
		printf("\"p%g_ms\": %.4f, ", ps[k], pct(med, NQ, ps[k]) * 1e3);
	printf("\"mean_ms\": %.4f, \"max_ms\": %.4f, \"rows\": %ld}%s\n",
	       total / NQ * 1e3, pct(med, NQ, 100) * 1e3, rows,
	       last ? "" : ",");
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: query DB [PASSES]\n");
		return 2;
	}
	int passes = argc == 3 ? atoi(argv[2]) : 5;
	if (passes < 1 || passes > MAXPASS)
		passes = 5;
	/* One connection per kind of query: each keeps its own page cache,
	 * so the filters do not evict what the searches read, and our search
	 * and raw FTS5 start from the same state. */
	qdb *db, *fdb;
	if (qdb_open(&db, argv[1], QDB_OPEN_READONLY))
		die_db(db, argv[1]);
	if (qdb_open(&fdb, argv[1], QDB_OPEN_READONLY))
		die_db(fdb, argv[1]);
	sqlite3 *raw;
	if (sqlite3_open_v2(argv[1], &raw, SQLITE_OPEN_READONLY, NULL))
		die_sql(raw, argv[1]);
	if (sqlite3_prepare_v2(raw, "SELECT rowid FROM quotes_fts WHERE "
			       "quotes_fts MATCH ? ORDER BY rank LIMIT 20", -1,
			       &raw_match, NULL) ||
	    sqlite3_prepare_v2(raw, "SELECT q.id, q.text, s.name, q.role, "
			       "q.date, q.date_text, o.name, q.programme, "
			       "q.occasion, q.reported_by, src.title, "
			       "src.author, src.date, src.url, src.file, "
			       "q.locator, q.language, q.translated, "
			       "q.original, q.context, "
			       "q.tags, q.date_lo, q.date_hi FROM quotes q "
			       "JOIN speakers s ON s.id = q.speaker_id "
			       "LEFT JOIN outlets o ON o.id = q.outlet_id "
			       "LEFT JOIN sources src ON src.id = q.source_id "
			       "WHERE q.qid = ?", -1, &raw_row, NULL) ||
	    sqlite3_prepare_v2(raw, "SELECT count(*) FROM quotes_fts WHERE "
			       "quotes_fts MATCH ?", -1, &raw_count, NULL) ||
	    sqlite3_prepare_v2(raw, "SELECT 1 FROM speakers WHERE name = ?",
			       -1, &raw_speaker, NULL))
		die_sql(raw, "prepare");

	static query s_ours[NQ], s_raw[NQ], s_filter[NQ];
	double matches[NQ];
	for (int i = 0; i < NQ; i++) {
		snprintf(s_ours[i].phrase, sizeof s_ours[i].phrase, "\"%s\"",
			 bench_phrases[bench_search_phrase((size_t)i)]);
		s_raw[i] = s_ours[i];
		sqlite3_reset(raw_count);
		sqlite3_bind_text(raw_count, 1, s_ours[i].phrase, -1,
				  SQLITE_STATIC);
		matches[i] = sqlite3_step(raw_count) == SQLITE_ROW
			? (double)sqlite3_column_int64(raw_count, 0) : 0;
		/* Speakers from the most to the least frequent, log-spaced;
		 * windows of one to six months. */
		double x = 1;
		for (int k = 0; k < i; k++)
			x *= 1.0888;   /* 1.0888^99 is about 4,500 */
		size_t rank = (size_t)x - 1;
		/* A small corpus lacks the rarest speakers (a filter naming
		 * no one is an error): the next more frequent one instead. */
		for (;; rank--) {
			bench_speaker_name(s_filter[i].speaker,
					   sizeof s_filter[i].speaker, rank);
			sqlite3_reset(raw_speaker);
			sqlite3_bind_text(raw_speaker, 1, s_filter[i].speaker,
					  -1, SQLITE_STATIC);
			if (rank == 0 ||
			    sqlite3_step(raw_speaker) == SQLITE_ROW)
				break;
		}
		int y = 2016 + i % 9, m = 1 + (i * 5) % 12;
		int m2 = m + i % 6, y2 = y + (m2 - 1) / 12;
		m2 = (m2 - 1) % 12 + 1;
		snprintf(s_filter[i].from, sizeof s_filter[i].from,
			 "%04d-%02d", y % 10000, m % 100);
		snprintf(s_filter[i].to, sizeof s_filter[i].to, "%04d-%02d",
			 y2 % 10000, m2 % 100);
	}

	/* Warm-up, then the passes, the three kinds interleaved so that a
	 * slow moment of the machine hits all of them alike. */
	for (int p = -1; p < passes; p++) {
		for (int i = 0; i < NQ; i++) {
			double t0 = now();
			long n = run_ours(db, s_ours[i].phrase);
			double t1 = now();
			long m = run_raw(raw, s_raw[i].phrase);
			double t2 = now();
			long k = run_filter(fdb, &s_filter[i]);
			double t3 = now();
			if (p < 0) {
				s_ours[i].rows = n;
				s_raw[i].rows = m;
				s_filter[i].rows = k;
				if (n != m) {
					fprintf(stderr, "query: %s: %ld rows, "
						"raw FTS5 %ld\n",
						s_ours[i].phrase, n, m);
					return 1;
				}
				continue;
			}
			s_ours[i].t[p] = t1 - t0;
			s_raw[i].t[p] = t2 - t1;
			s_filter[i].t[p] = t3 - t2;
		}
	}
	const double sp[] = { 50, 90 }, fp[] = { 50, 90, 99 };
	printf("{\n  \"passes\": %d,\n  \"queries\": %d,\n", passes, NQ);
	printf("  \"search_matches\": {\"p50\": %.0f, \"p90\": %.0f, "
	       "\"max\": %.0f},\n", pct(matches, NQ, 50), pct(matches, NQ, 90),
	       pct(matches, NQ, 100));
	report("search", s_ours, passes, sp, 2, 0);
	report("search_raw_fts5", s_raw, passes, sp, 2, 0);
	report("filter", s_filter, passes, fp, 3, 1);
	printf("}\n");
	sqlite3_finalize(raw_match);
	sqlite3_finalize(raw_row);
	sqlite3_finalize(raw_speaker);
	sqlite3_finalize(raw_count);
	sqlite3_close(raw);
	qdb_close(fdb);
	qdb_close(db);
	return 0;
}
