/*
 * test_check.c: the "check" suite: `quotedb check` on the drafts in
 * tests/data/check/ (see the README there) against the seed collection,
 * and the library under it: qdb_draft_read's quotations and positions,
 * its refusals, a long draft read in bounded memory, qdb_check_quote's
 * verdicts and argument checks.
 */
#include "helpers.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CASES "tests/data/check"
#define SEED_FILE "quotes/000_ce5212642387543b.yaml"

static char seed_db[PATH_MAX];
static char root[PATH_MAX];

static int suite_init(void)
{
	if (!getcwd(root, sizeof root))
		return 1;
	snprintf(seed_db, sizeof seed_db, "%s", th_path("seed.db"));
	char *err = NULL;
	int rc = th_run(NULL, &err, "'%s' --db '%s' import " SEED_FILE,
			th_cli(), seed_db);
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

/* A case file, or NULL when the case has none. */
static char *case_file(const char *dir, const char *name, size_t *len)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s/%s", CASES, dir, name);
	return th_read_file(path, len);
}

static void expect_text(const char *what, const char *dir, const char *want,
			const char *got)
{
	if (strcmp(want, got) == 0) {
		CU_PASS("same");
		return;
	}
	fprintf(stderr, "\ncheck case %s: %s differs.\n--- want\n%s--- got\n"
		"%s---\n", dir, what, want, got);
	CU_FAIL("output differs from the case's expected file");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every case: `quotedb check ARGS` in the case's directory (args
 * is a shell fragment, so it may redirect standard input); stdout must
 * be expected.txt, stderr stderr.txt (or nothing), the exit status the
 * number in status (or 0). */
static void test_cases(void)
{
	DIR *d = opendir(CASES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	char *names[64];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 64)
		if (e->d_name[0] != '.' && strcmp(e->d_name, "README.md"))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	CU_ASSERT(n >= 6);
	for (size_t k = 0; k < n; k++) {
		size_t len;
		char *args = case_file(names[k], "args", &len);
		char *want = case_file(names[k], "expected.txt", &len);
		char *want_err = case_file(names[k], "stderr.txt", &len);
		char *status = case_file(names[k], "status", &len);
		CU_ASSERT_PTR_NOT_NULL(args);
		CU_ASSERT_PTR_NOT_NULL(want);
		if (!args || !want) {
			fprintf(stderr, "\ncheck case %s lacks args or "
				"expected.txt\n", names[k]);
			goto next;
		}
		args[strcspn(args, "\n")] = '\0';
		char *out = NULL, *err = NULL;
		int rc = th_run(&out, &err, "cd '%s/%s/%s' && env -u QUOTEDB_DB"
				" NO_COLOR=1 '%s' --db '%s' check %s", root,
				CASES, names[k], th_cli(), seed_db, args);
		int want_rc = status ? atoi(status) : 0;
		if (rc != want_rc)
			fprintf(stderr, "\ncheck case %s: exit %d, want %d\n",
				names[k], rc, want_rc);
		CU_ASSERT_EQUAL(rc, want_rc);
		expect_text("stdout", names[k], want, out ? out : "");
		expect_text("stderr", names[k], want_err ? want_err : "",
			    err ? err : "");
		free(out);
		free(err);
next:
		free(args);
		free(want);
		free(want_err);
		free(status);
		free(names[k]);
	}
}

/* --json writes one object per line that Python's json reads, with the
 * keys the man page lists. */
static void test_json_python(void)
{
	char *out = NULL, *err = NULL;
	int rc = th_run(&out, &err, "cd '%s/" CASES "/json' && '%s' --db '%s' "
			"check --json --all draft.md | python3 -c 'import json,"
			" sys\nkeys = {\"file\", \"line\", \"column\", "
			"\"text\", \"verdict\", \"id\", \"speaker\", "
			"\"attributed_to\", \"diff\"}\nn = 0\nfor l in "
			"sys.stdin:\n    o = json.loads(l)\n    assert keys <= "
			"set(o), o\n    n += 1\nprint(n)'", root, th_cli(),
			seed_db);
	if (rc == 127 || (err && strstr(err, "python3: not found")))
		CU_FAIL("python3 is missing: apt-get install -y "
			"--no-install-recommends python3");
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(out ? out : "", "7\n");
	free(out);
	free(err);
}

