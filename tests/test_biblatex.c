/*
 * test_biblatex.c: the "biblatex" export plugin (plugins/biblatex.c),
 * through the fake host (exact bytes of tests/data/biblatex/items.bib for
 * tests/data/csl/items/input.yaml, refusals, the streaming contract), then
 * by the programs that read it, once for everything: the seed collection
 * exported by the quotedb command and a .bib of hostile sources (the texts
 * of tests/data/latex, and tests/data/yaml_export's, as titles, authors
 * and outlets) are checked by `biber --tool --validate-datamodel` (exit
 * 0, no ERROR, no WARN but for mandatory fields the data lacks), then a
 * biblatex document (backend=biber, style=authoryear) that \nocite{*}s
 * them is compiled with pdflatex, biber, pdflatex and then lualatex, and
 * pdftotext must hold every title (tests/tex/pdf_has_texts.py).
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
	plugin = fh_load("biblatex", &dl);
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
	static const char *const options[][2] = { { NULL, NULL } };
	fh_check_descriptor(plugin, "biblatex", "bib", options);
	CU_ASSERT_EQUAL(plugin->sort, QDB_SORT_SOURCE);
}

static void test_one_symbol(void)
{
	fh_check_one_symbol(th_plugin("biblatex"));
}

static char *export_list(const qdb_quote *v, size_t n, int *rc, char *err,
			 size_t errlen)
{
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	*rc = fh_export(&fh, v, n);
	snprintf(err, errlen, "%.200s", fh.err);
	if (*rc) {
		th_buf_free(&fh.out);
		return NULL;
	}
	return fh.out.data;
}

static void test_items(void)
{
	size_t n;
	char err[256];
	int rc;
	quote_list l;
	char *in = th_read_file("tests/data/csl/items/input.yaml", &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_EQUAL_FATAL(load_quotes(&l, in, n, err, sizeof err), 0);
	free(in);
	char *want = th_read_file("tests/data/biblatex/items.bib", NULL);
	char *got = export_list(l.v, l.n, &rc, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL(want);
	if (!got)
		FAILF("export failed (%d): %s", rc, err);
	else if (want && strcmp(got, want) != 0)
		FAILF("items.bib differs; got:\n%.3000s", got);
	free(got);
	free(want);
	quotes_free(&l);
}

/* Every special character of a field, escaped so biber and TeX pass it
 * through; braces never unbalanced. */
static void test_escaping(void)
{
	qdb_quote q = QDB_QUOTE_INIT;
	char err[256];
	int rc;
	q.text = (qdb_str){ "t", 1 };
	q.speaker = (qdb_str){ "S", 1 };
	q.source = (qdb_str){ "a{b\\c}d} $&#%_^~ [x] <|>\"'` @x --,,\tz\r\n!",
			      40 };
	q.source_url = (qdb_str){ "https://x.example/a b{}\xc3\xa9", 25 };
	char *got = export_list(&q, 1, &rc, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "  title = {a\\csname textbraceleft"
		"\\endcsname{}b\\textbackslash{}c\\csname textbraceright"
		"\\endcsname{}d\\csname textbraceright\\endcsname{} \\$\\&\\#\\%"
		"\\_\\textasciicircum{}\\textasciitilde{} {[}x{]} \\csname "
		"textless\\endcsname{}\\csname textbar\\endcsname{}\\csname "
		"textgreater\\endcsname{}\\csname textquotedbl\\endcsname{}"
		"\\csname textquotesingle\\endcsname{}\\csname textasciigrave"
		"\\endcsname{} {@}x -\\kern0pt{}-,\\kern0pt{}, z !},\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "  url = {https://x.example/a%20b"
				      "%7B%7D%C3%A9},\n"));
	free(got);
	/* control characters cannot be typeset: refused, naming the source */
	q.source = (qdb_str){ "bell\a", 5 };
	q.source_url = (qdb_str){ NULL, 0 };
	CU_ASSERT_PTR_NULL(export_list(&q, 1, &rc, err, sizeof err));
	CU_ASSERT_EQUAL(rc, QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(err, "source \"bell\a\": title: control "
			       "character U+0007 at byte 4");
}

static void test_sort_refused(void)
{
	fake_host fh;
	void *state = &fh;
	fh_init(&fh, plugin, NULL);
	fh.h.sort = QDB_SORT_DATE;
	CU_ASSERT_EQUAL(plugin->begin(&state, &fh.h), QDB_EINVALID);
	CU_ASSERT_PTR_NULL(state);
	CU_ASSERT_STRING_EQUAL(fh.err, "one entry per source needs the quotes "
			       "sorted by source: leave --sort out");
	th_buf_free(&fh.out);
}

static void test_streams(void)
{
	fh_check_streams(plugin, NULL);
}

static void test_write_error(void)
{
	fh_check_write_error(plugin, "cannot write the biblatex output");
}

static void test_abort(void)
{
	fh_check_abort(plugin);
}

/* ---- biber, pdflatex, lualatex ---------------------------------------- */

/* Whether both engines set every character of t with the document's
 * fonts and pdftotext reads it back as it is: ASCII, Latin-1 but for the
 * superscripts, curly quotes and dashes. */
static int printable(const char *t, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned cp;
		size_t k = qdb__utf8_decode((const unsigned char *)t + i,
					    n - i, &cp);
		if (!k || (cp < 0x20 && cp != '\t' && cp != '\n' &&
			   cp != '\r') || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0) || cp == 0xb2 || cp == 0xb3 ||
		    cp == 0xb9 || (cp > 0xff && cp != 0x2013 && cp != 0x2014 &&
				   !(cp >= 0x2018 && cp <= 0x201d)))
			return 0;
		i += k;
	}
	return 1;
}

