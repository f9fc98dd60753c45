/*
 * test_yaml_export.c: the "yaml" export plugin (plugins/yaml.c), tested
 * through a fake host: build/plugins/yaml.so is dlopen'ed, its output goes
 * to memory.  Cases live in tests/data/yaml_export/<case>/: input.yaml (the
 * quotes, in the format of docs/format.md) and output.yaml (the exact bytes
 * the plugin must write).  Each output must also read back, with libyaml
 * and with PyYAML, as the very same quotes.
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

#define PLUGIN_PATH th_plugin("yaml")
#define DATA_DIR "tests/data/yaml_export"



/* ---- Comparing quotes ----------------------------------------------- */

/* The keys a quote is written with, in the order of docs/format.md. */
static const char *const quote_keys[] = {
	"id", "text", "speaker", "role", "date", "date_text", "outlet",
	"programme", "occasion", "reported_by", "locator", "language",
	"translated", "original", "context"
};
static const char *const source_keys[] = {
	"title", "author", "date", "url", "file"
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void hex_append(th_buf *b, qdb_str s)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < s.len; i++) {
		char h[2] = { digits[(unsigned char)s.ptr[i] >> 4],
			      digits[(unsigned char)s.ptr[i] & 15] };
		th_buf_write(h, 2, b);
	}
}

static void line_append(th_buf *b, size_t i, const char *key, qdb_str s)
{
	char head[96];
	snprintf(head, sizeof head, "%zu %s ", i, key);
	th_buf_write(head, strlen(head), b);
	hex_append(b, s);
	th_buf_write("\n", 1, b);
}

/*
 * One line per present value, in document order: "i key hex".  The same
 * shape as what the PyYAML script below prints, so both can be compared.
 */
static void canonical(th_buf *b, const quote_list *l)
{
	th_buf_write("", 0, b);
	for (size_t i = 0; i < l->n; i++) {
		qdb_quote *q = &l->v[i];
		for (size_t k = 0; k < NELEM(quote_keys); k++) {
			qdb_str *f = quote_field(q, quote_keys[k]);
			if (f->ptr)
				line_append(b, i, quote_keys[k], *f);
		}
		for (size_t t = 0; t < q->ntags; t++) {
			char key[32];
			snprintf(key, sizeof key, "tags[%zu]", t);
			line_append(b, i, key, q->tags[t]);
		}
		for (size_t k = 0; k < NELEM(source_keys); k++) {
			qdb_str *f = source_field(q, source_keys[k]);
			char key[32];
			snprintf(key, sizeof key, "source.%s", source_keys[k]);
			if (f->ptr)
				line_append(b, i, key, *f);
		}
	}
}

/* Prints, per quote, every value the way canonical() does. */
static const char pyyaml_script[] =
	"import sys, yaml\n"
	"docs = yaml.load_all(open(sys.argv[1], 'rb'), Loader=yaml.SafeLoader)\n"
	"def h(v):\n"
	"    if not isinstance(v, str):\n"
	"        return 'TYPE-' + type(v).__name__\n"
	"    return v.encode('utf-8', 'surrogatepass').hex()\n"
	"out = []\n"
	"i = 0\n"
	"for doc in docs:\n"
	"    if not set(doc.keys()) <= {'source', 'speakers', 'outlets',\n"
	"                               'quotes'}:\n"
	"        print('ROOT', list(doc.keys()))\n"
	"    for q in doc['quotes']:\n"
	"        for k, v in q.items():\n"
	"            if k == 'tags':\n"
	"                for j, t in enumerate(v):\n"
	"                    out.append('%d tags[%d] %s' % (i, j, h(t)))\n"
	"            else:\n"
	"                out.append('%d %s %s' % (i, k, h(v)))\n"
	"        for sk, sv in doc.get('source', {}).items():\n"
	"            out.append('%d source.%s %s' % (i, sk, h(sv)))\n"
	"        i += 1\n"
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
	snprintf(msg, msglen, "line %zu: got \"%.120s\" want \"%.120s\"",
		 line, a + start, b + start);
}

