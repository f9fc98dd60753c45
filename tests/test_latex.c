/*
 * test_latex.c: the "latex" export plugin (plugins/latex.c), through a fake
 * host (build/plugins/latex.so dlopen'ed, output to memory).
 *
 * Escaping is data-driven: tests/data/latex/<case>/input.txt is the text of
 * one quotation (without the file's final newline) and expected.tex the
 * fragment the plugin must write for it, or error.txt the message it must
 * refuse it with; an optional options file holds key=value lines.
 *
 * Then documents full of hostile texts are compiled with pdflatex and
 * lualatex (no shell escape, in a temporary directory), and pdftotext must
 * find every text in the PDF (tests/tex/pdf_has_texts.py says what may
 * differ).  A missing TeX engine fails these tests: CI installs them.
 */
#include "helpers.h"
#include "plugin_host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quotedb/plugin.h"

#define PLUGIN_PATH th_plugin("latex")
#define DATA_DIR "tests/data/latex"
#define CHECK_SCRIPT "tests/tex/pdf_has_texts.py"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))


/* A quote with text and speaker; other fields set by the caller. */
static qdb_quote mkquote(const char *id, const char *text,
			 const char *speaker)
{
	qdb_quote q = QDB_QUOTE_INIT;
	if (id)
		q.id = (qdb_str){ id, strlen(id) };
	if (text)
		q.text = (qdb_str){ text, strlen(text) };
	if (speaker)
		q.speaker = (qdb_str){ speaker, strlen(speaker) };
	return q;
}

static qdb_str S(const char *s)
{
	return (qdb_str){ s, strlen(s) };
}

/* Number of times needle occurs in hay. */
static size_t count(const char *hay, const char *needle)
{
	size_t n = 0, k = strlen(needle);
	for (const char *p = hay; (p = strstr(p, needle)); p += k)
		n++;
	return n;
}

/* ---- The suite ------------------------------------------------------- */

static void *dl;
static const qdb_plugin *plugin;

static int suite_init(void)
{
	plugin = fh_load("latex", &dl);
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
		{ "title", "Appendix: Quotations" },
		{ "standalone", "1" },
		{ "charset", "any" }, { "paper", "a4" }, { "fontsize", "11" },
		{ "columns", "1" }, { "mainfont", "" }, { "class", "article" },
		{ "preamble", "" }, { "toc", "0" }, { "context", "0" },
		{ "date_text", "0" }, { "original", "0" }, { NULL, NULL }
	};
	fh_check_descriptor(plugin, "latex", "tex", options);
}

static void test_one_symbol(void)
{
	fh_check_one_symbol(PLUGIN_PATH);
}

/* ---- Escaping, data-driven ------------------------------------------- */

/* The case directories under DATA_DIR, sorted; NULL-terminated. */
static char **list_cases(void)
{
	DIR *d = opendir(DATA_DIR);
	size_t n = 0;
	char **v = calloc(512, sizeof *v);
	struct dirent *e;
	if (!d || !v) {
		if (d)
			closedir(d);
		free(v);
		return NULL;
	}
	while ((e = readdir(d)) && n < 511) {
		char path[512];
		struct stat sb;
		snprintf(path, sizeof path, "%s/%s", DATA_DIR, e->d_name);
		if (e->d_name[0] != '.' && stat(path, &sb) == 0 &&
		    S_ISDIR(sb.st_mode))
			v[n++] = strdup(e->d_name);
	}
	closedir(d);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v;
}

static void free_cases(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* A case file without its final newline (NULL if there is none). */
static char *read_case_file(const char *name, const char *file,
			    size_t *len)
{
	char path[512];
	size_t n;
	snprintf(path, sizeof path, "%s/%s/%s", DATA_DIR, name, file);
	char *s = th_read_file(path, &n);
	if (s && n && s[n - 1] == '\n')
		s[--n] = '\0';
	if (len)
		*len = n;
	return s;
}

/* Splits text into a NULL-terminated list of lines (in place). */
static void split_options(char *text, const char **opts, size_t max)
{
	size_t n = 0;
	for (char *line = text ? strtok(text, "\n") : NULL;
	     line && n + 1 < max; line = strtok(NULL, "\n"))
		if (*line && *line != '#')
			opts[n++] = line;
	opts[n] = NULL;
}

/*
 * The text fragment of the body written for one quote: what lies between
 * \qdbopenquote{style} and \qdbclosequote (inside \qdbrtlstart{...}
 * ... \qdbrtlend for a text that starts right to left).
 */
static char *text_fragment(const char *body)
{
	const char *b = strstr(body, "\\qdbopenquote{");
	int depth = 1;
	if (!b)
		return NULL;
	for (b += 14; *b && depth; b++)
		depth += *b == '{' ? 1 : *b == '}' ? -1 : 0;
	const char *e = strstr(b, "\\qdbclosequote");
	return e ? strndup(b, (size_t)(e - b)) : NULL;
}

static void run_escape_case(const char *name)
{
	size_t inlen;
	const char *opts[16] = { "standalone=0", NULL };
	char *input = read_case_file(name, "input.txt", &inlen);
	char *expected = read_case_file(name, "expected.tex", NULL);
	char *error = read_case_file(name, "error.txt", NULL);
	char *options = read_case_file(name, "options", NULL);
	fake_host fh;

	split_options(options, opts + 1, NELEM(opts) - 1);
	if (!input || !!expected == !!error) {
		FAILF("%s: needs input.txt and one of expected.tex, error.txt",
		      name);
		goto out;
	}
	qdb_quote q = mkquote(name, NULL, "S");
	q.text = (qdb_str){ input, inlen };
	fh_init(&fh, plugin, opts);
	int rc = fh_export(&fh, &q, 1);
	if (error) {
		if (rc != QDB_EINVALID || strcmp(fh.err, error) != 0)
			FAILF("%s: want refusal \"%s\", got %d \"%s\"", name,
			      error, rc, fh.err);
	} else if (rc != 0) {
		FAILF("%s: export failed (%d): %s", name, rc, fh.err);
	} else {
		char *got = text_fragment(fh.out.data);
		if (!got || strcmp(got, expected) != 0)
			FAILF("%s: wrote\n%s\nwant\n%s", name,
			      got ? got : "(no fragment)", expected);
		free(got);
	}
	th_buf_free(&fh.out);
out:
	free(input);
	free(expected);
	free(error);
	free(options);
}

static void test_escape_cases(void)
{
	char **cases = list_cases();
	size_t n = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
	for (; cases[n]; n++)
		run_escape_case(cases[n]);
	CU_ASSERT(n >= 20);
	free_cases(cases);
}

/* ---- Fields, headings, attribution, index ---------------------------- */

/* Runs quotes, which are in order sort, through the plugin; returns the
 * output (caller frees). */
static char *export_sorted(const qdb_quote *qs, size_t n,
			   const char *const *opts, qdb_sort sort)
{
	fake_host fh;
	fh_init(&fh, plugin, opts);
	fh.h.sort = sort;
	int rc = fh_export(&fh, qs, n);
	if (rc != 0) {
		FAILF("export failed (%d): %s", rc, fh.err);
		th_buf_free(&fh.out);
		return NULL;
	}
	return fh.out.data;
}

/* The same in the plugin's own order (by speaker). */
static char *export(const qdb_quote *qs, size_t n, const char *const *opts)
{
	return export_sorted(qs, n, opts, plugin->sort);
}

/* Every field goes through the same escaping: nothing raw reaches TeX. */
static void test_every_field_escaped(void)
{
	const char *hostile = "\\input{x} 100% $5 & #1 a_b ^^5c ~ <<\"'`|>> "
			      "[x] --";
	const char *escaped = "\\textbackslash{}input\\{x\\} 100\\% \\$5 \\& "
		"\\#1 a\\_b \\textasciicircum{}\\textasciicircum{}5c "
		"\\textasciitilde{} \\textless{}\\kern0pt{}\\textless{}"
		"\\textquotedbl{}\\textquotesingle{}\\textasciigrave{}"
		"\\textbar{}\\textgreater{}\\kern0pt{}\\textgreater{} {[}x{]} "
		"-\\kern0pt{}-";
	/* each field its own value, so none is left out as a repeat */
	static const char *const names[] = { "text", "speaker", "role",
		"outlet", "programme", "occasion", "date", "date_text",
		"reported_by", "source", "author", "source_date", "url",
		"locator", "translated", "context" };
	char v[NELEM(names)][128];
	for (size_t i = 0; i < NELEM(names); i++)
		snprintf(v[i], sizeof v[i], "%s %s", names[i], hostile);
	qdb_quote q = mkquote("id", v[0], v[1]);
	q.role = S(v[2]);
	q.outlet = S(v[3]);
	q.programme = S(v[4]);
	q.occasion = S(v[5]);
	q.date = S(v[6]);
	q.date_text = S(v[7]);
	q.reported_by = S(v[8]);
	q.source = S(v[9]);
	q.source_author = S(v[10]);
	q.source_date = S(v[11]);
	q.source_url = S(v[12]);
	q.locator = S(v[13]);
	q.translated = S(v[14]);
	q.context = S(v[15]);
	const char *all[] = { "date_text=1", "context=1", "original=1",
			      NULL };
	char *out = export_sorted(&q, 1, all, QDB_SORT_OUTLET);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	/* every field once, the outlet twice (heading), the speaker twice
	 * (index) */
	CU_ASSERT_EQUAL(count(out, escaped), NELEM(names) + 2);
	for (size_t i = 0; i < NELEM(names); i++) {
		char want[300];
		snprintf(want, sizeof want, "%s %s", names[i], escaped);
		if (strstr(names[i], "_"))
			snprintf(want, sizeof want, "%.*s\\_%s %s",
				 (int)(strchr(names[i], '_') - names[i]),
				 names[i], strchr(names[i], '_') + 1,
				 escaped);
		if (!strstr(out, want))
			FAILF("%s: not escaped", names[i]);
	}
	CU_ASSERT_EQUAL(count(out, "\\input{x}"), 0);
	CU_ASSERT_EQUAL(count(out, "^^5c"), 0);
	free(out);
	/* the title too */
	const char *title[] = { "title=\\input{x} 100% $5 & #1 a_b ^^5c ~ "
				"<<\"'`|>> [x] --", NULL };
	out = export(&q, 1, title);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\bfseries \\textbackslash{}"
				      "input"));
	CU_ASSERT_EQUAL(count(out, "\\input{x}"), 0);
	free(out);
}