typedef struct hostile {
	quote_list l;     /* one quote per source */
	th_buf texts;     /* what the PDF must show, NUL-terminated */
} hostile;

static void add_source(hostile *h, const char *title, size_t n)
{
	static const char *const authors[] = {
		"Dr. {Evil} \\& Co. 100%", "Anna Smith-Jones", NULL
	};
	static const char *const outlets[] = { "#1 <News> $$", NULL, "CBS" };
	char mark[64];
	size_t i = h->l.n;
	qdb_quote *v = realloc(h->l.v, (i + 1) * sizeof *v);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	h->l.v = v;
	qdb_quote q = QDB_QUOTE_INIT;
	q.text = str_dup("t", 1);
	q.speaker = str_dup("S", 1);
	snprintf(mark, sizeof mark, "T%zu: ", i);
	char *t = malloc(strlen(mark) + n + 16);
	int k = sprintf(t, "%s", mark);
	memcpy(t + k, title, n);
	k += (int)n;
	k += sprintf(t + k, " :%zuT", i);
	q.source = str_dup(t, (size_t)k);
	if (authors[i % 3])
		q.source_author = str_dup(authors[i % 3],
					  strlen(authors[i % 3]));
	if (outlets[i % 3])
		q.outlet = str_dup(outlets[i % 3], strlen(outlets[i % 3]));
	if (i % 4 == 1)
		q.source_url = str_dup("https://example.org/{x}", 23);
	if (i % 5 == 2)
		q.occasion = str_dup("speech", 6);
	h->l.v[h->l.n++] = q;
	th_buf_write(t, (size_t)k + 1, &h->texts);
	free(t);
}

/* The hostile sources: each LaTeX case's text, each yaml_export quote's
 * text, as the title of a source of its own. */
static void hostile_sources(hostile *h)
{
	DIR *d = opendir("tests/data/latex");
	struct dirent *e;
	memset(h, 0, sizeof *h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d))) {
		char path[512];
		size_t n;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "tests/data/latex/%s/input.txt",
			 e->d_name);
		char *t = th_read_file(path, &n);
		if (t && n && t[n - 1] == '\n')
			n--;
		if (t && printable(t, n))
			add_source(h, t, n);
		free(t);
	}
	closedir(d);
	d = opendir("tests/data/yaml_export");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d))) {
		char path[512], err[256];
		size_t n;
		quote_list l;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "tests/data/yaml_export/%s/"
			 "input.yaml", e->d_name);
		char *y = th_read_file(path, &n);
		if (y && load_quotes(&l, y, n, err, sizeof err) == 0) {
			for (size_t i = 0; i < l.n; i++)
				if (printable(l.v[i].text.ptr, l.v[i].text.len))
					add_source(h, l.v[i].text.ptr,
						   l.v[i].text.len);
			quotes_free(&l);
		}
		free(y);
	}
	closedir(d);
	CU_ASSERT(h->l.n >= 30);
}

static int have_tools(void)
{
	static const struct { const char *check, *pkg; } tools[] = {
		{ "command -v biber", "biber" },
		{ "command -v pdflatex", "texlive-latex-recommended" },
		{ "command -v lualatex", "texlive-luatex" },
		{ "command -v pdftotext", "poppler-utils" },
		{ "kpsewhich biblatex.sty", "texlive-bibtex-extra" },
	};
	for (size_t i = 0; i < NELEM(tools); i++)
		if (th_run(NULL, NULL, "%s >/dev/null", tools[i].check)) {
			FAILF("%s failed: apt-get install -y "
			      "--no-install-recommends %s", tools[i].check,
			      tools[i].pkg);
			return 0;
		}
	return 1;
}

/* biber's validation of one .bib: exit 0, no ERROR, no WARN but the
 * mandatory fields a source does not state. */