/* ---- The suite ------------------------------------------------------- */

static void *dl;
static const qdb_plugin *plugin;

static int suite_init(void)
{
	plugin = fh_load("yaml", &dl);
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
	fh_check_descriptor(plugin, "yaml", "yaml", options);
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

/* Reads quotes back from bytes with libyaml and compares with want. */
static void check_reads_back(const char *name, const char *bytes,
			     size_t len, const quote_list *want)
{
	quote_list got;
	char err[256], msg[400];
	th_buf a = { 0 }, b = { 0 };
	if (load_quotes(&got, bytes, len, err, sizeof err)) {
		FAILF("%s: libyaml cannot read the output back: %s", name,
		      err);
		return;
	}
	canonical(&a, &got);
	canonical(&b, want);
	if (strcmp(a.data, b.data) != 0) {
		first_difference(msg, sizeof msg, a.data, b.data);
		FAILF("%s: read back with libyaml differs: %s", name, msg);
	}
	quotes_free(&got);
	th_buf_free(&a);
	th_buf_free(&b);
}

/* Reads the output with PyYAML and compares with want. */
static void check_pyyaml(const char *name, const char *bytes, size_t len,
			 const quote_list *want)
{
	const char *script = th_path("read_yaml.py");
	const char *file = th_path("export.yaml");
	char *out = NULL, *err = NULL, msg[400];
	th_buf b = { 0 };
	CU_ASSERT_EQUAL_FATAL(th_write_file(script, pyyaml_script,
					    strlen(pyyaml_script)), 0);
	CU_ASSERT_EQUAL_FATAL(th_write_file(file, bytes, len), 0);
	int rc = th_run(&out, &err, "python3 '%s' '%s'", script, file);
	if (rc != 0) {
		FAILF("%s: PyYAML cannot read the output (is python3-yaml "
		      "installed?): %.300s", name, err ? err : "");
	} else {
		canonical(&b, want);
		if (strcmp(out, b.data) != 0) {
			first_difference(msg, sizeof msg, out, b.data);
			FAILF("%s: read back with PyYAML differs: %s", name,
			      msg);
		}
	}
	free(out);
	free(err);
	th_buf_free(&b);
}

static void run_case(const char *name)
{
	char path[512], err[256], msg[400];
	size_t inlen, wantlen;
	quote_list in;
	fake_host fh;

	snprintf(path, sizeof path, "%s/%s/input.yaml", DATA_DIR, name);
	char *input = th_read_file(path, &inlen);
	snprintf(path, sizeof path, "%s/%s/output.yaml", DATA_DIR, name);
	char *want = th_read_file(path, &wantlen);
	if (!input || !want) {
		FAILF("%s: needs input.yaml and output.yaml", name);
		goto out;
	}
	if (load_quotes(&in, input, inlen, err, sizeof err)) {
		FAILF("%s: input.yaml: %s", name, err);
		goto out;
	}
	fh_init(&fh, plugin, NULL);
	int rc = fh_export(&fh, in.v, in.n);
	if (rc != 0) {
		FAILF("%s: export failed (%d): %s", name, rc, fh.err);
	} else if (fh.out.len != wantlen ||
		   memcmp(fh.out.data, want, wantlen) != 0) {
		first_difference(msg, sizeof msg, fh.out.data, want);
		FAILF("%s: output differs from output.yaml: %s", name, msg);
	} else {
		check_reads_back(name, fh.out.data, fh.out.len, &in);
		check_pyyaml(name, fh.out.data, fh.out.len, &in);
	}
	th_buf_free(&fh.out);
	quotes_free(&in);
out:
	free(input);
	free(want);
}

static void test_cases(void)
{
	char **cases = list_cases();
	size_t n = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
	for (; cases[n]; n++)
		run_case(cases[n]);
	CU_ASSERT(n >= 5);
	free_cases(cases);
}

/* Every byte a UTF-8 text can hold, read back identically. */
static void test_round_trip_every_character(void)
{
	static const char *const texts[] = {
		"\x01\x02\x03\x04\x05\x06\x07\x08\t\x0b\x0c\x0e\x0f\x10\x1b"
		"\x1f\x7f",
		"cr\rlf\ncrlf\r\nend\n",
		"NEL\xc2\x85LS\xe2\x80\xa8PS\xe2\x80\xa9" "BOM\xef\xbb\xbf!",
		"C1 \xc2\x80\xc2\x9f NBSP\xc2\xa0 SHY\xc2\xad",
		"noncharacters \xef\xbf\xbe \xef\xbf\xbf \xf4\x8f\xbf\xbf",
		"emoji \xf0\x9f\x98\x80 CJK \xe4\xb8\xad Hebrew \xd7\xa9",
		"  leading and trailing spaces  ",
		"\"double\" 'single' \\backslash\\ \\n not a newline",
		"yes", "no", "null", "~", "true", "2023-10-07", "0x1F", "1e3",
		".inf", "- dash", "? q", ": colon", "# hash", "&anchor",
		"*alias", "!tag", "%directive", "@at", "`tick", "{a: b}",
		"[a, b]", "|", ">", "---", "...",
	};
	size_t n = NELEM(texts);
	quote_list in = { calloc(n, sizeof(qdb_quote)), n };
	CU_ASSERT_PTR_NOT_NULL_FATAL(in.v);
	for (size_t i = 0; i < n; i++) {
		char id[16];
		snprintf(id, sizeof id, "q%zu", i);
		in.v[i] = (qdb_quote)QDB_QUOTE_INIT;
		in.v[i].id = str_dup(id, strlen(id));
		in.v[i].text = str_dup(texts[i], strlen(texts[i]));
		in.v[i].speaker = str_dup(texts[n - 1 - i],
					  strlen(texts[n - 1 - i]));
		in.v[i].context = str_dup(texts[i], strlen(texts[i]));
	}
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, in.v, in.n), 0);
	check_reads_back("every character", fh.out.data, fh.out.len, &in);
	check_pyyaml("every character", fh.out.data, fh.out.len, &in);
	/* one line per key: nothing folded, no raw line break in a value */
	size_t lines = 0;
	for (size_t i = 0; i < fh.out.len; i++)
		lines += fh.out.data[i] == '\n';
	CU_ASSERT_EQUAL(lines, 1 + 4 * n);
	th_buf_free(&fh.out);
	quotes_free(&in);
}