static void test_missing_db(void)
{
	char *out = NULL, *err = NULL;
	const char *db = th_path("nothing-here.db");
	int rc = th_run(&out, &err, "'%s' --db '%s' check " CASES
			"/clean/draft.md", th_cli(), db);
	CU_ASSERT_EQUAL(rc, 1);
	char want[PATH_MAX + 128];
	snprintf(want, sizeof want, "quotedb: check: %s: no database here; "
		 "run 'quotedb init' or 'quotedb import' first (or give "
		 "--db)\n", db);
	CU_ASSERT_STRING_EQUAL(err ? err : "", want);
	CU_ASSERT_STRING_EQUAL(out ? out : "", "");
	free(out);
	free(err);
}

static void test_misuse(void)
{
	static const char *const cases[][2] = {
		{ "check", "needs a FILE to check" },
		{ "check --format odt x.md", "--format is md, tex or txt" },
		{ "check --frmat md x.md", "frmat" },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char *err = NULL;
		int rc = th_run(NULL, &err, "'%s' --db '%s' %s", th_cli(),
				seed_db, cases[k][0]);
		CU_ASSERT_EQUAL(rc, 2);
		CU_ASSERT_PTR_NOT_NULL(err && strstr(err, cases[k][1]));
		free(err);
	}
	/* A file that is not there is told, and the next one checked. */
	char *out = NULL, *err = NULL;
	int rc = th_run(&out, &err, "'%s' --db '%s' check /nonexistent.md "
			CASES "/clean/draft.md", th_cli(), seed_db);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_STRING_EQUAL(err ? err : "", "quotedb: check: "
			       "/nonexistent.md: cannot open: No such file or "
			       "directory\n");
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "2 exact, 0 altered"));
	free(out);
	free(err);
}

/* ---- the library ---------------------------------------------------- */

typedef struct memsrc {
	const char *s;
	size_t len, pos;
	size_t chunk;     /* the most one read returns */
} memsrc;

static ptrdiff_t mem_read(void *buf, size_t len, void *payload)
{
	memsrc *m = payload;
	size_t n = m->len - m->pos;
	if (n > len)
		n = len;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	memcpy(buf, m->s + m->pos, n);
	m->pos += n;
	return (ptrdiff_t)n;
}

/* The quotations found, one line each: "LINE:COL TEXT | CONTEXT". */
static int collect(const qdb_draft_quote *q, void *payload)
{
	th_buf *b = payload;
	char head[64];
	snprintf(head, sizeof head, "%d:%d%s%s ", q->line, q->column,
		 q->block ? " block" : "", q->unterminated ? " open" : "");
	th_buf_write(head, strlen(head), b);
	th_buf_write(q->text.ptr, q->text.len, b);
	th_buf_write(" | ", 3, b);
	th_buf_write(q->context.ptr, q->context.len, b);
	th_buf_write("\n", 1, b);
	return 0;
}

static char *read_draft(const char *s, qdb_draft_format fmt, size_t chunk,
			int *rc, qdb_error *err)
{
	memsrc m = { s, strlen(s), 0, chunk };
	th_buf b = { 0 };
	*rc = qdb_draft_read("mem", fmt, mem_read, &m, collect, &b, err);
	th_buf_write("", 1, &b);
	return b.data;
}

