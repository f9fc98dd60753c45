/*
 * test_odt.c: the "odt" export plugin (plugins/odt.c), through the fake
 * host (exact XML for whitespace and escaping, headings, right-to-left
 * styles, refusals, the streaming contract), then by LibreOffice, once
 * per target: one document holds the hostile texts of the other formats'
 * cases (tests/data/latex, tests/data/yaml_export, tests/data/csv),
 * right-to-left quotations and the seed collection as the quotedb command
 * exports it; `soffice --headless --convert-to pdf` and `--convert-to
 * docx` must both work, pdftotext must find every left-to-right text in
 * the PDF (tests/tex/pdf_has_texts.py), and the DOCX must hold every text
 * exactly, right-to-left ones included, as the text of one paragraph
 * (tests/data/odt/docx_has_texts.py).
 */
#include "helpers.h"
#include "plugin_host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quotedb/plugin.h"
#include "../core/internal.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void *dl;
static const qdb_plugin *plugin;

static int suite_init(void)
{
	plugin = fh_load("odt", &dl);
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

static void test_descriptor(void)
{
	static const char *const options[][2] = {
		{ "title", "Appendix: Quotations" }, { NULL, NULL }
	};
	fh_check_descriptor(plugin, "odt", "fodt", options);
	CU_ASSERT_EQUAL(plugin->sort, QDB_SORT_SPEAKER);
}

static void test_one_symbol(void)
{
	fh_check_one_symbol(th_plugin("odt"));
}

static qdb_str S(const char *s)
{
	return (qdb_str){ s, strlen(s) };
}

static qdb_quote mkquote(const char *id, const char *text, const char *who)
{
	qdb_quote q = QDB_QUOTE_INIT;
	q.id = S(id);
	q.text = S(text);
	q.speaker = S(who);
	return q;
}

static char *export_sorted(const qdb_quote *v, size_t n, qdb_sort sort,
			   const char *const *opts)
{
	fake_host fh;
	fh_init(&fh, plugin, opts);
	fh.h.sort = sort;
	int rc = fh_export(&fh, v, n);
	if (rc) {
		FAILF("export failed (%d): %s", rc, fh.err);
		th_buf_free(&fh.out);
		return NULL;
	}
	return fh.out.data;
}

/* The Quotation paragraph written for text. */
static char *quotation(const char *text, size_t len)
{
	qdb_quote q = mkquote("x", text, "S");
	q.text.len = len;
	char *out = export_sorted(&q, 1, QDB_SORT_ADDED, NULL);
	if (!out)
		return NULL;
	const char *b = strstr(out, "<text:p text:style-name=\"Quotation\">");
	char *r = NULL;
	if (b) {
		b += 36;
		r = strndup(b, (size_t)(strstr(b, "</text:p>") - b));
	}
	free(out);
	return r;
}

static void test_whitespace_and_escaping(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "a b", "a b" },
		{ "a  b", "a<text:s text:c=\"2\"/>b" },
		{ " lead", "<text:s/>lead" },
		{ "   lead", "<text:s text:c=\"3\"/>lead" },
		{ "trail ", "trail<text:s/>" },
		{ "x\ty", "x<text:tab/>y" },
		{ "a \tb", "a<text:s/><text:tab/>b" },
		{ "a\t b", "a<text:tab/><text:s/>b" },
		{ "l1\r\nl2\n\nl4\rl5", "l1<text:line-break/>l2<text:line-break/>"
		  "<text:line-break/>l4<text:line-break/>l5" },
		{ "a \nb", "a<text:s/><text:line-break/>b" },
		{ "a\n b", "a<text:line-break/><text:s/>b" },
		{ "nel\xc2\x85ls\xe2\x80\xa8ps\xe2\x80\xa9.",
		  "nel<text:line-break/>ls<text:line-break/>ps"
		  "<text:line-break/>." },
		{ "<b>&amp; \"q\" 'a' ]]>", "&lt;b&gt;&amp;amp; \"q\" 'a' ]]&gt;" },
		{ "nbsp\xc2\xa0\xc2\xa0x", "nbsp\xc2\xa0\xc2\xa0x" },
		{ "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 \xf0\x9f\x98\x80",
		  "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 \xf0\x9f\x98\x80" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char *got = quotation(cases[i].in, strlen(cases[i].in));
		if (!got || strcmp(got, cases[i].out))
			FAILF("%zu: wrote \"%s\", want \"%s\"", i,
			      got ? got : "(none)", cases[i].out);
		free(got);
	}
}