static void validate(const char *dir, const char *bib)
{
	char *out = NULL;
	int rc = th_run(&out, NULL, "cd '%s' && biber --tool "
			"--validate-datamodel --output-file=/dev/null '%s' "
			"2>&1", dir, bib);
	CU_ASSERT_EQUAL(rc, 0);
	for (char *l = out ? strtok(out, "\n") : NULL; l;
	     l = strtok(NULL, "\n")) {
		if (!strncmp(l, "ERROR", 5) || (!strncmp(l, "WARN", 4) &&
		    !strstr(l, "Missing mandatory field")))
			FAILF("biber --validate-datamodel %s: %s", bib, l);
	}
	free(out);
}

static void compile(const char *dir, const char *engine, int runs)
{
	char *log = NULL;
	for (int i = 0; i < runs; i++) {
		free(log);
		log = NULL;
		if (th_run(&log, NULL, "cd '%s' && %s -no-shell-escape "
			   "-halt-on-error -interaction=nonstopmode main.tex",
			   dir, engine)) {
			const char *e = log ? strstr(log, "\n!") : NULL;
			FAILF("%s failed: %.800s", engine, e ? e : log);
			break;
		}
	}
	free(log);
}

static void pdf_has(const char *dir, const char *engine, const char *texts)
{
	char *out = NULL, cwd[512];
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
	int rc = th_run(&out, NULL, "cd '%s' && pdftotext -raw -enc UTF-8 "
			"main.pdf main.txt && python3 '%s/tests/tex/"
			"pdf_has_texts.py' main.txt '%s'", dir, cwd, texts);
	if (rc)
		FAILF("%s: titles missing from the PDF:\n%.2000s", engine,
		      out ? out : "");
	free(out);
}

static void test_biber_and_latex(void)
{
	static const char doc[] =
		"\\documentclass{article}\n"
		"\\usepackage{iftex}\n"
		"\\ifPDFTeX\\usepackage[T1]{fontenc}\\usepackage{lmodern}\n"
		"\\else\\usepackage{fontspec}\\fi\n"
		"\\usepackage{csquotes}\n"
		"\\usepackage[backend=biber,style=authoryear]{biblatex}\n"
		"\\addbibresource{seed.bib}\n"
		"\\addbibresource{hostile.bib}\n"
		"\\begin{document}\n"
		"\\nocite{*}\n"
		"\\printbibliography\n"
		"\\end{document}\n";
	hostile h;
	char err[256], path[600];
	int rc;
	if (!have_tools())
		return;
	const char *dir = th_path("biblatex");
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "mkdir -p '%s'", dir), 0);
	/* the seed, through the command */
	const char *db = th_path("seed.db");
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "'%s' --db '%s' import "
				     "quotes/ tests/data/csl/items/input.yaml "
				     "&& '%s' --db '%s' export --format "
				     "biblatex -o '%s/seed.bib'", th_cli(), db,
				     th_cli(), db, dir), 0);
	/* the hostile sources */
	hostile_sources(&h);
	char *bib = export_list(h.l.v, h.l.n, &rc, err, sizeof err);
	if (!bib)
		FAILF("export failed (%d): %s", rc, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bib);
	snprintf(path, sizeof path, "%s/hostile.bib", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, bib, strlen(bib)), 0);
	free(bib);
	/* the seed's titles, too */
	th_buf_write("Seed article 000_ce5212642387543b", 34, &h.texts);
	th_buf_write("Planning the attack", 20, &h.texts);
	th_buf_write("Nasrallah speech transcript", 28, &h.texts);
	snprintf(path, sizeof path, "%s/texts.bin", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, h.texts.data, h.texts.len),
			      0);
	snprintf(path, sizeof path, "%s/main.tex", dir);
	CU_ASSERT_EQUAL_FATAL(th_write_file(path, doc, sizeof doc - 1), 0);
	validate(dir, "seed.bib");
	validate(dir, "hostile.bib");
	compile(dir, "pdflatex", 1);
	char *log = NULL;
	if (th_run(&log, NULL, "cd '%s' && biber main 2>&1", dir))
		FAILF("biber main failed: %.1500s", log ? log : "");
	else if (log && (strstr(log, "ERROR") || strstr(log, "WARN")))
		FAILF("biber main: %.1500s", log);
	free(log);
	compile(dir, "pdflatex", 1);
	snprintf(path, sizeof path, "%s/texts.bin", dir);
	pdf_has(dir, "pdflatex", path);
	compile(dir, "lualatex", 1);
	pdf_has(dir, "lualatex", path);
	quotes_free(&h.l);
	th_buf_free(&h.texts);
}

void test_biblatex_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_descriptor),
		QDB_TEST(test_one_symbol),
		QDB_TEST(test_items),
		QDB_TEST(test_escaping),
		QDB_TEST(test_sort_refused),
		QDB_TEST(test_streams),
		QDB_TEST(test_write_error),
		QDB_TEST(test_abort),
		QDB_TEST(test_biber_and_latex),
	};
	TH_SUITE("biblatex", suite_init, suite_clean, tests);
}