static void test_draft_marks(void)
{
	/* Apostrophes are no quotations; marks of every kind are; the
	 * column counts characters, not bytes. */
	const char *s = "It’s the writers' room: «tout va bien», said\n"
		"Zoë, and ‘nothing’ else. Don't 'panic' now.\n"
		"„Gut“ und \"fine\".\n";
	int rc;
	qdb_error err;
	for (size_t chunk = 0; chunk < 8; chunk += 7) {
		char *got = read_draft(s, QDB_DRAFT_TEXT, chunk, &rc, &err);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_STRING_EQUAL(got,
			"1:25 tout va bien | It’s the writers' room: , said\n"
			"Zoë, and  else.\n"
			"2:10 nothing | It’s the writers' room: , said\n"
			"Zoë, and  else.\n"
			"2:32 panic |  Don't  now.\n"
			"3:1 Gut | \n und .\n"
			"3:11 fine | \n und .\n");
		free(got);
	}
}

static void test_draft_markdown(void)
{
	const char *s = "Intro by Kirby:\n\n"
		"> \"Quoted block\n> on two lines\"\n\n"
		"Code `\"no\"` and [a \"link\"](http://x/\"y\") and *\"em\"*.\n"
		"\n```\n\"fenced\"\n```\n\n    \"indented code\"\n\n"
		"\"First paragraph\n\n\"and the second.\" Said he.\n";
	int rc;
	qdb_error err;
	char *got = read_draft(s, QDB_DRAFT_MARKDOWN, 0, &rc, &err);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(got,
		"3:3 block Quoted block\non two lines | Intro by Kirby:\n"
		"6:20 link | Code  and a  and .\n"
		"6:47 em | Code  and a  and .\n"
		"14:1 First paragraph\nand the second. | Code  and a  and .\n");
	free(got);
}

static void test_draft_latex(void)
{
	const char *s = "\\documentclass{article}\n``preamble''\n"
		"\\begin{document}\n"
		"Kirby said \\enquote{one \\emph{two}~three---four} % ``no''\n"
		"and ``five \\ldots{} six {[}seven{]}\\textelp{} "
		"\\textins{x}''.\n"
		"\\textcquote[p.~1]{key}{\\enquote{inner} outer}\n"
		"\\begin{quote}\nblock\n\nof two\n\\end{quote}\n"
		"\\verb|``v''| and `single'.\n\\end{document}\n``after''\n";
	int rc;
	qdb_error err;
	char *got = read_draft(s, QDB_DRAFT_LATEX, 0, &rc, &err);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(got,
		"4:12 one two three—four | Kirby said  and .\n"
		"5:5 five … six [seven]… [x] | Kirby said  and .\n"
		"6:1 ‘inner’ outer | \n\n\n and .\n"
		"7:1 block\n\nof two | \n\n\n and .\n"
		"12:18 single | \n\n\n and .\n");
	free(got);
}

