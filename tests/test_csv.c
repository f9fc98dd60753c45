/*
 * test_csv.c: the "csv" export plugin (plugins/csv.c), tested through a
 * fake host: build/plugins/csv.so is dlopen'ed, its output goes to memory.
 * Cases live in tests/data/csv/<case>/: input.yaml (quotes, in the format
 * of docs/format.md), options (optional, one key=value a line) and
 * output.csv (the exact bytes).  Every output is also read with Python's
 * csv module, which must give back every field byte for byte.
 */
#include "helpers.h"
#include "plugin_host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "quotedb/plugin.h"

#define PLUGIN_PATH th_plugin("csv")
#define DATA_DIR "tests/data/csv"




#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- What the CSV must hold ------------------------------------------ */

/* The columns: the field table's, in its order, with the id last.  *n
 * gets the count; the id is the table's first field. */
static const qdb_field *column(size_t c, size_t *n)
{
	const qdb_field *f = qdb_fields(n);
	CU_ASSERT_FATAL(!strcmp(f[0].name, "id"));
	return c + 1 < *n ? &f[c + 1] : &f[0];
}

/* OWASP's formula starters, and the full-width = + - @. */
static int is_formula(const char *p, size_t n)
{
	static const char *const starts[] = {
		"=", "+", "-", "@", "\t", "\r",
		"\xef\xbc\x9d", "\xef\xbc\x8b", "\xef\xbc\x8d", "\xef\xbc\xa0"
	};
	for (size_t i = 0; i < NELEM(starts); i++) {
		size_t k = strlen(starts[i]);
		if (n >= k && memcmp(p, starts[i], k) == 0)
			return 1;
	}
	return 0;
}

/* The field as the guard leaves it: a ' before each formula starter at
 * the start and after , ; tab CR or LF, spaces skipped. */
static void hex_field(th_buf *b, const char *p, size_t n, int guard)
{
	static const char digits[] = "0123456789abcdef";
	int start = 1;
	for (size_t i = 0; i < n; i++) {
		if (guard && start && p[i] != ' ' && is_formula(p + i, n - i))
			th_buf_write("27", 2, b);
		if (p[i] != ' ')
			start = strchr(",;\t\r\n", p[i]) && p[i];
		char h[2] = { digits[(unsigned char)p[i] >> 4],
			      digits[(unsigned char)p[i] & 15] };
		th_buf_write(h, 2, b);
	}
}

/*
 * The records as the Python script below prints them: a BOM line, then a
 * line per record with each field in hex, separated by commas.
 */
static void expected_records(th_buf *b, const quote_list *l, int bom,
			     int guard)
{
	size_t n;
	column(0, &n);
	th_buf_write(bom ? "BOM\n" : "NOBOM\n", bom ? 4 : 6, b);
	for (size_t c = 0; c < n; c++) {
		const qdb_field *f = column(c, &n);
		if (c)
			th_buf_write(",", 1, b);
		hex_field(b, f->name, strlen(f->name), 0);
	}
	th_buf_write("\n", 1, b);
	for (size_t i = 0; i < l->n; i++) {
		const qdb_quote *q = &l->v[i];
		th_buf tags = { 0 };
		th_buf_write("", 0, &tags);
		for (size_t t = 0; t < q->ntags; t++) {
			if (t)
				th_buf_write("; ", 2, &tags);
			th_buf_write(q->tags[t].ptr, q->tags[t].len, &tags);
		}
		for (size_t c = 0; c < n; c++) {
			const qdb_field *f = column(c, &n);
			qdb_str s = f->kind == QDB_FIELD_TAGS
				? (qdb_str){ tags.data, tags.len }
				: qdb_quote_str(q, f);
			if (c)
				th_buf_write(",", 1, b);
			if (s.ptr)
				hex_field(b, s.ptr, s.len, guard);
		}
		th_buf_write("\n", 1, b);
		th_buf_free(&tags);
	}
}

