/*
 * test_latex_data.c: the "latex-data" export plugin (plugins/latex-data.c)
 * through a fake host, and quotedb.sty (tex/quotedb.sty) reading what it
 * writes, compiled for real.
 *
 * Escaping is the appendix's (both plugins use plugins/texescape.h):
 * every case of tests/data/latex/ is run through this plugin too, and the
 * text it writes must be the fragment the latex plugin writes (a line
 * break is \qdbpar{} here, \par there).
 *
 * Then a manuscript that uses every command of the package, with ids full
 * of TeX specials, is compiled with pdflatex and with lualatex (hyperref);
 * pdftotext must find every cited text, the attribution and footnote, and
 * the back-references with the pages the citations stand on (each page
 * is ended with \newpage, so the pages are known), and pdfinfo -dests
 * must put each citation's link target on that page.  An unknown id must
 * stop the run with an error naming it.  The quotes of every script
 * (tests/tex/scripts.yaml) compile with lualatex and are in the PDF.
 */
#include "helpers.h"
#include "plugin_host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quotedb/plugin.h"

#define PLUGIN_PATH th_plugin("latex-data")
#define CASES_DIR "tests/data/latex"
#define CHECK_SCRIPT "tests/tex/pdf_has_texts.py"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void *dl;
static const qdb_plugin *plugin;

