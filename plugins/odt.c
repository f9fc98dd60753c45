/*
 * odt.c: the "odt" export plugin, the appendix as an OpenDocument text in
 * one XML file (flat ODF, .fodt), which LibreOffice opens and converts to
 * .odt, .docx or PDF, and a publisher restyles through named paragraph
 * styles: Title, Quote Group (the headings, outline level 1), Quotation,
 * Quotation RTL, Attribution and Source.
 *
 * Layout, as in the latex plugin: the host sorts (by speaker unless the
 * user chose another --sort), and a heading starts whenever what the
 * quotes are sorted by changes: the speaker, the outlet, the month (or
 * year, for a date known only to the year), or the source.  In the order
 * they were added there are no headings.  Each quotation is a Quotation
 * paragraph, then an Attribution paragraph (speaker, role; outlet,
 * programme, occasion; date as the source gave it; reported by), then a
 * Source paragraph (source title, locator, URL) when there is one.  A
 * quotation whose language is right-to-left (ar, fa, he, ur, ps, yi, with
 * any region) has the style Quotation RTL, which sets
 * style:writing-mode="rl-tb".
 *
 * Exactness.  Everything is XML-escaped (& < >, and " in attributes).  So
 * that the document shows each text as stored, whitespace is written the
 * way ODF keeps it: a line break (LF, CR, CRLF, NEL, U+2028, U+2029) is a
 * <text:line-break/>, each one, so blank lines stay; a tab is <text:tab/>;
 * a space stays a space only between two other characters, and any other
 * run of spaces (two or more, or at the start or end of a line) is
 * <text:s text:c="N"/>, since ODF readers collapse and trim plain spaces.
 * Control characters XML 1.0 cannot hold (and C1 controls) are refused,
 * naming the quote and field.  Nothing per quote is kept: the state is
 * the current heading and the output buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"
#include "heading.h"
#include "outbuf.h"
#include "utf8.h"

#define ODT_VERSION "1.0"

enum { ORDER_NONE, ORDER_SPEAKER, ORDER_DATE, ORDER_OUTLET, ORDER_SOURCE };

typedef struct odt_state {
	const qdb_plugin_host *host;
	int order;
	unsigned long nquote;
	char *group;             /* the key of the current heading */
	size_t group_len;
	int have_group;
	qdb_outbuf out;          /* last: 64 KiB */
} odt_state;

static int put(odt_state *st, const char *p, size_t n)
{
	return qdb_outbuf_put(&st->out, p, n);
}

static int puts_(odt_state *st, const char *s)
{
	return put(st, s, strlen(s));
}

/* ---- Text ------------------------------------------------------------ */

static int is_control(uint32_t c)
{
	return (c < 0x20 && c != '\t' && !qdb_utf8_is_break(c)) ||
	       c == 0x7F || (c >= 0x80 && c < 0xA0 && c != 0x85) ||
	       c == 0xFFFE || c == 0xFFFF;
}

/* Checks that p can be written; what names it in the message. */
static int check_str(odt_state *st, const char *what, const char *p,
		     size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;
	while (i < n) {
		uint32_t c;
		size_t k;
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			i++;
			continue;
		}
		if (!(k = qdb_utf8_decode(&c, u + i, n - i))) {
			st->host->error(st->host, "%s: not valid UTF-8 at byte "
					"%zu", what, i);
			return QDB_EINVALID;
		}
		if (is_control(c)) {
			st->host->error(st->host, "%s: control character "
					"U+%04X at byte %zu cannot be written "
					"in ODF (XML 1.0)", what, (unsigned)c,
					i);
			return QDB_EINVALID;
		}
		i += k;
	}
	return 0;
}

static int put_spaces(odt_state *st, size_t n)
{
	char buf[48];
	if (n == 1)
		return puts_(st, "<text:s/>");
	snprintf(buf, sizeof buf, "<text:s text:c=\"%zu\"/>", n);
	return puts_(st, buf);
}