static const char csv_script[] =
	"import csv, io, sys\n"
	"data = open(sys.argv[1], 'rb').read()\n"
	"bom = data.startswith(b'\\xef\\xbb\\xbf')\n"
	"text = data.decode('utf-8')\n"
	"if bom:\n"
	"    text = text[1:]\n"
	"rows = csv.reader(io.StringIO(text, newline=''), strict=True)\n"
	"out = ['BOM' if bom else 'NOBOM']\n"
	"for r in rows:\n"
	"    out.append(','.join(f.encode('utf-8').hex() for f in r))\n"
	"sys.stdout.write(''.join(l + '\\n' for l in out))\n";

/* First line where a and b differ, for messages. */
static void first_difference(char *msg, size_t msglen, const char *a,
			     const char *b)
{
	size_t i = 0, line = 1, start = 0;
	while (a[i] && a[i] == b[i]) {
		if (a[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	snprintf(msg, msglen, "line %zu: got \"%.160s\" want \"%.160s\"",
		 line, a + start, b + start);
}

/* Reads bytes with Python's csv module; every field must come back. */
static void check_python(const char *name, const char *bytes, size_t len,
			 const quote_list *want, int bom, int guard)
{
	const char *script = th_path("read_csv.py");
	const char *file = th_path("export.csv");
	char *out = NULL, *err = NULL, msg[512];
	th_buf b = { 0 };
	CU_ASSERT_EQUAL_FATAL(th_write_file(script, csv_script,
					    strlen(csv_script)), 0);
	CU_ASSERT_EQUAL_FATAL(th_write_file(file, bytes, len), 0);
	int rc = th_run(&out, &err, "python3 '%s' '%s'", script, file);
	if (rc != 0 || !out) {
		FAILF("%s: Python's csv module cannot read the output: %.300s",
		      name, err ? err : "");
	} else {
		expected_records(&b, want, bom, guard);
		if (strcmp(out, b.data) != 0) {
			first_difference(msg, sizeof msg, out, b.data);
			FAILF("%s: Python reads other fields: %s", name, msg);
		}
	}
	free(out);
	free(err);
	th_buf_free(&b);
}

/* ---- The suite ------------------------------------------------------- */

static void *dl;
static const qdb_plugin *plugin;

static int suite_init(void)
{
	plugin = fh_load("csv", &dl);
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
		{ "bom", "0" }, { "formula_guard", "0" }, { NULL, NULL }
	};
	fh_check_descriptor(plugin, "csv", "csv", options);
}

static void test_one_symbol(void)
{
	fh_check_one_symbol(PLUGIN_PATH);
}

/* The case directories under DATA_DIR, sorted; NULL-terminated. */
static char **list_cases(void)
{
	DIR *d = opendir(DATA_DIR);
	size_t n = 0;
	char **v = calloc(256, sizeof *v);
	struct dirent *e;
	if (!d || !v) {
		if (d)
			closedir(d);
		free(v);
		return NULL;
	}
	while ((e = readdir(d)) && n < 255) {
		if (e->d_name[0] != '.')
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

/* Splits the options file into a NULL-terminated list (in place). */
static size_t split_options(char *text, const char **opts, size_t max)
{
	size_t n = 0;
	for (char *line = strtok(text, "\n"); line && n + 1 < max;
	     line = strtok(NULL, "\n"))
		if (*line && *line != '#')
			opts[n++] = line;
	opts[n] = NULL;
	return n;
}

static int option_is(const char *const *opts, const char *kv)
{
	for (; *opts; opts++)
		if (strcmp(*opts, kv) == 0)
			return 1;
	return 0;
}

static void run_case(const char *name)
{
	char path[512], err[256], msg[512];
	size_t inlen, wantlen;
	const char *opts[16];
	quote_list in;
	fake_host fh;

	snprintf(path, sizeof path, "%s/%s/input.yaml", DATA_DIR, name);
	char *input = th_read_file(path, &inlen);
	snprintf(path, sizeof path, "%s/%s/output.csv", DATA_DIR, name);
	char *want = th_read_file(path, &wantlen);
	snprintf(path, sizeof path, "%s/%s/options", DATA_DIR, name);
	char *options = th_read_file(path, NULL);
	split_options(options ? options : (char[]){ "" }, opts, NELEM(opts));
	if (!input || !want) {
		FAILF("%s: needs input.yaml and output.csv", name);
		goto out;
	}
	if (load_quotes(&in, input, inlen, err, sizeof err)) {
		FAILF("%s: input.yaml: %s", name, err);
		goto out;
	}
	fh_init(&fh, plugin, opts);
	int rc = fh_export(&fh, in.v, in.n);
	if (rc != 0) {
		FAILF("%s: export failed (%d): %s", name, rc, fh.err);
	} else if (fh.out.len != wantlen ||
		   memcmp(fh.out.data, want, wantlen) != 0) {
		/* QDB_CSV_DUMP=FILE keeps what came out, to review and
		 * take as a case's new output.csv. */
		if (getenv("QDB_CSV_DUMP"))
			th_write_file(getenv("QDB_CSV_DUMP"), fh.out.data,
				      fh.out.len);
		first_difference(msg, sizeof msg, fh.out.data, want);
		FAILF("%s: output differs from output.csv: %s", name, msg);
	} else {
		check_python(name, fh.out.data, fh.out.len, &in,
			     option_is(opts, "bom=1"),
			     option_is(opts, "formula_guard=1"));
	}
	th_buf_free(&fh.out);
	quotes_free(&in);
out:
	free(input);
	free(want);
	free(options);
}

static void test_cases(void)
{
	char **cases = list_cases();
	size_t n = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
	for (; cases[n]; n++)
		run_case(cases[n]);
	CU_ASSERT(n >= 6);
	free_cases(cases);
}

/* Texts that break naive CSV writers, read back by Python unchanged. */
static const char *const hostile[] = {
	"plain", "comma, inside", "\"quoted\"", "\"", "\"\"", ",",
	"line\nbreak", "cr\ronly", "crlf\r\nend", "\r\n", "trailing\n",
	"  spaces  ", "semi; colon", "tab\there", "'apostrophe",
	"=1+2", "+1", "-1", "@SUM(A1)", "\tlead tab", "\rlead cr",
	"\xef\xbc\x9d" "1+2", "\xef\xbc\x8b" "1", "\xef\xbc\x8d" "1",
	"\xef\xbc\xa0" "SUM", "=HYPERLINK(\"http://x\",\"y\")",
	"a=b", " =not first", "\xe2\x80\x9c" "curly" "\xe2\x80\x9d",
	"caf\xc3\xa9 \xf0\x9f\x98\x80 \xe4\xb8\xad",
	"\xef\xbb\xbf" "BOM inside", "\\backslash", "NEL\xc2\x85",
};

static void build_hostile(quote_list *l)
{
	size_t n = NELEM(hostile);
	l->v = calloc(n, sizeof *l->v);
	l->n = n;
	for (size_t i = 0; i < n; i++) {
		qdb_quote *q = &l->v[i];
		const char *t = hostile[i], *u = hostile[n - 1 - i];
		*q = (qdb_quote)QDB_QUOTE_INIT;
		q->text = str_dup(t, strlen(t));
		q->speaker = str_dup(u, strlen(u));
		q->id = str_dup(t, strlen(t));
		q->context = str_dup(u, strlen(u));
		if (i % 3 == 0) {
			qdb_str *tags = calloc(2, sizeof *tags);
			tags[0] = str_dup(u, strlen(u));
			tags[1] = str_dup(t, strlen(t));
			q->tags = tags;
			q->ntags = 2;
		}
	}
}

static void round_trip(const char *name, const char *const *opts, int bom,
		       int guard)
{
	quote_list l;
	fake_host fh;
	build_hostile(&l);
	fh_init(&fh, plugin, opts);
	CU_ASSERT_EQUAL(fh_export(&fh, l.v, l.n), 0);
	check_python(name, fh.out.data, fh.out.len, &l, bom, guard);
	th_buf_free(&fh.out);
	quotes_free(&l);
}

static void test_python_reads_every_text(void)
{
	const char *none[] = { NULL };
	const char *bom[] = { "bom=1", NULL };
	const char *guard[] = { "formula_guard=1", NULL };
	const char *both[] = { "formula_guard=1", "bom=1", NULL };
	const char *zero[] = { "formula_guard=0", "bom=0", NULL };
	round_trip("no options", none, 0, 0);
	round_trip("bom=1", bom, 1, 0);
	round_trip("formula_guard=1", guard, 0, 1);
	round_trip("both", both, 1, 1);
	round_trip("both 0", zero, 0, 0);
}

/* One cell through the plugin: the second line's first cell. */
static char *first_cell(const char *text, const char *const *opts)
{
	qdb_quote q = QDB_QUOTE_INIT;
	fake_host fh;
	q.text = (qdb_str){ text, strlen(text) };
	q.speaker = (qdb_str){ "S", 1 };
	fh_init(&fh, plugin, opts);
	if (fh_export(&fh, &q, 1) != 0) {
		th_buf_free(&fh.out);
		return NULL;
	}
	char *row = strstr(fh.out.data, "\r\n") + 2;
	char *end = strstr(row, opts ? ",\"S\"," : ",S,");
	char *cell = end ? strndup(row, (size_t)(end - row)) : NULL;
	th_buf_free(&fh.out);
	return cell;
}

static void test_formula_guard(void)
{
	/* the value, its cell with formula_guard=1, and without */
	static const struct { const char *in, *guarded, *plain; } cases[] = {
		{ "=1+2", "\"'=1+2\"", "=1+2" },
		{ "+1", "\"'+1\"", "+1" },
		{ "-1", "\"'-1\"", "-1" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"", "@SUM(A1)" },
		{ "\tx", "\"'\tx\"", "\tx" },
		{ "\rx", "\"'\rx\"", "\"\rx\"" },
		{ "\xef\xbc\x9d" "1", "\"'\xef\xbc\x9d" "1\"",
		  "\xef\xbc\x9d" "1" },
		{ "\xef\xbc\x8b" "1", "\"'\xef\xbc\x8b" "1\"",
		  "\xef\xbc\x8b" "1" },
		{ "\xef\xbc\x8d" "1", "\"'\xef\xbc\x8d" "1\"",
		  "\xef\xbc\x8d" "1" },
		{ "\xef\xbc\xa0" "x", "\"'\xef\xbc\xa0" "x\"",
		  "\xef\xbc\xa0" "x" },
		{ "=\"a,b\"", "\"'=\"\"a,b\"\"\"", "\"=\"\"a,b\"\"\"" },
		{ "a=1", "\"a=1\"", "a=1" },
		{ " =1", "\" '=1\"", " =1" },
		{ "'=1", "\"'=1\"", "'=1" },
		{ "\xef\xbc\x9e" "1", "\"\xef\xbc\x9e" "1\"",
		  "\xef\xbc\x9e" "1" },
		/* After a separator a spreadsheet may split at (OWASP). */
		{ "Figures;=cmd|' /C calc'!A0", "\"Figures;'=cmd|' /C "
		  "calc'!A0\"", "Figures;=cmd|' /C calc'!A0" },
		{ "a;=WEBSERVICE(\"x\")", "\"a;'=WEBSERVICE(\"\"x\"\")\"",
		  "\"a;=WEBSERVICE(\"\"x\"\")\"" },
		{ "a,+1", "\"a,'+1\"", "\"a,+1\"" },
		{ "a\t-1", "\"a\t'-1\"", "a\t-1" },
		{ "a; @x", "\"a; '@x\"", "a; @x" },
		{ "a\n=1", "\"a\n'=1\"", "\"a\n=1\"" },
		{ "a;;\t=1", "\"a;;'\t'=1\"", "a;;\t=1" },
		{ "a;b=1", "\"a;b=1\"", "a;b=1" },
	};
	const char *guard[] = { "formula_guard=1", NULL };
	for (size_t i = 0; i < NELEM(cases); i++) {
		char *got = first_cell(cases[i].in, guard);
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		if (strcmp(got, cases[i].guarded) != 0)
			FAILF("formula_guard=1: \"%s\" gave \"%s\", want "
			      "\"%s\"", cases[i].in, got, cases[i].guarded);
		free(got);
		got = first_cell(cases[i].in, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		if (strcmp(got, cases[i].plain) != 0)
			FAILF("no options: \"%s\" gave \"%s\", want \"%s\"",
			      cases[i].in, got, cases[i].plain);
		free(got);
	}
}

static void test_options_refused(void)
{
	static const char *const bad[] = {
		"bom=2", "bom=Yes", "bom=", "bom=01", "bom=1 ", "bom=TRUE",
		"bom=-1", "formula_guard=2", "formula_guard=y",
		"formula_guard=", "formula_guard=0x1",
	};
	for (size_t i = 0; i < NELEM(bad); i++) {
		const char *opts[] = { bad[i], NULL };
		char want[128];
		const char *eq = strchr(bad[i], '=');
		fake_host fh;
		/* The host checks a boolean before the plugin starts. */
		fh_init(&fh, plugin, opts);
		CU_ASSERT_EQUAL(fh.options_rc, QDB_EINVALID);
		CU_ASSERT_EQUAL(fh_export(&fh, NULL, 0), QDB_EINVALID);
		CU_ASSERT_EQUAL(fh.out.len, 0);
		snprintf(want, sizeof want, "option %.*s: \"%s\" is not 0 or 1 "
			 "(or yes/no, true/false, on/off)", (int)(eq - bad[i]),
			 bad[i], eq + 1);
		if (strcmp(fh.err, want) != 0)
			FAILF("%s: error \"%s\", want \"%s\"", bad[i], fh.err,
			      want);
		th_buf_free(&fh.out);
	}
}

static void test_no_quotes(void)
{
	const char *bom[] = { "bom=1", NULL };
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(fh.out.data,
		"text,speaker,role,date,date_text,outlet,programme,occasion,"
		"reported_by,source,source_author,source_date,source_url,"
		"source_file,locator,language,translated,original,context,tags,id\r\n");
	th_buf_free(&fh.out);
	fh_init(&fh, plugin, bom);
	CU_ASSERT_EQUAL(fh_export(&fh, NULL, 0), 0);
	CU_ASSERT_NSTRING_EQUAL(fh.out.data, "\xef\xbb\xbftext,", 8);
	th_buf_free(&fh.out);
}

static void test_short_quote_refused(void)
{
	qdb_quote q = QDB_QUOTE_INIT;
	q.size = offsetof(qdb_quote, tags);
	q.text = (qdb_str){ "t", 1 };
	q.speaker = (qdb_str){ "S", 1 };
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), QDB_EABI);
	CU_ASSERT_EQUAL(fh.nerrors, 1);
	th_buf_free(&fh.out);
}

/* Many quotes: output leaves in pieces of at most 64 KiB before end. */
static void test_streams(void)
{
	fh_check_streams(plugin, NULL);
}

static void test_write_error(void)
{
	fh_check_write_error(plugin, "cannot write the CSV output");
}

static void test_abort(void)
{
	fh_check_abort(plugin);
}

void test_csv_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_descriptor),
		QDB_TEST(test_one_symbol),
		QDB_TEST(test_cases),
		QDB_TEST(test_python_reads_every_text),
		QDB_TEST(test_formula_guard),
		QDB_TEST(test_options_refused),
		QDB_TEST(test_no_quotes),
		QDB_TEST(test_short_quote_refused),
		QDB_TEST(test_streams),
		QDB_TEST(test_write_error),
		QDB_TEST(test_abort),
	};
	TH_SUITE("csv", suite_init, suite_clean, tests);
}
