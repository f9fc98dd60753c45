/*
 * fuzz_import.c: libFuzzer target for the YAML importer
 * (qdb_import_buffer, core/import.c) into a fresh in-memory database.
 *
 * Properties:
 * - the import either succeeds or fails with a negative QDB_E* code, the
 *   same code in err, and a message; a refusal of the input (QDB_EINVALID,
 *   QDB_EEXISTS) points at a line and column (> 0) of it;
 * - a failed import leaves the database as it was (no quote added);
 * - a successful one adds exactly quotes_added quotes, and importing the
 *   same bytes again adds none;
 * - what was imported exports through the yaml plugin (compiled in) and
 *   that export imports into another fresh database with the same number
 *   of quotes.
 * Each input gets empty databases (fuzz_fresh_db), so a crash replays from
 * its input alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/internal.h"
#include "fuzz_util.h"

static int64_t count(qdb *db)
{
	int64_t n = -1;
	FUZZ_CHECK(qdb_count(&n, db, NULL) == 0, "count: %s", qdb_errmsg(db));
	return n;
}

typedef struct collect {
	const qdb_quote **v;
	qdb_quote **own;
	size_t n, cap;
} collect;

static int keep(const qdb_quote *q, void *payload)
{
	collect *c = payload;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->own = realloc(c->own, c->cap * sizeof *c->own);
		c->v = realloc(c->v, c->cap * sizeof *c->v);
		if (!c->own || !c->v)
			abort();
	}
	FUZZ_CHECK(qdb_quote_dup(&c->own[c->n], q) == 0, "dup");
	c->v[c->n] = c->own[c->n];
	c->n++;
	return 0;
}

static void check_error(int rc, const qdb_error *err, size_t size,
			const uint8_t *data)
{
	(void)data;
	FUZZ_CHECK(rc < 0, "rc %d is not a QDB_E* code", rc);
	FUZZ_CHECK(err->code == rc, "err.code %d, rc %d", err->code, rc);
	FUZZ_CHECK(err->text[0] != '\0', "failure without a message");
	if (rc == QDB_EINVALID || rc == QDB_EEXISTS)
		FUZZ_CHECK(err->line > 0 && err->column > 0,
			   "refusal without a position (%d:%d): %s "
			   "(input %zu bytes)", err->line, err->column,
			   err->text, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static qdb *slot1, *slot2;
	qdb *db = fuzz_fresh_db(&slot1);
	qdb_import_stats st = QDB_IMPORT_STATS_INIT;
	qdb_error err;
	memset(&err, 0, sizeof err);
	int rc = qdb_import_buffer(db, "fuzz.yaml", data, size, &st, &err);
	if (rc) {
		check_error(rc, &err, size, data);
		FUZZ_CHECK(count(db) == 0, "a failed import left quotes");
		FUZZ_CHECK(st.quotes_read == 0 && st.quotes_added == 0,
			   "stats not rolled back");
		return 0;
	}
	FUZZ_CHECK(count(db) == st.quotes_added, "count %lld, added %lld",
		   (long long)count(db), (long long)st.quotes_added);
	FUZZ_CHECK(st.quotes_read == st.quotes_added + st.quotes_same,
		   "stats do not add up");

	/* Again: all present already. */
	qdb_import_stats st2 = QDB_IMPORT_STATS_INIT;
	rc = qdb_import_buffer(db, "fuzz.yaml", data, size, &st2, &err);
	FUZZ_CHECK(rc == 0, "second import failed: %s", err.text);
	FUZZ_CHECK(st2.quotes_added == 0, "second import added %lld",
		   (long long)st2.quotes_added);

	/* Export through the yaml plugin and import that elsewhere. */
	collect c = { 0 };
	FUZZ_CHECK(qdb_foreach(db, NULL, keep, &c) == 0, "foreach: %s",
		   qdb_errmsg(db));
	fuzz_host h;
	fuzz_host_init(&h, qdb_plugin_descriptor(), NULL);
	rc = fuzz_export(&h, c.v, c.n);
	FUZZ_CHECK(rc == 0, "yaml export failed (%d): %s", rc, h.msg);
	qdb *db2 = fuzz_fresh_db(&slot2);
	qdb_import_stats st3 = QDB_IMPORT_STATS_INIT;
	rc = qdb_import_buffer(db2, "export.yaml", h.out, h.len, &st3, &err);
	FUZZ_CHECK(rc == 0, "the export does not import: %s:%d:%d: %s: %s\n"
		   "--- export ---\n%s", err.file, err.line, err.column,
		   err.field, err.text, h.out);
	FUZZ_CHECK(count(db2) == count(db), "%lld quotes, %lld after the "
		   "round trip", (long long)count(db), (long long)count(db2));
	for (size_t i = 0; i < c.n; i++)
		qdb_quote_free(c.own[i]);
	free(c.own);
	free(c.v);
	fuzz_host_free(&h);
	return 0;
}