static void test_attribution(void)
{
	qdb_quote q[5];
	q[0] = mkquote("a", "t", "Joe Biden");
	q[0].role = S("President of the United States");
	q[0].outlet = S("CBS");
	q[0].programme = S("60 Minutes");
	q[0].occasion = S("interview");
	q[0].date = S("2023-10-15~");
	q[0].date_text = S("a week after 7 October");
	q[0].reported_by = S("The Wall Street Journal");
	q[1] = mkquote("b", "t", "Anon");
	q[1].date = S("2023");
	q[2] = mkquote("c", "t", "Anon");
	q[2].date_text = S("last spring");
	q[2].programme = S("Late Show");
	q[3] = mkquote("d", "t", "Anon");
	q[3].occasion = S("rally");
	/* a programme named like its outlet is written once */
	q[4] = mkquote("e", "t", "Anon");
	q[4].outlet = S("Meet the Press");
	q[4].programme = S("Meet the Press");
	q[4].date = S("2023-10-25/2023-10-31");
	char *out = export(q, 5, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\qdbattribution{Joe Biden, "
		"President of the United States; interview, 60 Minutes, CBS; "
		"about 15 October 2023; "
		"\\qdbreportedby\\ The Wall Street Journal}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\qdbattribution{Anon; 2023}\n"));
	/* without a date, the phrase is the date */
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
		"\\qdbattribution{Anon; Late Show; last spring}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\qdbattribution{Anon; rally}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\qdbattribution{Anon; Meet the "
		"Press; between 25 and 31 October 2023}\n"));
	/* never the ISO form beside the words */
	CU_ASSERT_PTR_NULL(strstr(out, "2023-10"));
	free(out);
	const char *phrased[] = { "date_text=1", NULL };
	out = export(q, 1, phrased);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "; about 15 October 2023 "
		"(\\qdbphrase{a week after 7 October}); "));
	free(out);
}

