/*
 * fuzz_draft.c: libFuzzer target for qdb_draft_read (core/draft.c).
 *
 * The first byte picks the format (text, Markdown, LaTeX), the rest is the
 * draft.  It is read twice, once in blocks of the reader's own size and
 * once a byte at a time.  Properties: the two readings give the same
 * quotations, positions and status (streaming does not depend on where
 * reads end); every quotation has a line and column of at least 1, no
 * later line than the draft has, and valid UTF-8 text and context; a
 * refusal is QDB_EINVALID with a line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

typedef struct src {
	const uint8_t *p;
	size_t n, pos, chunk;
} src;

static ptrdiff_t rd(void *buf, size_t len, void *payload)
{
	src *s = payload;
	size_t k = s->n - s->pos;
	if (k > len)
		k = len;
	if (s->chunk && k > s->chunk)
		k = s->chunk;
	memcpy(buf, s->p + s->pos, k);
	s->pos += k;
	return (ptrdiff_t)k;
}

static int utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		size_t l = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 :
			(c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (!l || i + l > n || c == 0)
			return 0;
		for (size_t k = 1; k < l; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
		i += l;
	}
	return 1;
}

typedef struct seen {
	char *log;
	size_t len, cap;
	long lines;
} seen;

static void add(seen *s, const void *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		size_t cap = (s->cap + n + 1) * 2;
		char *b = realloc(s->log, cap);
		if (!b)
			abort();
		s->log = b;
		s->cap = cap;
	}
	memcpy(s->log + s->len, p, n);
	s->len += n;
}

static int cb(const qdb_draft_quote *q, void *payload)
{
	seen *s = payload;
	FUZZ_CHECK(q->size == sizeof *q, "size %zu", q->size);
	FUZZ_CHECK(q->line >= 1 && q->column >= 1, "at %d:%d", q->line,
		   q->column);
	FUZZ_CHECK(q->line <= s->lines, "line %d of %ld", q->line, s->lines);
	FUZZ_CHECK(utf8_ok(q->text.ptr, q->text.len), "text not UTF-8");
	FUZZ_CHECK(utf8_ok(q->context.ptr, q->context.len),
		   "context not UTF-8");
	FUZZ_CHECK(q->context_at <= q->context.len, "context_at %zu > %zu",
		   q->context_at, q->context.len);
	FUZZ_CHECK(!q->unterminated || q->text.len == 0, "open with text");
	char head[64];
	int k = snprintf(head, sizeof head, "%d:%d:%d:%d:", q->line,
			 q->column, q->block, q->unterminated);
	add(s, head, (size_t)k);
	add(s, q->text.ptr, q->text.len);
	add(s, "\x1f", 1);
	add(s, q->context.ptr, q->context.len);
	add(s, "\x1e", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	qdb_draft_format fmt = (qdb_draft_format)(data[0] % 3);
	long lines = 1;
	for (size_t i = 1; i < size; i++)
		lines += data[i] == '\n';
	seen a = { .lines = lines }, b = { .lines = lines };
	src s1 = { data + 1, size - 1, 0, 0 }, s2 = { data + 1, size - 1, 0, 1 };
	qdb_error e1, e2;
	int r1 = qdb_draft_read("fuzz", fmt, rd, &s1, cb, &a, &e1);
	int r2 = qdb_draft_read("fuzz", fmt, rd, &s2, cb, &b, &e2);
	FUZZ_CHECK(r1 == 0 || r1 == QDB_EINVALID, "rc %d", r1);
	FUZZ_CHECK(r1 == r2, "rc %d in blocks, %d by bytes", r1, r2);
	FUZZ_CHECK(a.len == b.len && (a.len == 0 ||
				      !memcmp(a.log, b.log, a.len)),
		   "the quotations depend on the reads");
	if (r1) {
		FUZZ_CHECK(e1.line >= 1 && e1.line == e2.line &&
			   e1.column == e2.column, "refused at %d:%d and %d:%d",
			   e1.line, e1.column, e2.line, e2.column);
		FUZZ_CHECK(!strcmp(e1.file, "fuzz"), "file '%s'", e1.file);
	}
	free(a.log);
	free(b.log);
	return 0;
}
