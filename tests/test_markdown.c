/*
 * test_markdown.c: the "markdown" export plugin (plugins/markdown.c).
 * Through the fake host: the exact document for a quote, the escaping of
 * every Markdown special where it would be markup, line breaks as hard
 * breaks, headings by sort, what is refused, and the plugin contract.
 * Through the real command and pandoc: the seed collection and
 * tests/data/hostile, exported, turned into HTML and DOCX by pandoc, and
 * every text found again as stored (tests/data/markdown/
 * check_markdown.py).
 */
#include "helpers.h"
#include "plugin_host.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CHECK_SCRIPT "tests/data/markdown/check_markdown.py"

static void *dl;
static const qdb_plugin *plugin;

static int suite_init(void)
{
	plugin = fh_load("markdown", &dl);
	return plugin ? 0 : -1;
}

static int suite_clean(void)
{
	if (dl)
		dlclose(dl);
	dl = NULL;
	plugin = NULL;
	th_cleanup();
	return 0;
}

static qdb_str S(const char *s)
{
	return (qdb_str){ s, strlen(s) };
}

static qdb_quote mkquote(const char *id, const char *text,
			 const char *speaker)
{
	qdb_quote q = QDB_QUOTE_INIT;
	if (id)
		q.id = S(id);
	q.text = S(text);
	q.speaker = S(speaker);
	return q;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0, k = strlen(needle);
	for (const char *p = hay; k && p && (p = strstr(p, needle)); p += k)
		n++;
	return n;
}

/* The document for quotes q in order sort; NULL on failure (the message
 * in err when err is not NULL). */
static char *export(const qdb_quote *q, size_t n, const char *const *opts,
		    qdb_sort sort, char *err, size_t errlen)
{
	fake_host fh;
	fh_init(&fh, plugin, opts);
	fh.h.sort = sort;
	int rc = fh_export(&fh, q, n);
	if (err)
		snprintf(err, errlen, "%s", fh.err);
	if (rc) {
		th_buf_free(&fh.out);
		return NULL;
	}
	return fh.out.data;
}

static void test_descriptor(void)
{
	static const char *const options[][2] = {
		{ "title", "Quotations" }, { NULL, NULL }
	};
	fh_check_descriptor(plugin, "markdown", "md", options);
	CU_ASSERT_EQUAL(plugin->sort, QDB_SORT_SPEAKER);
}

static void test_one_symbol(void)
{
	fh_check_one_symbol(th_plugin("markdown"));
}

