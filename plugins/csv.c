/*
 * csv.c: the "csv" export plugin.  One RFC 4180 record per quote: comma
 * separated, CRLF terminated, UTF-8, a header row first.  A cell is quoted
 * when it holds a comma, a double quote, CR or LF; inner quotes are doubled.
 * Without options every cell is the stored value byte for byte.
 *
 * The columns are the host's field table (quotedb.h), named as it names
 * them, with one change of order: the id comes last, so that the first
 * column a spreadsheet shows is the text.  Tags are one cell, "; "-joined.
 *
 * Options:
 *   bom=1            start with a UTF-8 byte-order mark (for Excel)
 *   formula_guard=1  OWASP's "CSV injection" guard: every cell quoted,
 *                    and ' before a formula starter wherever a
 *                    spreadsheet might begin a cell (put_guarded)
 */
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"
#include "outbuf.h"

typedef struct csv_state {
	const qdb_plugin_host *host;
	const qdb_field *id;     /* the table's id field, written last */
	int formula_guard;
	char *cell;          /* the tags cell is assembled here */
	size_t cell_len, cell_cap;
	qdb_outbuf out;          /* last: 64 KiB */
} csv_state;

static int flush(csv_state *st)
{
	return qdb_outbuf_flush(&st->out);
}

static int put(csv_state *st, const char *p, size_t n)
{
	return qdb_outbuf_put(&st->out, p, n);
}

/*
 * What OWASP lists as formula starters: = + - @ tab CR, and the full-width
 * forms of the first four (U+FF1D U+FF0B U+FF0D U+FF20), which some
 * spreadsheets fold to ASCII before deciding.
 */
static int looks_like_formula(const char *p, size_t n)
{
	if (n == 0)
		return 0;
	switch (p[0]) {
	case '=': case '+': case '-': case '@': case '\t': case '\r':
		return 1;
	}
	if (n >= 3 && (unsigned char)p[0] == 0xEF) {
		unsigned char b1 = (unsigned char)p[1];
		unsigned char b2 = (unsigned char)p[2];
		if (b1 == 0xBC && (b2 == 0x9D || b2 == 0x8B || b2 == 0x8D ||
				   b2 == 0xA0))
			return 1;
	}
	return 0;
}

/* A character some spreadsheet splits cells or rows at, whatever this
 * file's own separator: a cell can begin after it when the file is read
 * with another (LibreOffice offers , ; and tab). */