static void test_attribution_and_source(void)
{
	qdb_quote q = mkquote("a", "t", "Joe Biden");
	q.role = S("President");
	q.outlet = S("CBS");
	q.programme = S("60 Minutes");
	q.occasion = S("interview");
	q.date = S("2023-10-15~");
	q.date_text = S("a week after");
	q.reported_by = S("WSJ & co");
	q.source = S("Iran & 7 October");
	q.locator = S("para. 14");
	q.source_url = S("https://example.org/?a=1&b=2");
	char *out = export_sorted(&q, 1, QDB_SORT_ADDED, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<text:p text:style-name="
		"\"Attribution\">\xe2\x80\x94 Joe Biden, President; CBS, "
		"60 Minutes, interview; a week after (2023-10-15~); reported "
		"by WSJ &amp; co</text:p>\n<text:p text:style-name=\"Source\">"
		"Iran &amp; 7 October, para. 14, https://example.org/?a=1&amp;"
		"b=2</text:p>\n"));
	CU_ASSERT_PTR_NULL(strstr(out, "Quote_20_Group\" text:outline"));
	free(out);
}

/* The headings of out, one a line. */
static char *headings(const char *out)
{
	th_buf b = { 0 };
	const char *tag = "text:outline-level=\"1\">";
	th_buf_write("", 0, &b);
	for (const char *p = out; (p = strstr(p, tag)); ) {
		p += strlen(tag);
		const char *e = strstr(p, "</text:h>");
		th_buf_write(p, (size_t)(e - p), &b);
		th_buf_write("\n", 1, &b);
	}
	return b.data;
}

