/*
 * fuzz_csv.c: libFuzzer target for the csv plugin's escaping
 * (plugins/csv.c, compiled in) through a fake host.
 *
 * The first byte picks the options (bom, formula_guard); the rest is cut
 * at NUL bytes into the quote's fields and tags (fuzz_util.h).  The output
 * is read back by a strict RFC 4180 parser: it must be exactly a header
 * record and one record, CRLF terminated, with a cell for each field of
 * the field table (the id last), and each cell must give back the field's
 * bytes.  With formula_guard a ' may be put in front of a formula
 * starter wherever a spreadsheet may begin a cell (the start, and after
 * , ; tab or a line break, spaces skipped): the cell without its 's must
 * be the field without its 's, and no such place may start a formula.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#define NCOLS 64   /* at most; the field table says how many */
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
	size_t nf;
	const qdb_field *fl = qdb_fields(&nf);
	int ncols = (int)nf;
	FUZZ_CHECK(ncols <= NCOLS, "the field table has %d fields", ncols);
	cell head[NCOLS], rec[NCOLS];
	int nh = parse_record(h.out, h.len, &pos, head, NCOLS);
	FUZZ_CHECK(nh == ncols, "header has %d cells", nh);
	free_cells(head, nh);
	int nr = parse_record(h.out, h.len, &pos, rec, NCOLS);
	FUZZ_CHECK(nr == ncols, "record is not RFC 4180 or has %d cells "
		   "(want %d):\n%.*s", nr, ncols, (int)h.len, h.out);
	FUZZ_CHECK(pos == h.len, "%zu bytes after the record", h.len - pos);

	/* The columns of plugins/csv.c: the table's fields, the id (the
	 * table's first) last; tags joined with "; ". */
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
	for (int i = 0; i < ncols; i++) {
		const qdb_field *f = &fl[i + 1 < ncols ? i + 1 : 0];
		qdb_str v = f->kind == QDB_FIELD_TAGS
			? (qdb_str){ joined, jl } : qdb_quote_str(&q, f);
		const char *w = v.ptr ? v.ptr : "";
		size_t wl = v.ptr ? v.len : 0;
		const char *g = rec[i].p;
		size_t gl = rec[i].len;
		if (!guard) {
			FUZZ_CHECK(gl == wl && !memcmp(g, w, wl), "column %d: "
				   "read back %zu bytes \"%.*s\", field is %zu "
				   "bytes \"%.*s\"", i, gl, (int)gl, g, wl,
				   (int)wl, w);
			continue;
		}
		/* Only 's were added: both without them are equal. */
		size_t a = 0, b = 0;
		while (1) {
			while (a < gl && g[a] == '\'')
				a++;
			while (b < wl && w[b] == '\'')
				b++;
			if (a == gl || b == wl)
				break;
			FUZZ_CHECK(g[a] == w[b], "column %d: the cell is not "
				   "the field with 's added", i);
			a++;
			b++;
		}
		FUZZ_CHECK(a == gl && b == wl, "column %d: the cell is not the "
			   "field with 's added", i);
		/* Where a cell may begin, nothing starts a formula. */
		for (size_t k = 0; k < gl; k++) {
			if (k && !strchr(",;\t\r\n", g[k - 1]))
				continue;
			size_t j = k;
			while (j < gl && g[j] == ' ')
				j++;
			FUZZ_CHECK(!formula_start(g + j, gl - j), "column %d: "
				   "a formula starts at byte %zu of the cell", i,
				   j);
		}
	}
	free_cells(rec, nr);
	free(joined);
	fuzz_host_free(&h);
	free(copy);
	return 0;
}