/* p escaped as the content of a paragraph; check_str has accepted it. */
static int put_text(odt_state *st, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;
	int rc, line_start = 1;
	while (i < n) {
		size_t j = i;
		/* plain characters go out in one piece */
		while (j < n && u[j] > ' ' && u[j] != '&' && u[j] != '<' &&
		       u[j] != '>' && u[j] != 0x7f && u[j] < 0x80)
			j++;
		if (j > i) {
			if ((rc = put(st, p + i, j - i)))
				return rc;
			line_start = 0;
			i = j;
			continue;
		}
		uint32_t c;
		size_t k = qdb_utf8_decode(&c, u + i, n - i);
		if (k == 0)
			return QDB_EINVALID;
		if (c == ' ') {
			size_t run = 0;
			while (i + run < n && p[i + run] == ' ')
				run++;
			uint32_t next = 0;
			if (i + run < n)
				qdb_utf8_decode(&next, u + i + run,
						n - i - run);
			if (run == 1 && !line_start && i + run < n &&
			    next != '\t' && !qdb_utf8_is_break(next))
				rc = put(st, " ", 1);
			else
				rc = put_spaces(st, run);
			if (rc)
				return rc;
			i += run;
			continue;
		}
		if (qdb_utf8_is_break(c)) {
			if (c == '\r' && i + 1 < n && p[i + 1] == '\n')
				k = 2;   /* CRLF is one break */
			rc = puts_(st, "<text:line-break/>");
			line_start = 1;
		} else if (c == '\t') {
			rc = puts_(st, "<text:tab/>");
			line_start = 1;   /* a space after a tab is kept */
		} else if (c == '&') {
			rc = puts_(st, "&amp;");
			line_start = 0;
		} else if (c == '<') {
			rc = puts_(st, "&lt;");
			line_start = 0;
		} else if (c == '>') {
			rc = puts_(st, "&gt;");
			line_start = 0;
		} else {
			rc = put(st, p + i, k);
			line_start = 0;
		}
		if (rc)
			return rc;
		i += k;
	}
	return 0;
}

static int put_field(odt_state *st, qdb_str s)
{
	return put_text(st, s.ptr, s.len);
}

/* ---- Headings -------------------------------------------------------- */

/* Starts a heading when key differs from the current one; its text is
 * shown, escaped. */
static int group(odt_state *st, const char *key, size_t keylen,
		 qdb_str shown)
{
	int rc;
	if (st->have_group && st->group_len == keylen &&
	    (keylen == 0 || memcmp(st->group, key, keylen) == 0))
		return 0;
	char *g = realloc(st->group, keylen + 1);
	if (!g) {
		st->host->error(st->host, "out of memory");
		return QDB_ENOMEM;
	}
	if (keylen)
		memcpy(g, key, keylen);
	st->group = g;
	st->group_len = keylen;
	st->have_group = 1;
	if ((rc = puts_(st, "<text:h text:style-name=\"Quote_20_Group\" "
			"text:outline-level=\"1\">")) ||
	    (rc = put_field(st, shown)))
		return rc;
	return puts_(st, "</text:h>\n");
}

static qdb_str lit(const char *s)
{
	qdb_str r = { s, strlen(s) };
	return r;
}

static int put_heading(odt_state *st, const qdb_quote *q)
{
	switch (st->order) {
	case ORDER_SPEAKER:
		return group(st, q->speaker.ptr, q->speaker.len, q->speaker);
	case ORDER_OUTLET:
		/* "" is a key no outlet has: stored names are not empty */
		return q->outlet.ptr ? group(st, q->outlet.ptr, q->outlet.len,
					     q->outlet)
			: group(st, "", 0, lit("Outlet not stated"));
	case ORDER_SOURCE:
		return q->source.ptr ? group(st, q->source.ptr, q->source.len,
					     q->source)
			: group(st, "", 0, lit("No source"));
	case ORDER_DATE: {
		char key[48], text[64];
		qdb_heading_date(key, sizeof key, text, sizeof text, q->date_lo,
			     q->date_hi);
		return group(st, key, strlen(key), lit(text));
	}
	}
	return 0;
}

