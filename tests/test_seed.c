/*
 * test_seed.c: the seed collection in quotes/ is what we say it is: 86
 * quotations, so many per speaker (tests/data/seed/speaker_counts.txt,
 * "count<TAB>name" lines in the order `quotedb speakers` prints them), each
 * with its place in the article and found in the article's text.  A change
 * to the collection that moves a count has to change that file too.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED_DIR "quotes"
#define SEED_COUNT 86
#define COUNTS_FILE "tests/data/seed/speaker_counts.txt"

static char seed_db[1024];

static int suite_init(void)
{
	snprintf(seed_db, sizeof seed_db, "%s", th_path("seed.db"));
	qdb *db = NULL;
	qdb_error err;
	int rc = qdb_open(&db, seed_db, 0);
	if (!rc)
		rc = qdb_import_file(db, SEED_DIR, NULL, &err);
	if (rc) {
		char buf[1024];
		fprintf(stderr, "seed: %s\n", qdb_error_format(&err, buf,
							       sizeof buf));
	}
	qdb_close(db);
	return rc ? 1 : 0;
}

static int suite_clean(void)
{
	th_cleanup();
	return 0;
}

static int add_count_line(const qdb_entity *e, void *payload)
{
	char line[512];
	int n = snprintf(line, sizeof line, "%lld\t%s\n", (long long)e->quotes,
			 e->name);
	return th_buf_write(line, (size_t)n, payload);
}

static void test_total(void)
{
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, seed_db, QDB_OPEN_READONLY), 0);
	int64_t n = -1;
	CU_ASSERT_EQUAL(qdb_count(&n, db, NULL), 0);
	CU_ASSERT_EQUAL(n, SEED_COUNT);
	qdb_close(db);
	/* The list adds up to the same. */
	char *want = th_read_file(COUNTS_FILE, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	long sum = 0;
	for (char *p = want; *p; p = strchr(p, '\n') + 1) {
		sum += strtol(p, NULL, 10);
		if (!strchr(p, '\n'))
			break;
	}
	CU_ASSERT_EQUAL(sum, SEED_COUNT);
	free(want);
}

/* Per speaker, through the library. */
static void test_counts_per_speaker(void)
{
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, seed_db, QDB_OPEN_READONLY), 0);
	th_buf got = { 0 };
	th_buf_write("", 0, &got);
	CU_ASSERT_EQUAL(qdb_entity_foreach(db, QDB_SPEAKER, add_count_line,
					   &got), 0);
	qdb_close(db);
	char *want = th_read_file(COUNTS_FILE, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT_STRING_EQUAL(got.data, want);
	if (strcmp(got.data, want))
		fprintf(stderr, "\nspeakers now:\n%s", got.data);
	free(want);
	th_buf_free(&got);
}

/* Per speaker, as `quotedb speakers` prints them (count, name, aliases). */
static void test_counts_match_cli(void)
{
	char *out = NULL;
	int rc = th_run(&out, NULL, "'%s' --db '%s' speakers | cut -f1,2",
			th_cli(), seed_db);
	CU_ASSERT_EQUAL(rc, 0);
	char *want = th_read_file(COUNTS_FILE, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL(out, want);
	free(want);
	free(out);
}

struct check {
	char *text;
	size_t len;
	int unplaced, unverified, wrong_file;
};

static int check_quote(const qdb_quote *q, void *payload)
{
	struct check *c = payload;
	if (!q->locator.ptr || !q->source.ptr)
		c->unplaced++;
	if (!q->source_file.ptr || strcmp(q->source_file.ptr,
			"quotes/000_ce5212642387543b.txt") != 0) {
		c->wrong_file++;
		return 0;
	}
	qdb_verify_result r = QDB_VERIFY_RESULT_INIT;
	if (qdb_verify_text(&r, q->text.ptr, q->text.len, c->text, c->len) ||
	    r.status != QDB_VERIFIED) {
		fprintf(stderr, "\nnot verified: %s\n", q->id.ptr);
		c->unverified++;
	}
	return 0;
}

/* Each quote names where it is and is found in the article. */
static void test_every_quote_sourced(void)
{
	struct check c = { 0 };
	c.text = th_read_file("quotes/000_ce5212642387543b.txt", &c.len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c.text);
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, seed_db, QDB_OPEN_READONLY), 0);
	CU_ASSERT_EQUAL(qdb_foreach(db, NULL, check_quote, &c), 0);
	qdb_close(db);
	CU_ASSERT_EQUAL(c.unplaced, 0);
	CU_ASSERT_EQUAL(c.wrong_file, 0);
	CU_ASSERT_EQUAL(c.unverified, 0);
	free(c.text);
}

void test_seed_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_total),
		QDB_TEST(test_counts_per_speaker),
		QDB_TEST(test_counts_match_cli),
		QDB_TEST(test_every_quote_sourced),
	};
	TH_SUITE("seed", suite_init, suite_clean, tests);
}
