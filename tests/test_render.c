/*
 * test_render.c: `quotedb render` (core/render.c) and `quotedb export
 * --cited-in`, run as a user runs them, on the collection of
 * tests/data/render/quotes.yaml (texts full of Markdown and HTML markup,
 * "}}", line breaks, other languages).
 *
 * Data-driven: each tests/data/render/<case>/ holds args (the options)
 * and expected, the exact bytes rendering draft.md must give.  Then the
 * Markdown goes through pandoc to HTML and to DOCX and every quote's
 * text must come out exactly (tests/render/check_texts.py reads them
 * back); errors must name file:line:column and leave nothing written;
 * a 10 MB manuscript must render in the memory of a 1 MB one.
 */
#include "helpers.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DATA "tests/data/render"
#define CHECK "tests/render/check_texts.py"
/* The ids of a CSV export on stdin, sorted, one a line (texts may hold
 * line breaks, so lines are not rows). */
#define IDS "| python3 -c 'import csv, sys; print(*sorted(r[-1] for r in " \
	"list(csv.reader(sys.stdin))[1:]), sep=\"\\n\")'"

static char dbpath[600];

static int suite_init(void)
{
	snprintf(dbpath, sizeof dbpath, "%s/render.db", th_tmpdir());
	return th_run(NULL, NULL, "'%s' --db '%s' init && '%s' --db '%s' "
		      "import " DATA "/quotes.yaml", th_cli(), dbpath,
		      th_cli(), dbpath) == 0 ? 0 : -1;
}

static int suite_clean(void)
{
	th_cleanup();
	return 0;
}

/* Runs `quotedb --db DB ARGS`. */
__attribute__((format(printf, 3, 4)))
static int q(char **out, char **err, const char *fmt, ...)
{
	char args[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	return th_run(out, err, "'%s' --db '%s' %s", th_cli(), dbpath, args);
}

static void test_cases(void)
{
	DIR *d = opendir(DATA);
	struct dirent *e;
	size_t n = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d))) {
		char path[600], *args, *want, *out = NULL, *err = NULL;
		snprintf(path, sizeof path, DATA "/%s/args", e->d_name);
		if (e->d_name[0] == '.' || !(args = th_read_file(path, NULL)))
			continue;
		args[strcspn(args, "\n")] = '\0';
		snprintf(path, sizeof path, DATA "/%s/expected", e->d_name);
		want = th_read_file(path, NULL);
		int rc = q(&out, &err, "render " DATA "/draft.md %s", args);
		if (rc != 0 || !want || !out || strcmp(out, want)) {
			CU_FAIL("render output differs from expected");
			fprintf(stderr, "\n%s: rc %d, stderr %s, got\n%s\n",
				e->d_name, rc, err ? err : "",
				out ? out : "");
		}
		/* -o FILE writes the same bytes */
		snprintf(path, sizeof path, "%s/out-%s", th_tmpdir(),
			 e->d_name);
		CU_ASSERT_EQUAL(q(NULL, NULL, "render " DATA "/draft.md %s "
				  "-o '%s'", args, path), 0);
		char *file = th_read_file(path, NULL);
		CU_ASSERT(file && want && !strcmp(file, want));
		free(file);
		free(args);
		free(want);
		free(out);
		free(err);
		n++;
	}
	closedir(d);
	CU_ASSERT_EQUAL(n, 3);
}

static int have(const char *tool)
{
	if (th_run(NULL, NULL, "command -v %s", tool) == 0)
		return 1;
	fprintf(stderr, "\n%s is missing: apt-get install -y "
		"--no-install-recommends pandoc python3 python3-yaml\n", tool);
	CU_FAIL("pandoc and python3 are needed: apt-get install -y "
		"--no-install-recommends pandoc python3 python3-yaml");
	return 0;
}

/* The draft through pandoc, as a writer would: every text exact in the
 * HTML and in the DOCX's word/document.xml. */