static void test_headings(void)
{
	qdb_quote q[4];
	q[0] = mkquote("1", "t", "Alice");
	q[0].outlet = S("BBC");
	q[0].source = S("S1");
	q[0].date_lo = 20230101;
	q[0].date_hi = 20231231;
	q[1] = mkquote("2", "t", "Alice");
	q[1].source = S("S1");
	q[1].date_lo = q[1].date_hi = 20231007;
	q[2] = mkquote("3", "t", "Bob & Carol");
	q[2].outlet = S("<C>");
	q[2].date_lo = q[2].date_hi = 20231009;
	q[3] = mkquote("4", "t", "Bob & Carol");
	static const struct { qdb_sort sort; const char *want; } c[] = {
		{ QDB_SORT_SPEAKER, "Alice\nBob &amp; Carol\n" },
		{ QDB_SORT_OUTLET, "BBC\nOutlet not stated\n&lt;C&gt;\n"
		  "Outlet not stated\n" },
		{ QDB_SORT_DATE, "2023\nOctober 2023\nUndated\n" },
		{ QDB_SORT_SOURCE, "S1\nNo source\n" },
		{ QDB_SORT_ADDED, "" },
	};
	for (size_t i = 0; i < NELEM(c); i++) {
		char *out = export_sorted(q, 4, c[i].sort, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		char *h = headings(out);
		if (strcmp(h, c[i].want))
			FAILF("sort %d: headings \"%s\", want \"%s\"",
			      (int)c[i].sort, h, c[i].want);
		free(h);
		free(out);
	}
}

static void test_rtl(void)
{
	static const struct { const char *lang; int rtl; } c[] = {
		{ "ar", 1 }, { "fa", 1 }, { "he", 1 }, { "ur", 1 },
		{ "ps", 1 }, { "yi", 1 }, { "ar-EG", 1 }, { "he_IL", 1 },
		{ "FA-IR", 1 }, { "en", 0 }, { "arc", 0 }, { "de-AR", 0 },
		{ NULL, 0 },
	};
	for (size_t i = 0; i < NELEM(c); i++) {
		qdb_quote q = mkquote("x", "t", "S");
		if (c[i].lang)
			q.language = S(c[i].lang);
		char *out = export_sorted(&q, 1, QDB_SORT_ADDED, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		int rtl = strstr(out, "<text:p text:style-name="
				 "\"Quotation_20_RTL\">t</text:p>") != NULL;
		if (rtl != c[i].rtl)
			FAILF("language %s: rtl %d", c[i].lang, rtl);
		free(out);
	}
	/* the style says so */
	qdb_quote q = mkquote("x", "t", "S");
	char *out = export_sorted(&q, 1, QDB_SORT_ADDED, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "style:parent-style-name="
		"\"Quotation\" style:class=\"html\">\n"
		" <style:paragraph-properties style:writing-mode=\"rl-tb\""));
	free(out);
}

static void test_refused(void)
{
	qdb_quote q = mkquote("x", "bell\a", "S");
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(fh.err, "quote x: text: control character "
			       "U+0007 at byte 4 cannot be written in ODF "
			       "(XML 1.0)");
	th_buf_free(&fh.out);
	q = mkquote("x", "t", "S");
	q.outlet = S("c1\xc2\x9b");
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(fh.err, "quote x: outlet: control character "
			       "U+009B at byte 2 cannot be written in ODF "
			       "(XML 1.0)");
	th_buf_free(&fh.out);
	const char *opts[] = { "title=a\x01", NULL };
	void *state = &fh;
	fh_init(&fh, plugin, opts);
	CU_ASSERT_EQUAL(plugin->begin(&state, &fh.h), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(fh.err, "option title: control character "
			       "U+0001 at byte 1 cannot be written in ODF "
			       "(XML 1.0)");
	th_buf_free(&fh.out);
	/* the title, escaped; none when empty */
	const char *titled[] = { "title=Q & A <1>", NULL };
	const char *untitled[] = { "title=", NULL };
	q = mkquote("x", "t", "S");
	char *out = export_sorted(&q, 1, QDB_SORT_ADDED, titled);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<text:p text:style-name=\"Title\">"
				      "Q &amp; A &lt;1&gt;</text:p>"));
	free(out);
	out = export_sorted(&q, 1, QDB_SORT_ADDED, untitled);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NULL(strstr(out, "\"Title\">"));
	free(out);
}

static void test_streams(void)
{
	fh_check_streams(plugin, NULL);
}

static void test_write_error(void)
{
	fh_check_write_error(plugin, "cannot write the ODF output");
}

static void test_abort(void)
{
	fh_check_abort(plugin);
}

/* ---- LibreOffice ------------------------------------------------------ */

/* Whether the plugin writes t (UTF-8, no control characters). */
static int writable(const char *t, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned cp;
		size_t k = qdb__utf8_decode((const unsigned char *)t + i,
					    n - i, &cp);
		if (!k || (cp < 0x20 && cp != '\t' && cp != '\n' &&
			   cp != '\r') || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0 && cp != 0x85))
			return 0;
		i += k;
	}
	return 1;
}

/*
 * Whether pdftotext gives t back in logical order: no right-to-left
 * script (LibreOffice draws it right to left, pdftotext reads it with
 * embedding marks), and nothing outside the BMP (emoji: a fallback font
 * draws them out of line).  The DOCX check covers the others.
 */
static int pdf_readable(qdb_str t)
{
	size_t i = 0;
	while (i < t.len) {
		unsigned cp;
		size_t k = qdb__utf8_decode((const unsigned char *)t.ptr + i,
					    t.len - i, &cp);
		if (!k || (cp >= 0x590 && cp < 0x900) ||
		    (cp >= 0xfb1d && cp < 0xfe00) ||
		    (cp >= 0xfe70 && cp < 0xff00) || cp >= 0x10000)
			return 0;
		i += k;
	}
	return 1;
}

typedef struct doc {
	quote_list l;
	th_buf all;      /* every text: the DOCX has them all */
	th_buf ltr;      /* left-to-right texts: the PDF has them */
} doc;