static void test_draft_refusals(void)
{
	int rc;
	qdb_error err;
	char *got = read_draft("\"Fine\" here.\n\nA bad \xC3\x28 byte.\n",
			       QDB_DRAFT_TEXT, 0, &rc, &err);
	CU_ASSERT_EQUAL(rc, QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(got, "1:1 Fine |  here.\n");
	CU_ASSERT_EQUAL(err.line, 3);
	CU_ASSERT_EQUAL(err.column, 7);
	CU_ASSERT_STRING_EQUAL(err.file, "mem");
	CU_ASSERT_STRING_EQUAL(err.text, "invalid UTF-8 (byte 0xC3)");
	free(got);

	memsrc m = { "text\n\0\0\0", 8, 0, 0 };
	th_buf b = { 0 };
	rc = qdb_draft_read("bin", QDB_DRAFT_TEXT, mem_read, &m, collect, &b,
			    &err);
	CU_ASSERT_EQUAL(rc, QDB_EINVALID);
	CU_ASSERT_EQUAL(err.line, 2);
	CU_ASSERT_EQUAL(b.len, 0);
	th_buf_free(&b);

	got = read_draft("One \"open\n\nand 'another\n\nand “a third",
			 QDB_DRAFT_TEXT, 0, &rc, &err);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(got, "1:5 open  | \n3:5 open  | \n"
			       "5:5 open  | \n");
	free(got);

	CU_ASSERT_EQUAL(qdb_draft_read("x", QDB_DRAFT_TEXT, NULL, NULL,
				       collect, NULL, &err), QDB_EINVALID);
	CU_ASSERT_EQUAL(qdb_draft_format_of("a/b.md"), QDB_DRAFT_MARKDOWN);
	CU_ASSERT_EQUAL(qdb_draft_format_of("b.tex"), QDB_DRAFT_LATEX);
	CU_ASSERT_EQUAL(qdb_draft_format_of("b.txt"), QDB_DRAFT_TEXT);
	CU_ASSERT_EQUAL(qdb_draft_format_of("a.md/b"), QDB_DRAFT_TEXT);
	CU_ASSERT_EQUAL(qdb_draft_format_of(NULL), QDB_DRAFT_TEXT);
}

/* A draft generated on the fly, paragraph after paragraph: every
 * quotation found, whatever its size (memory is checked by valgrind and
 * the bench, not here). */
typedef struct gen {
	long paras, done;
	char buf[256];
	size_t len, pos;
} gen;

static ptrdiff_t gen_read(void *out, size_t len, void *payload)
{
	gen *g = payload;
	if (g->pos == g->len) {
		if (g->done == g->paras)
			return 0;
		g->len = (size_t)snprintf(g->buf, sizeof g->buf, "Paragraph "
					  "%ld, where Kirby says “broad "
					  "complicity” once\nand ‘twice’ "
					  "over two lines.\n\n", g->done++);
		g->pos = 0;
	}
	size_t n = g->len - g->pos < len ? g->len - g->pos : len;
	memcpy(out, g->buf + g->pos, n);
	g->pos += n;
	return (ptrdiff_t)n;
}

/* Counts the quotations found where the generator put them. */
static int count(const qdb_draft_quote *q, void *payload)
{
	long *n = payload;
	if ((q->line % 3 == 1 && q->text.len == 16 &&
	     !memcmp(q->text.ptr, "broad complicity", 16)) ||
	    (q->line % 3 == 2 && q->column == 5 && q->text.len == 5 &&
	     !memcmp(q->text.ptr, "twice", 5)))
		(*n)++;
	return 0;
}

static void test_draft_stream(void)
{
	gen g = { .paras = 5000 };
	long n = 0;
	qdb_error err;
	int rc = qdb_draft_read("gen", QDB_DRAFT_MARKDOWN, gen_read, &g,
				count, &n, &err);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(n, 10000);
}

/* ---- verdicts through the API --------------------------------------- */

static void verdict(qdb_checker *ck, const char *text, const char *ctx,
		    qdb_check_verdict want, const char *want_id,
		    const char *want_diff)
{
	qdb_draft_quote q = QDB_DRAFT_QUOTE_INIT;
	q.text.ptr = text;
	q.text.len = strlen(text);
	q.context.ptr = ctx;
	q.context.len = ctx ? strlen(ctx) : 0;
	qdb_check_result r = QDB_CHECK_RESULT_INIT;
	CU_ASSERT_EQUAL_FATAL(qdb_check_quote(&r, ck, &q), 0);
	if (r.verdict != want)
		fprintf(stderr, "\n\"%s\": %s, want %s\n", text,
			qdb_check_verdict_name(r.verdict),
			qdb_check_verdict_name(want));
	CU_ASSERT_EQUAL(r.verdict, want);
	if (want_id) {
		CU_ASSERT_STRING_EQUAL(r.id.ptr ? r.id.ptr : "", want_id);
	} else {
		CU_ASSERT_PTR_NULL(r.id.ptr);
	}
	if (want_diff) {
		CU_ASSERT_STRING_EQUAL(r.diff.ptr ? r.diff.ptr : "",
				       want_diff);
	}
}

static void test_verdicts(void)
{
	qdb *db = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_open(&db, seed_db, QDB_OPEN_READONLY), 0);
	qdb_checker *ck;
	CU_ASSERT_EQUAL_FATAL(qdb_checker_open(&ck, db), 0);
	/* Exact: marks folded, first letter's case, closing punctuation,
	 * white space, ellipsis, brackets. */
	verdict(ck, "Make no mistake, there's a degree of complicity",
		NULL, QDB_CHECK_EXACT, "p11-kirby-1", NULL);
	verdict(ck, "make no   mistake,\nthere’s a degree.", NULL,
		QDB_CHECK_EXACT, "p11-kirby-1", NULL);
	verdict(ck, "Iran has a significant relationship ... HAMAS", NULL,
		QDB_CHECK_EXACT, "p11-pentagon-1", NULL);
	verdict(ck, "… Significant relationship with HAMAS", NULL,
		QDB_CHECK_EXACT, "p11-pentagon-1", NULL);
	verdict(ck, "trained them in all the weapons they employ", NULL,
		QDB_CHECK_EXACT, "p74-hoballah-2", NULL);
	verdict(ck, "legitimate", NULL, QDB_CHECK_EXACT,
		"p5-foreignministry-1", NULL);
	/* One word is never exact. */
	verdict(ck, "Iran has an significant relationship with HAMAS",
		NULL, QDB_CHECK_ALTERED, "p11-pentagon-1",
		"Iran has [-a-]{+an+} significant relationship with HAMAS");
	verdict(ck, "Iran has a relationship significant with HAMAS", NULL,
		QDB_CHECK_ALTERED, "p11-pentagon-1", NULL);
	/* Misattributed only with a name in the sentence. */
	verdict(ck, "broad complicity", "Blinken spoke of  here.",
		QDB_CHECK_MISATTRIBUTED, "p57-kirby-1", NULL);
	verdict(ck, "broad complicity", "Mr Kirby’s aides spoke of  here.",
		QDB_CHECK_EXACT, "p57-kirby-1", NULL);
	/* Two speakers; naming one of them settles it. */
	verdict(ck, "stand by the Palestinian fighters until", NULL,
		QDB_CHECK_AMBIGUOUS, "p62-iran-1", NULL);
	verdict(ck, "stand by the Palestinian fighters until",
		"Hamad said Iran had pledged to .", QDB_CHECK_AMBIGUOUS,
		"p62-iran-1", NULL);
	verdict(ck, "stand by the Palestinian fighters until",
		"Hamad said that they would .", QDB_CHECK_EXACT,
		"p62-hamad-1", NULL);
	verdict(ck, "whatever it takes", NULL, QDB_CHECK_TERM, NULL, NULL);
	verdict(ck, "nothing of the kind was ever said", NULL,
		QDB_CHECK_UNKNOWN, NULL, NULL);

	qdb_draft_quote q = QDB_DRAFT_QUOTE_INIT;
	qdb_check_result r = QDB_CHECK_RESULT_INIT;
	r.size = sizeof r - 1;
	CU_ASSERT_EQUAL(qdb_check_quote(&r, ck, &q), QDB_EINVALID);
	r.size = sizeof r;
	q.unterminated = 1;
	CU_ASSERT_EQUAL(qdb_check_quote(&r, ck, &q), QDB_EINVALID);
	CU_ASSERT_EQUAL(qdb_check_quote(&r, NULL, &q), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(qdb_check_verdict_name(QDB_CHECK_AMBIGUOUS),
			       "ambiguous");
	qdb_checker_free(ck);
	qdb_checker_free(NULL);
	qdb_close(db);
}

void test_check_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_cases),
		QDB_TEST(test_json_python),
		QDB_TEST(test_missing_db),
		QDB_TEST(test_misuse),
		QDB_TEST(test_draft_marks),
		QDB_TEST(test_draft_markdown),
		QDB_TEST(test_draft_latex),
		QDB_TEST(test_draft_refusals),
		QDB_TEST(test_draft_stream),
		QDB_TEST(test_verdicts),
	};
	TH_SUITE("check", suite_init, suite_clean, tests);
}