/* Every form of EDTF date core/date.c accepts, in words. */
static void test_dates_in_words(void)
{
	static const char *const cases[][2] = {
		{ "2023", "2023" },
		{ "2023-10", "October 2023" },
		{ "2023-10-05", "5 October 2023" },
		{ "2023-10-15~", "about 15 October 2023" },
		{ "2023-10-15?", "15 October 2023 (uncertain)" },
		{ "2023-10%", "about October 2023 (uncertain)" },
		{ "2023?", "2023 (uncertain)" },
		{ "202X", "between 2020 and 2029" },
		{ "20XX", "between 2000 and 2099" },
		{ "2023-XX", "2023" },
		{ "2023-1X", "between October and December 2023" },
		{ "2023-0X", "between January and September 2023" },
		{ "2023-10-XX", "October 2023" },
		{ "2023-10-2X", "between 20 and 29 October 2023" },
		{ "2024-02-2X", "between 20 and 29 February 2024" },
		{ "2023-02-2X", "between 20 and 28 February 2023" },
		{ "2023-10-3X", "between 30 and 31 October 2023" },
		{ "2023-10-25/2023-10-31", "between 25 and 31 October 2023" },
		{ "2023-10-25/2023-11-02",
		  "between 25 October and 2 November 2023" },
		{ "2022-12-25/2023-01-02",
		  "between 25 December 2022 and 2 January 2023" },
		{ "2023-10/2023-12", "between October and December 2023" },
		{ "2021/2023", "between 2021 and 2023" },
		{ "2023-10/2024", "between October 2023 and 2024" },
		{ "2023-10~/2023-11",
		  "between about October 2023 and November 2023" },
		{ "../2023", "2023 or earlier" },
		{ "/2023-10", "October 2023 or earlier" },
		{ "2023/..", "2023 or later" },
		{ "2023-10-07/", "7 October 2023 or later" },
		{ "202X/2023-05", "between 2020 and May 2023" },
		/* not EDTF (a host of one's own): as written, escaped */
		{ "soon_ish", "soon\\_ish" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		qdb_quote q = mkquote("a", "t", "S");
		q.date = S(cases[i][0]);
		char want[200];
		snprintf(want, sizeof want, "\\qdbattribution{S; %s}\n",
			 cases[i][1]);
		char *out = export(&q, 1, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		if (!strstr(out, want))
			FAILF("%s: want %s in\n%.200s", cases[i][0], want,
			      strstr(out, "\\qdbattribution"));
		free(out);
	}
}

/* Labels from ids: as they are when safe, in hex otherwise. */
static void test_labels_and_numbers(void)
{
	qdb_quote q[4];
	q[0] = mkquote("p14-biden-2", "t1", "A");
	q[1] = mkquote("x}\\input{y} %", "t2", "A");
	q[2] = mkquote("caf\xc3\xa9", "t3", "B");
	q[3] = mkquote(NULL, "t4", "B");
	char *out = export(q, 4, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\begin{qdbquote}{1}"
		"\\label{qdb-p14-biden-2}\\label{qdbspk1q1}%\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\begin{qdbquote}{2}"
		"\\label{qdbx-787d5c696e7075747b797d2025}"
		"\\label{qdbspk1q2}%\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\begin{qdbquote}{3}"
		"\\label{qdbx-636166c3a9}\\label{qdbspk2q1}%\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\begin{qdbquote}{4}"
		"\\label{qdbn-4}\\label{qdbspk2q2}%\n"));
	CU_ASSERT_EQUAL(count(out, "\\input{y}"), 0);
	free(out);
	/* a long id is written in hex, whole */
	char id[200];
	memset(id, 'a', 100);
	id[100] = '\0';
	q[0] = mkquote(id, "t", "A");
	out = export(q, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\label{qdbx-616161"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "6161}\\label{qdbspk1q1}"));
	free(out);
}

/* The quotation marks of each quote's language. */
static void test_quote_marks(void)
{
	static const char *const cases[][2] = {
		{ NULL, "\\qdbopenquote{}" },
		{ "en", "\\qdbopenquote{{english}}" },
		{ "de-AT", "\\qdbopenquote{{german}}" },
		{ "FR", "\\qdbopenquote{{french}}" },
		{ "fa", "\\qdbopenquote{[swiss]{german}}" },
		{ "ru", "\\qdbopenquote{{russian}}" },
		{ "ja", "\\qdbopenquote{{japanese}}" },
		{ "tlh", "\\qdbopenquote{}" },
		{ "x}{", "\\qdbopenquote{}" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		qdb_quote q = mkquote("a", "text", "S");
		if (cases[i][0])
			q.language = S(cases[i][0]);
		char *out = export(&q, 1, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		char want[100];
		snprintf(want, sizeof want, "%s%s", cases[i][1],
			 "text\\qdbclosequote\n");
		if (!strstr(out, want))
			FAILF("%s: no %s", cases[i][0], want);
		/* Japanese marks: pdflatex is stopped first */
		CU_ASSERT_EQUAL(count(out, "\\qdbneedslualatex\n"),
				i == 6 ? 1 : 0);
		free(out);
	}
}

/* The source, the context, the note of a translation. */
static void test_source_and_options(void)
{
	qdb_quote q = mkquote("a", "t", "S");
	q.source = S("Iran & 7 October");
	q.source_author = S("Kyle Orton");
	q.source_date = S("2024-01-29");
	q.source_url = S("https://ex.org/a b%zz%41#x~y{}\\^\xc3\xa9?q=1&r=_$");
	q.locator = S("para. 14");
	q.context = S("on 100% of it");
	q.translated = S("fa");
	char *out = export(&q, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	const char *want = "\\qdbsourcestart Kyle Orton, "
		"\\qdbtitle{Iran \\& 7 October}, 29 January 2024,\n"
		"\\qdbhref{https://ex.org/a%20b%25zz%41#x~y%7B%7D%5C%5E%C3%A9"
		"?q=1&r=_$}{https:/\\qdbbreak{}/\\qdbbreak{}ex.\\qdbbreak{}org/"
		"\\qdbbreak{}a b\\%zz\\%41\\#x\\textasciitilde{}y\\{\\}"
		"\\textbackslash{}\\textasciicircum{}\xc3\xa9?\\qdbbreak{}q="
		"\\qdbbreak{}1\\&\\qdbbreak{}r=\\qdbbreak{}\\_\\$}, para. 14"
		"\\qdbsourceend\n";
	if (!strstr(out, want))
		FAILF("want\n%s\nin\n%s", want, strstr(out, "\\qdbsource"));
	/* context and the translation's note only when asked for */
	CU_ASSERT_PTR_NULL(strstr(out, "\n\\qdbcontext{"));
	CU_ASSERT_PTR_NULL(strstr(out, "\n\\qdboriginal{"));
	free(out);
	const char *opts[] = { "context=1", "original=1", NULL };
	out = export(&q, 1, opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "}\n\\qdboriginal{Persian}\n"
		"\\qdbcontext{on 100\\% of it}\n\\qdbsourcestart "));
	free(out);
	q.translated = S("x-klingon");
	out = export(&q, 1, opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\qdboriginal{x-klingon}\n"));
	free(out);
	/* no source at all: no source line */
	qdb_quote bare = mkquote("b", "t", "S");
	out = export(&bare, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NULL(strstr(out, "\\qdbsourcestart "));
	free(out);
}

/* The \qdbgroup headings of out, one a line. */
static char *headings(const char *out)
{
	th_buf b = { 0 };
	th_buf_write("", 0, &b);
	for (const char *p = out; (p = strstr(p, "\n\\qdbgroup{")); ) {
		p += 11;
		const char *e = strstr(p, "}\n");
		th_buf_write(p, (size_t)(e - p), &b);
		th_buf_write("\n", 1, &b);
	}
	return b.data;
}

/* Dates at the end of time: a real 9999-12-31 is a day like any other
 * and an open end is QDB_DATE_OPEN_HI, so neither heading is the other's
 * (the open-end marker was once 99991231, and 9999-12-31 was headed
 * "From December 9999"). */
static void test_headings_end_of_time(void)
{
	qdb_quote q[5];
	q[0] = mkquote("a", "t", "S");
	q[0].date = S("2023-10/..");
	q[0].date_lo = 20231001;
	q[0].date_hi = QDB_DATE_OPEN_HI;
	q[1] = mkquote("b", "t", "S");
	q[1].date = S("9999");
	q[1].date_lo = 99990101;
	q[1].date_hi = 99991231;
	q[2] = mkquote("c", "t", "S");
	q[2].date = S("9999-12-31");
	q[2].date_lo = q[2].date_hi = 99991231;
	q[3] = mkquote("d", "t", "S");
	q[3].date = S("../2024-02");
	q[3].date_lo = QDB_DATE_OPEN_LO;
	q[3].date_hi = 20240229;
	q[4] = mkquote("e", "t", "S");
	char *out = export_sorted(q, 5, NULL, QDB_SORT_DATE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	char *h = headings(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "From October 2023\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "\n9999\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "\nDecember 9999\n"));
	CU_ASSERT_PTR_NULL(strstr(h, "From December 9999"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "Until February 2024\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "\\qdbundatedname{}\n"));
	free(h);
	free(out);
}

static void test_headings(void)
{
	qdb_quote q[7];
	q[0] = mkquote("1", "t", "Alice");
	q[0].outlet = S("BBC");
	q[0].date = S("2023");
	q[0].date_lo = 20230101;
	q[0].date_hi = 20231231;
	q[1] = mkquote("2", "t", "Alice");
	q[1].outlet = S("BBC");
	q[1].date = S("2023-10-07");
	q[1].date_lo = q[1].date_hi = 20231007;
	q[2] = mkquote("3", "t", "Bob");
	q[2].date = S("2023-10-25/2023-11-02");
	q[2].date_lo = 20231025;
	q[2].date_hi = 20231102;
	q[3] = mkquote("4", "t", "Alice");
	q[3].date = S("2023-11~");
	q[3].date_lo = 20231101;
	q[3].date_hi = 20231130;
	q[4] = mkquote("5", "t", "Carol & Dave");
	q[4].outlet = S("C|B");
	q[4].date = S("202X");
	q[4].date_lo = 20200101;
	q[4].date_hi = 20291231;
	q[5] = mkquote("6", "t", "Carol & Dave");
	q[5].outlet = S("C|B");
	q[5].date = S("../2024-02");
	q[5].date_lo = 0;
	q[5].date_hi = 20240229;
	q[6] = mkquote("7", "t", "Eve");
	char *out, *h;

	/* Headings follow the order the host sorted by: these quotes are
	 * not sorted, so a heading may come back. */
	out = export_sorted(q, 7, NULL, QDB_SORT_SPEAKER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	h = headings(out);
	CU_ASSERT_STRING_EQUAL(h, "Alice\nBob\nAlice\nCarol \\& Dave\nEve\n"
			       "\\qdbindexname\n");
	/* labels count each speaker's quotes; the index is by name */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\label{qdbspk1q3}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\label{qdbspk3q2}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
		"\\qdbindexentry{Alice}{1}{3}\n"
		"\\qdbindexentry{Bob}{2}{1}\n"
		"\\qdbindexentry{Carol \\& Dave}{3}{2}\n"
		"\\qdbindexentry{Eve}{4}{1}\n"));
	free(h);
	free(out);

	out = export_sorted(q, 7, NULL, QDB_SORT_OUTLET);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	h = headings(out);
	CU_ASSERT_STRING_EQUAL(h, "BBC\n\\qdbnooutletname{}\nC\\textbar{}B\n"
			       "\\qdbnooutletname{}\n\\qdbindexname\n");
	free(h);
	free(out);

	out = export_sorted(q, 7, NULL, QDB_SORT_DATE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	h = headings(out);
	CU_ASSERT_STRING_EQUAL(h, "2023\nOctober 2023\nNovember 2023\n"
			       "2020\xe2\x80\x93" "2029\nUntil February 2024\n"
			       "\\qdbundatedname{}\n\\qdbindexname\n");
	free(h);
	free(out);

	/* In the order added (or by rank) there are no headings. */
	out = export_sorted(q, 7, NULL, QDB_SORT_ADDED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	h = headings(out);
	CU_ASSERT_STRING_EQUAL(h, "\\qdbindexname\n");
	free(h);
	free(out);
}

/* The index and the speaker headings follow each speaker's sort key
 * (sort_as) where the host has one, the name where not. */
static void test_index_sort_as(void)
{
	static const char *const keys[] = { "Ali Khamenei\tKhamenei, Ali",
		"Hassan Nasrallah\tNasrallah, Hassan", NULL };
	qdb_quote q[3] = { mkquote("n", "a", "Hassan Nasrallah"),
			   mkquote("h", "b", "Hamas"),
			   mkquote("k", "c", "Ali Khamenei") };
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	fh.h.sort = QDB_SORT_ADDED;
	fh.sort_keys = keys;
	CU_ASSERT_EQUAL_FATAL(fh_export(&fh, q, 3), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(fh.out.data,
		"\\qdbindexentry{Hamas}{2}{1}\n"
		"\\qdbindexentry{Ali Khamenei}{3}{1}\n"
		"\\qdbindexentry{Hassan Nasrallah}{1}{1}\n"));
	th_buf_free(&fh.out);
}

/* Headings by source; sorted input gives each heading once. */
static void test_headings_by_source(void)
{
	qdb_quote q[5];
	q[0] = mkquote("1", "t1", "A");
	q[0].source = S("Alpha report");
	q[0].locator = S("p. 1");
	q[1] = mkquote("2", "t2", "B");
	q[1].source = S("Alpha report");
	q[1].locator = S("p. 2");
	/* another source with the same title: a heading of its own */
	q[2] = mkquote("3", "t3", "A");
	q[2].source = S("Alpha report");
	q[2].source_author = S("Someone else");
	q[3] = mkquote("4", "t4", "C");
	q[3].source = S("Beta {notes}");
	q[4] = mkquote("5", "t5", "C");
	char *out = export_sorted(q, 5, NULL, QDB_SORT_SOURCE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	char *h = headings(out);
	CU_ASSERT_STRING_EQUAL(h, "Alpha report\nAlpha report\nBeta \\{notes\\}"
			       "\n\\qdbnosourcename{}\n\\qdbindexname\n");
	free(h);
	free(out);
	/* sorted by speaker, date and outlet: no heading twice */
	qdb_quote r[6];
	const char *spk[] = { "Alice", "Alice", "Bob", "Bob", "Bob", "Eve" };
	const char *out_[] = { "BBC", "BBC", "BBC", "CNN", "CNN", NULL };
	for (size_t i = 0; i < 6; i++) {
		char id[8];
		snprintf(id, sizeof id, "r%zu", i);
		r[i] = mkquote(strdup(id), "t", spk[i]);
		if (out_[i])
			r[i].outlet = S(out_[i]);
		r[i].date = S(i < 3 ? "2023-10" : "2023-11");
		r[i].date_lo = i < 3 ? 20231001 : 20231101;
		r[i].date_hi = i < 3 ? 20231031 : 20231130;
	}
	const qdb_sort sorts[] = { QDB_SORT_SPEAKER, QDB_SORT_DATE,
				   QDB_SORT_OUTLET };
	const char *want[] = { "Alice\nBob\nEve\n\\qdbindexname\n",
			       "October 2023\nNovember 2023\n\\qdbindexname\n",
			       "BBC\nCNN\n\\qdbnooutletname{}\n"
			       "\\qdbindexname\n" };
	for (size_t k = 0; k < NELEM(sorts); k++) {
		out = export_sorted(r, 6, NULL, sorts[k]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		h = headings(out);
		CU_ASSERT_STRING_EQUAL(h, want[k]);
		free(h);
		free(out);
	}
	for (size_t i = 0; i < 6; i++)
		free((char *)r[i].id.ptr);
}

/* The same text by the same speaker, adjacent: one entry, every source. */
static void test_duplicates_merged(void)
{
	qdb_quote q[4];
	q[0] = mkquote("a", "We will win", "Alice");
	q[0].source = S("First paper");
	q[1] = mkquote("b", "We will win", "Alice");
	q[1].source = S("Second paper");
	q[1].outlet = S("BBC");
	/* same text, another speaker: its own entry */
	q[2] = mkquote("c", "We will win", "Bob");
	q[3] = mkquote("d", "We will win", "Bob");
	char *out = export_sorted(q, 4, NULL, QDB_SORT_ADDED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(count(out, "\\qdbopenquote{}We will win"), 2);
	CU_ASSERT_EQUAL(count(out, "\n\\begin{qdbquote}{"), 2);
	CU_ASSERT_EQUAL(count(out, "\\end{qdbquote}\n"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\qdbattribution{Alice}\n"
		"\\qdbsourcestart \\qdbtitle{First paper}\\qdbsourceend\n"
		"\\qdbalso\\label{qdb-b}\\label{qdbspk1q2}%\n"
		"\\qdbattribution{Alice; BBC}\n"
		"\\qdbsourcestart \\qdbtitle{Second paper}\\qdbsourceend\n"
		"\\end{qdbquote}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\begin{qdbquote}{2}"
				      "\\label{qdb-c}"));
	/* the index counts both of Alice's quotes, one entry number */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\qdbindexentry{Alice}{1}{2}\n"));
	free(out);
	/* under another heading (by date) they stay apart */
	q[1].date_lo = q[1].date_hi = 20231007;
	q[1].date = S("2023-10-07");
	out = export_sorted(q, 2, NULL, QDB_SORT_DATE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(count(out, "\n\\begin{qdbquote}{"), 2);
	free(out);
}

static void test_layout(void)
{
	qdb_quote q = mkquote("1", "text", "Alice");
	char *out = export(&q, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
		"\\documentclass[11pt,a4paper]{article}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\newcommand\\qdbmainfont{}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\newcommand\\qdbpreamble{}\n"));
	free(out);
	const char *opts[] = { "paper=a5", "fontsize=12", "columns=2",
			       "class=scrartcl", "preamble=house/style.tex",
			       "mainfont=DejaVu Serif", NULL };
	out = export(&q, 1, opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
		"\\documentclass[12pt,a5paper,twocolumn]{scrartcl}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\setmainfont{DejaVu Serif}"
		"[Ligatures=TeXOff, RawFeature={fallback=qdbfallback}]}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
		"\\newcommand\\qdbpreamble{\\input{house/style.tex}}\n"));
	/* in that order: the user's preamble last */
	CU_ASSERT(strstr(out, "\\qdbpreamble\n\\begin{document}") != NULL);
	free(out);
	/* the body form has no preamble: the options change nothing */
	const char *body[] = { "standalone=0", "paper=a5", "class=x", NULL };
	out = export(&q, 1, body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NULL(strstr(out, "documentclass"));
	free(out);
}

static void test_toc(void)
{
	qdb_quote q = mkquote("1", "text", "Alice");
	const char *toc[] = { "toc=1", NULL };
	char *out = export(&q, 1, toc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\newcommand\\qdbtocline[1]{%\n"
		"  \\addcontentsline{toc}{section}{#1}}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\end{center}\n"
				      "\\tableofcontents\n"));
	free(out);
	out = export(&q, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NULL(strstr(out, "\\tableofcontents"));
	CU_ASSERT_PTR_NULL(strstr(out, "addcontentsline"));
	free(out);
}

static void test_standalone_and_body(void)
{
	qdb_quote q = mkquote("1", "text", "Alice");
	const char *body[] = { "standalone=0", "title=Not used", NULL };
	const char *titled[] = { "title=Quotations \\& more", NULL };
	const char *untitled[] = { "title=", NULL };
	char *out = export(&q, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\documentclass"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\ifPDFTeX\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
				      "\\usepackage[LGR,T2A,T1]{fontenc}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\usepackage{fontspec}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\tracinglostchars=3"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
		"\\bfseries Appendix: Quotations\\end{center}"));
	CU_ASSERT_EQUAL(count(out, "\\begin{document}"), 1);
	CU_ASSERT_EQUAL(count(out, "\n\\end{document}\n"), 1);
	free(out);

	out = export(&q, 1, body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_NSTRING_EQUAL(out, "% quotedb appendix body", 23);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "%   \\usepackage{csquotes}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "%   \\usepackage{refcount}"));
	CU_ASSERT_PTR_NULL(strstr(out, "\\documentclass"));
	CU_ASSERT_PTR_NULL(strstr(out, "\n\\begin{document}"));
	CU_ASSERT_PTR_NULL(strstr(out, "\n\\end{document}"));
	CU_ASSERT_PTR_NULL(strstr(out, "Not used"));
	free(out);

	out = export(&q, 1, titled);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\bfseries Quotations "
		"\\textbackslash{}\\& more\\end{center}"));
	free(out);
	out = export(&q, 1, untitled);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NULL(strstr(out, "\\begin{center}"));
	free(out);
}

static void test_options_refused(void)
{
	static const struct { const char *opt, *err; } bad[] = {
		/* the order follows --sort: there is no option for it */
		{ "order=date", "format 'latex' has no option 'order'; it "
		  "takes: title, standalone, charset, paper, fontsize, "
		  "columns, mainfont, class, preamble, toc, context, "
		  "date_text, original" },
		{ "paper=b5", "option paper: \"b5\" is not a4, letter or a5" },
		{ "fontsize=9", "option fontsize: \"9\" is not 10, 11 or 12" },
		{ "columns=3", "option columns: \"3\" is not 1 or 2" },
		{ "class=my}class", "option class: \"my}class\" may hold only "
		  "ASCII letters, digits and \"-_\"" },
		{ "class=", "option class: the document class may not be "
		  "empty" },
		{ "preamble=my file.tex", "option preamble: \"my file.tex\" "
		  "may hold only ASCII letters, digits and \"-_./\"" },
		{ "mainfont=X\\input", "option mainfont: \"X\\input\" may "
		  "hold only ASCII letters, digits and \"-_. \"" },
		{ "standalone=2", "option standalone: \"2\" is not 0 or 1 "
		  "(or yes/no, true/false, on/off)" },
		{ "standalone=Yes", "option standalone: \"Yes\" is not 0 or 1 "
		  "(or yes/no, true/false, on/off)" },
		{ "standalone=", "option standalone: \"\" is not 0 or 1 (or "
		  "yes/no, true/false, on/off)" },
		{ "charset=Latin", "option charset: \"Latin\" is not latin or "
		  "any" },
		{ "charset=utf8", "option charset: \"utf8\" is not latin or "
		  "any" },
		{ "title=a\x01z", "option title: control character U+0001 at "
		  "byte 1 cannot be set in LaTeX" },
		{ "title=caf\xe9", "option title: not valid UTF-8 at byte 3" },
	};
	for (size_t i = 0; i < NELEM(bad); i++) {
		const char *opts[] = { bad[i].opt, NULL };
		fake_host fh;
		void *state = (void *)&fh;
		/* The host refuses what the option's type rules out; the
		 * plugin's begin what only it can tell. */
		fh_init(&fh, plugin, opts);
		int rc = fh.options_rc ? fh.options_rc
			: plugin->begin(&state, &fh.h);
		CU_ASSERT(rc == QDB_EINVALID || rc == QDB_ENOTFOUND);
		CU_ASSERT(fh.options_rc || state == NULL);
		CU_ASSERT_EQUAL(fh.out.len, 0);
		if (strcmp(fh.err, bad[i].err) != 0)
			FAILF("%s: error \"%s\", want \"%s\"", bad[i].opt,
			      fh.err, bad[i].err);
		th_buf_free(&fh.out);
	}
}

static void test_quotes_refused(void)
{
	static const struct { qdb_quote q; const char *err; } bad[] = {
		{ { sizeof(qdb_quote), .id = { "x", 1 },
		    .speaker = { "S", 1 } }, "quote x: text is missing" },
		{ { sizeof(qdb_quote), .text = { "t", 1 } },
		  "quote #1: speaker is missing" },
		{ { sizeof(qdb_quote), .id = { "x", 1 }, .text = { "t", 1 },
		    .speaker = { "S", 1 }, .outlet = { "a\x7f", 2 } },
		  "quote x: outlet: control character U+007F at byte 1 "
		  "cannot be set in LaTeX" },
		{ { sizeof(qdb_quote), .id = { "x", 1 }, .text = { "\xc2\x9b",
		    2 }, .speaker = { "S", 1 } },
		  "quote x: text: control character U+009B at byte 0 cannot "
		  "be set in LaTeX" },
		{ { sizeof(qdb_quote), .id = { "x", 1 }, .text = { "t", 1 },
		    .speaker = { "\xed\xa0\x80", 3 } },
		  "quote x: speaker: not valid UTF-8 at byte 0" },
		{ { sizeof(qdb_quote), .id = { "x", 1 }, .text = { "t", 1 },
		    .speaker = { "S", 1 }, .role = { "\xe2\x84\x9d", 3 } },
		  "quote x: role: U+211D \"\xe2\x84\x9d\" at byte 0 cannot be "
		  "set with charset=latin (without it every script is set)" },
	};
	const char *latin[] = { "charset=latin", NULL };
	for (size_t i = 0; i < NELEM(bad); i++) {
		fake_host fh;
		fh_init(&fh, plugin, latin);
		CU_ASSERT_EQUAL(fh_export(&fh, &bad[i].q, 1), QDB_EINVALID);
		if (strcmp(fh.err, bad[i].err) != 0)
			FAILF("quote %zu: error \"%s\", want \"%s\"", i,
			      fh.err, bad[i].err);
		th_buf_free(&fh.out);
	}
	qdb_quote q = mkquote("x", "t", "S");
	q.size = offsetof(qdb_quote, tags);
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), QDB_EABI);
	th_buf_free(&fh.out);
}

static void test_charset_any(void)
{
	qdb_quote q[3];
	q[0] = mkquote("x", "\xd0\x96 \xe2\x80\x89 \xe2\x80\xa6", "\xce\xa3");
	q[1] = mkquote("y", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", "S");
	q[2] = mkquote("z", "\xe4\xbd\xa0\xe5\xa5\xbd", "S");
	const char *opts[] = { "standalone=0", NULL };
	char *out = export(q, 1, opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	char *frag = text_fragment(out);
	CU_ASSERT_STRING_EQUAL(frag, "\\qdbcyrillic{\xd0\x96} \\, "
			       "\\qdbellipsis{}");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\qdbgroup{\\qdbgreek{\xce\xa3}}"));
	/* Greek and Cyrillic: pdflatex sets them, nothing stops it */
	CU_ASSERT_EQUAL(count(out, "\\qdbneedslualatex\n"), 0);
	free(frag);
	free(out);
	/* Hebrew and Chinese: pdflatex stops once, before the first */
	out = export(q, 3, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(count(out, "\\qdbneedslualatex\n"), 1);
	const char *mark = strstr(out, "\\qdbneedslualatex\n");
	const char *first = strstr(out, "\\qdbgroup{\\qdbgreek");
	CU_ASSERT(mark && first && mark > first &&
		  mark < strstr(out, "\xd7\xa9"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\usepackage[bidi=basic]{babel}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
				      "\\usepackage[LGR,T2A,T1]{fontenc}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "NotoSerif"));
	free(out);
	/* a title pdflatex cannot set: stopped before it */
	const char *titled[] = { "title=\xd7\xa9", NULL };
	out = export(q, 1, titled);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\qdbneedslualatex\n"
		"\\begin{center}\\LARGE\\bfseries \xd7\xa9\\end{center}"));
	free(out);
	/* charset=latin: the old preamble, no other scripts */
	const char *latin[] = { "charset=latin", NULL };
	fake_host fh;
	fh_init(&fh, plugin, latin);
	CU_ASSERT_EQUAL(fh_export(&fh, q, 1), QDB_EINVALID);
	th_buf_free(&fh.out);
	const char *latin_title[] = { "charset=latin", "title=\xd0\x96", NULL };
	fh_init(&fh, plugin, latin_title);
	CU_ASSERT_EQUAL(fh_export(&fh, q, 1), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(fh.err, "option title: U+0416 \"\xd0\x96\" at "
			       "byte 0 cannot be set with charset=latin "
			       "(without it every script is set)");
	th_buf_free(&fh.out);
	q[0].text = S("plain");
	q[0].speaker = S("S");
	out = export(q, 1, latin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\usepackage[T1]{fontenc}"));
	CU_ASSERT_PTR_NULL(strstr(out, "{babel}"));
	free(out);
}

/* Many quotes: output leaves in pieces of at most 64 KiB before end. */
static void test_streams(void)
{
	th_buf out;
	fh_check_streams(plugin, &out);
	/* every quote got its label: speaker 1's 20,000th */
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "{qdbspk1q20000}"));
	th_buf_free(&out);
}

static void test_write_error(void)
{
	fh_check_write_error(plugin, "cannot write the LaTeX output");
}

static void test_abort(void)
{
	fh_check_abort(plugin);
}

/* ---- Compiling with pdflatex and lualatex ---------------------------- */

/* Texts that must come out of the PDF exactly as they went in. */
static const char *const hostile[] = {
	"\\input{/etc/passwd}", "\\write18{touch pwned}", "^^5c",
	"^^5cinput{/etc/passwd}", "%", "% the rest of the line", "#", "$x$",
	"\\\\", "{", "}", "~", "--", "---", "``", "''", "<<", ">>", ",,",
	"!`", "?`", "&", "_", "^", "|", "<", ">", "\"", "'", "`", "[", "]",
	"\\par", "\\end{document}", "\\catcode`\\%=11", "\\makeatletter",
	"\\csname @@end\\endcsname", "\\def\\x{y}\\x", "\\",
	"100% of $5 & #1_a^b~c", "[bracketed insertion] at the start",
	"\xe2\x80\x9c" "curly quotes" "\xe2\x80\x9d",
	"\xe2\x80\x98" "single" "\xe2\x80\x99",
	"\xe2\x80\x94 em dash", "\xe2\x80\x93 en dash",
	"\xe2\x80\xa6 ellipsis", "wait\xe2\x80\xa6what\xe2\x80\xa6!",
	"\xc3\xa9 \xc3\xbc \xc3\xb1 \xc3\xa7 \xc3\xb8",
	"\xe2\x80\x98\xe2\x80\x98" "doubled" "\xe2\x80\x99\xe2\x80\x99",
	"!\xe2\x80\x98", "?\xe2\x80\x98", "\xe2\x80\x93-", "-\xe2\x80\x93",
	"\xe2\x80\x94-", "----", "-\xe2\x80\x90\xe2\x80\x90-",
	"Ia\xc8\x99i, Ceau\xc8\x99" "escu, \xc8\x9a\xc4\x83ri, \xc4\xa2irts, "
	"\xc4\xa3, \xc4\xb7, N\xc4\x81ra, \xc4\xaa", "x\xc2\xb2 + y\xc2\xb3",
	"\xc5\x81\xc3\xb3" "d\xc5\xba, Dvo\xc5\x99\xc3\xa1k, \xc5\x9e"
	"i\xc5\x9fli, \xc5\x92uvre, stra\xc3\x9f" "e, na\xc3\xafve caf\xc3\xa9",
	"\xe2\x82\xac" "5, \xc2\xbd, \xc2\xb0" "C, \xc3\x97, \xc2\xb1",
	"\xc2\xab" "guillemets" "\xc2\xbb \xe2\x80\xb9" "single" "\xe2\x80\xba",
	"\xe2\x80\x9e" "German" "\xe2\x80\x9c \xe2\x80\x9a" "low"
	"\xe2\x80\x98",
	"\xe2\x80\xa0 \xe2\x80\xa1 \xe2\x80\xa2 \xe2\x80\xb0 \xe2\x84\xa2 "
	"\xc2\xa9 \xc2\xae",
	"first paragraph\nsecond paragraph\n\nthird",
	"crlf\r\nbreak and cr\rbreak", "tab\tseparated",
	"no-break\xc2\xa0space", "soft\xc2\xadhyphen",
	/* Greek and Cyrillic, which pdflatex sets too (LGR, T2A) */
	"\xce\x97 \xce\xb3\xcf\x81\xce\xae\xce\xb3\xce\xbf\xcf\x81\xce\xb7 "
	"\xce\x86\xcf\x81\xce\xb7\xcf\x82, \xce\x8f\xcf\x81\xce\xb1; "
	"\xe1\xbc\x80\xce\xb8\xe1\xbf\x86\xce\xbd\xce\xb1\xce\xb9",
	"\xd0\x96\xd1\x91\xd0\xbb\xd1\x82\xd1\x8b\xd0\xb9 "
	"\xd0\xb4\xd0\xbe\xd0\xbc --- \xc2\xab\xd1\x82\xd0\xb5\xd1\x81"
	"\xd1\x82\xc2\xbb, \xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2, "
	"\xd1\x96\xd0\xbc'\xd1\x8f, \xd0\x88\xd1\x83\xd0\xb3",
	"office affluent fluffy", "Donaudampfschifffahrtsgesellschafts"
	"kapit\xc3\xa4nsm\xc3\xbctze and more words to reach the line end",
};

/* Fields other than the text, just as hostile. */
static const char *const hostile_speaker = "Dr. {Evil} \\& Co. 100%";
static const char *const hostile_outlet = "#1 <News> $$";
static const char *const hostile_role = "^_^ ~role~ --";
static const char *const hostile_source = "Report {#2}: 50% \\of ~all~";
static const char *const hostile_url = "https://example.org/a_b/%7Euser/"
	"?q=1&r=%zz#frag~x{y}\\z^w|\"`<'>[]$very/long/path/that/must/break/"
	"somewhere/in/the/middle/of/the/line/index.html";
static const char *const hostile_context = "context: \\par {} % 100%";
static const char *const languages[] = { "de", "fr", "fa", "ru", "en",
					 "xx-unknown" };

/* Each text between numbered markers, so a match can only be that one. */
static char *marked(size_t i, const char *text)
{
	size_t n = strlen(text) + 32;
	char *s = malloc(n);
	/* a text that starts right to left keeps its first letter first */
	if ((unsigned char)text[0] >= 0xD6 && (unsigned char)text[0] <= 0xDB)
		snprintf(s, n, "%s :%zuQ", text, i);
	else
		snprintf(s, n, "Q%zu: %s :%zuQ", i, text, i);
	return s;
}

static int have_tools(void)
{
	const char *tools[] = { "pdflatex", "lualatex", "pdftotext",
				"python3", "mutool" };
	int ok = 1;
	for (size_t i = 0; i < NELEM(tools); i++) {
		if (th_run(NULL, NULL, "command -v %s", tools[i]) != 0) {
			FAILF("%s is not installed: the LaTeX tests need "
			      "pdflatex, lualatex, pdftotext and mutool: "
			      "apt-get install texlive-latex-recommended "
			      "texlive-latex-extra texlive-luatex lmodern "
			      "texlive-lang-greek texlive-lang-cyrillic "
			      "cm-super fonts-noto-core fonts-noto-cjk "
			      "poppler-utils mupdf-tools python3",
			      tools[i]);
			ok = 0;
		}
	}
	return ok;
}

/* A fresh directory under the test's temporary directory. */
static const char *fresh_dir(const char *name)
{
	const char *dir = th_path(name);
	th_run(NULL, NULL, "rm -rf '%s'", dir);
	if (mkdir(dir, 0700) != 0)
		return NULL;
	return dir;
}

/*
 * What the log of a compiled document must not hold: a glyph a font
 * lacks, or a line more than 10pt too wide.  Returns a description of the
 * first problem (static), or NULL.
 */
static const char *log_problem(const char *dir)
{
	static char why[300];
	char path[600];
	snprintf(path, sizeof path, "%s/main.log", dir);
	char *log = th_read_file(path, NULL);
	const char *p;
	if (!log)
		return "no main.log";
	why[0] = '\0';
	if ((p = strstr(log, "Missing character")))
		snprintf(why, sizeof why, "%.200s", p);
	for (p = log; !why[0] && (p = strstr(p, "Overfull \\hbox (")); p++) {
		double pt = atof(p + 16);
		if (pt > 10)
			snprintf(why, sizeof why, "%.200s", p);
	}
	free(log);
	return why[0] ? why : NULL;
}

#define CC_TWICE 1    /* run the engine twice (labels, the index) */
#define CC_THRICE 4   /* three times (a table of contents moves pages) */
#define CC_LOGICAL 2  /* read with mutool, which puts right-to-left text in
		       * logical order, and compare without spaces (see
		       * tests/tex/pdf_has_texts.py) */

/*
 * Compiles dir/main.tex with engine, then checks with pdftotext that every
 * text in texts is in the PDF, and the log for missing glyphs and overfull
 * lines.
 */
static void compile_and_check(const char *dir, const char *engine,
			      const char *const *texts, size_t ntexts,
			      int flags)
{
	int twice = flags & CC_TWICE;
	const char *problem;
	char *out = NULL, *log = NULL, path[600], script[600], cwd[512];
	th_buf expect = { 0 };
	int rc = 0;
	int runs = flags & CC_THRICE ? 3 : twice ? 2 : 1;
	for (int run = 0; run < runs && rc == 0; run++) {
		free(log);
		log = NULL;
		rc = th_run(&log, NULL, "cd '%s' && %s -no-shell-escape "
			    "-halt-on-error -interaction=nonstopmode main.tex",
			    dir, engine);
	}
	if (rc != 0) {
		const char *err = log ? strstr(log, "\n!") : NULL;
		FAILF("%s failed (%d) in %s: %.600s", engine, rc, dir,
		      err ? err : (log ? log : ""));
		free(log);
		return;
	}
	if (twice && log && strstr(log, "Label(s) may have changed"))
		FAILF("%s: labels still changing after two runs", engine);
	free(log);
	if ((problem = log_problem(dir)))
		FAILF("%s in %s: %s", engine, dir, problem);
	/* -raw: the default mode drops a hyphen that ends a line */
	if (th_run(NULL, NULL, flags & CC_LOGICAL
		   ? "cd '%s' && mutool draw -q -F txt -o main.txt main.pdf"
		   : "cd '%s' && pdftotext -raw -enc UTF-8 main.pdf main.txt",
		   dir) != 0) {
		FAILF("pdftotext failed in %s", dir);
		return;
	}
	for (size_t i = 0; i < ntexts; i++)
		th_buf_write(texts[i], strlen(texts[i]) + 1, &expect);
	snprintf(path, sizeof path, "%s/expected.bin", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, expect.data, expect.len), 0);
	th_buf_free(&expect);
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
	snprintf(script, sizeof script, "%s/%s", cwd, CHECK_SCRIPT);
	rc = th_run(&out, NULL, "cd '%s' && python3 '%s' %s main.txt "
		    "expected.bin", dir, script,
		    flags & CC_LOGICAL ? "--no-spaces" : "");
	if (rc != 0)
		FAILF("%s: texts missing from the PDF:\n%.2000s", engine,
		      out ? out : "");
	free(out);
	/* nothing was read from or written outside the document */
	snprintf(path, sizeof path, "%s/main.txt", dir);
	char *txt = th_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL(txt);
	CU_ASSERT_PTR_NULL(txt ? strstr(txt, "root:") : NULL);
	free(txt);
	snprintf(path, sizeof path, "%s/pwned", dir);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
}

/* The hostile quotes, with their markers; *texts the strings to find. */
static qdb_quote *hostile_quotes(char ***marks, const char ***texts,
				 size_t *ntexts)
{
	size_t n = NELEM(hostile);
	qdb_quote *q = calloc(n, sizeof *q);
	char **m = calloc(n, sizeof *m);
	const char **t = calloc(n + 12, sizeof *t);
	for (size_t i = 0; i < n; i++) {
		m[i] = marked(i, hostile[i]);
		q[i] = mkquote(NULL, m[i], i % 5 == 4 ? hostile_speaker
			       : "Speaker");
		if (i % 7 == 3) {
			q[i].outlet = S(hostile_outlet);
			q[i].role = S(hostile_role);
		}
		if (i % 4 == 1) {
			q[i].source = S(hostile_source);
			q[i].source_url = S(hostile_url);
			q[i].locator = S("para. 11");
			q[i].context = S(hostile_context);
			q[i].date = S("2023-10-25/2023-10-31");
			q[i].translated = S("fa");
		}
		q[i].language = S(languages[i % NELEM(languages)]);
		t[i] = m[i];
	}
	t[n] = hostile_speaker;
	t[n + 1] = hostile_outlet;
	t[n + 2] = hostile_role;
	t[n + 3] = hostile_source;
	t[n + 4] = hostile_url;
	t[n + 5] = hostile_context;
	t[n + 6] = "between 25 and 31 October 2023";
	t[n + 7] = "Translated from Persian.";
	*marks = m;
	*texts = t;
	*ntexts = n + 8;
	return q;
}

static void free_hostile(qdb_quote *q, char **marks, const char **texts)
{
	for (size_t i = 0; i < NELEM(hostile); i++)
		free(marks[i]);
	free(marks);
	free(q);
	free(texts);
}

static void compile_standalone(const char *engine)
{
	char **marks;
	const char **texts;
	size_t ntexts;
	char path[600];
	if (!have_tools())
		return;
	const char *dir = fresh_dir(engine);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	qdb_quote *q = hostile_quotes(&marks, &texts, &ntexts);
	/* pdflatex: US letter in two columns, 10pt, a preamble of one's
	 * own (which renames the index); lualatex: A5, 12pt, DejaVu Serif,
	 * the report class */
	int pdf = !strcmp(engine, "pdflatex");
	const char *opts[] = { "title=Appendix: 100% {hostile} \\input",
			       "context=1", "original=1", "date_text=1",
			       "toc=1", pdf ? "paper=letter" : "paper=a5",
			       pdf ? "fontsize=10" : "fontsize=12",
			       pdf ? "preamble=house.tex" : "columns=1",
			       pdf ? "class=article" : "mainfont=DejaVu Serif",
			       pdf ? "columns=2" : "class=report", NULL };
	snprintf(path, sizeof path, "%s/house.tex", dir);
	const char *house = "\\newcommand\\qdbindexname{Who said what}\n";
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, house, strlen(house)), 0);
	char *doc = export(q, NELEM(hostile), opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	snprintf(path, sizeof path, "%s/main.tex", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, doc, strlen(doc)), 0);
	texts[ntexts++] = "Appendix: 100% {hostile} \\input";
	texts[ntexts++] = pdf ? "Who said what" : "Index of speakers";
	compile_and_check(dir, engine, texts, ntexts, CC_TWICE | CC_THRICE);
	/* the link goes where the stored URL says, percent-encoded */
	char *objs = NULL;
	th_run(&objs, NULL, "cd '%s' && mutool show -b main.pdf grep", dir);
	if (!objs || !strstr(objs, "/URI(https://example.org/a_b/%7Euser/?q=1&"
			     "r=%25zz#frag~x%7By%7D%5Cz%5Ew%7C%22%60%3C'%3E[]$"
			     "very/long/path/that/must/break/somewhere/in/the/"
			     "middle/of/the/line/index.html)"))
		FAILF("%s: the link's URI is not the URL", engine);
	free(objs);
	free(doc);
	free_hostile(q, marks, texts);
}

static void test_pdflatex(void)
{
	compile_standalone("pdflatex");
}

static void test_lualatex(void)
{
	compile_standalone("lualatex");
}

/*
 * standalone=0 in a writer's own book: the packages the body lists, and
 * for lualatex fontspec's default TeX ligatures, which the escaping must
 * withstand too; hyperref, which changes labels.
 */
static void compile_body(const char *engine)
{
	static const char preamble[] =
		"\\documentclass{book}\n"
		"\\usepackage{iftex}\n"
		"\\ifPDFTeX\\usepackage[LGR,T2A,T1]{fontenc}"
		"\\usepackage{lmodern}\n"
		"\\else\\usepackage{fontspec}\n"
		"\\setmainfont{NotoSerif}[Extension=.ttf,"
		"UprightFont=*-Regular,BoldFont=*-Bold]\\fi\n"
		"\\usepackage{csquotes}\n"
		"\\usepackage{refcount}\n"
		"\\usepackage{hyperref}\n"
		"\\begin{document}\n"
		"\\chapter{Quotations}\n"
		"\\input{body}\n"
		"\\end{document}\n";
	char **marks;
	const char **texts;
	size_t ntexts;
	char path[600];
	if (!have_tools())
		return;
	char name[64];
	snprintf(name, sizeof name, "body-%s", engine);
	const char *dir = fresh_dir(name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	qdb_quote *q = hostile_quotes(&marks, &texts, &ntexts);
	const char *opts[] = { "standalone=0", "context=1", "original=1",
			       NULL };
	char *body = export_sorted(q, NELEM(hostile), opts, QDB_SORT_DATE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	snprintf(path, sizeof path, "%s/body.tex", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, body, strlen(body)), 0);
	snprintf(path, sizeof path, "%s/main.tex", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, preamble,
					    strlen(preamble)), 0);
	compile_and_check(dir, engine, texts, ntexts, CC_TWICE);
	free(body);
	free_hostile(q, marks, texts);
}

static void test_body_pdflatex(void)
{
	compile_body("pdflatex");
}

static void test_body_lualatex(void)
{
	compile_body("lualatex");
}

/* ---- Long content ---------------------------------------------------- */

/* A paragraph of exactly n bytes of words, some long, some hostile. */
static char *long_paragraph(size_t n)
{
	static const char *const words[] = { "alpha", "beta", "gamma",
		"Donaudampfschifffahrtsgesellschaft", "na\xc3\xafve", "---",
		"100%", "{x}", "\\input", "https://example.org/a/b?c=d&e=f",
		"\xd0\x96\xd1\x91\xd0\xbb\xd1\x82\xd1\x8b\xd0\xb9" };
	char *p = malloc(n + 1);
	size_t len = 0, k = 7;
	for (;;) {
		k = (k * 1103515245 + 12345) & 0x7fffffff;
		const char *w = words[(k >> 8) % NELEM(words)];
		if (len + 1 + strlen(w) > n)
			break;
		len += (size_t)sprintf(p + len, "%s%s", len ? " " : "", w);
	}
	memset(p + len, 'z', n - len);   /* the last word made longer */
	p[n] = '\0';
	return p;
}

/*
 * A paragraph of 1 MiB (the longest text quotedb stores), a long token, a
 * long URL, a long id, in both engines: every line of the .tex well below
 * TeX's input buffer, the paragraph cut where pdfTeX's memory needs it
 * (\qdbjoin), no line of the PDF more than 10pt too wide, every text
 * there.
 */
static void compile_long(const char *engine)
{
	char path[600];
	if (!have_tools())
		return;
	char name[64];
	snprintf(name, sizeof name, "long-%s", engine);
	const char *dir = fresh_dir(name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	char *para = long_paragraph(1024 * 1024);
	char *token = malloc(30001), *url = malloc(12001), *id = malloc(301);
	memset(token, 'x', 30000);
	token[30000] = '\0';
	strcpy(url, "https://example.org/");
	for (size_t i = strlen(url); i < 12000; i++)
		url[i] = i % 7 ? 'u' : '/';
	url[12000] = '\0';
	memset(id, 'i', 300);
	id[300] = '\0';
	qdb_quote q[3];
	q[0] = mkquote(id, para, "Speaker");
	/* A speaker of 30,000 x runs 12pt into the margin of its bold
	 * heading under lualatex (not under pdflatex): 2,000 do not. */
	q[1] = mkquote("tok", token, token + 28000);
	q[2] = mkquote("url", "short", "Speaker");
	q[2].source = S(token);
	q[2].source_url = S(url);
	char *doc = export(q, 3, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	size_t longest = 0, col = 0;
	for (const char *c = doc; *c; c++) {
		col = *c == '\n' ? 0 : col + 1;
		if (col > longest)
			longest = col;
	}
	CU_ASSERT(longest <= 4100);
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "\\qdbjoin{}"));
	/* the long id's label is its hash; the long URL is not a link */
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "\\label{qdbh-"));
	CU_ASSERT_PTR_NULL(strstr(doc, "\\qdbhref{https://example.org/"));
	snprintf(path, sizeof path, "%s/main.tex", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, doc, strlen(doc)), 0);
	const char *texts[] = { token, url, para };
	compile_and_check(dir, engine, texts, NELEM(texts), 0);
	free(doc);
	free(para);
	free(token);
	free(url);
	free(id);
}

static void test_long_pdflatex(void)
{
	compile_long("pdflatex");
}

static void test_long_lualatex(void)
{
	compile_long("lualatex");
}

/* ---- Every script ---------------------------------------------------- */

/* Texts in the scripts the appendix must set with lualatex. */
static const char *const scripts[] = {
	/* Persian, with a zero-width non-joiner */
	"\xd9\x85\xd9\x86 \xd8\xa8\xd9\x87 \xd8\xb2\xd8\xa8\xd8\xa7\xd9\x86 "
	"\xd9\x81\xd8\xa7\xd8\xb1\xd8\xb3\xdb\x8c \xd8\xb5\xd8\xad\xd8\xa8"
	"\xd8\xaa \xd9\x85\xdb\x8c\xe2\x80\x8c\xda\xa9\xd9\x86\xd9\x85.",
	/* Arabic, with lam-alef */
	"\xd9\x82\xd8\xa7\xd9\x84 \xd8\xa7\xd9\x84\xd8\xb1\xd8\xa6\xd9\x8a"
	"\xd8\xb3 \xd8\xa5\xd9\x86 \xd8\xa7\xd9\x84\xd8\xad\xd8\xb1\xd8\xa8 "
	"\xd8\xb3\xd8\xaa\xd8\xb3\xd8\xaa\xd9\x85\xd8\xb1\xd8\x8c \xd9\x88"
	"\xd9\x84\xd8\xa7 \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85.",
	/* Hebrew */
	"\xd7\xa8\xd7\x90\xd7\xa9 \xd7\x94\xd7\x9e\xd7\x9e\xd7\xa9\xd7\x9c"
	"\xd7\x94 \xd7\x90\xd7\x9e\xd7\xa8: \xd7\x94\xd7\x9e\xd7\x9c\xd7\x97"
	"\xd7\x9e\xd7\x94 \xd7\xaa\xd7\x99\xd7\x9e\xd7\xa9\xd7\x9a.",
	/* Russian */
	"\xd0\x96\xd1\x91\xd0\xbb\xd1\x82\xd1\x8b\xd0\xb9 \xd0\xb4\xd0\xbe"
	"\xd0\xbc \xe2\x80\x94 \xd1\x8d\xd1\x82\xd0\xbe \xc2\xab\xd1\x82\xd0"
	"\xb5\xd1\x81\xd1\x82\xc2\xbb.",
	/* Greek, polytonic capitals: lualatex only */
	"\xe1\xbc\x88\xce\xb8\xe1\xbf\x86\xce\xbd\xce\xb1\xce\xb9, "
	"\xe1\xbc\x99\xce\xbb\xce\xbb\xce\xac\xcf\x82",
	/* Chinese, long enough to need line breaks */
	"\xe6\x88\x91\xe4\xbb\xac\xe5\xbf\x85\xe9\xa1\xbb\xe5\x9d\x9a\xe6"
	"\x8c\x81\xe5\x92\x8c\xe5\xb9\xb3\xe5\x8f\x91\xe5\xb1\x95\xe9\x81"
	"\x93\xe8\xb7\xaf\xef\xbc\x8c\xe8\xbf\x99\xe6\x98\xaf\xe4\xb8\xad"
	"\xe5\x9b\xbd\xe7\x9a\x84\xe9\x80\x89\xe6\x8b\xa9\xe3\x80\x82\xe6"
	"\x88\x91\xe4\xbb\xac\xe5\xbf\x85\xe9\xa1\xbb\xe5\x9d\x9a\xe6\x8c"
	"\x81\xe5\x92\x8c\xe5\xb9\xb3\xe5\x8f\x91\xe5\xb1\x95\xe9\x81\x93"
	"\xe8\xb7\xaf\xef\xbc\x8c\xe8\xbf\x99\xe6\x98\xaf\xe4\xb8\xad\xe5"
	"\x9b\xbd\xe7\x9a\x84\xe9\x80\x89\xe6\x8b\xa9\xe3\x80\x82\xe6\x88"
	"\x91\xe4\xbb\xac\xe5\xbf\x85\xe9\xa1\xbb\xe5\x9d\x9a\xe6\x8c\x81"
	"\xe5\x92\x8c\xe5\xb9\xb3\xe5\x8f\x91\xe5\xb1\x95\xe9\x81\x93\xe8"
	"\xb7\xaf\xe3\x80\x82",
	/* Japanese */
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3"
	"\x82\xad\xe3\x82\xb9\xe3\x83\x88\xe3\x81\xa7\xe3\x81\x99\xe3\x80"
	"\x82\xe3\x80\x8c\xe3\x81\xb2\xe3\x82\x89\xe3\x81\x8c\xe3\x81\xaa"
	"\xe3\x80\x8d\xe3\x81\xa8\xe3\x82\xab\xe3\x82\xbf\xe3\x82\xab\xe3"
	"\x83\x8a\xe3\x80\x82",
	/* combining marks: decomposed Vietnamese, and marks with no
	 * precomposed form */
	"Tie\xcc\x82\xcc\x81ng Vie\xcc\xa3\xcc\x82t, x\xcc\x83, q\xcc\xa3, "
	"o\xcc\x88\xcc\x84",
	/* right-to-left inside left-to-right */
	"He said \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 and \xd7\xa9\xd7\x9c\xd7\x95"
	"\xd7\x9d twice.",
	/* left-to-right inside right-to-left: Arabic, then Hebrew, each
	 * with a Latin phrase (marked at the end only, so that their first
	 * strong character makes them right to left) */
	"\xd9\x82\xd8\xa7\xd9\x84 \xd8\xa7\xd9\x84\xd8\xb1\xd8\xa6"
	"\xd9\x8a\xd8\xb3 \xd8\xa5\xd9\x86 UN Security Council \xd9"
	"\x84\xd9\x86 \xd9\x8a\xd9\x88\xd9\x82\xd9\x81 \xd8\xa7\xd9"
	"\x84\xd8\xad\xd8\xb1\xd8\xa8.",
	"\xd7\xa8\xd7\x90\xd7\xa9 \xd7\x94\xd7\x9e\xd7\x9e\xd7\xa9"
	"\xd7\x9c\xd7\x94 \xd7\x90\xd7\x9e\xd7\xa8: IDF \xd7\x99\xd7"
	"\x9e\xd7\xa9\xd7\x99\xd7\x9a.",
};

/* The original of the first quote (option original): Persian with a
 * Latin phrase, right to left. */
static const char script_original[] =
	"\xd9\x85\xd8\xa7 \xd8\xaf\xd8\xb3\xd8\xaa \xda\xa9\xd8\xb3"
	"\xd8\xa7\xd9\x86\xdb\x8c \xd8\xb1\xd8\xa7 \xda\xa9\xd9\x87 "
	"\xd8\xa7\xdb\x8c\xd9\x86 \xd8\xad\xd9\x85\xd9\x84\xd9\x87 "
	"\xd8\xb1\xd8\xa7 \xd8\xb7\xd8\xb1\xd8\xa7\xd8\xad\xdb\x8c "
	"\xda\xa9\xd8\xb1\xd8\xaf\xd9\x86\xd8\xaf (Operation Al-Aqsa "
	"Flood) \xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xa8\xd9\x88\xd8\xb3"
	"\xdb\x8c\xd9\x85.";

/* Speakers and an outlet in other scripts: headings and the index. */
static const char *const script_speakers[] = {
	"\xd8\xb9\xd9\x84\xdb\x8c \xd8\xae\xd8\xa7\xd9\x85\xd9\x86\xd9\x87"
	"\xe2\x80\x8c\xd8\xa7\xdb\x8c",
	"\xd0\x92\xd0\xbb\xd0\xb0\xd0\xb4\xd0\xb8\xd0\xbc\xd0\xb8\xd1\x80 "
	"\xd0\x9f\xd1\x83\xd1\x82\xd0\xb8\xd0\xbd",
	"\xe4\xb9\xa0\xe8\xbf\x91\xe5\xb9\xb3",
};
static const char *const script_outlet = "\xd7\x94\xd7\x90\xd7\xa8\xd7\xa5";

static void test_scripts_lualatex(void)
{
	size_t n = NELEM(scripts);
	qdb_quote q[NELEM(scripts)];
	char *marks[NELEM(scripts)];
	const char *texts[NELEM(scripts) + NELEM(script_speakers) + 3];
	size_t ntexts = 0;
	char path[600], *log = NULL;
	if (!have_tools())
		return;
	const char *dir = fresh_dir("scripts");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	for (size_t i = 0; i < n; i++) {
		marks[i] = marked(i, scripts[i]);
		q[i] = mkquote(NULL, marks[i],
			       script_speakers[i % NELEM(script_speakers)]);
		if (i % 2)
			q[i].outlet = S(script_outlet);
		texts[ntexts++] = marks[i];
	}
	for (size_t i = 0; i < NELEM(script_speakers); i++)
		texts[ntexts++] = script_speakers[i];
	texts[ntexts++] = script_outlet;
	q[0].translated = S("fa");
	q[0].original = S(script_original);
	texts[ntexts++] = script_original;
	const char *opts[] = { "title=\xce\x95\xce\xbb\xce\xbb\xce\xb7\xce"
			       "\xbd\xce\xb9\xce\xba\xce\xac \xd8\xa7\xd9"
			       "\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8"
			       "\xa9", "original=1", NULL };
	texts[ntexts++] = opts[0] + 6;
	char *doc = export(q, n, opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	snprintf(path, sizeof path, "%s/main.tex", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, doc, strlen(doc)), 0);
	/* Texts that start right to left are set so (Persian, Arabic and
	 * Hebrew, two with a Latin phrase, and the original); the rest, an
	 * English one with Arabic and Hebrew words among them, are not. */
	size_t nrtl = 0;
	for (const char *p = doc; (p = strstr(p, "\\qdbclosequote"
					       "\\qdbrtlend")); p++)
		nrtl++;
	CU_ASSERT_EQUAL(nrtl, 6);
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "\\qdbrtlstart{hebrew}"
				      "\\qdbopenquote{}\xd7\xa8"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "\\qdboriginalstart{Persian}%\n"
				      "\\qdbrtlstart{arabic}"));
	compile_and_check(dir, "lualatex", texts, ntexts,
			  CC_TWICE | CC_LOGICAL);
	/* pdflatex stops, and says what to use instead */
	int rc = th_run(&log, NULL, "cd '%s' && pdflatex -no-shell-escape "
			"-halt-on-error -interaction=nonstopmode main.tex",
			dir);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	if (!log || !strstr(log, "compile it with lualatex"))
		FAILF("pdflatex did not stop with the message: %.600s",
		      log ? log : "");
	free(log);
	free(doc);
	for (size_t i = 0; i < n; i++)
		free(marks[i]);
}

void test_latex_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_descriptor),
		QDB_TEST(test_one_symbol),
		QDB_TEST(test_escape_cases),
		QDB_TEST(test_every_field_escaped),
		QDB_TEST(test_attribution),
		QDB_TEST(test_dates_in_words),
		QDB_TEST(test_labels_and_numbers),
		QDB_TEST(test_quote_marks),
		QDB_TEST(test_source_and_options),
		QDB_TEST(test_headings),
		QDB_TEST(test_headings_end_of_time),
		QDB_TEST(test_headings_by_source),
		QDB_TEST(test_index_sort_as),
		QDB_TEST(test_duplicates_merged),
		QDB_TEST(test_toc),
		QDB_TEST(test_layout),
		QDB_TEST(test_standalone_and_body),
		QDB_TEST(test_options_refused),
		QDB_TEST(test_quotes_refused),
		QDB_TEST(test_charset_any),
		QDB_TEST(test_streams),
		QDB_TEST(test_write_error),
		QDB_TEST(test_abort),
		QDB_TEST(test_pdflatex),
		QDB_TEST(test_lualatex),
		QDB_TEST(test_body_pdflatex),
		QDB_TEST(test_body_lualatex),
		QDB_TEST(test_scripts_lualatex),
		QDB_TEST(test_long_pdflatex),
		QDB_TEST(test_long_lualatex),
	};
	TH_SUITE("latex", suite_init, suite_clean, tests);
}