static void test_pandoc(void)
{
	static const char ids[] = "plain markdown braces lines german french "
		"japanese 'my id/with spaces'";
	char *out = NULL;
	if (!have("pandoc") || !have("python3"))
		return;
	const char *t = th_tmpdir();
	CU_ASSERT_EQUAL_FATAL(q(NULL, NULL, "render " DATA "/draft.md "
				"--appendix -o '%s/draft.md'", t), 0);
	CU_ASSERT_EQUAL_FATAL(th_run(NULL, NULL, "cd '%s' && pandoc -f "
				     "markdown -s --metadata title=Draft -o "
				     "draft.html draft.md && pandoc -f "
				     "markdown -o draft.docx draft.md", t),
			      0);
	if (th_run(&out, NULL, "python3 " CHECK " html '%s/draft.html' "
		   DATA "/quotes.yaml %s", t, ids) != 0)
		CU_FAIL("a text is not exact in pandoc's HTML");
	if (out && *out)
		fprintf(stderr, "\n%s", out);
	free(out);
	out = NULL;
	if (th_run(&out, NULL, "python3 " CHECK " docx '%s/draft.docx' "
		   DATA "/quotes.yaml %s", t, ids) != 0)
		CU_FAIL("a text is not exact in pandoc's DOCX");
	if (out && *out)
		fprintf(stderr, "\n%s", out);
	free(out);
	/* quotedb render draft.md | pandoc: the preprocessor in a pipe */
	out = NULL;
	CU_ASSERT_EQUAL(th_run(&out, NULL, "'%s' --db '%s' render - < "
			       DATA "/draft.md | pandoc -f markdown -t html "
			       "--wrap=none",
			       th_cli(), dbpath), 0);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "&lt;b&gt;not html&lt;/b&gt;")
			       : NULL);
	free(out);
}

/* Writes text to tmpdir/name; returns the path (th_path's buffer). */
static const char *write_tmp(const char *name, const char *text)
{
	const char *p = th_path(name);
	CU_ASSERT_EQUAL_FATAL(th_write_file(p, text, strlen(text)), 0);
	return p;
}

static void check_error(const char *name, const char *text,
			const char *message)
{
	char *out = NULL, *err = NULL, want[600], outp[600];
	const char *in = write_tmp(name, text);
	snprintf(outp, sizeof outp, "%s/%s.out", th_tmpdir(), name);
	/* an old output stays as it was */
	CU_ASSERT_EQUAL_FATAL(th_write_file(outp, "old\n", 4), 0);
	CU_ASSERT_EQUAL(q(&out, &err, "render '%s' -o '%s'", in, outp), 1);
	snprintf(want, sizeof want, "quotedb: render: %s:%s\n", in, message);
	CU_ASSERT_STRING_EQUAL(err ? err : "", want);
	char *old = th_read_file(outp, NULL);
	CU_ASSERT_STRING_EQUAL(old ? old : "", "old\n");
	free(old);
	free(out);
	free(err);
	/* to stdout: nothing at all */
	out = err = NULL;
	CU_ASSERT_EQUAL(q(&out, &err, "render '%s'", in), 1);
	CU_ASSERT_STRING_EQUAL(out ? out : "", "");
	free(out);
	free(err);
	/* no temporary file left behind */
	out = NULL;
	th_run(&out, NULL, "ls '%s' | grep -c tmp || true", th_tmpdir());
	CU_ASSERT_STRING_EQUAL(out ? out : "", "0\n");
	free(out);
}

static void test_errors(void)
{
	check_error("unknown.md", "# Title\n\nText {{q:plain}} ok.\nSee "
		    "{{q:nope}} here.\n", "4:5: unknown quote id 'nope'");
	check_error("unclosed.md", "Line one\n{{q:plain and more\n",
		    "2:1: {{q: without }} on its line");
	check_error("unclosed-eof.md", "x {{q:plain",
		    "1:3: {{q: without }}");
	check_error("empty.md", "{{q:}}", "1:1: empty id in {{q:}}");
}

/* Markers across the reader's 64 KiB blocks, "{{{", a quote whose text
 * holds "}}", and a marker as the last bytes. */
static void test_edges(void)
{
	size_t pad = 64 * 1024 - 3;
	char *text = malloc(pad + 200), *out = NULL;
	memset(text, 'x', pad);
	strcpy(text + pad, "{{q:plain}} {{{q:braces}}} {{q:lines}}");
	const char *in = write_tmp("edges.md", text);
	CU_ASSERT_EQUAL(q(&out, NULL, "render --to text '%s'", in), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(strspn(out, "x"), pad);
	CU_ASSERT_STRING_EQUAL(out + pad, "\xe2\x80\x9cMake no mistake, "
		"there\xe2\x80\x99s a degree of complicity here\xe2\x80\x9d "
		"{\xe2\x80\x9c" "ends with }} and {{ opens, {{q:x}} too"
		"\xe2\x80\x9d} \xe2\x80\x9c" "first line    indented second "
		"line  after a blank line\xe2\x80\x9d");
	free(out);
	free(text);
}

/* The largest resident size of `sh -c cmd` and its children, in KiB. */
static long peak_kib(const char *cmd)
{
	int fd[2];
	long kib = -1;
	if (pipe(fd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		struct rusage ru;
		close(fd[0]);
		int st = system(cmd);
		getrusage(RUSAGE_CHILDREN, &ru);
		long v = st == 0 ? ru.ru_maxrss : -1;
		if (write(fd[1], &v, sizeof v) != sizeof v)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], &kib, sizeof kib) != sizeof kib)
		kib = -1;
	close(fd[0]);
	waitpid(pid, NULL, 0);
	return kib;
}

