/*
 * test_html.c: the "html" export plugin (plugins/html.c).  Through the
 * fake host: the exact markup of a quotation, lang and dir per language,
 * dateCreated only for ISO dates, links only for http(s), headings by
 * sort, characters HTML cannot carry refused with the quote and field,
 * and the plugin contract.  Through the real command and the programs
 * people use: the seed collection and tests/data/hostile, exported,
 * parsed by html5lib without a parse error, every text of a blockquote
 * equal to the stored text, the microdata checked, and the page printed
 * by headless Chromium with every text in pdftotext's output
 * (tests/data/html/check_html.py).
 */
#include "helpers.h"
#include "plugin_host.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quotedb/plugin.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CHECK_SCRIPT "tests/data/html/check_html.py"

static void *dl;
static const qdb_plugin *plugin;

static int suite_init(void)
{
	plugin = fh_load("html", &dl);
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
	for (const char *p = hay; p && (p = strstr(p, needle)); p += k)
		n++;
	return n;
}

/* The page for quotes q in order sort, NUL-terminated; NULL on failure
 * (the message in err when err is not NULL). */
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
		{ "title", "Quotations" }, { "paper", "a4" }, { NULL, NULL }
	};
	fh_check_descriptor(plugin, "html", "html", options);
	CU_ASSERT_EQUAL(plugin->sort, QDB_SORT_SPEAKER);
}

static void test_one_symbol(void)
{
	fh_check_one_symbol(th_plugin("html"));
}

/* One quotation with every field, as the page has it. */
static void test_exact_figure(void)
{
	qdb_quote q = mkquote("p14", "there is \"no\" clear\nevidence",
			      "Joe Biden");
	q.role = S("President");
	q.date = S("2023-10-15");
	q.date_text = S("a week after 7 October");
	q.outlet = S("CBS");
	q.programme = S("60 Minutes");
	q.occasion = S("interview");
	q.reported_by = S("WSJ");
	q.source = S("Iran & 7 October");
	q.source_author = S("Kyle Orton");
	q.source_url = S("https://example.org/?a=1&b=2");
	q.locator = S("para. 14");
	q.language = S("en");
	char *page = export(&q, 1, NULL, QDB_SORT_ADDED, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	const char *want =
		"<h1>Quotations</h1>\n"
		"<figure itemscope itemtype=\"https://schema.org/Quotation\">\n"
		"<meta itemprop=\"inLanguage\" content=\"en\">\n"
		"<blockquote itemprop=\"text\" cite=\"https://example.org/"
		"?a=1&amp;b=2\" lang=\"en\" dir=\"ltr\">there is &quot;no&quot;"
		" clear\nevidence</blockquote>\n"
		"<figcaption>\xe2\x80\x94 <span itemprop=\"creator\" itemscope "
		"itemtype=\"https://schema.org/Person\">"
		"<span itemprop=\"name\">"
		"Joe Biden</span></span>, President; <cite>CBS</cite>, "
		"60 Minutes, interview; a week after 7 October (<time "
		"itemprop=\"dateCreated\" datetime=\"2023-10-15\">2023-10-15"
		"</time>); reported by WSJ. Source: <span itemprop=\"isPartOf\""
		" itemscope itemtype=\"https://schema.org/CreativeWork\"><a "
		"itemprop=\"url\" href=\"https://example.org/?a=1&amp;b=2\">"
		"<span itemprop=\"name\">Iran &amp; 7 October</span></a>, "
		"<span itemprop=\"author\">Kyle Orton</span></span>, para. 14"
		"</figcaption>\n</figure>\n</main>\n</body>\n</html>\n";
	const char *at = strstr(page, "<h1>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	CU_ASSERT_STRING_EQUAL(at, want);
	CU_ASSERT_NSTRING_EQUAL(page, "<!DOCTYPE html>\n<html lang=\"en\">",
				32);
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "@page { size: A4;"));
	free(page);
}

