/*
 * fuzz_yaml_roundtrip.c: libFuzzer target for export then import: a quote
 * built from the fuzzer's bytes goes out through the yaml plugin
 * (plugins/yaml.c, compiled in) and comes back in through
 * qdb_import_buffer into a fresh in-memory database; every field must
 * come back byte for byte.
 *
 * The bytes are cut at NUL into fields and tags (fuzz_util.h).  A date the
 * EDTF parser refuses is dropped (or the quote would be skipped nearly
 * always); a quote the store's validator still refuses (invalid UTF-8,
 * control characters, no text or speaker) is skipped: the importer would
 * rightly refuse it too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/internal.h"
#include "fuzz_util.h"

#define MAXTAGS 8

static void same(const char *name, qdb_str want, qdb_str got,
		 const char *yaml)
{
	FUZZ_CHECK((!want.ptr && !got.ptr) || (want.ptr && got.ptr &&
		   want.len == got.len && !memcmp(want.ptr, got.ptr, want.len)),
		   "%s: exported %zu bytes \"%.*s\", imported %s%zu bytes "
		   "\"%.*s\"\n--- yaml ---\n%s", name,
		   want.len, (int)want.len, want.ptr ? want.ptr : "",
		   got.ptr ? "" : "(absent) ", got.len, (int)got.len,
		   got.ptr ? got.ptr : "", yaml);
}

static int first(const qdb_quote *q, void *payload)
{
	FUZZ_CHECK(qdb_quote_dup(payload, q) == 0, "dup");
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qdb_quote q = QDB_QUOTE_INIT;
	qdb_str tags[MAXTAGS];
	char *copy = fuzz_split(&q, tags, MAXTAGS, data, size);
	if (q.date.ptr && qdb_date_parse(NULL, NULL, q.date.ptr, q.date.len,
					 NULL))
		q.date.ptr = NULL, q.date.len = 0;
	if (q.source_date.ptr && qdb_date_parse(NULL, NULL, q.source_date.ptr,
						q.source_date.len, NULL))
		q.source_date.ptr = NULL, q.source_date.len = 0;
	qdb_error verr;
	memset(&verr, 0, sizeof verr);
	if (qdb__quote_validate(&q, &verr) != 0) {
		free(copy);
		return 0;
	}

	fuzz_host h;
	fuzz_host_init(&h, qdb_plugin_descriptor(), NULL);
	const qdb_quote *qs[1] = { &q };
	int rc = fuzz_export(&h, qs, 1);
	FUZZ_CHECK(rc == 0, "yaml export of a valid quote failed (%d): %s",
		   rc, h.msg);

	static qdb *slot;
	qdb *db = fuzz_fresh_db(&slot);
	qdb_error err;
	memset(&err, 0, sizeof err);
	rc = qdb_import_buffer(db, "export.yaml", h.out, h.len, NULL, &err);
	FUZZ_CHECK(rc == 0, "the export does not import: %d:%d: %s: %s\n"
		   "--- yaml ---\n%s", err.line, err.column, err.field,
		   err.text, h.out);
	qdb_quote *got = NULL;
	FUZZ_CHECK(qdb_foreach(db, NULL, first, &got) == 1 && got,
		   "no quote came back");

	if (q.id.ptr)
		same("id", q.id, got->id, h.out);
	const char *names[] = { "text", "speaker", "role", "date",
		"date_text", "outlet", "programme", "occasion", "reported_by",
		"source", "source_author", "source_date", "source_url",
		"source_file", "locator", "language", "translated", "context",
		"original" };
	qdb_str *a[FUZZ_NFIELDS], *b[FUZZ_NFIELDS];
	fuzz_fields(a, &q);
	fuzz_fields(b, got);
	for (int i = 1; i < FUZZ_NFIELDS; i++)
		same(names[i - 1], *a[i], *b[i], h.out);
	FUZZ_CHECK(got->ntags == q.ntags, "%zu tags, %zu came back\n%s",
		   q.ntags, got->ntags, h.out);
	for (size_t i = 0; i < q.ntags; i++)
		same("tag", q.tags[i], got->tags[i], h.out);

	qdb_quote_free(got);
	fuzz_host_free(&h);
	free(copy);
	return 0;
}