/* A text far wider than any line width stays on one line. */
static void test_no_folding(void)
{
	size_t n = 20000;
	char *text = malloc(n + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (size_t i = 0; i < n; i++)
		text[i] = (i % 7 == 6) ? ' ' : 'a' + (char)(i % 26);
	text[n] = '\0';
	qdb_quote q = QDB_QUOTE_INIT;
	q.text = (qdb_str){ text, n };
	q.speaker = (qdb_str){ "S", 1 };
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), 0);
	const char *want_head = "quotes:\n- text: \"";
	CU_ASSERT_NSTRING_EQUAL(fh.out.data, want_head, strlen(want_head));
	CU_ASSERT(fh.out.len > n);
	CU_ASSERT(memcmp(fh.out.data + strlen(want_head), text, n) == 0);
	th_buf_free(&fh.out);
	free(text);
}

static void test_no_quotes(void)
{
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(fh.out.data, "quotes: []\n");
	th_buf_free(&fh.out);
}

/* ABI 1.2: the speakers and outlets the host walks come first, with
 * their aliases, so that an import of the file resolves them again. */
static void test_entities(void)
{
	static const char *const speakers[] = {
		"Ant\xc3\xb3nio Guterres\tGuterres\tthe Secretary-General",
		"Joe Biden\tBiden", NULL
	};
	static const char *const outlets[] = { "CBS\tCBS News", NULL };
	qdb_quote q = QDB_QUOTE_INIT;
	q.text = (qdb_str){ "t", 1 };
	q.speaker = (qdb_str){ "Joe Biden", 9 };
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	fh.entities[0] = speakers;
	fh.entities[1] = outlets;
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), 0);
	CU_ASSERT_STRING_EQUAL(fh.out.data ? fh.out.data : "",
		"speakers:\n"
		"- name: \"Ant\xc3\xb3nio Guterres\"\n"
		"  aliases: [\"Guterres\", \"the Secretary-General\"]\n"
		"- name: \"Joe Biden\"\n  aliases: [\"Biden\"]\n"
		"outlets:\n- name: \"CBS\"\n  aliases: [\"CBS News\"]\n"
		"quotes:\n- text: \"t\"\n  speaker: \"Joe Biden\"\n");
	th_buf_free(&fh.out);
	/* ABI 1.3: a speaker's sort_as, also of one without aliases. */
	static const char *const sorted[] = { "Ali Khamenei",
		"Joe Biden\tBiden", NULL };
	static const char *const keys[] = { "Ali Khamenei\tKhamenei, Ali",
		"Joe Biden\tBiden, Joe", "CBS\tnot an outlet's", NULL };
	fh_init(&fh, plugin, NULL);
	fh.entities[0] = sorted;
	fh.entities[1] = outlets;
	fh.sort_keys = keys;
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), 0);
	CU_ASSERT_STRING_EQUAL(fh.out.data ? fh.out.data : "",
		"speakers:\n"
		"- name: \"Ali Khamenei\"\n  sort_as: \"Khamenei, Ali\"\n"
		"- name: \"Joe Biden\"\n  sort_as: \"Biden, Joe\"\n"
		"  aliases: [\"Biden\"]\n"
		"outlets:\n- name: \"CBS\"\n  aliases: [\"CBS News\"]\n"
		"quotes:\n- text: \"t\"\n  speaker: \"Joe Biden\"\n");
	th_buf_free(&fh.out);
	/* A host with nothing to walk: no lists, the quotes as before. */
	fh_init(&fh, plugin, NULL);
	fh.h.entities = NULL;
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), 0);
	CU_ASSERT_STRING_EQUAL(fh.out.data ? fh.out.data : "",
			       "quotes:\n- text: \"t\"\n"
			       "  speaker: \"Joe Biden\"\n");
	th_buf_free(&fh.out);
}