static int splits(char c)
{
	return c == ',' || c == ';' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * A cell with the formula guard on, as OWASP says: always quoted, inner
 * quotes doubled, and a ' before every formula starter where a cell may
 * begin: at the start, and after each character of splits(), spaces
 * skipped ("Figures;=cmd|..." would be a formula read with ';').
 */
static int put_guarded(csv_state *st, const char *p, size_t n)
{
	int rc, start = 1;
	size_t from = 0;
	if ((rc = put(st, "\"", 1)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		const char *mark = NULL;
		if (start && p[i] != ' ' && looks_like_formula(p + i, n - i))
			mark = "'";
		else if (p[i] == '"')
			mark = "\"";   /* doubled: written before the one */
		if (mark) {
			if ((rc = put(st, p + from, i - from)) ||
			    (rc = put(st, mark, 1)))
				return rc;
			from = i;
		}
		if (p[i] != ' ')
			start = splits(p[i]);
	}
	if ((rc = put(st, p + from, n - from)))
		return rc;
	return put(st, "\"", 1);
}

/* Writes one cell (without its separator). */
static int put_cell(csv_state *st, const char *p, size_t n)
{
	int rc;
	if (st->formula_guard)
		return put_guarded(st, p, n);
	int quote = 0;
	for (size_t i = 0; i < n && !quote; i++)
		quote = p[i] == ',' || p[i] == '"' || p[i] == '\r' ||
			p[i] == '\n';
	if (!quote)
		return put(st, p, n);
	if ((rc = put(st, "\"", 1)))
		return rc;
	for (;;) {
		const char *dq = memchr(p, '"', n);
		size_t k = dq ? (size_t)(dq - p) + 1 : n;
		if ((rc = put(st, p, k)))
			return rc;
		if (!dq)
			break;
		/* the quote just written is doubled */
		if ((rc = put(st, "\"", 1)))
			return rc;
		p += k;
		n -= k;
	}
	return put(st, "\"", 1);
}

static int put_str(csv_state *st, qdb_str s)
{
	return put_cell(st, s.ptr ? s.ptr : "", s.ptr ? s.len : 0);
}

static int cell_append(csv_state *st, const char *p, size_t n)
{
	if (st->cell_len + n > st->cell_cap) {
		size_t cap = st->cell_cap ? st->cell_cap : 256;
		while (cap < st->cell_len + n)
			cap *= 2;
		char *c = realloc(st->cell, cap);
		if (!c) {
			st->host->error(st->host, "out of memory");
			return QDB_ENOMEM;
		}
		st->cell = c;
		st->cell_cap = cap;
	}
	memcpy(st->cell + st->cell_len, p, n);
	st->cell_len += n;
	return 0;
}

/* Tags are one cell, joined with "; ". */
static int put_tags(csv_state *st, const qdb_quote *q)
{
	int rc;
	st->cell_len = 0;
	for (size_t i = 0; i < q->ntags; i++) {
		if (!q->tags[i].ptr)
			continue;
		if (st->cell_len && (rc = cell_append(st, "; ", 2)))
			return rc;
		if ((rc = cell_append(st, q->tags[i].ptr, q->tags[i].len)))
			return rc;
	}
	/* No tags yet: no cell buffer either, and p + 0 on NULL is UB. */
	return put_cell(st, st->cell ? st->cell : "", st->cell_len);
}

/* A cell writer: the cell of field f, for quote arg (the header when
 * NULL). */
typedef int (*cell_fn)(csv_state *st, const qdb_field *f, const void *arg);

/* The cells of one row, in column order: the table's fields with the id
 * moved last, comma-separated. */
static int put_row(csv_state *st, cell_fn cell, const void *arg)
{
	const qdb_plugin_host *h = st->host;
	int rc = 0, first = 1;
	for (size_t i = 0; i <= h->nfields && !rc; i++) {
		const qdb_field *f = i < h->nfields ? &h->fields[i] : st->id;
		if (!f || (i < h->nfields && f == st->id))
			continue;
		if (!first)
			rc = put(st, ",", 1);
		first = 0;
		if (!rc)
			rc = cell(st, f, arg);
	}
	return rc ? rc : put(st, "\r\n", 2);
}

static int put_name(csv_state *st, const qdb_field *f, const void *arg)
{
	(void)arg;
	return put(st, f->name, strlen(f->name));
}

static int put_value(csv_state *st, const qdb_field *f, const void *arg)
{
	const qdb_quote *q = arg;
	if (f->kind == QDB_FIELD_TAGS)
		return put_tags(st, q);
	return put_str(st, qdb_quote_str(q, f));
}

static int csv_begin(void **state, const qdb_plugin_host *host)
{
	int rc;
	*state = NULL;
	if (!host || host->size < sizeof(qdb_plugin_host) ||
	    host->abi_major != QDB_PLUGIN_ABI_MAJOR ||
	    host->abi_minor < QDB_PLUGIN_ABI_MINOR)
		return QDB_EABI;
	csv_state *st = calloc(1, sizeof *st);
	if (!st) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	st->host = host;
	st->out.host = host;
	st->out.format = "CSV";
	st->formula_guard = (int)host->option_int(host, "formula_guard");
	for (size_t i = 0; i < host->nfields; i++)
		if (!strcmp(host->fields[i].name, "id"))
			st->id = &host->fields[i];
	rc = host->option_int(host, "bom") ? put(st, "\xEF\xBB\xBF", 3) : 0;
	if (!rc)
		rc = put_row(st, put_name, NULL);
	if (rc) {
		/* end is only called after a successful begin */
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

static int csv_quote(void *state, const qdb_quote *q,
		     const qdb_plugin_host *host)
{
	csv_state *st = state;
	if (!q || q->size < sizeof(qdb_quote)) {
		host->error(host, "quote record too small for this plugin "
			    "(%zu < %zu bytes)", q ? q->size : 0,
			    sizeof(qdb_quote));
		return QDB_EABI;
	}
	return put_row(st, put_value, q);
}

static int csv_end(void *state, int status, const qdb_plugin_host *host)
{
	(void)host;
	csv_state *st = state;
	int rc = 0;
	if (!st)
		return 0;
	if (status == 0)
		rc = flush(st);
	free(st->cell);
	free(st);
	return rc;
}

static const qdb_plugin_option csv_options[] = {
	{ .name = "bom", .type = QDB_OPTION_BOOL, .default_value = "0",
	  .help = "1: start with a UTF-8 byte-order mark (for Excel)" },
	{ .name = "formula_guard", .type = QDB_OPTION_BOOL,
	  .default_value = "0",
	  .help = "1: quote every cell and put ' before = + - @ tab or CR "
	  "(and full-width = + - @) wherever a spreadsheet may start a cell: "
	  "first, or after , ; tab or a line break (OWASP)" },
	{ .name = NULL }
};

static const qdb_plugin csv_plugin = {
	.abi_major = QDB_PLUGIN_ABI_MAJOR,
	.abi_minor = QDB_PLUGIN_ABI_MINOR,
	.size = sizeof(qdb_plugin),
	.name = "csv",
	.version = "1.1",
	.description = "RFC 4180 CSV, one row per quote, with a header row",
	.extension = "csv",
	.options = csv_options,
	.option_size = sizeof(qdb_plugin_option),
	.begin = csv_begin,
	.quote = csv_quote,
	.end = csv_end,
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &csv_plugin;
}