/* ---- Quotes ---------------------------------------------------------- */

/* Right-to-left scripts, by the language's primary subtag. */
static int rtl_language(qdb_str lang)
{
	static const char *const rtl[] = { "ar", "fa", "he", "ur", "ps",
					   "yi" };
	if (!lang.ptr || lang.len < 2 ||
	    (lang.len > 2 && lang.ptr[2] != '-' && lang.ptr[2] != '_'))
		return 0;
	char a = lang.ptr[0] | 0x20, b = lang.ptr[1] | 0x20;
	for (size_t i = 0; i < sizeof rtl / sizeof rtl[0]; i++)
		if (a == rtl[i][0] && b == rtl[i][1])
			return 1;
	return 0;
}

/* s after sep, when s is there; *first when nothing was written yet. */
static int part(odt_state *st, int *first, const char *sep, qdb_str s)
{
	int rc;
	if (!s.ptr)
		return 0;
	if (!*first && (rc = puts_(st, sep)))
		return rc;
	*first = 0;
	return put_field(st, s);
}

static int put_attribution(odt_state *st, const qdb_quote *q)
{
	int rc, first = 1, where = 1;
	if ((rc = puts_(st, "<text:p text:style-name=\"Attribution\">"
			"\xe2\x80\x94 ")) ||
	    (rc = part(st, &first, "; ", q->speaker)) ||
	    (rc = part(st, &first, ", ", q->role)))
		return rc;
	const qdb_str w[] = { q->outlet, q->programme, q->occasion };
	for (size_t i = 0; i < 3; i++) {
		if (!w[i].ptr)
			continue;
		if ((rc = puts_(st, where ? "; " : ", ")) ||
		    (rc = put_field(st, w[i])))
			return rc;
		where = 0;
	}
	if (q->date_text.ptr || q->date.ptr) {
		if ((rc = puts_(st, "; ")))
			return rc;
		if (q->date_text.ptr && q->date.ptr)
			rc = (rc = put_field(st, q->date_text)) ? rc
				: (rc = puts_(st, " (")) ? rc
				: (rc = put_field(st, q->date)) ? rc
				: puts_(st, ")");
		else
			rc = put_field(st, q->date_text.ptr ? q->date_text
				       : q->date);
		if (rc)
			return rc;
	}
	if (q->reported_by.ptr && ((rc = puts_(st, "; reported by ")) ||
				   (rc = put_field(st, q->reported_by))))
		return rc;
	return puts_(st, "</text:p>\n");
}

static int put_source(odt_state *st, const qdb_quote *q)
{
	int rc, first = 1;
	if (!q->source.ptr && !q->locator.ptr && !q->source_url.ptr)
		return 0;
	if ((rc = puts_(st, "<text:p text:style-name=\"Source\">")) ||
	    (rc = part(st, &first, ", ", q->source)) ||
	    (rc = part(st, &first, ", ", q->locator)) ||
	    (rc = part(st, &first, ", ", q->source_url)))
		return rc;
	return puts_(st, "</text:p>\n");
}

