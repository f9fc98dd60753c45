/*
 * fuzz_csv.c: libFuzzer target for the csv plugin's escaping
 * (plugins/csv.c, compiled in) through a fake host.
 *
 * The first byte picks the options (bom, formula_guard); the rest is cut
 * at NUL bytes into the quote's fields and tags (fuzz_util.h).  The output
 * is read back by a strict RFC 4180 parser: it must be exactly a header
 * record and one record, CRLF terminated, and each cell must give back the
 * field's bytes (with formula_guard, the bytes behind a leading ').
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#define NCOLS 16
#define MAXTAGS 8

typedef struct cell {
	char *p;
	size_t len;
} cell;

/*
 * Parses one record at *pos into cells; returns the number of cells, or
 * -1 when the text is not RFC 4180 (an unquoted cell holding a quote, CR
 * or LF; a quoted cell not closed or followed by junk; a record not ended
 * by CRLF).
 */
static int parse_record(const char *s, size_t n, size_t *pos, cell *cells,
			int max)
{
	size_t i = *pos;
	int nc = 0;
	for (;;) {
		if (nc == max)
			return -1;
		cell *c = &cells[nc++];
		c->p = malloc(n - i + 1);
		c->len = 0;
		if (!c->p)
			abort();
		if (i < n && s[i] == '"') {
			i++;
			for (;;) {
				if (i >= n)
					return -1;   /* not closed */
				if (s[i] == '"') {
					if (i + 1 < n && s[i + 1] == '"') {
						c->p[c->len++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				c->p[c->len++] = s[i++];
			}
		} else {
			while (i < n && s[i] != ',' && s[i] != '\r') {
				if (s[i] == '"' || s[i] == '\n')
					return -1;
				c->p[c->len++] = s[i++];
			}
		}
		if (i < n && s[i] == ',') {
			i++;
			continue;
		}
		if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n') {
			*pos = i + 2;
			return nc;
		}
		return -1;
	}
}

static void free_cells(cell *c, int n)
{
	for (int i = 0; i < n; i++)
		free(c[i].p);
}

/* What the guard is documented to catch: = + - @ TAB CR, and the
 * full-width = + - @ (U+FF1D U+FF0B U+FF0D U+FF20). */
static int formula_start(const char *p, size_t n)
{
	static const char *const wide[] = { "\xEF\xBC\x9D", "\xEF\xBC\x8B",
					     "\xEF\xBC\x8D", "\xEF\xBC\xA0" };
	if (n && strchr("=+-@\t\r", p[0]) && p[0])
		return 1;
	for (int i = 0; i < 4; i++)
		if (n >= 3 && !memcmp(p, wide[i], 3))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int bom = data[0] & 1, guard = (data[0] >> 1) & 1;
	const char *opts[] = { "bom", bom ? "1" : "0",
			       "formula_guard", guard ? "1" : "0", NULL };
	qdb_quote q = QDB_QUOTE_INIT;
	qdb_str tags[MAXTAGS];
	char *copy = fuzz_split(&q, tags, MAXTAGS, data + 1, size - 1);

	fuzz_host h;
	fuzz_host_init(&h, qdb_plugin_descriptor(), opts);
	const qdb_quote *qs[1] = { &q };
	int rc = fuzz_export(&h, qs, 1);
	FUZZ_CHECK(rc == 0, "csv export failed (%d): %s", rc, h.msg);

	size_t pos = 0;
	if (bom) {
		FUZZ_CHECK(h.len >= 3 && !memcmp(h.out, "\xEF\xBB\xBF", 3),
			   "bom=1 but no byte-order mark");
		pos = 3;
	}
	cell head[NCOLS], rec[NCOLS];
	int nh = parse_record(h.out, h.len, &pos, head, NCOLS);
	FUZZ_CHECK(nh == NCOLS, "header has %d cells", nh);
	free_cells(head, nh);
	int nr = parse_record(h.out, h.len, &pos, rec, NCOLS);
	FUZZ_CHECK(nr == NCOLS, "record is not RFC 4180 or has %d cells "
		   "(want %d):\n%.*s", nr, NCOLS, (int)h.len, h.out);
	FUZZ_CHECK(pos == h.len, "%zu bytes after the record", h.len - pos);

	/* The columns of plugins/csv.c: text .. context, tags, id. */
	const qdb_str cols[NCOLS - 2] = { q.text, q.speaker, q.role, q.date,
		q.date_text, q.outlet, q.programme, q.occasion, q.reported_by,
		q.source, q.locator, q.language, q.translated, q.context };
	qdb_str want[NCOLS];
	memcpy(want, cols, sizeof cols);
	char *joined = malloc(size * 2 + 1);
	size_t jl = 0;
	for (size_t i = 0; i < q.ntags; i++) {
		if (jl) {
			memcpy(joined + jl, "; ", 2);
			jl += 2;
		}
		memcpy(joined + jl, q.tags[i].ptr, q.tags[i].len);
		jl += q.tags[i].len;
	}
	want[NCOLS - 2].ptr = joined;
	want[NCOLS - 2].len = jl;
	want[NCOLS - 1] = q.id;
	for (int i = 0; i < NCOLS; i++) {
		const char *w = want[i].ptr ? want[i].ptr : "";
		size_t wl = want[i].ptr ? want[i].len : 0;
		const char *g = rec[i].p;
		size_t gl = rec[i].len;
		if (guard && formula_start(w, wl)) {
			FUZZ_CHECK(gl == wl + 1 && g[0] == '\'',
				   "column %d: formula not guarded", i);
			g++;
			gl--;
		} else if (guard && gl == wl + 1 && g[0] == '\'') {
			/* The guard may be wider than documented; the
			 * bytes behind it must still be the field's. */
			g++;
			gl--;
		}
		FUZZ_CHECK(gl == wl && !memcmp(g, w, wl), "column %d: "
			   "read back %zu bytes \"%.*s\", field is %zu bytes "
			   "\"%.*s\"", i, gl, (int)gl, g, wl, (int)wl, w);
	}
	free_cells(rec, nr);
	free(joined);
	fuzz_host_free(&h);
	free(copy);
	return 0;
}
