/*
 * test_extract.c: the "extract" suite: qdb_extract, qdb_extract_yaml and
 * `quotedb extract`.
 *
 * Cases live in tests/data/extract/cases/<case>/: input.txt or input.md,
 * and what qdb_extract_yaml must give for it: expected.yaml (the draft,
 * byte for byte), warnings.txt (one "line:column: text" a warning) or
 * error.txt (the refusal).  The curated articles of
 * tests/data/extract/articles/ and the seed article are scored against
 * their answer keys by tests/extract_score.py, which asserts the targets
 * of issue 20 and prints the figures.
 */
#include "helpers.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CASES "tests/data/extract/cases"
#define ARTICLES "tests/data/extract/articles"
#define SEED "quotes/000_ce5212642387543b"

#define FAILF(...) do { \
	char m_[1024]; \
	snprintf(m_, sizeof m_, __VA_ARGS__); \
	CU_FAIL_FATAL(m_); \
} while (0)

#define CHECKF(cond, ...) do { \
	if (!(cond)) { \
		char m_[1024]; \
		snprintf(m_, sizeof m_, __VA_ARGS__); \
		CU_FAIL(m_); \
	} \
} while (0)

static int warn_collect(const qdb_error *w, void *payload)
{
	th_buf *b = payload;
	char line[QDB_ERROR_TEXT_LEN + 32];
	int n = snprintf(line, sizeof line, "%d:%d: %s\n", w->line, w->column,
			 w->text);
	th_buf_write(line, (size_t)n, b);
	return 0;
}

/* The draft goes to out, warnings to warn: one payload for both. */
typedef struct sinks {
	th_buf out, warn;
} sinks;

static int write_out(const void *buf, size_t len, void *payload)
{
	return th_buf_write(buf, len, &((sinks *)payload)->out);
}

static int warn_sinks(const qdb_error *w, void *payload)
{
	return warn_collect(w, &((sinks *)payload)->warn);
}

static char *read_opt(const char *dir, const char *name, size_t *len)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return th_read_file(path, len);
}

