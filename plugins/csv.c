/*
 * csv.c: the "csv" export plugin.  One RFC 4180 record per quote: comma
 * separated, CRLF terminated, UTF-8, a header row first.  A cell is quoted
 * when it holds a comma, a double quote, CR or LF; inner quotes are doubled.
 * Without options every cell is the stored value byte for byte.
 *
 * Options:
 *   bom=1            start with a UTF-8 byte-order mark (for Excel)
 *   formula_guard=1  prefix ' to cells a spreadsheet would run as a
 *                    formula (OWASP "CSV injection")
 */
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"
#include "outbuf.h"

typedef struct csv_state {
	const qdb_plugin_host *host;
	int formula_guard;
	char *cell;          /* the tags cell is assembled here */
	size_t cell_len, cell_cap;
	qdb_outbuf out;          /* last: 64 KiB */
} csv_state;

static const char *const columns[] = {
	"text", "speaker", "role", "date", "date_text", "outlet", "programme",
	"occasion", "reported_by", "source", "locator", "language",
	"translated", "context", "tags", "id"
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

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

/* Writes one cell (without its separator). */
static int put_cell(csv_state *st, const char *p, size_t n)
{
	int rc;
	int guard = st->formula_guard && looks_like_formula(p, n);
	int quote = 0;
	for (size_t i = 0; i < n && !quote; i++)
		quote = p[i] == ',' || p[i] == '"' || p[i] == '\r' ||
			p[i] == '\n';
	if (!quote) {
		if (guard && (rc = put(st, "'", 1)))
			return rc;
		return put(st, p, n);
	}
	if ((rc = put(st, guard ? "\"'" : "\"", guard ? 2 : 1)))
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
	return put_cell(st, st->cell, st->cell_len);
}

/* "0" or "1" into *out; anything else is refused, naming option and value. */
static int bool_option(int *out, const qdb_plugin_host *host,
		       const char *name)
{
	const char *v = host->option(host, name);
	if (!v || strcmp(v, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (strcmp(v, "1") == 0) {
		*out = 1;
		return 0;
	}
	host->error(host, "option %s: \"%s\" is not 0 or 1", name, v);
	return QDB_EINVALID;
}

static int csv_begin(void **state, const qdb_plugin_host *host)
{
	int bom, guard, rc;
	*state = NULL;
	if (!host || host->size < sizeof(qdb_plugin_host) ||
	    host->abi_major != QDB_PLUGIN_ABI_MAJOR)
		return QDB_EABI;
	if ((rc = bool_option(&bom, host, "bom")) ||
	    (rc = bool_option(&guard, host, "formula_guard")))
		return rc;
	csv_state *st = calloc(1, sizeof *st);
	if (!st) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	st->host = host;
	st->out.host = host;
	st->out.format = "CSV";
	st->formula_guard = guard;
	rc = bom ? put(st, "\xEF\xBB\xBF", 3) : 0;
	for (size_t i = 0; i < NCOLUMNS && !rc; i++) {
		if (i)
			rc = put(st, ",", 1);
		if (!rc)
			rc = put(st, columns[i], strlen(columns[i]));
	}
	if (!rc)
		rc = put(st, "\r\n", 2);
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
	const qdb_str cells[] = {
		q->text, q->speaker, q->role, q->date, q->date_text,
		q->outlet, q->programme, q->occasion, q->reported_by,
		q->source, q->locator, q->language, q->translated,
		q->context
	};
	int rc;
	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		if (i && (rc = put(st, ",", 1)))
			return rc;
		if ((rc = put_str(st, cells[i])))
			return rc;
	}
	if ((rc = put(st, ",", 1)) || (rc = put_tags(st, q)) ||
	    (rc = put(st, ",", 1)) || (rc = put_str(st, q->id)))
		return rc;
	return put(st, "\r\n", 2);
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
	{ "bom", "1: start with a UTF-8 byte-order mark (for Excel)", "0" },
	{ "formula_guard", "1: prefix ' to cells starting with = + - @ tab "
	  "or CR (and full-width = + - @), so spreadsheets do not run them",
	  "0" },
	{ NULL, NULL, NULL }
};

static const qdb_plugin csv_plugin = {
	QDB_PLUGIN_ABI_MAJOR,
	QDB_PLUGIN_ABI_MINOR,
	sizeof(qdb_plugin),
	"csv",
	"1.0",
	"RFC 4180 CSV, one row per quote, with a header row",
	"csv",
	csv_options,
	csv_begin,
	csv_quote,
	csv_end
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &csv_plugin;
}