static int odt_quote(void *state, const qdb_quote *q,
		     const qdb_plugin_host *host)
{
	odt_state *st = state;
	char what[200];
	int rc;
	if (!q || q->size < sizeof(qdb_quote)) {
		host->error(host, "quote record too small for this plugin "
			    "(%zu < %zu bytes)", q ? q->size : 0,
			    sizeof(qdb_quote));
		return QDB_EABI;
	}
	st->nquote++;
	/* every field that is written, checked before any of it is */
	const struct { const char *name; qdb_str s; } f[] = {
		{ "text", q->text }, { "speaker", q->speaker },
		{ "role", q->role }, { "outlet", q->outlet },
		{ "programme", q->programme }, { "occasion", q->occasion },
		{ "date", q->date }, { "date_text", q->date_text },
		{ "reported_by", q->reported_by }, { "source", q->source },
		{ "locator", q->locator }, { "source_url", q->source_url },
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (!f[i].s.ptr && i >= 2)
			continue;
		if (q->id.ptr)
			snprintf(what, sizeof what, "quote %.100s: %s",
				 q->id.ptr, f[i].name);
		else
			snprintf(what, sizeof what, "quote #%lu: %s",
				 st->nquote, f[i].name);
		if (!f[i].s.ptr) {
			host->error(host, "%s is missing", what);
			return QDB_EINVALID;
		}
		if ((rc = check_str(st, what, f[i].s.ptr, f[i].s.len)))
			return rc;
	}
	if ((rc = put_heading(st, q)))
		return rc;
	if ((rc = puts_(st, rtl_language(q->language)
			? "<text:p text:style-name=\"Quotation_20_RTL\">"
			: "<text:p text:style-name=\"Quotation\">")) ||
	    (rc = put_field(st, q->text)) ||
	    (rc = puts_(st, "</text:p>\n")) ||
	    (rc = put_attribution(st, q)))
		return rc;
	return put_source(st, q);
}

/* ---- The document ------------------------------------------------------ */

