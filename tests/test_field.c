/*
 * test_field.c: the field table (core/field.c) and the lists derived from
 * it agree: the table covers every string member of qdb_quote once; a
 * file with every key of the table imports and every value comes back;
 * import refuses any other key, naming the nearest; `add` takes every
 * field as an option; `show` prints every field and `list --json` has
 * every field as a key.  (The CSV header is checked in test_csv.c.)
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const qdb_field *fields;
static size_t nfields;

/* A value for field f that every check accepts: dates must be EDTF. */
static const char *value_of(const qdb_field *f, char *buf, size_t size)
{
	if (f->kind == QDB_FIELD_DATE)
		snprintf(buf, size, "2023-10-%02d",
			 (int)(f - fields) % 28 + 1);
	else
		snprintf(buf, size, "value of %s", f->name);
	return buf;
}

/* A YAML file with one quote holding every field of the table: the
 * source fields under source:, a quote field under its key; extra, when
 * not NULL, is one more "key: value" line of the quote. */
static char *every_field_yaml(const char *extra)
{
	th_buf b = { 0 };
	char v[96], line[256];
	th_buf_write("quotes:\n  - ", 12, &b);
	int first = 1;
	for (size_t i = 0; i < nfields; i++) {
		const qdb_field *f = &fields[i];
		if (f->flags & QDB_FIELD_SOURCE)
			continue;
		if (f->kind == QDB_FIELD_TAGS)
			snprintf(line, sizeof line, "%s%s: [\"one\", \"two\"]\n",
				 first ? "" : "    ", f->key);
		else
			snprintf(line, sizeof line, "%s%s: \"%s\"\n",
				 first ? "" : "    ", f->key,
				 value_of(f, v, sizeof v));
		th_buf_write(line, strlen(line), &b);
		first = 0;
	}
	th_buf_write("    source:\n", 12, &b);
	for (size_t i = 0; i < nfields; i++) {
		const qdb_field *f = &fields[i];
		if (!(f->flags & QDB_FIELD_SOURCE))
			continue;
		snprintf(line, sizeof line, "      %s: \"%s\"\n",
			 strchr(f->key, '.') + 1, value_of(f, v, sizeof v));
		th_buf_write(line, strlen(line), &b);
	}
	if (extra) {
		snprintf(line, sizeof line, "    %s\n", extra);
		th_buf_write(line, strlen(line), &b);
	}
	return b.data;
}

static int suite_init(void)
{
	fields = qdb_fields(&nfields);
	return th_tmpdir() ? 0 : -1;
}

static int suite_clean(void)
{
	th_cleanup();
	return 0;
}

/* Every qdb_str member of qdb_quote, from id up to tags and those
 * appended after date_hi, is in the table once; names and keys are unique
 * and findable. */
static void test_table_covers_the_struct(void)
{
	size_t first = offsetof(qdb_quote, id);
	size_t members = (offsetof(qdb_quote, tags) - first) / sizeof(qdb_str);
	size_t later = offsetof(qdb_quote, original);
	size_t nlater = (sizeof(qdb_quote) - later) / sizeof(qdb_str);
	char seen[64] = { 0 };
	size_t strings = 0;
	CU_ASSERT_FATAL(members < sizeof seen);
	for (size_t i = 0; i < nfields; i++) {
		const qdb_field *f = &fields[i];
		CU_ASSERT_PTR_NOT_NULL(f->help);
		CU_ASSERT_PTR_EQUAL(qdb_field_find(f->name), f);
		CU_ASSERT_PTR_EQUAL(qdb_field_find(f->key), f);
		CU_ASSERT_EQUAL(!!(f->flags & QDB_FIELD_SOURCE),
				!strncmp(f->key, "source.", 7));
		if (f->kind == QDB_FIELD_TAGS) {
			CU_ASSERT_EQUAL(f->offset, offsetof(qdb_quote, tags));
			continue;
		}
		size_t k;
		if (f->offset >= later) {
			CU_ASSERT_FATAL((f->offset - later) %
					sizeof(qdb_str) == 0);
			k = members + (f->offset - later) / sizeof(qdb_str);
		} else {
			CU_ASSERT_FATAL(f->offset >= first &&
					(f->offset - first) %
					sizeof(qdb_str) == 0);
			k = (f->offset - first) / sizeof(qdb_str);
			CU_ASSERT_FATAL(k < members);
		}
		CU_ASSERT_FATAL(k < members + nlater);
		CU_ASSERT_EQUAL(seen[k], 0);
		seen[k] = 1;
		strings++;
	}
	CU_ASSERT_EQUAL(strings, members + nlater);
	CU_ASSERT_PTR_NULL(qdb_field_find("speeker"));
	/* The members a reader of the header would name. */
	CU_ASSERT_EQUAL(qdb_field_find("text")->offset,
			offsetof(qdb_quote, text));
	CU_ASSERT_EQUAL(qdb_field_find("source.url")->offset,
			offsetof(qdb_quote, source_url));
	CU_ASSERT(qdb_field_find("text")->flags & QDB_FIELD_REQUIRED);
	CU_ASSERT(qdb_field_find("speaker")->flags & QDB_FIELD_REQUIRED);
}