/* A manuscript of n MB, a marker every 100 bytes, all on one line. */
static const char *big(const char *name, size_t mb)
{
	const char *p = th_path(name);
	FILE *f = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (size_t i = 0; i < mb * 1024 * 1024 / 100; i++)
		fprintf(f, "%-85.85s{{q:plain}} ", "some words of the draft");
	fclose(f);
	return p;
}

static void test_streamed(void)
{
	char cmd1[2000], cmd10[2000], path[600];
	const char *in1 = big("big1.md", 1);
	snprintf(cmd1, sizeof cmd1, "'%s' --db '%s' render --to text '%s' "
		 "-o '%s/big1.out'", th_cli(), dbpath, in1, th_tmpdir());
	const char *in10 = big("big10.md", 10);
	snprintf(cmd10, sizeof cmd10, "'%s' --db '%s' render --to text '%s' "
		 "--appendix -o '%s/big10.out'", th_cli(), dbpath, in10,
		 th_tmpdir());
	long k1 = peak_kib(cmd1), k10 = peak_kib(cmd10);
	CU_ASSERT(k1 > 0 && k10 > 0);
	/* ten times the manuscript, not ten times the memory */
	if (k10 > k1 + 4096)
		fprintf(stderr, "\npeak %ld KiB for 1 MB, %ld KiB for 10 MB\n",
			k1, k10);
	CU_ASSERT(k10 <= k1 + 4096);
	struct stat st;
	snprintf(path, sizeof path, "%s/big10.out", th_tmpdir());
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	/* each 12-byte marker became a 58-byte quotation */
	size_t markers = 10 * 1024 * 1024 / 100;
	CU_ASSERT(st.st_size > (off_t)(markers * (100 + 58 - 12)));
}

static void test_cited_in(void)
{
	char *out = NULL;
	/* the draft cites all eight, in its order */
	CU_ASSERT_EQUAL(q(&out, NULL, "export -f csv --cited-in " DATA
			  "/draft.md " IDS), 0);
	CU_ASSERT_STRING_EQUAL(out ? out : "", "braces\nfrench\ngerman\n"
			       "japanese\nlines\nmarkdown\nmy id/with spaces"
			       "\nplain\n");
	free(out);
	/* a .tex: quotedb.sty's keys, comments left out */
	const char *tex = write_tmp("book.tex", "\\qdbquote[cite]{plain} "
		"\\qdbblockquote{my+20id+2Fwith+20spaces}\n"
		"% \\qdbquote{german}\n\\qdbattrib {plain}\\qdbquote{lines}\n");
	out = NULL;
	CU_ASSERT_EQUAL(q(&out, NULL, "export -f csv --cited-in '%s' " IDS,
			  tex), 0);
	CU_ASSERT_STRING_EQUAL(out ? out : "", "lines\nmy id/with spaces\n"
			       "plain\n");
	free(out);
	/* citing nothing exports nothing */
	const char *none = write_tmp("none.md", "no markers\n");
	out = NULL;
	CU_ASSERT_EQUAL(q(&out, NULL, "export -f csv --cited-in '%s' | wc "
			  "-l", none), 0);
	CU_ASSERT_STRING_EQUAL(out ? out : "", "1\n");
	free(out);
	/* and an unclosed marker is the error it is for render */
	const char *bad = write_tmp("bad.md", "x {{q:plain\n");
	char *err = NULL;
	CU_ASSERT_EQUAL(q(NULL, &err, "export -f csv --cited-in '%s'", bad),
			1);
	CU_ASSERT_PTR_NOT_NULL(err ? strstr(err, "bad.md:1:3: {{q: without "
					    "}} on its line") : NULL);
	free(err);
}

/* The library's own calls, in this process (so the sanitizers and
 * valgrind see render.c itself): the same bytes as the command, and
 * errors in a qdb_error. */
static int collect(const char *id, void *payload)
{
	th_buf *b = payload;
	th_buf_write(id, strlen(id), b);
	th_buf_write("\n", 1, b);
	return 0;
}