static void test_direction(void)
{
	static const char *const cases[][2] = {
		{ "ar", "rtl" }, { "fa", "rtl" }, { "fa-IR", "rtl" },
		{ "he", "rtl" }, { "HE-il", "rtl" }, { "ur", "rtl" },
		{ "ps", "rtl" }, { "yi", "rtl" }, { "ckb", "rtl" },
		{ "sd", "rtl" }, { "ug", "rtl" }, { "dv", "rtl" },
		{ "ar_EG", "rtl" }, { "ku-Arab", "rtl" },
		{ "pa-Arab-PK", "rtl" },
		{ "sd-Deva", "ltr" }, { "az-Latn", "ltr" }, { "en", "ltr" },
		{ "ja", "ltr" }, { "arn", "ltr" }, { "fas", "ltr" },
		{ NULL, "auto" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		qdb_quote q = mkquote("d", "t", "S");
		if (cases[i][0])
			q.language = S(cases[i][0]);
		char *page = export(&q, 1, NULL, QDB_SORT_ADDED, NULL, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(page);
		char want[96];
		if (cases[i][0])
			snprintf(want, sizeof want,
				 " lang=\"%s\" dir=\"%s\">t<", cases[i][0],
				 cases[i][1]);
		else
			snprintf(want, sizeof want, "\" dir=\"auto\">t<");
		if (!strstr(page, want))
			FAILF("%s: no %s", cases[i][0] ? cases[i][0] : "none",
			      want);
		free(page);
	}
}

/* A translation's original follows its caption, in the language and
 * direction of translated; none without one. */
static void test_original(void)
{
	qdb_quote q = mkquote("o", "We kiss their hands.", "S");
	q.language = S("en");
	q.translated = S("fa");
	q.original = S("\xd9\x85\xd8\xa7 <b>\n& (IRGC)");
	char *page = export(&q, 1, NULL, QDB_SORT_ADDED, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	const char *want = "</figcaption>\n<blockquote class=\"original\" "
		"lang=\"fa\" dir=\"rtl\">\xd9\x85\xd8\xa7 &lt;b&gt;\n&amp; "
		"(IRGC)</blockquote>\n</figure>";
	if (!strstr(page, want))
		FAILF("no %s in\n%s", want, page);
	free(page);
	q.translated = (qdb_str){ NULL, 0 };
	page = export(&q, 1, NULL, QDB_SORT_ADDED, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "<blockquote class=\"original\" "
				      "dir=\"auto\">"));
	free(page);
	q.original = (qdb_str){ NULL, 0 };
	page = export(&q, 1, NULL, QDB_SORT_ADDED, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	CU_ASSERT_PTR_NULL(strstr(page, "class=\"original\""));
	free(page);
}

/* dateCreated for yyyy, yyyy-mm, yyyy-mm-dd; an EDTF date is text. */
static void test_dates(void)
{
	static const char *const iso[] = { "2023", "2023-10", "2023-10-15" };
	static const char *const edtf[] = { "2023-10-15~", "2023?", "202X",
		"2023-10/2023-11", "../2023", "2023-10-15%" };
	for (size_t i = 0; i < NELEM(iso) + NELEM(edtf); i++) {
		int is_iso = i < NELEM(iso);
		const char *d = is_iso ? iso[i] : edtf[i - NELEM(iso)];
		qdb_quote q = mkquote("d", "t", "S");
		q.date = S(d);
		char *page = export(&q, 1, NULL, QDB_SORT_ADDED, NULL, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(page);
		char want[128];
		snprintf(want, sizeof want, "<time itemprop=\"dateCreated\" "
			 "datetime=\"%s\">%s</time></figcaption>", d, d);
		CU_ASSERT_EQUAL(count(page, want), is_iso);
		snprintf(want, sizeof want, "</span></span>; %s</figcaption>",
			 d);
		CU_ASSERT_EQUAL(count(page, want), !is_iso);
		free(page);
	}
}

/* Only http(s) is linked; another scheme is shown as text. */
static void test_links(void)
{
	qdb_quote q = mkquote("u", "t", "S");
	q.source = S("Doc");
	q.source_url = S("javascript:alert(1)");
	char *page = export(&q, 1, NULL, QDB_SORT_ADDED, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	CU_ASSERT_EQUAL(count(page, "href="), 0);
	CU_ASSERT_EQUAL(count(page, "cite="), 0);
	CU_ASSERT_EQUAL(count(page, "<span itemprop=\"name\">Doc</span>, "
			      "javascript:alert(1)</span>"), 1);
	free(page);
	q.source_url = S("HTTP://EXAMPLE.ORG/");
	page = export(&q, 1, NULL, QDB_SORT_ADDED, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	CU_ASSERT_EQUAL(count(page, "href=\"HTTP://EXAMPLE.ORG/\""), 1);
	CU_ASSERT_EQUAL(count(page, "cite=\"HTTP://EXAMPLE.ORG/\""), 1);
	free(page);
}

/* A section per speaker, outlet or month; none in added order. */
static void test_headings(void)
{
	qdb_quote q[5] = {
		mkquote("1", "a", "Alice"), mkquote("2", "b", "Alice"),
		mkquote("3", "c", "Bob <b>"), mkquote("4", "d", "Bob <b>"),
		mkquote("5", "e", "Carol"),
	};
	q[0].outlet = q[1].outlet = S("BBC");
	q[2].outlet = S("CNN");
	q[0].date_lo = 20231001, q[0].date_hi = 20231031;
	q[1].date_lo = 20231015, q[1].date_hi = 20231015;
	q[2].date_lo = 20230101, q[2].date_hi = 20231231;
	static const struct {
		qdb_sort sort;
		size_t n;
		const char *h2;
	} cases[] = {
		{ QDB_SORT_SPEAKER, 3, "<h2>Bob &lt;b&gt;</h2>" },
		{ QDB_SORT_OUTLET, 3, "<h2>Outlet not stated</h2>" },
		{ QDB_SORT_DATE, 3, "<h2>October 2023</h2>" },
		{ QDB_SORT_ADDED, 0, "" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char *page = export(q, 5, NULL, cases[i].sort, NULL, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(page);
		CU_ASSERT_EQUAL(count(page, "<h2>"), cases[i].n);
		CU_ASSERT_EQUAL(count(page, "<section>"), cases[i].n);
		CU_ASSERT_EQUAL(count(page, "</section>"), cases[i].n);
		if (cases[i].n)
			CU_ASSERT_EQUAL(count(page, cases[i].h2), 1);
		free(page);
	}
	char *page = export(q, 5, NULL, QDB_SORT_DATE, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	CU_ASSERT_EQUAL(count(page, "<h2>2023</h2>"), 1);
	CU_ASSERT_EQUAL(count(page, "<h2>Undated</h2>"), 1);
	free(page);
}

static void test_options(void)
{
	const char *opts[] = { "paper=letter", "title=<Mine> & 'yours'",
			       NULL };
	qdb_quote q = mkquote("o", "t", "S");
	char *page = export(&q, 1, opts, QDB_SORT_ADDED, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	CU_ASSERT_EQUAL(count(page, "@page { size: letter;"), 1);
	CU_ASSERT_EQUAL(count(page, "<title>&lt;Mine&gt; &amp; &#39;yours&#39;"
			      "</title>"), 1);
	CU_ASSERT_EQUAL(count(page, "<h1>&lt;Mine&gt; &amp; &#39;yours&#39;"
			      "</h1>"), 1);
	free(page);
	const char *bad[] = { "paper=a5", NULL };
	char err[1024];
	CU_ASSERT_PTR_NULL(export(&q, 1, bad, QDB_SORT_ADDED, err,
				  sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "a5"));
	const char *ctl[] = { "title=bell\a", NULL };
	CU_ASSERT_PTR_NULL(export(&q, 1, ctl, QDB_SORT_ADDED, err,
				  sizeof err));
	CU_ASSERT_STRING_EQUAL(err, "option title holds U+0007, which HTML "
			       "cannot carry");
}

/* NEL is a line break; what HTML cannot carry is refused, named. */
static void test_characters(void)
{
	qdb_quote q = mkquote("n", "a\xc2\x85" "b\tc\xe2\x80\xa8" "d", "S");
	char *page = export(&q, 1, NULL, QDB_SORT_ADDED, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	CU_ASSERT_EQUAL(count(page, "dir=\"auto\">a\nb\tc\xe2\x80\xa8"
			      "d</blockquote>"), 1);
	free(page);
	static const struct {
		const char *field, *value, *msg;
	} cases[] = {
		{ "text", "bell\a", "quote bad: text holds U+0007, which HTML "
		  "cannot carry" },
		{ "text", "del\x7f", "quote bad: text holds U+007F, which HTML "
		  "cannot carry" },
		{ "speaker", "c1 \xc2\x9f", "quote bad: speaker holds U+009F, "
		  "which HTML cannot carry" },
		{ "text", "non \xef\xbf\xbe", "quote bad: text holds U+FFFE, "
		  "which HTML cannot carry" },
		{ "text", "non \xef\xb7\x90", "quote bad: text holds U+FDD0, "
		  "which HTML cannot carry" },
		{ "outlet", "plane 16 \xf4\x8f\xbf\xbf", "quote bad: outlet "
		  "holds U+10FFFF, which HTML cannot carry" },
		{ "text", "caf\xe9", "quote bad: text is not valid UTF-8 "
		  "(byte 3)" },
		{ "speaker", "\xed\xa0\x80", "quote bad: speaker is not valid "
		  "UTF-8 (byte 0)" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		qdb_quote b = mkquote("bad", "t", "S");
		if (!strcmp(cases[i].field, "text"))
			b.text = S(cases[i].value);
		else if (!strcmp(cases[i].field, "speaker"))
			b.speaker = S(cases[i].value);
		else
			b.outlet = S(cases[i].value);
		char err[1024];
		CU_ASSERT_PTR_NULL(export(&b, 1, NULL, QDB_SORT_ADDED, err,
					  sizeof err));
		CU_ASSERT_STRING_EQUAL(err, cases[i].msg);
	}
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

static void test_no_quotes(void)
{
	char *page = export(NULL, 0, NULL, QDB_SORT_SPEAKER, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "<h1>Quotations</h1>\n</main>\n"
				      "</body>\n</html>\n"));
	free(page);
}

static void test_streams(void)
{
	fh_check_streams(plugin, NULL);
}

static void test_write_error(void)
{
	fh_check_write_error(plugin, "cannot write the HTML output");
}

static void test_abort(void)
{
	fh_check_abort(plugin);
}

/* ---- The programs people use ---------------------------------------- */

/*
 * The Python that has Debian's python3-html5lib: the system's, which a
 * python3 from pyenv or a virtualenv earlier on PATH may not see.
 */
static const char *python(void)
{
	return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3"
		: "python3";
}

static int have_tools(int pdf)
{
	int ok = 1;
	if (th_run(NULL, NULL, "%s -c 'import html5lib'", python()) != 0) {
		FAILF("html5lib is not installed: apt-get install -y "
		      "python3-html5lib");
		ok = 0;
	}
	if (pdf && th_run(NULL, NULL, "command -v chromium") != 0) {
		FAILF("chromium is not installed: apt-get install -y "
		      "chromium");
		ok = 0;
	}
	if (pdf && th_run(NULL, NULL, "command -v pdftotext") != 0) {
		FAILF("pdftotext is not installed: apt-get install -y "
		      "poppler-utils");
		ok = 0;
	}
	return ok;
}

/*
 * input imported through the command into a fresh database, exported as
 * HTML (with options opt) and as JSON Lines in the same order; the page
 * checked against the JSON by html5lib and, with pdf, printed to PDF by
 * headless Chromium and read back by pdftotext.
 */
static void check_collection(const char *name, const char *input,
			     const char *title, int pdf)
{
	char db[600], page[620], jl[620], pdfp[620], txt[620], prof[620];
	char *out = NULL, *err = NULL;
	if (!have_tools(pdf))
		return;
	snprintf(db, sizeof db, "%s", th_path(name));
	snprintf(page, sizeof page, "%s.html", db);
	snprintf(jl, sizeof jl, "%s.jsonl", db);
	snprintf(pdfp, sizeof pdfp, "%s.pdf", db);
	snprintf(txt, sizeof txt, "%s.txt", db);
	snprintf(prof, sizeof prof, "%s.chromium", db);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' import '%s'",
				     th_cli(), db, input), 0);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' export "
				     "--format html -O 'title=%s' -o '%s' && "
				     "'%s' --db '%s' export --format json "
				     "--sort speaker -o '%s'", th_cli(), db,
				     title, page, th_cli(), db, jl), 0);
	if (pdf) {
		/* timeout: a headless browser that hangs fails the test
		 * instead of stopping the suite */
		int rc = th_run(NULL, &err, "timeout 300 chromium --headless "
				"--no-sandbox "
				"--disable-gpu --disable-quic --no-first-run "
				"--disable-background-networking "
				"--disable-component-update --disable-sync "
				"--user-data-dir='%s' --no-pdf-header-footer "
				"--print-to-pdf='%s' 'file://%s' && "
				"pdftotext -raw -enc UTF-8 '%s' '%s'", prof,
				pdfp, page, pdfp, txt);
		if (rc != 0) {
			FAILF("%s: Chromium did not print the page: %.1000s",
			      name, err ? err : "");
			free(err);
			return;
		}
		free(err);
	}
	int rc = th_run(&out, NULL, "%s %s '%s' '%s' '%s' %s%s%s", python(),
			CHECK_SCRIPT, page, jl, title, pdf ? "'" : "",
			pdf ? txt : "", pdf ? "'" : "");
	if (rc != 0)
		FAILF("%s: the HTML page does not hold the quotes (a text "
		      "missing from the PDF may be a missing font: apt-get "
		      "install -y fonts-noto-core fonts-noto-cjk):\n%.2000s",
		      name, out ? out : "");
	free(out);
}

static void test_seed_in_browser(void)
{
	check_collection("seed.db", "quotes/", "Quotations", 1);
}

static void test_hostile_in_browser(void)
{
	check_collection("hostile.db", "tests/data/hostile/quotes.yaml",
			 "Hostile <title> & \"quotes\"", 1);
}

static void test_listed(void)
{
	char *out = NULL;
	CU_ASSERT_EQUAL(th_run(&out, NULL, "'%s' formats", th_cli()), 0);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "html     1.0    .html ") :
			       NULL);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "-O paper=a4") : NULL);
	free(out);
}

void test_html_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_descriptor),
		QDB_TEST(test_one_symbol),
		QDB_TEST(test_exact_figure),
		QDB_TEST(test_direction),
		QDB_TEST(test_original),
		QDB_TEST(test_dates),
		QDB_TEST(test_links),
		QDB_TEST(test_headings),
		QDB_TEST(test_options),
		QDB_TEST(test_characters),
		QDB_TEST(test_short_quote_refused),
		QDB_TEST(test_no_quotes),
		QDB_TEST(test_streams),
		QDB_TEST(test_write_error),
		QDB_TEST(test_abort),
		QDB_TEST(test_seed_in_browser),
		QDB_TEST(test_hostile_in_browser),
		QDB_TEST(test_listed),
	};
	TH_SUITE("html", suite_init, suite_clean, tests);
}
