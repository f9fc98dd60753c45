/*
 * test_spreadsheet.c: the "spreadsheet" export plugin (plugins/
 * spreadsheet.c) through the fake host: what every plugin owes the host,
 * and the exact bytes of a sheet, escapes included.  That LibreOffice
 * opens it with every cell exact is test_export.c's part.
 */
#include "helpers.h"
#include "plugin_host.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"

#define PLUGIN_PATH th_plugin("spreadsheet")

static void *dl;
static const qdb_plugin *plugin;

static int suite_init(void)
{
	plugin = fh_load("spreadsheet", &dl);
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
		{ NULL, NULL }
	};
	fh_check_descriptor(plugin, "spreadsheet", "xml", options);
}

static void test_one_symbol(void)
{
	fh_check_one_symbol(PLUGIN_PATH);
}

#define S(lit) ((qdb_str){ lit, sizeof lit - 1 })

/* A sheet byte for byte: the header of the CSV's columns, every cell a
 * String, markup characters escaped, line breaks and tabs as character
 * references, absent fields empty, tags joined with "; ". */
static void test_exact_bytes(void)
{
	static const qdb_str tags[] = { { "a&b", 3 }, { "c", 1 } };
	qdb_quote q = QDB_QUOTE_INIT;
	q.id = S("q1");
	q.text = S("=1+1 <b>\"x\" & 'y'\n\tz\xc2\x85");
	q.speaker = S("Ant\xc3\xb3nio");
	q.date = S("0123");
	q.tags = tags;
	q.ntags = 2;
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL_FATAL(fh_export(&fh, &q, 1), 0);
	size_t n;
	const qdb_field *f = qdb_fields(&n);
	th_buf want = { 0 };
	static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<?mso-application progid=\"Excel.Sheet\"?>\n"
		"<Workbook xmlns=\"urn:schemas-microsoft-com:office:"
		"spreadsheet\"\n xmlns:ss=\"urn:schemas-microsoft-com:office:"
		"spreadsheet\">\n<Worksheet ss:Name=\"quotes\"><Table>\n<Row>";
	th_buf_write(head, sizeof head - 1, &want);
	static const char open[] = "<Cell><Data ss:Type=\"String\">";
	static const char close[] = "</Data></Cell>";
	for (size_t i = 1; i <= n; i++) {
		const char *name = f[i % n].name;
		th_buf_write(open, sizeof open - 1, &want);
		th_buf_write(name, strlen(name), &want);
		th_buf_write(close, sizeof close - 1, &want);
	}
	th_buf_write("</Row>\n<Row>", 12, &want);
	for (size_t i = 1; i <= n; i++) {
		const char *name = f[i % n].name, *v = "";
		if (!strcmp(name, "id"))
			v = "q1";
		else if (!strcmp(name, "text"))
			v = "=1+1 &lt;b&gt;&quot;x&quot; &amp; 'y'&#10;&#9;z"
				"\xc2\x85";
		else if (!strcmp(name, "speaker"))
			v = "Ant\xc3\xb3nio";
		else if (!strcmp(name, "date"))
			v = "0123";
		else if (!strcmp(name, "tags"))
			v = "a&amp;b; c";
		th_buf_write(open, sizeof open - 1, &want);
		th_buf_write(v, strlen(v), &want);
		th_buf_write(close, sizeof close - 1, &want);
	}
	static const char tail[] = "</Row>\n</Table></Worksheet>\n"
		"</Workbook>\n";
	th_buf_write(tail, sizeof tail - 1, &want);
	CU_ASSERT_EQUAL(fh.out.len, want.len);
	CU_ASSERT(fh.out.len == want.len &&
		  memcmp(fh.out.data, want.data, want.len) == 0);
	if (fh.out.len != want.len ||
	    memcmp(fh.out.data, want.data, want.len) != 0)
		fprintf(stderr, "\ngot:\n%.*s\nwant:\n%.*s\n", (int)fh.out.len,
			fh.out.data, (int)want.len, want.data);
	th_buf_free(&want);
	th_buf_free(&fh.out);
}

static void test_streams(void)
{
	fh_check_streams(plugin, NULL);
}

static void test_write_error(void)
{
	fh_check_write_error(plugin, "cannot write the spreadsheet output");
}

static void test_abort(void)
{
	fh_check_abort(plugin);
}

void test_spreadsheet_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_descriptor),
		QDB_TEST(test_one_symbol),
		QDB_TEST(test_exact_bytes),
		QDB_TEST(test_streams),
		QDB_TEST(test_write_error),
		QDB_TEST(test_abort),
	};
	TH_SUITE("spreadsheet", suite_init, suite_clean, tests);
}