static void test_bad_utf8(void)
{
	qdb_quote q = QDB_QUOTE_INIT;
	q.id = (qdb_str){ "bad", 3 };
	q.text = (qdb_str){ "caf\xe9", 4 };
	q.speaker = (qdb_str){ "S", 1 };
	fake_host fh;
	fh_init(&fh, plugin, NULL);
	CU_ASSERT_EQUAL(fh_export(&fh, &q, 1), QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(fh.err, "quote bad: text is not valid UTF-8");
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

/* Many quotes: output leaves in bounded pieces long before end. */
static void test_streams(void)
{
	fh_check_streams(plugin, NULL);
}

/* A failing write fails the export with QDB_EIO; end still frees. */
static void test_write_error(void)
{
	fh_check_write_error(plugin, "cannot write the YAML output");
}

/* end with a failed status writes nothing more and frees. */
static void test_abort(void)
{
	fh_check_abort(plugin);
}

void test_yaml_export_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_descriptor),
		QDB_TEST(test_one_symbol),
		QDB_TEST(test_cases),
		QDB_TEST(test_round_trip_every_character),
		QDB_TEST(test_no_folding),
		QDB_TEST(test_no_quotes),
		QDB_TEST(test_entities),
		QDB_TEST(test_bad_utf8),
		QDB_TEST(test_short_quote_refused),
		QDB_TEST(test_streams),
		QDB_TEST(test_write_error),
		QDB_TEST(test_abort),
	};
	TH_SUITE("yaml_export", suite_init, suite_clean, tests);
}