static const char head[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<!-- quotedb appendix (odt plugin " ODT_VERSION "): flat "
	"OpenDocument text.\n"
	"     Restyle it through its paragraph styles: Title, Quote Group,\n"
	"     Quotation, Quotation RTL, Attribution, Source. -->\n"
	"<office:document"
	" xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\"\n"
	" xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\"\n"
	" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"\n"
	" xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:"
	"xsl-fo-compatible:1.0\"\n"
	" xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\"\n"
	" office:version=\"1.3\""
	" office:mimetype=\"application/vnd.oasis.opendocument.text\">\n"
	"<office:meta><meta:generator>quotedb odt plugin " ODT_VERSION
	"</meta:generator></office:meta>\n"
	"<office:styles>\n"
	"<style:style style:name=\"Standard\" style:family=\"paragraph\""
	" style:class=\"text\"/>\n"
	"<style:style style:name=\"Title\" style:display-name=\"Title\""
	" style:family=\"paragraph\" style:parent-style-name=\"Standard\""
	" style:class=\"chapter\">\n"
	" <style:paragraph-properties fo:text-align=\"center\""
	" fo:margin-bottom=\"0.5cm\"/>\n"
	" <style:text-properties fo:font-size=\"20pt\""
	" fo:font-weight=\"bold\"/>\n"
	"</style:style>\n"
	"<style:style style:name=\"Quote_20_Group\""
	" style:display-name=\"Quote Group\" style:family=\"paragraph\""
	" style:parent-style-name=\"Standard\""
	" style:default-outline-level=\"1\" style:class=\"chapter\">\n"
	" <style:paragraph-properties fo:margin-top=\"0.6cm\""
	" fo:margin-bottom=\"0.25cm\" fo:keep-with-next=\"always\"/>\n"
	" <style:text-properties fo:font-size=\"14pt\""
	" fo:font-weight=\"bold\"/>\n"
	"</style:style>\n"
	"<style:style style:name=\"Quotation\" style:display-name="
	"\"Quotation\" style:family=\"paragraph\""
	" style:parent-style-name=\"Standard\" style:class=\"html\">\n"
	" <style:paragraph-properties fo:margin-left=\"1cm\""
	" fo:margin-right=\"1cm\" fo:margin-top=\"0.3cm\""
	" fo:margin-bottom=\"0.1cm\" fo:keep-with-next=\"always\"/>\n"
	"</style:style>\n"
	"<style:style style:name=\"Quotation_20_RTL\""
	" style:display-name=\"Quotation RTL\" style:family=\"paragraph\""
	" style:parent-style-name=\"Quotation\" style:class=\"html\">\n"
	" <style:paragraph-properties style:writing-mode=\"rl-tb\""
	" fo:text-align=\"start\"/>\n"
	"</style:style>\n"
	"<style:style style:name=\"Attribution\""
	" style:display-name=\"Attribution\" style:family=\"paragraph\""
	" style:parent-style-name=\"Standard\" style:class=\"html\">\n"
	" <style:paragraph-properties fo:text-align=\"end\""
	" fo:margin-right=\"1cm\" fo:keep-with-next=\"always\"/>\n"
	" <style:text-properties fo:font-size=\"9pt\"/>\n"
	"</style:style>\n"
	"<style:style style:name=\"Source\" style:display-name=\"Source\""
	" style:family=\"paragraph\" style:parent-style-name=\"Standard\""
	" style:class=\"html\">\n"
	" <style:paragraph-properties fo:text-align=\"end\""
	" fo:margin-right=\"1cm\" fo:margin-bottom=\"0.3cm\"/>\n"
	" <style:text-properties fo:font-size=\"9pt\""
	" fo:font-style=\"italic\"/>\n"
	"</style:style>\n"
	"</office:styles>\n"
	"<office:body>\n"
	"<office:text>\n";

static int odt_begin(void **state, const qdb_plugin_host *host)
{
	*state = NULL;
	if (!host || host->size < sizeof(qdb_plugin_host) ||
	    host->abi_major != QDB_PLUGIN_ABI_MAJOR ||
	    host->abi_minor < QDB_PLUGIN_ABI_MINOR)
		return QDB_EABI;
	odt_state *st = calloc(1, sizeof *st);
	if (!st) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	st->host = host;
	st->out.host = host;
	st->out.format = "ODF";
	st->order = host->sort == QDB_SORT_SPEAKER ? ORDER_SPEAKER
		: host->sort == QDB_SORT_DATE ? ORDER_DATE
		: host->sort == QDB_SORT_OUTLET ? ORDER_OUTLET
		: host->sort == QDB_SORT_SOURCE ? ORDER_SOURCE : ORDER_NONE;
	const char *title = host->option(host, "title");
	int rc = check_str(st, "option title", title, strlen(title));
	if (!rc)
		rc = puts_(st, head);
	if (!rc && *title) {
		rc = puts_(st, "<text:p text:style-name=\"Title\">");
		if (!rc)
			rc = put_text(st, title, strlen(title));
		if (!rc)
			rc = puts_(st, "</text:p>\n");
	}
	if (rc) {
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

static int odt_end(void *state, int status, const qdb_plugin_host *host)
{
	(void)host;
	odt_state *st = state;
	int rc = 0;
	if (!st)
		return 0;
	if (status == 0) {
		rc = puts_(st, "</office:text>\n</office:body>\n"
			   "</office:document>\n");
		if (!rc)
			rc = qdb_outbuf_flush(&st->out);
	}
	free(st->group);
	free(st);
	return rc;
}

static const qdb_plugin_option odt_options[] = {
	{ .name = "title", .type = QDB_OPTION_STRING,
	  .default_value = "Appendix: Quotations",
	  .help = "the document's title (empty: none)" },
	{ .name = NULL }
};

static const qdb_plugin odt_plugin = {
	.abi_major = QDB_PLUGIN_ABI_MAJOR,
	.abi_minor = QDB_PLUGIN_ABI_MINOR,
	.size = sizeof(qdb_plugin),
	.name = "odt",
	.version = ODT_VERSION,
	.description = "OpenDocument text (flat .fodt) appendix with named "
		"styles, for LibreOffice and Word",
	.extension = "fodt",
	.options = odt_options,
	.option_size = sizeof(qdb_plugin_option),
	.sort = QDB_SORT_SPEAKER,
	.begin = odt_begin,
	.quote = odt_quote,
	.end = odt_end,
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &odt_plugin;
}