/* A file with every key imports, and each value comes back. */
static void test_import_takes_every_key(void)
{
	qdb *db = th_open_fresh("every.db");
	char *yaml = every_field_yaml(NULL);
	qdb_error err;
	int rc = qdb_import_buffer(db, "every.yaml", yaml, strlen(yaml), NULL,
				   &err);
	if (rc) {
		char buf[1024];
		fprintf(stderr, "\n  %s\n", qdb_error_format(&err, buf,
							  sizeof buf));
	}
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	qdb_quote *q = NULL;
	CU_ASSERT_EQUAL_FATAL(qdb_quote_get(&q, db, "value of id"), 0);
	char v[96];
	for (size_t i = 0; i < nfields; i++) {
		const qdb_field *f = &fields[i];
		if (f->kind == QDB_FIELD_TAGS) {
			CU_ASSERT_EQUAL(q->ntags, 2);
			continue;
		}
		qdb_str s = qdb_quote_str(q, f);
		const char *want = value_of(f, v, sizeof v);
		if (!s.ptr || strcmp(s.ptr, want) != 0) {
			fprintf(stderr, "\n  %s: got %s, want %s", f->name,
				s.ptr ? s.ptr : "(absent)", want);
			CU_FAIL("a field did not come back");
		}
	}
	qdb_quote_free(q);
	qdb_close(db);
	free(yaml);
}

/* Any other key is refused, with the nearest of the table's keys. */
static void test_import_refuses_other_keys(void)
{
	for (size_t i = 0; i < nfields; i++) {
		const qdb_field *f = &fields[i];
		if ((f->flags & QDB_FIELD_SOURCE) || strlen(f->key) < 4)
			continue;
		char extra[96], key[64], want[160];
		/* The key with its second letter doubled. */
		snprintf(key, sizeof key, "%c%s", f->key[0], f->key + 1);
		memmove(key + 2, key + 1, strlen(key));
		snprintf(extra, sizeof extra, "%s: \"x\"", key);
		char *yaml = every_field_yaml(extra);
		qdb *db = th_open_fresh("refuse.db");
		qdb_error err;
		CU_ASSERT_EQUAL(qdb_import_buffer(db, "x.yaml", yaml,
						  strlen(yaml), NULL, &err),
				QDB_EINVALID);
		snprintf(want, sizeof want, "unknown key '%s' (did you mean "
			 "'%s'?)", key, f->key);
		if (strcmp(err.text, want) != 0) {
			fprintf(stderr, "\n  %s: %s", key, err.text);
			CU_FAIL("a misspelt key was not refused as such");
		}
		qdb_close(db);
		free(yaml);
	}
}

/* add takes every field as --NAME ('-' for '_'); show prints every field
 * with its name; list --json has every name as a key. */
static void test_cli_add_show_json(void)
{
	const char *db = th_path("cli.db");
	th_buf cmd = { 0 };
	char v[96], piece[256];
	snprintf(piece, sizeof piece, "'%s' --db '%s' add", th_cli(), db);
	th_buf_write(piece, strlen(piece), &cmd);
	for (size_t i = 0; i < nfields; i++) {
		const qdb_field *f = &fields[i];
		char opt[64];
		snprintf(opt, sizeof opt, "%s", f->name);
		if (f->kind == QDB_FIELD_TAGS)
			opt[strlen(opt) - 1] = '\0';   /* --tag */
		for (char *c = opt; *c; c++)
			if (*c == '_')
				*c = '-';
		snprintf(piece, sizeof piece, " --%s '%s'", opt,
			 value_of(f, v, sizeof v));
		th_buf_write(piece, strlen(piece), &cmd);
	}
	th_buf_write("", 1, &cmd);
	char *out = NULL, *err = NULL;
	CU_ASSERT_EQUAL_FATAL(th_run(&out, &err, "%s", cmd.data), 0);
	CU_ASSERT_STRING_EQUAL(out, "value of id\n");
	free(out);
	free(err);
	CU_ASSERT_EQUAL_FATAL(th_run(&out, NULL, "'%s' --db '%s' show "
				     "'value of id'", th_cli(), db), 0);
	for (size_t i = 0; i < nfields; i++) {
		const qdb_field *f = &fields[i];
		char line[192];
		if (f->kind == QDB_FIELD_TAGS)
			snprintf(line, sizeof line, "%-12s value of tags\n",
				 f->name);
		else
			snprintf(line, sizeof line, "%-12s %s\n", f->name,
				 value_of(f, v, sizeof v));
		if (!strstr(out, line)) {
			fprintf(stderr, "\n  show lacks: %s", line);
			CU_FAIL("show does not print every field");
		}
	}
	free(out);
	CU_ASSERT_EQUAL_FATAL(th_run(&out, NULL, "'%s' --db '%s' list --json",
				     th_cli(), db), 0);
	for (size_t i = 0; i < nfields; i++) {
		char key[64];
		snprintf(key, sizeof key, "\"%s\": ", fields[i].name);
		if (!strstr(out, key)) {
			fprintf(stderr, "\n  list --json lacks %s", key);
			CU_FAIL("list --json does not have every field");
		}
	}
	free(out);
	th_buf_free(&cmd);
}

void test_field_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_table_covers_the_struct),
		QDB_TEST(test_import_takes_every_key),
		QDB_TEST(test_import_refuses_other_keys),
		QDB_TEST(test_cli_add_show_json),
	};
	TH_SUITE("field", suite_init, suite_clean, tests);
}