static void run_case(const char *name)
{
	char dir[PATH_MAX], src[PATH_MAX + 32];
	snprintf(dir, sizeof dir, CASES "/%s", name);
	size_t len = 0;
	snprintf(src, sizeof src, "%s/input.txt", dir);
	char *text = th_read_file(src, &len);
	if (!text) {
		snprintf(src, sizeof src, "%s/input.md", dir);
		text = th_read_file(src, &len);
	}
	if (!text)
		FAILF("%s: no input.txt or input.md", name);
	size_t elen = 0, wlen = 0, xlen = 0;
	char *want = read_opt(dir, "expected.yaml", &elen);
	char *want_warn = read_opt(dir, "warnings.txt", &wlen);
	char *want_err = read_opt(dir, "error.txt", &xlen);
	sinks s = { { 0 }, { 0 } };
	qdb_extract_options opt = QDB_EXTRACT_OPTIONS_INIT;
	opt.warn = warn_sinks;
	qdb_error err;
	size_t nq = 99, ns = 99;
	int rc = qdb_extract_yaml(text, len, src, &opt, write_out, &s, &nq,
				  &ns, &err);
	if (want_err) {
		char got[QDB_ERROR_TEXT_LEN + 32];
		snprintf(got, sizeof got, "%d:%d: %s\n", err.line, err.column,
			 err.text);
		CHECKF(rc == QDB_EINVALID, "%s: returned %d, want QDB_EINVALID",
		       name, rc);
		CHECKF(!strcmp(got, want_err), "%s: error \"%s\", want \"%s\"",
		       name, got, want_err);
		CHECKF(s.out.len == 0, "%s: wrote %zu bytes on failure", name,
		       s.out.len);
	} else {
		CHECKF(rc == 0, "%s: returned %d: %s", name, rc, err.text);
		CHECKF(want != NULL, "%s: no expected.yaml", name);
		if (want && (s.out.len != elen ||
			     memcmp(s.out.data, want, elen))) {
			/* Leaves what it got beside, for a diff. */
			const char *path = th_path("got.yaml");
			th_write_file(path, s.out.data, s.out.len);
			CHECKF(0, "%s: the draft differs from expected.yaml "
			       "(got: %s)", name, path);
		}
		const char *ww = want_warn ? want_warn : "";
		const char *gw = s.warn.data ? s.warn.data : "";
		CHECKF(!strcmp(ww, gw), "%s: warnings \"%s\", want \"%s\"",
		       name, gw, ww);
		CHECKF(nq + ns <= len, "%s: counts %zu + %zu", name, nq, ns);
	}
	free(text);
	free(want);
	free(want_warn);
	free(want_err);
	th_buf_free(&s.out);
	th_buf_free(&s.warn);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_cases(void)
{
	DIR *d = opendir(CASES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	CU_ASSERT(n >= 6);
	for (size_t i = 0; i < n; i++) {
		run_case(names[i]);
		free(names[i]);
	}
}

/* ---- every text an exact substring that verifies --------------------- */

struct check {
	const char *src;
	size_t len;
	size_t n, bad;
	char first_bad[160];
};

static int check_one(const qdb_proposal *p, void *payload)
{
	struct check *c = payload;
	c->n++;
	qdb_verify_result r = QDB_VERIFY_RESULT_INIT;
	int ok = p->off + p->len <= c->len && p->len > 0 &&
		qdb_verify_text(&r, c->src + p->off, p->len, c->src,
				c->len) == 0 && r.status == QDB_VERIFIED &&
		r.near_off <= p->off && p->line > 0 && p->column > 0 &&
		p->para > 0 && (p->kind == QDB_PROPOSAL_SCARE ||
				p->speaker.ptr);
	if (!ok && !c->bad++)
		snprintf(c->first_bad, sizeof c->first_bad, "%.*s",
			 (int)(p->len < 100 ? p->len : 100), c->src + p->off);
	return 0;
}

static void check_texts(const char *path)
{
	size_t len;
	char *text = th_read_file(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	struct check c = { text, len, 0, 0, "" };
	CU_ASSERT_EQUAL(qdb_extract(text, len, NULL, check_one, &c, NULL), 0);
	CU_ASSERT(c.n > 10);
	CHECKF(c.bad == 0, "%s: %zu texts do not verify, the first \"%s\"",
	       path, c.bad, c.first_bad);
	free(text);
}

static void test_texts_verify(void)
{
	check_texts(SEED ".txt");
	check_texts(ARTICLES "/harbour-bridge.txt");
	check_texts(ARTICLES "/river-fire.md");
}

/* Cut anywhere (between characters), a text still extracts, and every
 * text it proposes still verifies: no read past a cut paragraph. */
static void test_cut_texts(void)
{
	size_t len;
	char *text = th_read_file(SEED ".txt", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (size_t cut = 1; cut < len; cut += len / 41 + 1) {
		size_t k = cut;
		while (k > 0 && ((unsigned char)text[k] & 0xc0) == 0x80)
			k--;
		char *part = malloc(k ? k : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(part);
		memcpy(part, text, k);
		struct check c = { part, k, 0, 0, "" };
		CHECKF(qdb_extract(part, k, NULL, check_one, &c, NULL) == 0,
		       "cut at %zu fails", k);
		CHECKF(c.bad == 0, "cut at %zu: \"%s\" does not verify", k,
		       c.first_bad);
		free(part);
	}
	free(text);
}

/* ---- the draft imports, and verify passes on it ---------------------- */

static void test_draft_imports_and_verifies(void)
{
	size_t len;
	char *text = th_read_file(SEED ".txt", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	sinks s = { { 0 }, { 0 } };
	size_t nq = 0, ns = 0;
	qdb_error err;
	CU_ASSERT_EQUAL_FATAL(qdb_extract_yaml(text, len, SEED ".txt", NULL,
					       write_out, &s, &nq, &ns, &err),
			      0);
	CU_ASSERT(nq >= 80);
	CU_ASSERT(ns >= 40);
	const char *draft = th_path("draft.yaml");
	CU_ASSERT_EQUAL_FATAL(th_write_file(draft, s.out.data, s.out.len), 0);
	qdb *db = th_open_fresh("draft.db");
	qdb_import_stats st = QDB_IMPORT_STATS_INIT;
	int rc = qdb_import_file(db, draft, &st, &err);
	char buf[1024];
	CHECKF(rc == 0, "the draft does not import: %s",
	       qdb_error_format(&err, buf, sizeof buf));
	CU_ASSERT_EQUAL(st.quotes_added, (int64_t)nq);
	qdb_close(db);
	char *out = NULL, *errs = NULL;
	rc = th_run(&out, &errs, "'%s' --db '%s' verify --source '%s'",
		    th_cli(), th_path("draft.db"), SEED ".txt");
	CHECKF(rc == 0, "verify fails on the draft: %.300s",
	       errs ? errs : "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	size_t lines = 0;
	for (char *p = out; *p; p++)
		lines += *p == '\n';
	CU_ASSERT(strstr(out, "not found") == NULL);
	CU_ASSERT(strstr(out, "differs") == NULL);
	CU_ASSERT_EQUAL(lines, nq);
	free(out);
	free(errs);
	free(text);
	th_buf_free(&s.out);
	th_buf_free(&s.warn);
}

/* ---- scores against the answer keys ---------------------------------- */

static void test_scores(void)
{
	char *out = NULL, *errs = NULL;
	if (th_run(NULL, NULL, "python3 -c 'import yaml' 2>/dev/null") != 0)
		CU_FAIL_FATAL("python3 with PyYAML is missing: apt-get "
			      "install -y --no-install-recommends python3 "
			      "python3-yaml");
	int rc = th_run(&out, &errs, "python3 tests/extract_score.py '%s' "
			"'%s' " SEED ".txt " SEED ".yaml "
			ARTICLES "/harbour-bridge.txt "
			ARTICLES "/harbour-bridge.yaml "
			ARTICLES "/river-fire.md " ARTICLES "/river-fire.yaml",
			th_cli(), th_path("scores"));
	/* The figures go to the log: the README's table comes from here. */
	printf("\n%s", out ? out : "");
	CHECKF(rc == 0, "extraction misses its targets: %.600s %.300s",
	       out ? out : "", errs ? errs : "");
	free(out);
	free(errs);
}

/* ---- the library's contract ------------------------------------------ */

static int stop_at_3(const qdb_proposal *p, void *payload)
{
	(void)p;
	return ++*(int *)payload == 3 ? 42 : 0;
}

static int count(const qdb_proposal *p, void *payload)
{
	(void)p;
	++*(int *)payload;
	return 0;
}

static void test_callback_stops(void)
{
	size_t len;
	char *text = th_read_file(SEED ".txt", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	int n = 0;
	CU_ASSERT_EQUAL(qdb_extract(text, len, NULL, stop_at_3, &n, NULL), 42);
	CU_ASSERT_EQUAL(n, 3);
	free(text);
}

static void test_options_checked(void)
{
	qdb_extract_options opt = QDB_EXTRACT_OPTIONS_INIT;
	qdb_error err;
	int n = 0;
	opt.size = sizeof opt + 8;
	CU_ASSERT_EQUAL(qdb_extract("a", 1, &opt, count, &n, &err),
			QDB_EINVALID);
	CU_ASSERT(strstr(err.text, "newer") != NULL);
	opt.size = 4;
	CU_ASSERT_EQUAL(qdb_extract("a", 1, &opt, count, &n, &err),
			QDB_EINVALID);
	CU_ASSERT_EQUAL(qdb_extract(NULL, 0, NULL, count, &n, &err), 0);
	CU_ASSERT_EQUAL(n, 0);
}

struct first {
	char speaker[64];
	char as[64];
};

static int take_first(const qdb_proposal *p, void *payload)
{
	struct first *f = payload;
	if (p->kind != QDB_PROPOSAL_QUOTE || f->speaker[0])
		return 0;
	snprintf(f->speaker, sizeof f->speaker, "%.*s", (int)p->speaker.len,
		 p->speaker.ptr);
	if (p->speaker_as.ptr)
		snprintf(f->as, sizeof f->as, "%.*s", (int)p->speaker_as.len,
			 p->speaker_as.ptr);
	return 0;
}

/* A collection's canonical names win over the text's own forms. */
static void test_collection_names(void)
{
	const char *text = "Kirby said on Monday: \xe2\x80\x9cWe have no "
		"direct evidence.\xe2\x80\x9d\n";
	qdb_entity sp[] = { { "John F. Kirby", "Kirby; Admiral Kirby", 0 } };
	qdb_extract_options opt = QDB_EXTRACT_OPTIONS_INIT;
	opt.speakers = sp;
	opt.nspeakers = 1;
	struct first f = { "", "" };
	CU_ASSERT_EQUAL(qdb_extract(text, strlen(text), &opt, take_first, &f,
				    NULL), 0);
	CU_ASSERT_STRING_EQUAL(f.speaker, "John F. Kirby");
	CU_ASSERT_STRING_EQUAL(f.as, "Kirby");
	struct first g = { "", "" };
	CU_ASSERT_EQUAL(qdb_extract(text, strlen(text), NULL, take_first, &g,
				    NULL), 0);
	CU_ASSERT_STRING_EQUAL(g.speaker, "Kirby");
}

/* ---- the command -------------------------------------------------------- */

static void test_cli(void)
{
	const char *empty = th_path("empty.txt");
	CU_ASSERT_EQUAL_FATAL(th_write_file(empty, "", 0), 0);
	char *out = NULL, *errs = NULL;
	int rc = th_run(&out, &errs, "'%s' extract --db '%s' '%s'", th_cli(),
			th_path("none.db"), empty);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(out && strstr(out, "quotes: []\n"));
	CU_ASSERT(errs && strstr(errs, "empty.txt: empty: the draft has no "
				 "quotations"));
	free(out);
	free(errs);

	/* Invalid UTF-8: refused with its place; -o leaves the old file. */
	const char *bad = th_path("bad.txt");
	CU_ASSERT_EQUAL_FATAL(th_write_file(bad, "ok\nab \xff cd\n", 11), 0);
	const char *draft = th_path("draft-cli.yaml");
	CU_ASSERT_EQUAL_FATAL(th_write_file(draft, "old\n", 4), 0);
	rc = th_run(&out, &errs, "'%s' extract --db '%s' '%s' -o '%s'",
		    th_cli(), th_path("none.db"), bad, draft);
	CU_ASSERT_EQUAL(rc, 1);
	CHECKF(errs && strstr(errs, "bad.txt:2:4: invalid UTF-8 at byte 6"),
	       "stderr: %s", errs ? errs : "");
	size_t n;
	char *kept = th_read_file(draft, &n);
	CU_ASSERT(kept && n == 4 && !memcmp(kept, "old\n", 4));
	free(kept);
	free(out);
	free(errs);
	/* No temporary file left beside it. */
	DIR *d = opendir(th_tmpdir());
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	struct dirent *e;
	while ((e = readdir(d)))
		CHECKF(!strstr(e->d_name, ".tmp."), "left behind: %s",
		       e->d_name);
	closedir(d);

	/* A good run replaces it, and warnings name line and column. */
	const char *src = th_path("un.txt");
	const char *t = "Ortega said: \xe2\x80\x9cWe are safe.\n";
	CU_ASSERT_EQUAL_FATAL(th_write_file(src, t, strlen(t)), 0);
	rc = th_run(&out, &errs, "'%s' extract --db '%s' '%s' -o '%s'",
		    th_cli(), th_path("none.db"), src, draft);
	CU_ASSERT_EQUAL(rc, 0);
	CHECKF(errs && strstr(errs, "un.txt:1:14: quotation mark not closed "
			      "before the end of the paragraph"),
	       "stderr: %s", errs ? errs : "");
	kept = th_read_file(draft, &n);
	CU_ASSERT(kept && strstr(kept, "quotes: []"));
	free(kept);
	free(out);
	free(errs);

	rc = th_run(&out, &errs, "'%s' extract", th_cli());
	CU_ASSERT_EQUAL(rc, 2);
	free(out);
	free(errs);
}

static int suite_clean(void)
{
	th_cleanup();
	return 0;
}

void test_extract_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_cases),
		QDB_TEST(test_texts_verify),
		QDB_TEST(test_cut_texts),
		QDB_TEST(test_draft_imports_and_verifies),
		QDB_TEST(test_scores),
		QDB_TEST(test_callback_stops),
		QDB_TEST(test_options_checked),
		QDB_TEST(test_collection_names),
		QDB_TEST(test_cli),
	};
	TH_SUITE("extract", NULL, suite_clean, tests);
}