static int suite_init(void)
{
	plugin = fh_load("latex-data", &dl);
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

static qdb_quote mkquote(const char *id, const char *text)
{
	qdb_quote q = QDB_QUOTE_INIT;
	q.id = S(id);
	q.text = S(text);
	q.speaker = S("Speaker");
	return q;
}

/* The plugin's output for qs (caller frees), or NULL after a failure. */
static char *export(const qdb_quote *qs, size_t n, const char *const *opts)
{
	fake_host fh;
	fh_init(&fh, plugin, opts);
	int rc = fh_export(&fh, qs, n);
	if (rc != 0) {
		FAILF("export failed (%d): %s", rc, fh.err);
		th_buf_free(&fh.out);
		return NULL;
	}
	return fh.out.data;
}

static void test_descriptor(void)
{
	static const char *const options[][2] = {
		{ "charset", "any" }, { NULL, NULL }
	};
	fh_check_descriptor(plugin, "latex-data", "tex", options);
}

static void test_one_symbol(void)
{
	fh_check_one_symbol(PLUGIN_PATH);
}

static void test_streams(void)
{
	fh_check_streams(plugin, NULL);
}

static void test_write_error(void)
{
	fh_check_write_error(plugin, "cannot write the LaTeX data output");
}

static void test_abort(void)
{
	fh_check_abort(plugin);
}

/* ---- The file ---------------------------------------------------------- */

/* The value of field name of the first quote in out (caller frees). */
static char *field_of(const char *out, const char *name)
{
	char head[64];
	snprintf(head, sizeof head, "\n\\qdbdatafield{%s}{", name);
	const char *b = strstr(out, head);
	if (!b)
		return NULL;
	b += strlen(head);
	const char *e = strstr(b, "}\n\\qdbdata");
	return e ? strndup(b, (size_t)(e - b)) : NULL;
}

/* Every field, in the field table's order, the date also in words. */
static void test_fields(void)
{
	qdb_quote q = mkquote("p11-kirby-1", "Make no mistake");
	q.role = S("spokesman");
	q.date = S("2023-10-09");
	q.source_url = S("https://example.org/a?b=1&c=%20");
	static const qdb_str tags[] = { { "iran", 4 }, { "a_b", 3 } };
	q.tags = tags;
	q.ntags = 2;
	char *out = export(&q, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL(strstr(out, "\\qdbdataversion{2}\n"
		"\\qdbdataquote{p11-kirby-1}\n"),
		"\\qdbdataversion{2}\n"
		"\\qdbdataquote{p11-kirby-1}\n"
		"\\qdbdatafield{id}{p11-kirby-1}\n"
		"\\qdbdatafield{text}{Make no mistake}\n"
		"\\qdbdatafield{speaker}{Speaker}\n"
		"\\qdbdatafield{role}{spokesman}\n"
		"\\qdbdatafield{date}{2023-10-09}\n"
		"\\qdbdatafield{date_words}{9 October 2023}\n"
		"\\qdbdatafield{source_url}{https:/\\qdbbreak{}/\\qdbbreak{}"
		"example.\\qdbbreak{}org/\\qdbbreak{}a?\\qdbbreak{}b="
		"\\qdbbreak{}1\\&\\qdbbreak{}c=\\qdbbreak{}\\%20}\n"
		"\\qdbdatafield{tags}{iran, a\\_b}\n"
		"\\qdbdataend\n");
	free(out);
}

/* Ids with TeX specials, spaces and non-ASCII become keys of safe bytes
 * only, by a rule that can be undone. */
static void test_keys(void)
{
	static const char *const cases[][2] = {
		{ "p11-kirby-1", "p11-kirby-1" },
		{ "a.b_c:d/e-f", "a.b_c:d/e-f" },
		{ "my id", "my+20id" },
		{ "a{b}", "a+7Bb+7D" },
		{ "back\\slash", "back+5Cslash" },
		{ "100%", "100+25" },
		{ "#1", "+231" },
		{ "zitat-m\xc3\xbcller", "zitat-m+C3+BCller" },
		{ "a+b", "a+2Bb" },
		{ "~$&^@", "+7E+24+26+5E+40" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		qdb_quote q = mkquote(cases[i][0], "t");
		char *out = export(&q, 1, NULL);
		char want[128];
		snprintf(want, sizeof want, "\\qdbdataquote{%s}\n",
			 cases[i][1]);
		if (!out || !strstr(out, want))
			FAILF("id \"%s\": want %s in\n%s", cases[i][0], want,
			      out ? out : "(nothing)");
		free(out);
	}
}

static void test_refused(void)
{
	qdb_quote q = mkquote("bell", "a\007b");
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(fh.err, "quote bell: text: control character "
			       "U+0007 at byte 1 cannot be set in LaTeX");
	th_buf_free(&fh.out);
	q = mkquote("greek", "ok");
	q.role = S("\xce\xb1");
	const char *latin[] = { "charset=latin", NULL };
	fh_init(&fh, plugin, latin);
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(fh.err, "quote greek: role: U+03B1 \"\xce\xb1\" "
			       "at byte 0 cannot be set with charset=latin "
			       "(without it every script is set)");
	th_buf_free(&fh.out);
	char *out = export(&q, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "{role}{\\qdbgreek{\xce\xb1}}")
			       : NULL);
	free(out);
}

/* ---- The appendix's escaping cases -------------------------------------- */

static char *case_file(const char *name, const char *file, size_t *len)
{
	char path[512];
	size_t n;
	snprintf(path, sizeof path, "%s/%s/%s", CASES_DIR, name, file);
	char *s = th_read_file(path, &n);
	if (s && n && s[n - 1] == '\n')
		s[--n] = '\0';
	if (len)
		*len = n;
	return s;
}

/* expected.tex with the latex plugin's paragraph break as ours. */
static char *as_data(const char *latex)
{
	size_t n = strlen(latex);
	char *s = malloc(n * 2 + 1), *o = s;
	for (const char *p = latex; *p;) {
		if (!strncmp(p, "\\par\n", 5)) {
			o += sprintf(o, "\\qdbpar{}");
			p += 5;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return s;
}

static void run_case(const char *name)
{
	size_t inlen;
	char *input = case_file(name, "input.txt", &inlen);
	char *expected = case_file(name, "expected.tex", NULL);
	char *error = case_file(name, "error.txt", NULL);
	char *options = case_file(name, "options", NULL);
	const char *opts[] = { NULL, NULL };
	if (options && strstr(options, "charset=latin"))
		opts[0] = "charset=latin";
	qdb_quote q = mkquote(name, "");
	q.text = (qdb_str){ input, inlen };
	fake_host fh;
	fh_init(&fh, plugin, opts);
	int rc = input ? fh_export(&fh, &q, 1) : -1;
	if (!expected) {
		/* the appendix's message, word for word */
		if (rc != QDB_EINVALID || !error || strcmp(fh.err, error))
			FAILF("%s: want refusal \"%s\", got %d \"%s\"", name,
			      error ? error : "(no error.txt)", rc, fh.err);
	} else if (rc != 0) {
		FAILF("%s: export failed (%d): %s", name, rc, fh.err);
	} else {
		char *got = field_of(fh.out.data, "text");
		char *want = as_data(expected);
		size_t g = got ? strlen(got) : 0;
		/* ours may end with a break before what follows it */
		if (got && g >= 10 && !strcmp(got + g - 10, "\\kern0pt{}") &&
		    strcmp(got, want))
			got[g - 10] = '\0';
		if (!got || strcmp(got, want))
			FAILF("%s: wrote\n%s\nwant\n%s", name,
			      got ? got : "(no text)", want);
		free(got);
		free(want);
	}
	th_buf_free(&fh.out);
	free(input);
	free(expected);
	free(error);
	free(options);
}

static void test_escape_cases(void)
{
	DIR *d = opendir(CASES_DIR);
	struct dirent *e;
	size_t n = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "README.md"))
			continue;
		run_case(e->d_name);
		n++;
	}
	closedir(d);
	CU_ASSERT(n >= 20);
}

/* ---- The package, compiled ---------------------------------------------- */

/* The quotes of the manuscript: ids with every kind of special (their
 * keys, as test_keys shows, are what main.tex cites). */
static const char *const ids[] = {
	"p11-kirby-1", "my id", "a{b}\\c%d#e", "zitat-m\xc3\xbcller",
	"uncited",
};
static const char *const texts[] = {
	"\\input{/etc/passwd} 100% of $5 & #1_a^b~c \\write18{touch pwned}",
	"first paragraph\nsecond paragraph -- {braced} [x]",
	"-- --- `` '' << >> ,, !` ?` \"quoted\" | < >",
	"\xe2\x80\x9e" "German" "\xe2\x80\x9c and Ia\xc8\x99i \xe2\x80\xa6 "
	"stra\xc3\x9f" "e",
	"NOT CITED ANYWHERE",
};

static const char manuscript[] =
	"\\documentclass{article}\n"
	"\\usepackage{iftex}\n"
	"\\ifPDFTeX\\usepackage[T1]{fontenc}\\usepackage{lmodern}\n"
	"\\else\\usepackage{fontspec}\\fi\n"
	"\\usepackage{quotedb}\n"
	"%s"
	"\\qdbload{quotes-data}\n"
	"\\begin{document}\n"
	"Page one: \\qdbquote[cite]{p11-kirby-1} said \\qdbattrib{p11-kirby-1}."
	"\n\\qdbblockquote{my+20id}\n"
	"\\newpage\n"
	"Page two: \\qdbquote{a+7Bb+7D+5Cc+25d+23e}.\n"
	"\\newpage\n"
	"Page three: \\qdbquote{zitat-m+C3+BCller} and again "
	"\\qdbquote{p11-kirby-1}.\n"
	"\\newpage\n"
	"\\printquotedbappendix\n"
	"\\end{document}\n";

static int have_tools(void)
{
	const char *tools[] = { "pdflatex", "lualatex", "pdftotext",
				"pdfinfo", "python3" };
	int ok = 1;
	for (size_t i = 0; i < NELEM(tools); i++)
		if (th_run(NULL, NULL, "command -v %s", tools[i]) != 0) {
			FAILF("%s is not installed: run apt-get install -y "
			      "texlive-latex-recommended texlive-latex-extra "
			      "texlive-luatex lmodern poppler-utils python3",
			      tools[i]);
			ok = 0;
		}
	return ok;
}

/* A directory with the package, the data and main.tex. */
static const char *setup_dir(const char *name, const char *preamble,
			     const char *body)
{
	char path[600];
	const char *dir = th_path(name);
	th_run(NULL, NULL, "rm -rf '%s'", dir);
	if (mkdir(dir, 0700) != 0 ||
	    th_run(NULL, NULL, "cp tex/quotedb.sty '%s'/", dir) != 0)
		return NULL;
	qdb_quote q[NELEM(ids)];
	for (size_t i = 0; i < NELEM(ids); i++) {
		q[i] = mkquote(ids[i], texts[i]);
		q[i].speaker = S(i == 0 ? "Dr. {Evil} \\& Co. 100%"
				 : "Speaker");
	}
	q[0].role = S("^_^ ~role~ --");
	q[0].outlet = S("#1 <News> $$");
	q[0].date = S("2023-10-09");
	q[0].source = S("Seed {article}");
	q[0].source_author = S("A. Writer");
	q[0].source_url = S("https://example.org/a?b=1&c=%20");
	q[0].locator = S("para. 11");
	q[1].date_text = S("the same day");
	char *data = export(q, NELEM(ids), NULL);
	if (!data)
		return NULL;
	snprintf(path, sizeof path, "%s/quotes-data.tex", dir);
	int rc = th_write_file(path, data, strlen(data));
	free(data);
	char *doc = malloc(sizeof manuscript + strlen(preamble) +
			   strlen(body));
	sprintf(doc, body, preamble);
	snprintf(path, sizeof path, "%s/main.tex", dir);
	rc |= th_write_file(path, doc, strlen(doc));
	free(doc);
	return rc ? NULL : dir;
}

static int latex(const char *dir, const char *engine, char **log)
{
	return th_run(log, NULL, "cd '%s' && %s -no-shell-escape "
		      "-halt-on-error -interaction=nonstopmode main.tex", dir,
		      engine);
}

/* Runs engine on dir/main.tex runs times; on a failure, says why (the
 * log's first error) and returns -1.  *log is the last run's (caller
 * frees). */
static int latex_ok(const char *dir, const char *engine, int runs,
		    char **log)
{
	int rc = 0;
	*log = NULL;
	for (int i = 0; i < runs && rc == 0; i++) {
		free(*log);
		rc = latex(dir, engine, log);
	}
	if (rc == 0)
		return 0;
	const char *e = *log ? strstr(*log, "\n!") : NULL;
	FAILF("%s failed (%d): %.800s", engine, rc,
	      e ? e : (*log ? *log : ""));
	free(*log);
	*log = NULL;
	return -1;
}

static void compile(const char *engine, int hyperref)
{
	char *log = NULL, *out = NULL, path[600], script[600], cwd[512];
	if (!have_tools())
		return;
	const char *dir = setup_dir(engine, hyperref ?
				    "\\usepackage{hyperref}\n" : "",
				    manuscript);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	if (latex_ok(dir, engine, 2, &log) != 0)
		return;
	CU_ASSERT_PTR_NULL(strstr(log, "Rerun"));
	free(log);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "cd '%s' && pdftotext -raw "
				     "-enc UTF-8 main.pdf main.txt", dir), 0);
	/* What the reader must see, whitespace runs aside. */
	const char *attrib0 = "Dr. {Evil} \\& Co. 100%, ^_^ ~role~ --, "
		"#1 <News> $$, 9 October 2023";
	char want[8][600];
	size_t n = 0;
	for (size_t i = 0; i < 4; i++)
		snprintf(want[n++], sizeof want[0], "%s", texts[i]);
	/* the inline attribution and the footnote */
	snprintf(want[n++], sizeof want[0], "said %s.", attrib0);
	snprintf(want[n++], sizeof want[0], "%s. Seed {article}, A. Writer, "
		 "https://example.org/a?b=1&c=%%20, para. 11.", attrib0);
	/* the appendix: numbered in order of first citation, with pages */
	snprintf(want[n++], sizeof want[0], "1. %s \xe2\x80\x94 %s; Seed "
		 "{article}, A. Writer, https://example.org/a?b=1&c=%%20, "
		 "para. 11. cited on pp. 1, 3 2. %s \xe2\x80\x94 Speaker, "
		 "the same day. cited on p. 1", texts[0], attrib0, texts[1]);
	snprintf(want[n++], sizeof want[0], "3. %s \xe2\x80\x94 Speaker. "
		 "cited on p. 2 4. %s \xe2\x80\x94 Speaker. cited on p. 3",
		 texts[2], texts[3]);
	th_buf expect = { 0 };
	for (size_t i = 0; i < n; i++)
		th_buf_write(want[i], strlen(want[i]) + 1, &expect);
	snprintf(path, sizeof path, "%s/expected.bin", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, expect.data, expect.len), 0);
	th_buf_free(&expect);
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
	snprintf(script, sizeof script, "%s/%s", cwd, CHECK_SCRIPT);
	if (th_run(&out, NULL, "cd '%s' && python3 '%s' main.txt "
		   "expected.bin", dir, script) != 0)
		FAILF("%s: not in the PDF:\n%.3000s", engine, out ? out : "");
	free(out);
	snprintf(path, sizeof path, "%s/main.txt", dir);
	char *txt = th_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(txt);
	CU_ASSERT_PTR_NULL(strstr(txt, "NOT CITED"));
	CU_ASSERT_PTR_NULL(strstr(txt, "root:"));
	free(txt);
	snprintf(path, sizeof path, "%s/pwned", dir);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	if (!hyperref)
		return;
	/* Citation n's link target is on the page the appendix names. */
	static const int page_of[] = { 1, 1, 2, 3, 3 };
	for (size_t i = 0; i < NELEM(page_of); i++) {
		out = NULL;
		th_run(&out, NULL, "cd '%s' && pdfinfo -dests main.pdf | "
		       "awk '$NF == \"\\\"qdb.cite.%zu\\\"\" { print $1 }'",
		       dir, i + 1);
		if (!out || atoi(out) != page_of[i])
			FAILF("%s: qdb.cite.%zu on page %s, want %d", engine,
			      i + 1, out ? out : "?", page_of[i]);
		free(out);
	}
}