static void add_quote(doc *d, qdb_quote q, int ltr)
{
	qdb_quote *v = realloc(d->l.v, (d->l.n + 1) * sizeof *v);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	d->l.v = v;
	d->l.v[d->l.n++] = q;
	th_buf_write(q.text.ptr, q.text.len + 1, &d->all);
	if (ltr && pdf_readable(q.text))
		th_buf_write(q.text.ptr, q.text.len + 1, &d->ltr);
}

static void add_text(doc *d, const char *t, size_t n, const char *lang)
{
	qdb_quote q = QDB_QUOTE_INIT;
	q.text = str_dup(t, n);
	q.speaker = str_dup("Dr. {Evil} & <Co> \"100%\"", 24);
	if (lang)
		q.language = str_dup(lang, strlen(lang));
	add_quote(d, q, lang == NULL);
}

static void add_yaml(doc *d, const char *yaml, size_t n)
{
	quote_list l;
	char err[256];
	if (load_quotes(&l, yaml, n, err, sizeof err)) {
		FAILF("%s", err);
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		qdb_quote *q = &l.v[i];
		const qdb_str f[] = { q->text, q->speaker, q->role, q->outlet,
				      q->programme, q->occasion, q->date,
				      q->date_text, q->reported_by, q->source,
				      q->locator, q->source_url };
		int ok = 1;
		for (size_t k = 0; k < NELEM(f); k++)
			if (f[k].ptr && !writable(f[k].ptr, f[k].len))
				ok = 0;
		if (ok) {
			add_quote(d, *q, !q->language.ptr ||
				  strncmp(q->language.ptr, "ar", 2));
			memset(q, 0, sizeof *q);   /* moved into d */
		}
	}
	quotes_free(&l);
}

static void add_yaml_dir(doc *d, const char *dir)
{
	DIR *dd = opendir(dir);
	struct dirent *e;
	CU_ASSERT_PTR_NOT_NULL_FATAL(dd);
	while ((e = readdir(dd))) {
		char path[512];
		size_t n;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s/input.yaml", dir, e->d_name);
		char *y = th_read_file(path, &n);
		if (y)
			add_yaml(d, y, n);
		free(y);
	}
	closedir(dd);
}

static void build_doc(doc *d)
{
	static const struct { const char *text, *lang; } extra[] = {
		{ "  two leading, three   inside, one trailing ", NULL },
		{ "tab\tand\t\ttabs, \tmixed\t ", NULL },
		{ "first\n\nthird line\r\nfourth\rfifth", NULL },
		{ "\xd9\x86\xd8\xad\xd9\x86 \xd9\x86\xd9\x82\xd8\xa8\xd9\x84 "
		  "\xd8\xa3\xd9\x8a\xd8\xaf\xd9\x8a", "ar" },
		{ "\xd7\x90\xd7\xa0\xd7\x97\xd7\xa0\xd7\x95 \xd7\x91\xd7\x9e"
		  "\xd7\x9c\xd7\x97\xd7\x9e\xd7\x94 (2023)", "he-IL" },
		{ "\xd9\x85\xd8\xa7 \xd9\x85\xd9\x82\xd8\xa7\xd9\x88\xd9\x85"
		  "\xd8\xaa \xd9\x85\xdb\x8c\xe2\x80\x8c\xda\xa9\xd9\x86\xdb\x8c"
		  "\xd9\x85", "fa" },
	};
	memset(d, 0, sizeof *d);
	th_buf_write("", 0, &d->all);
	th_buf_write("", 0, &d->ltr);
	DIR *dd = opendir("tests/data/latex");
	struct dirent *e;
	CU_ASSERT_PTR_NOT_NULL_FATAL(dd);
	while ((e = readdir(dd))) {
		char path[512];
		size_t n;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "tests/data/latex/%s/input.txt",
			 e->d_name);
		char *t = th_read_file(path, &n);
		if (t && n && t[n - 1] == '\n')
			n--;
		if (t && n && writable(t, n))
			add_text(d, t, n, NULL);
		free(t);
	}
	closedir(dd);
	add_yaml_dir(d, "tests/data/yaml_export");
	add_yaml_dir(d, "tests/data/csv");
	for (size_t i = 0; i < NELEM(extra); i++)
		add_text(d, extra[i].text, strlen(extra[i].text),
			 extra[i].lang);
}

