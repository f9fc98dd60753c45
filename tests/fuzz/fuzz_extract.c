/*
 * fuzz_extract.c: libFuzzer target for qdb_extract and qdb_extract_yaml
 * (core/extract.c, core/extract_yaml.c).
 *
 * The input is copied into a heap block of exactly its size, so ASan
 * catches any read past it.  Properties: valid UTF-8 always extracts;
 * every proposal lies inside the text, starts on a real line and column
 * and verifies against the text (qdb_extract_yaml's promise that verify
 * passes by construction); invalid UTF-8 is refused with QDB_EINVALID and
 * a place; the draft writer succeeds whenever extraction does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

struct state {
	const char *s;
	size_t n;
	size_t count;
};

static int check(const qdb_proposal *p, void *payload)
{
	struct state *st = payload;
	FUZZ_CHECK(p->len > 0 && p->off + p->len <= st->n, "proposal %zu+%zu "
		   "outside %zu bytes", p->off, p->len, st->n);
	FUZZ_CHECK(p->line > 0 && p->column > 0 && p->para > 0 &&
		   p->para_last >= p->para, "bad place %d:%d para %d-%d",
		   p->line, p->column, p->para, p->para_last);
	FUZZ_CHECK(p->kind == QDB_PROPOSAL_SCARE || (p->speaker.ptr &&
						      p->speaker.len),
		   "a quotation without a speaker");
	qdb_verify_result r = QDB_VERIFY_RESULT_INIT;
	FUZZ_CHECK(qdb_verify_text(&r, st->s + p->off, p->len, st->s, st->n)
		   == 0 && r.status == QDB_VERIFIED, "\"%.*s\" does not "
		   "verify", (int)p->len, st->s + p->off);
	st->count++;
	return 0;
}

static int sink(const void *buf, size_t len, void *payload)
{
	(void)buf;
	*(size_t *)payload += len;
	return 0;
}

static int warn(const qdb_error *w, void *payload)
{
	(void)payload;
	FUZZ_CHECK(w->line > 0 && w->column > 0 && w->text[0],
		   "a warning without its place");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	struct state st = { s, size, 0 };
	qdb_extract_options opt = QDB_EXTRACT_OPTIONS_INIT;
	opt.warn = warn;
	qdb_error err;
	int rc = qdb_extract(s, size, &opt, check, &st, &err);
	if (rc) {
		FUZZ_CHECK(rc == QDB_EINVALID && err.line > 0 &&
			   err.column > 0, "rc %d at %d:%d: %s", rc, err.line,
			   err.column, err.text);
	} else {
		size_t written = 0, nq = 0, ns = 0;
		FUZZ_CHECK(qdb_extract_yaml(s, size, "fuzz.txt", &opt, sink,
					    &written, &nq, &ns, &err) == 0,
			   "the draft fails: %s", err.text);
		FUZZ_CHECK(nq + ns == st.count, "%zu + %zu proposals written, "
			   "%zu found", nq, ns, st.count);
		FUZZ_CHECK(written > 0, "nothing written");
	}
	free(s);
	return 0;
}