static void test_pdflatex(void)
{
	compile("pdflatex", 0);
}

static void test_lualatex_hyperref(void)
{
	compile("lualatex", 1);
}

static void test_unknown_id(void)
{
	static const char doc[] =
		"\\documentclass{article}\n"
		"\\usepackage[T1]{fontenc}\n"
		"\\usepackage{quotedb}%s\n"
		"\\qdbload{quotes-data}\n"
		"\\begin{document}\n"
		"Before \\qdbquote{no+20such} after.\n"
		"\\end{document}\n";
	char *log = NULL;
	if (!have_tools())
		return;
	const char *dir = setup_dir("unknown", "", doc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_NOT_EQUAL(latex(dir, "pdflatex", &log), 0);
	CU_ASSERT_PTR_NOT_NULL(log ? strstr(log, "! Package quotedb Error: "
		"Unknown quotation id `no+20such'.") : NULL);
	free(log);
}

/*
 * Every script: the quotes of tests/tex/scripts.yaml (Persian, Arabic,
 * Hebrew, Russian, Greek, Chinese, Japanese, combining marks) as data,
 * printed by \printquotedbappendix[all] and one inline \qdbquote under
 * lualatex, with the fonts the appendix uses (fontspec, Noto, a fallback
 * per script, babel's bidi=basic); every text in the PDF, read in logical
 * order (mutool) and compared without spaces, as tests/test_latex.c does
 * for the appendix.
 */
static const char scripts_doc[] =
	"\\documentclass{article}\n"
	"\\usepackage[bidi=basic]{babel}\n"
	"\\babelprovide[import,main]{english}\n"
	"\\usepackage{fontspec}\n"
	"\\directlua{luaotfload.add_fallback('qdbfallback', {\n"
	"  'NotoSerifHebrew-Regular.ttf:mode=harf;script=hebr',\n"
	"  'NotoNaskhArabic-Regular.ttf:mode=harf;script=arab',\n"
	"  'NotoSerifCJK-Regular.ttc(2):mode=harf',\n"
	"  'NotoSans-Regular.ttf:mode=harf'})}\n"
	"\\setmainfont{NotoSerif}[Extension=.ttf, UprightFont=*-Regular,\n"
	"  BoldFont=*-Bold, ItalicFont=*-Italic, BoldItalicFont=*-BoldItalic,\n"
	"  Renderer=Node, RawFeature={fallback=qdbfallback}]\n"
	"\\tracinglostchars=3\n"
	"\\usepackage{quotedb}\n"
	"\\qdbload{quotes-data}\n"
	"\\begin{document}\n"
	"Inline: \\qdbquote{zh-1}.\n"
	"\\printquotedbappendix[all]\n"
	"\\end{document}\n";

static void test_scripts_lualatex(void)
{
	char path[600], script[600], cwd[512], err[256];
	char *out = NULL, *log = NULL;
	quote_list l = { 0 };
	th_buf expect = { 0 };
	size_t len;
	if (!have_tools())
		return;
	if (th_run(NULL, NULL, "command -v mutool") != 0) {
		FAILF("mutool is not installed: run apt-get install -y "
		      "mupdf-tools");
		return;
	}
	char *yaml = th_read_file("tests/tex/scripts.yaml", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(yaml);
	if (load_quotes(&l, yaml, len, err, sizeof err) != 0) {
		FAILF("tests/tex/scripts.yaml: %s", err);
		free(yaml);
		return;
	}
	free(yaml);
	const char *dir = th_path("scripts");
	th_run(NULL, NULL, "rm -rf '%s'", dir);
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0);
	CU_ASSERT_FATAL(th_run(NULL, NULL, "cp tex/quotedb.sty '%s'/",
			       dir) == 0);
	char *data = export(l.v, l.n, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	snprintf(path, sizeof path, "%s/quotes-data.tex", dir);
	CU_ASSERT_EQUAL(th_write_file(path, data, strlen(data)), 0);
	free(data);
	snprintf(path, sizeof path, "%s/main.tex", dir);
	CU_ASSERT_EQUAL(th_write_file(path, scripts_doc,
				      strlen(scripts_doc)), 0);
	for (size_t i = 0; i < l.n; i++)
		th_buf_write(l.v[i].text.ptr, l.v[i].text.len + 1, &expect);
	CU_ASSERT(l.n >= 8);
	quotes_free(&l);
	snprintf(path, sizeof path, "%s/expected.bin", dir);
	CU_ASSERT_EQUAL(th_write_file(path, expect.data, expect.len), 0);
	th_buf_free(&expect);
	if (latex_ok(dir, "lualatex", 1, &log) != 0)
		return;
	CU_ASSERT_PTR_NULL(strstr(log, "Missing character"));
	free(log);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "cd '%s' && mutool draw -q "
				     "-F txt -o main.txt main.pdf", dir), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
	snprintf(script, sizeof script, "%s/%s", cwd, CHECK_SCRIPT);
	if (th_run(&out, NULL, "cd '%s' && python3 '%s' --no-spaces main.txt "
		   "expected.bin", dir, script) != 0)
		FAILF("lualatex: not in the PDF:\n%.3000s", out ? out : "");
	free(out);
}

void test_latex_data_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_descriptor),
		QDB_TEST(test_one_symbol),
		QDB_TEST(test_streams),
		QDB_TEST(test_write_error),
		QDB_TEST(test_abort),
		QDB_TEST(test_fields),
		QDB_TEST(test_keys),
		QDB_TEST(test_refused),
		QDB_TEST(test_escape_cases),
		QDB_TEST(test_pdflatex),
		QDB_TEST(test_lualatex_hyperref),
		QDB_TEST(test_unknown_id),
		QDB_TEST(test_scripts_lualatex),
	};
	TH_SUITE("latex_data", suite_init, suite_clean, tests);
}
