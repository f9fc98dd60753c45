/*
 * listing.c: the quotes a list or search selects, as people and programs
 * read them: an aligned table on a terminal, one tab-separated line per
 * quote when piped, a JSON array with --json.  JSON carries every field
 * of the field table; the table and TSV the five columns that identify a
 * quote at a glance.
 */
#include "cli.h"

#include <string.h>

void cli_json_quote(const qdb_quote *q, const char *snippet)
{
	size_t n;
	const qdb_field *f = qdb_fields(&n);
	fputc('{', stdout);
	for (size_t i = 0; i < n; i++) {
		printf(i ? ", \"%s\": " : "\"%s\": ", f[i].name);
		if (f[i].kind != QDB_FIELD_TAGS) {
			cli_put_json_str(qdb_quote_str(q, &f[i]));
			continue;
		}
		fputc('[', stdout);
		for (size_t k = 0; k < q->ntags; k++) {
			if (k)
				fputs(", ", stdout);
			cli_put_json_str(q->tags[k]);
		}
		fputc(']', stdout);
	}
	if (snippet) {
		qdb_str s = { snippet, strlen(snippet) };
		fputs(", \"snippet\": ", stdout);
		cli_put_json_str(s);
	}
	fputc('}', stdout);
}

/* A snippet marks matches with STX/ETX; a terminal shows them bold.  It
 * goes on a line of its own under its row, indented, cut like a cell to
 * the width of the terminal. */
static void put_snippet(const char *s, size_t width)
{
	fputs("    ", stdout);
	cli_put_cell(s, strlen(s), width - 4, 0);
	fputc('\n', stdout);
}

/* The widths of the table's columns (id, date, speaker, outlet, text) on
 * a terminal w columns wide, with a space between each two: the first
 * four take what they usually need (18, 12, 20 and 12 columns), the text
 * the rest, at least 20.  On a terminal narrower than that (80 columns
 * is) all five are narrowed in proportion, so that no row is wider than
 * the terminal: each column ends at its natural end scaled down, rounded
 * down.  cli_term_width() gives at least 21 columns, and every column then
 * at least 2. */
static void column_widths(size_t w, size_t col[5])
{
	static const size_t natural_end[4] = { 18, 30, 50, 62 };
	size_t room = w - 4, start = 0;
	for (int i = 0; i < 4; i++) {
		size_t end = room >= 82 ? natural_end[i]
			: natural_end[i] * room / 82;
		col[i] = end - start;
		start = end;
	}
	col[4] = room - start;
}

/* Widens the id column to idw, the widest id of the listing, taking the
 * columns from the text while it keeps 10: ids are what show and delete
 * take, and are never cut.  Returns whether every id now fits; when not,
 * the ids too wide go on a line of their own (put_row). */
static int fit_ids(size_t col[5], size_t idw)
{
	if (idw <= col[0])
		return 1;
	size_t need = idw - col[0];
	if (col[4] < need + 10)
		return 0;
	col[0] += need;
	col[4] -= need;
	return 1;
}

/* The display width of the widest id f selects: a walk of its own
 * before the table, so that memory stays flat (a terminal's listing is
 * read by a person, and is rarely long).  0 after a failure, which the
 * listing's own walk then reports. */
static size_t widest_id(qdb *db, const qdb_filter *f)
{
	qdb_cursor *c;
	const qdb_quote *q;
	size_t w = 0;
	if (qdb_cursor_open(&c, db, f) != 0)
		return 0;
	while (qdb_cursor_next(&q, c) == 0) {
		size_t k = cli_cell_width(q->id.ptr, q->id.len);
		if (k > w)
			w = k;
	}
	qdb_cursor_free(c);
	return w;
}

static const qdb_str none_str = { "", 0 };
static qdb_str or_none(qdb_str s) { return s.ptr ? s : none_str; }

int cli_list_quotes(qdb *db, const qdb_filter *f, int json)
{
	qdb_cursor *c;
	if (qdb_cursor_open(&c, db, f) != 0) {
		cli_msg("%s", qdb_errmsg(db));
		return 1;
	}
	size_t w = cli_term_width(), col[5];
	column_widths(w, col);
	if (cli_is_tty && !json)
		fit_ids(col, widest_id(db, f));
	const qdb_quote *q;
	int rc;
	size_t n = 0;
	if (json)
		fputs("[", stdout);
	else if (cli_is_tty) {
		cli_put_cell("ID", 2, col[0], 1); fputc(' ', stdout);
		cli_put_cell("DATE", 4, col[1], 1); fputc(' ', stdout);
		cli_put_cell("SPEAKER", 7, col[2], 1); fputc(' ', stdout);
		cli_put_cell("OUTLET", 6, col[3], 1); fputc(' ', stdout);
		cli_put_cell("TEXT", 4, col[4], 0); fputc('\n', stdout);
	}
	while ((rc = qdb_cursor_next(&q, c)) == 0) {
		const char *snip = qdb_cursor_snippet(c);
		if (json) {
			fputs(n ? ",\n " : "\n ", stdout);
			cli_json_quote(q, snip);
		} else if (cli_is_tty) {
			qdb_str s;
			if (cli_cell_width(q->id.ptr, q->id.len) > col[0]) {
				/* Whole, on its own line; the row under it. */
				fwrite(q->id.ptr, 1, q->id.len, stdout);
				fputc('\n', stdout);
				cli_put_cell("", 0, col[0], 1);
			} else {
				cli_put_cell(q->id.ptr, q->id.len, col[0], 1);
			}
			fputc(' ', stdout);
			s = or_none(q->date); cli_put_cell(s.ptr, s.len, col[1], 1);
			fputc(' ', stdout);
			cli_put_cell(q->speaker.ptr, q->speaker.len, col[2], 1);
			fputc(' ', stdout);
			s = or_none(q->outlet); cli_put_cell(s.ptr, s.len, col[3], 1);
			fputc(' ', stdout);
			cli_put_cell(q->text.ptr, q->text.len, col[4], 0);
			fputc('\n', stdout);
			if (snip)
				put_snippet(snip, w);
		} else {
			qdb_str cols[5] = { q->id, or_none(q->date), q->speaker,
					    or_none(q->outlet), q->text };
			for (int i = 0; i < 5; i++) {
				if (i)
					fputc('\t', stdout);
				cli_put_tsv(cols[i].ptr, cols[i].len);
			}
			fputc('\n', stdout);
		}
		n++;
	}
	if (json)
		fputs(n ? "\n]\n" : "]\n", stdout);
	if (rc != QDB_ITEROVER) {
		cli_msg("%s", qdb_errmsg(db));
		qdb_cursor_free(c);
		return 1;
	}
	qdb_cursor_free(c);
	return cli_flush();
}