static void test_library(void)
{
	qdb_error err;
	qdb *db = th_open_fresh("lib.db");
	CU_ASSERT_EQUAL_FATAL(qdb_import_file(db, DATA "/quotes.yaml", NULL,
					      &err), 0);
	qdb_render_options o = QDB_RENDER_OPTIONS_INIT;
	o.appendix = 1;
	const char *out = th_path("lib.md");
	CU_ASSERT_EQUAL(qdb_render(db, &o, DATA "/draft.md", out, &err), 0);
	char *got = th_read_file(out, NULL);
	char *want = th_read_file(DATA "/markdown/expected", NULL);
	CU_ASSERT(got && want && !strcmp(got, want));
	free(got);
	free(want);
	const char *bad = write_tmp("lib-bad.md", "ok\n  {{q:missing}}\n");
	CU_ASSERT_EQUAL(qdb_render(db, NULL, bad, out, &err), QDB_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(err.file, bad);
	CU_ASSERT_EQUAL(err.line, 2);
	CU_ASSERT_EQUAL(err.column, 3);
	CU_ASSERT_STRING_EQUAL(err.text, "unknown quote id 'missing'");
	CU_ASSERT_PTR_NOT_NULL(strstr(qdb_errmsg(db), "missing"));
	/* the earlier output is untouched */
	got = th_read_file(out, NULL);
	CU_ASSERT(got && !strncmp(got, "# Draft", 7));
	free(got);
	th_buf ids = { 0 };
	CU_ASSERT_EQUAL(qdb_cited_foreach(DATA "/draft.md", collect, &ids,
					  &err), 0);
	th_buf_write("", 1, &ids);
	CU_ASSERT_STRING_EQUAL(ids.data, "plain\nmarkdown\nlines\nbraces\n"
			       "german\nfrench\njapanese\nmy id/with spaces\n");
	th_buf_free(&ids);
	qdb_close(db);
}

/* A manuscript may cite more quotes than a filter list takes: the id
 * list goes to SQLite as one JSON array, any number, any characters. */
static void test_many_ids(void)
{
	qdb *db = th_open_fresh("many.db");
	char ids[200][32];
	const char *v[201];
	size_t n = 0;
	for (int i = 0; i < 150; i++) {
		qdb_quote q = QDB_QUOTE_INIT;
		snprintf(ids[i], sizeof ids[i], i == 7 ? "odd \"id\" \\ %d"
			 : "q-%d", i);
		q.id = (qdb_str){ ids[i], strlen(ids[i]) };
		q.text = (qdb_str){ ids[i], strlen(ids[i]) };
		q.speaker = (qdb_str){ "S", 1 };
		CU_ASSERT_EQUAL_FATAL(qdb_quote_add(NULL, NULL, db, &q), 0);
	}
	for (int i = 1; i < 150; i++)
		v[n++] = ids[i];
	for (int i = 0; i < 40; i++) {
		snprintf(ids[150 + i], sizeof ids[0], "absent-%d", i);
		v[n++] = ids[150 + i];
	}
	qdb_filter f = QDB_FILTER_INIT;
	f.ids.v = v;
	f.ids.n = n;
	int64_t count = 0;
	CU_ASSERT_EQUAL(qdb_count(&count, db, &f), 0);
	CU_ASSERT_EQUAL(count, 149);
	f.ids.n = 1;
	f.ids.v = (const char *const[]){ ids[7] };
	CU_ASSERT_EQUAL(qdb_count(&count, db, &f), 0);
	CU_ASSERT_EQUAL(count, 1);
	qdb_close(db);
	/* and through the command, from a manuscript */
	th_buf md = { 0 };
	for (int i = 0; i < 100; i++) {
		char m[64];
		int k = snprintf(m, sizeof m, "see {{q:q-%d}}\n",
				 i == 7 ? 8 : i);
		th_buf_write(m, (size_t)k, &md);
	}
	th_buf_write("", 1, &md);
	const char *man = write_tmp("many.md", md.data);
	th_buf_free(&md);
	char *out = NULL;
	CU_ASSERT_EQUAL(th_run(&out, NULL, "'%s' --db '%s/many.db' export -f "
			       "csv --cited-in '%s' | tail -n +2 | wc -l",
			       th_cli(), th_tmpdir(), man), 0);
	CU_ASSERT_STRING_EQUAL(out ? out : "", "99\n");
	free(out);
}

void test_render_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_cases),
		QDB_TEST(test_pandoc),
		QDB_TEST(test_errors),
		QDB_TEST(test_edges),
		QDB_TEST(test_streamed),
		QDB_TEST(test_cited_in),
		QDB_TEST(test_library),
		QDB_TEST(test_many_ids),
	};
	TH_SUITE("render", suite_init, suite_clean, tests);
}
