/*
 * spreadsheet.c: the "spreadsheet" export plugin: one worksheet of
 * SpreadsheetML 2003 (Microsoft's "XML Spreadsheet 2003", .xml), a header
 * row, then one row per quote, in the CSV export's columns (the field
 * table with the id last, tags "; "-joined).
 *
 * Why not CSV: a CSV file cannot say its encoding.  LibreOffice opens a
 * CSV it is given no filter options for as Windows-1252, BOM or not
 * ("AntÃ³nio", "worldâ€™s"), and Excel guesses too.  This file is XML
 * declared UTF-8, which LibreOffice (by its content) and Excel open as
 * it is, with no import dialog and no options, and every cell is typed
 * String, so no cell is read as a number, a date or a formula: 0123 stays
 * 0123, =1+1 stays text.  Exact as the CSV is, byte for byte per cell.
 *
 * Streaming: a quote's row is written as it comes, nothing is kept.
 */
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"
#include "outbuf.h"

typedef struct ss_state {
	const qdb_plugin_host *host;
	const qdb_field *id;     /* the table's id field, written last */
	qdb_outbuf out;          /* last: 64 KiB */
} ss_state;

static int put(ss_state *st, const char *p, size_t n)
{
	return qdb_outbuf_put(&st->out, p, n);
}

static int puts_(ss_state *st, const char *s)
{
	return put(st, s, strlen(s));
}

/* Text as XML character data, in an attribute's or an element's place
 * alike.  Line breaks, tabs and CR go as character references: an XML
 * reader normalises a literal CR LF to LF, and a reference keeps them
 * as they are.  A quote holds no other control character (the library
 * refuses them) but NEL, which XML 1.0 allows as it is. */
static int put_text(ss_state *st, const char *p, size_t n)
{
	int rc = 0;
	size_t from = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const char *esc;
		switch (p[i]) {
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '"': esc = "&quot;"; break;
		case '\n': esc = "&#10;"; break;
		case '\r': esc = "&#13;"; break;
		case '\t': esc = "&#9;"; break;
		default: continue;
		}
		rc = put(st, p + from, i - from);
		if (!rc)
			rc = puts_(st, esc);
		from = i + 1;
	}
	return rc ? rc : put(st, p + from, n - from);
}

static int cell_open(ss_state *st)
{
	return puts_(st, "<Cell><Data ss:Type=\"String\">");
}

static int cell_close(ss_state *st)
{
	return puts_(st, "</Data></Cell>");
}

/* An absent field is an empty cell, as in the CSV. */
static int put_cell(ss_state *st, const char *p, size_t n)
{
	int rc = cell_open(st);
	if (!rc)
		rc = put_text(st, p, n);
	return rc ? rc : cell_close(st);
}

static int put_tags(ss_state *st, const qdb_quote *q)
{
	int rc = cell_open(st);
	int first = 1;
	for (size_t i = 0; i < q->ntags && !rc; i++) {
		if (!q->tags[i].ptr)
			continue;
		if (!first)
			rc = puts_(st, "; ");
		first = 0;
		if (!rc)
			rc = put_text(st, q->tags[i].ptr, q->tags[i].len);
	}
	return rc ? rc : cell_close(st);
}

/* One row: the table's fields with the id moved last; the names when q
 * is NULL. */
static int put_row(ss_state *st, const qdb_quote *q)
{
	const qdb_plugin_host *h = st->host;
	int rc = puts_(st, "<Row>");
	for (size_t i = 0; i <= h->nfields && !rc; i++) {
		const qdb_field *f = i < h->nfields ? &h->fields[i] : st->id;
		if (!f || (i < h->nfields && f == st->id))
			continue;
		if (!q) {
			rc = put_cell(st, f->name, strlen(f->name));
		} else if (f->kind == QDB_FIELD_TAGS) {
			rc = put_tags(st, q);
		} else {
			qdb_str s = qdb_quote_str(q, f);
			rc = put_cell(st, s.ptr ? s.ptr : "", s.ptr ? s.len : 0);
		}
	}
	return rc ? rc : puts_(st, "</Row>\n");
}

static int ss_begin(void **state, const qdb_plugin_host *host)
{
	*state = NULL;
	if (!host || host->size < sizeof(qdb_plugin_host) ||
	    host->abi_major != QDB_PLUGIN_ABI_MAJOR ||
	    host->abi_minor < QDB_PLUGIN_ABI_MINOR)
		return QDB_EABI;
	ss_state *st = calloc(1, sizeof *st);
	if (!st) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	st->host = host;
	st->out.host = host;
	st->out.format = "spreadsheet";
	for (size_t i = 0; i < host->nfields; i++)
		if (!strcmp(host->fields[i].name, "id"))
			st->id = &host->fields[i];
	/* The processing instruction has Windows open the file with Excel;
	 * LibreOffice knows the format by the Workbook element. */
	int rc = puts_(st, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<?mso-application progid=\"Excel.Sheet\"?>\n"
		       "<Workbook xmlns=\"urn:schemas-microsoft-com:office:"
		       "spreadsheet\"\n xmlns:ss=\"urn:schemas-microsoft-com:"
		       "office:spreadsheet\">\n<Worksheet ss:Name=\"quotes\">"
		       "<Table>\n");
	if (!rc)
		rc = put_row(st, NULL);
	if (rc) {
		/* end is only called after a successful begin */
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

static int ss_quote(void *state, const qdb_quote *q,
		    const qdb_plugin_host *host)
{
	if (!q || q->size < sizeof(qdb_quote)) {
		host->error(host, "quote record too small for this plugin "
			    "(%zu < %zu bytes)", q ? q->size : 0,
			    sizeof(qdb_quote));
		return QDB_EABI;
	}
	return put_row(state, q);
}

static int ss_end(void *state, int status, const qdb_plugin_host *host)
{
	(void)host;
	ss_state *st = state;
	int rc = 0;
	if (!st)
		return 0;
	if (status == 0)
		rc = puts_(st, "</Table></Worksheet>\n</Workbook>\n");
	if (status == 0 && !rc)
		rc = qdb_outbuf_flush(&st->out);
	free(st);
	return rc;
}

static const qdb_plugin_option ss_options[] = {
	{ .name = NULL }
};

static const qdb_plugin ss_plugin = {
	.abi_major = QDB_PLUGIN_ABI_MAJOR,
	.abi_minor = QDB_PLUGIN_ABI_MINOR,
	.size = sizeof(qdb_plugin),
	.name = "spreadsheet",
	.version = "1.0",
	.description = "XML Spreadsheet 2003: LibreOffice and Excel open it "
		"exactly, no options",
	.extension = "xml",
	.options = ss_options,
	.option_size = sizeof(qdb_plugin_option),
	.begin = ss_begin,
	.quote = ss_quote,
	.end = ss_end,
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &ss_plugin;
}