static void test_exact_document(void)
{
	qdb_quote q[2] = {
		mkquote("p14", "there is no clear evidence", "Joe Biden"),
		mkquote("p15", "line one\nline two\n\nnew paragraph",
			"Joe Biden"),
	};
	q[0].role = S("President");
	q[0].date = S("2023-10-15~");
	q[0].date_text = S("a week after 7 October");
	q[0].outlet = S("CBS");
	q[0].programme = S("60 Minutes");
	q[0].occasion = S("interview");
	q[0].reported_by = S("WSJ");
	q[0].source = S("Iran and 7 October");
	q[0].source_author = S("Kyle Orton");
	q[0].locator = S("para. 14");
	q[1].date = S("2023");
	char *doc = export(q, 2, NULL, QDB_SORT_SPEAKER, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_STRING_EQUAL(doc,
		"# Quotations\n\n"
		"## Joe Biden\n\n"
		"> there is no clear evidence\n\n"
		"\xe2\x80\x94 Joe Biden, President; *CBS*, 60 Minutes, "
		"interview; a week after 7 October (2023-10-15\\~); reported "
		"by WSJ. Source: Iran and 7 October, Kyle Orton, para\\. 14\n\n"
		"> line one\\\n> line two\n>\n> new paragraph\n\n"
		"\xe2\x80\x94 Joe Biden; 2023\n\n");
	free(doc);
}

/* Each text, as the block quote has it (after "> "). */
static const char *const escapes[][2] = {
	{ "*a* _b_ `c` [d](e) <f> #g |h| ~i~ ^j^ $k$ @l &m; {n} \"o\" 'p' \\q",
	  "\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\<f\\> \\#g \\|h\\| \\~i\\~ "
	  "\\^j\\^ \\$k\\$ \\@l \\&m; \\{n\\} \\\"o\\\" \\'p\\' \\\\q" },
	{ "well-known -- --- -x", "well-known \\-\\- \\-\\-\\- -x" },
	{ "- item", "\\- item" },
	{ "Mr. Smith... 3.14 e.g. U.S.", "Mr\\. Smith\\.\\.\\. 3.14 e.g\\. "
	  "U.S\\." },
	{ "1. one\n10) ten\n(a) a\nx) y", "1\\. one\\\n> 10\\) ten\\\n> "
	  "\\(a) a\\\n> x\\) y" },
	{ "a (b) c) d", "a (b) c) d" },
	{ "+ p\n= q\n: r\n% s\n> t", "\\+ p\\\n> \\= q\\\n> \\: r\\\n> "
	  "\\% s\\\n> \\> t" },
	{ "a + b = c: 50%", "a + b = c: 50%" },
	{ "  lead\t\n    code?\n   \n\n trail  ", "lead\\\n> code?\n>\n> "
	  "trail" },
	{ "crlf\r\ncr\rnel\xc2\x85ls\xe2\x80\xa8ps\xe2\x80\xa9" "end",
	  "crlf\\\n> cr\\\n> nel\\\n> ls\\\n> ps\\\n> end" },
	{ "tab\tin  the middle", "tab\tin  the middle" },
	{ "ends with \\\nnext", "ends with \\\\\\\n> next" },
	{ "\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a. "
	  "\xe4\xb8\xad\xe6\x96\x87\xe3\x80\x82",
	  "\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\\. \xe4\xb8\xad\xe6\x96\x87"
	  "\xe3\x80\x82" },
	{ "emoji \xf0\x9f\x98\x80!", "emoji \xf0\x9f\x98\x80!" },
};

static void test_escapes(void)
{
	for (size_t i = 0; i < NELEM(escapes); i++) {
		qdb_quote q = mkquote("e", escapes[i][0], "S");
		char *doc = export(&q, 1, NULL, QDB_SORT_ADDED, NULL, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
		char want[512];
		snprintf(want, sizeof want, "# Quotations\n\n> %s\n\n"
			 "\xe2\x80\x94 S\n\n", escapes[i][1]);
		if (strcmp(doc, want) != 0)
			FAILF("case %zu: got\n%s\nwant\n%s", i, doc, want);
		free(doc);
	}
}

/* Other fields: escaped the same, a line break is a space, the outlet in
 * emphasis unless it shows nothing. */
static void test_fields(void)
{
	qdb_quote q = mkquote("f", "t", "- S *x*");
	q.role = S("a\nb");
	q.outlet = S("<O>");
	q.source = S("T_1");
	char *doc = export(&q, 1, NULL, QDB_SORT_ADDED, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(count(doc, "\xe2\x80\x94 - S \\*x\\*, a b; "
			      "*\\<O\\>*. Source: T\\_1\n\n"), 1);
	free(doc);
	q.outlet = S("  ");
	doc = export(&q, 1, NULL, QDB_SORT_ADDED, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(count(doc, "a b; . Source"), 1);
	free(doc);
}

static void test_headings(void)
{
	qdb_quote q[4] = {
		mkquote("1", "a", "#1 Alice"), mkquote("2", "b", "#1 Alice"),
		mkquote("3", "c", "Bob"), mkquote("4", "d", "Carol"),
	};
	q[0].outlet = q[1].outlet = S("BBC");
	q[0].date_lo = 20231001, q[0].date_hi = 20231031;
	q[1].date_lo = 20231015, q[1].date_hi = 20231015;
	q[2].date_lo = 20230101, q[2].date_hi = 20241231;
	char *doc = export(q, 4, NULL, QDB_SORT_SPEAKER, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(count(doc, "\n## "), 3);
	CU_ASSERT_EQUAL(count(doc, "\n## \\#1 Alice\n"), 1);
	free(doc);
	doc = export(q, 4, NULL, QDB_SORT_OUTLET, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(count(doc, "\n## "), 2);
	CU_ASSERT_EQUAL(count(doc, "\n## Outlet not stated\n"), 1);
	free(doc);
	doc = export(q, 4, NULL, QDB_SORT_DATE, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(count(doc, "\n## October 2023\n"), 1);
	CU_ASSERT_EQUAL(count(doc, "\n## 2023\xe2\x80\x93" "2024\n"), 1);
	CU_ASSERT_EQUAL(count(doc, "\n## Undated\n"), 1);
	free(doc);
	const char *notitle[] = { "title=", NULL };
	doc = export(q, 4, notitle, QDB_SORT_ADDED, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(count(doc, "#"), 2);   /* the speakers' own */
	CU_ASSERT_NSTRING_EQUAL(doc, "> a\n", 4);
	free(doc);
}

static void test_refused(void)
{
	static const struct {
		const char *field, *value, *msg;
	} cases[] = {
		{ "text", "bell\a", "quote bad: text holds the control "
		  "character U+0007" },
		{ "speaker", "del\x7f", "quote bad: speaker holds the control "
		  "character U+007F" },
		{ "text", "c1 \xc2\x9f", "quote bad: text holds the control "
		  "character U+009F" },
		{ "text", "caf\xe9", "quote bad: text is not valid UTF-8 "
		  "(byte 3)" },
		{ "speaker", "\xed\xa0\x80", "quote bad: speaker is not valid "
		  "UTF-8 (byte 0)" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		qdb_quote b = mkquote("bad", "t", "S");
		if (!strcmp(cases[i].field, "text"))
			b.text = S(cases[i].value);
		else
			b.speaker = S(cases[i].value);
		char err[1024];
		CU_ASSERT_PTR_NULL(export(&b, 1, NULL, QDB_SORT_ADDED, err,
					  sizeof err));
		CU_ASSERT_STRING_EQUAL(err, cases[i].msg);
	}
	const char *ctl[] = { "title=bell\a", NULL };
	char err[1024];
	qdb_quote q = mkquote("o", "t", "S");
	CU_ASSERT_PTR_NULL(export(&q, 1, ctl, QDB_SORT_ADDED, err,
				  sizeof err));
	CU_ASSERT_STRING_EQUAL(err, "option title holds the control "
			       "character U+0007");
}

static void test_short_quote_refused(void)
{
	qdb_quote q = mkquote("s", "t", "S");
	q.size = offsetof(qdb_quote, tags);
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), QDB_EABI);
	CU_ASSERT_EQUAL(fh.nerrors, 1);
	th_buf_free(&fh.out);
}

static void test_streams(void)
{
	fh_check_streams(plugin, NULL);
}

static void test_write_error(void)
{
	fh_check_write_error(plugin, "cannot write the Markdown output");
}

static void test_abort(void)
{
	fh_check_abort(plugin);
}

/* input imported through the command, exported as Markdown and as JSON
 * Lines in the same order, turned into HTML and DOCX by pandoc. */
static void check_collection(const char *name, const char *input)
{
	char db[600], md[620], jl[620];
	char *out = NULL;
	if (th_run(NULL, NULL, "command -v pandoc") != 0) {
		FAILF("pandoc is not installed: apt-get install -y pandoc");
		return;
	}
	snprintf(db, sizeof db, "%s", th_path(name));
	snprintf(md, sizeof md, "%s.md", db);
	snprintf(jl, sizeof jl, "%s.jsonl", db);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' import '%s'",
				     th_cli(), db, input), 0);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' export "
				     "--format markdown -o '%s' && '%s' --db "
				     "'%s' export --format json --sort speaker "
				     "-o '%s'", th_cli(), db, md, th_cli(), db,
				     jl), 0);
	int rc = th_run(&out, NULL, "python3 %s '%s' '%s' '%s'", CHECK_SCRIPT,
			md, jl, th_tmpdir());
	if (rc != 0)
		FAILF("%s: pandoc's HTML or DOCX does not hold the quotes:\n"
		      "%.2000s", name, out ? out : "");
	free(out);
}

static void test_seed_through_pandoc(void)
{
	check_collection("seed.db", "quotes/");
}

static void test_hostile_through_pandoc(void)
{
	check_collection("hostile.db", "tests/data/hostile/quotes.yaml");
}

static void test_listed(void)
{
	char *out = NULL;
	CU_ASSERT_EQUAL(th_run(&out, NULL, "'%s' formats", th_cli()), 0);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "markdown 1.0    .md ") :
			       NULL);
	free(out);
}

void test_markdown_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_descriptor),
		QDB_TEST(test_one_symbol),
		QDB_TEST(test_exact_document),
		QDB_TEST(test_escapes),
		QDB_TEST(test_fields),
		QDB_TEST(test_headings),
		QDB_TEST(test_refused),
		QDB_TEST(test_short_quote_refused),
		QDB_TEST(test_streams),
		QDB_TEST(test_write_error),
		QDB_TEST(test_abort),
		QDB_TEST(test_seed_through_pandoc),
		QDB_TEST(test_hostile_through_pandoc),
		QDB_TEST(test_listed),
	};
	TH_SUITE("markdown", suite_init, suite_clean, tests);
}