static void test_libreoffice(void)
{
	doc d;
	char *yaml = NULL, *out = NULL, cwd[512], path[600];
	if (th_run(NULL, NULL, "command -v soffice >/dev/null")) {
		FAILF("soffice is missing: apt-get install -y "
		      "--no-install-recommends libreoffice-writer-nogui");
		return;
	}
	if (th_run(NULL, NULL, "command -v pdftotext >/dev/null")) {
		FAILF("pdftotext is missing: apt-get install -y "
		      "--no-install-recommends poppler-utils");
		return;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
	const char *dir = th_path("odt");
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "mkdir -p '%s'", dir), 0);
	build_doc(&d);
	CU_ASSERT(d.l.n >= 50);
	/* the seed collection, through the command: its own .fodt must be
	 * the same bytes as these quotes' through the fake host */
	const char *db = th_path("seed.db");
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' import "
				     "quotes/ && '%s' --db '%s' export "
				     "--format odt -o '%s/seed.fodt'",
				     th_cli(), db, th_cli(), db, dir), 0);
	CU_ASSERT_EQUAL_FATAL(th_run(&yaml, NULL, "'%s' --db '%s' export "
				     "--format yaml --sort speaker", th_cli(),
				     db), 0);
	size_t before = d.l.n;
	add_yaml(&d, yaml, strlen(yaml));
	CU_ASSERT(d.l.n - before >= 80);
	quote_list seed = { d.l.v + before, d.l.n - before };
	char *mine = export_sorted(seed.v, seed.n, QDB_SORT_SPEAKER, NULL);
	snprintf(path, sizeof path, "%s/seed.fodt", dir);
	char *cli = th_read_file(path, NULL);
	CU_ASSERT(mine && cli && strcmp(mine, cli) == 0);
	free(mine);
	free(cli);
	free(yaml);

	char *fodt = export_sorted(d.l.v, d.l.n, QDB_SORT_SPEAKER, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fodt);
	snprintf(path, sizeof path, "%s/all.fodt", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, fodt, strlen(fodt)), 0);
	free(fodt);
	snprintf(path, sizeof path, "%s/all.texts", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, d.all.data, d.all.len), 0);
	snprintf(path, sizeof path, "%s/ltr.texts", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, d.ltr.data, d.ltr.len), 0);
	for (int k = 0; k < 2; k++) {
		const char *to = k ? "docx" : "pdf";
		free(out);
		out = NULL;
		int rc = th_run(&out, NULL, "cd '%s' && soffice --headless "
				"-env:UserInstallation=file://%s/profile "
				"--convert-to %s --outdir . all.fodt 2>&1 && "
				"test -s all.%s", dir, dir, to, to);
		if (rc)
			FAILF("soffice --convert-to %s: %.1000s", to,
			      out ? out : "");
	}
	free(out);
	out = NULL;
	if (th_run(&out, NULL, "cd '%s' && pdftotext -raw -enc UTF-8 all.pdf "
		   "all.txt && python3 '%s/tests/tex/pdf_has_texts.py' "
		   "all.txt ltr.texts", dir, cwd))
		FAILF("texts missing from the PDF:\n%.3000s", out ? out : "");
	free(out);
	out = NULL;
	if (th_run(&out, NULL, "cd '%s' && python3 '%s/tests/data/odt/"
		   "docx_has_texts.py' all.docx all.texts", dir, cwd))
		FAILF("texts missing from the DOCX:\n%.3000s", out ? out : "");
	free(out);
	quotes_free(&d.l);
	th_buf_free(&d.all);
	th_buf_free(&d.ltr);
}

void test_odt_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_descriptor),
		QDB_TEST(test_one_symbol),
		QDB_TEST(test_whitespace_and_escaping),
		QDB_TEST(test_attribution_and_source),
		QDB_TEST(test_headings),
		QDB_TEST(test_rtl),
		QDB_TEST(test_refused),
		QDB_TEST(test_streams),
		QDB_TEST(test_write_error),
		QDB_TEST(test_abort),
		QDB_TEST(test_libreoffice),
	};
	TH_SUITE("odt", suite_init, suite_clean, tests);
}
