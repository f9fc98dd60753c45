/*
 * biblatex.c: the "biblatex" export plugin, a .bib file with one entry per
 * source for biblatex with biber, keyed as the csl-json plugin keys its
 * items (srcitem.h), so a writer can \cite the sources of the quotes.
 *
 * Streaming.  The plugin asks for the quotes sorted by source and refuses
 * any other order; it keeps the current source and what its quotes have
 * in common (srcitem.h), and writes the entry when the source changes.
 * Nothing per quote is kept.
 *
 * Entry types: a newspaper article is @article with entrysubtype
 * {newspaper} and the outlet as journaltitle; a speech is @unpublished
 * with eventtitle (the occasion), eventdate (the date its quotes share)
 * and howpublished (the outlet) -- biber's data model refuses the event
 * fields on @misc; anything else with a URL is @online, without one
 * @unpublished.  A broadcast's or interview's outlet is its organization
 * (@online) or howpublished (@unpublished), its programme the titleaddon.
 * quotedb stores no venue and no access date, so venue and urldate are
 * never written.
 *
 * Exactness, as in the latex plugin: every character TeX treats specially
 * is written as a command, pairs that fonts join are kept apart with
 * \kern0pt{}, so a field prints as stored in pdflatex and lualatex.  Two
 * differences, because biber reads the file first: braces are written
 * \csname textbraceleft\endcsname (a \{ still counts as a brace when
 * biber matches braces), and the characters biber would decode back into
 * ASCII that fonts then change (< > | " ' `) are written the same way,
 * \csname textless\endcsname and so on, which biber passes on untouched.
 * Line breaks and tabs in a field are spaces.  A URL is written with the
 * bytes a URL may not hold raw (space, controls, non-ASCII, " < > \ ^ `
 * { | }) percent-encoded: the same address.  A date biblatex cannot read
 * (EDTF it does not implement, like 2023-1X) goes into note as written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"
#include "outbuf.h"
#include "srcitem.h"
#include "utf8.h"

#define BIB_VERSION "1.0"

typedef struct bib_state {
	const qdb_plugin_host *host;
	unsigned long nquote;
	qdb_item item;
	qdb_outbuf out;          /* last: 64 KiB */
} bib_state;

static int put(bib_state *st, const char *p, size_t n)
{
	return qdb_outbuf_put(&st->out, p, n);
}

static int puts_(bib_state *st, const char *s)
{
	return put(st, s, strlen(s));
}

/* ---- Escaping -------------------------------------------------------- */

static const char *command_for(uint32_t c)
{
	switch (c) {
	case '\\': return "\\textbackslash{}";
	case '{': return "\\csname textbraceleft\\endcsname{}";
	case '}': return "\\csname textbraceright\\endcsname{}";
	case '$': return "\\$";
	case '&': return "\\&";
	case '#': return "\\#";
	case '%': return "\\%";
	case '_': return "\\_";
	case '^': return "\\textasciicircum{}";
	case '~': return "\\textasciitilde{}";
	case '[': return "{[}";
	case ']': return "{]}";
	case '<': return "\\csname textless\\endcsname{}";
	case '>': return "\\csname textgreater\\endcsname{}";
	case '|': return "\\csname textbar\\endcsname{}";
	case '"': return "\\csname textquotedbl\\endcsname{}";
	case '\'': return "\\csname textquotesingle\\endcsname{}";
	case '`': return "\\csname textasciigrave\\endcsname{}";
	case '@': return "{@}";   /* never the start of an entry */
	case '\t': return " ";
	}
	return NULL;
}

/* The pairs the latex plugin keeps apart (see plugins/latex.c). */
static int ligature(uint32_t a, uint32_t b)
{
	switch (a) {
	case '-': case 0x2010: case 0x2013:
		return b == '-' || b == 0x2010;
	case 0x2018: return b == 0x2018;
	case 0x2019: return b == 0x2019;
	case '!': case '?': return b == 0x2018;
	case ',': return b == ',';
	case '<': return b == '<';
	case '>': return b == '>';
	}
	return 0;
}

static int is_control(uint32_t c)
{
	return (c < 0x20 && c != '\t' && !qdb_utf8_is_break(c)) ||
	       c == 0x7F || (c >= 0x80 && c < 0xA0 && c != 0x85);
}

static int refuse(bib_state *st, const char *field, const char *what,
		  uint32_t c, size_t at)
{
	qdb_str t = qdb_item_title(&st->item);
	if (c)
		st->host->error(st->host, "source \"%.100s\": %s: %s U+%04X at "
				"byte %zu", t.ptr ? t.ptr : "", field, what,
				(unsigned)c, at);
	else
		st->host->error(st->host, "source \"%.100s\": %s: %s at byte "
				"%zu", t.ptr ? t.ptr : "", field, what, at);
	return QDB_EINVALID;
}

/* s escaped for a .bib field that LaTeX typesets. */
static int put_escaped(bib_state *st, qdb_str s, const char *field)
{
	const unsigned char *u = (const unsigned char *)s.ptr;
	uint32_t prev = 0;
	size_t i = 0;
	int rc;
	while (i < s.len) {
		uint32_t c;
		size_t k = qdb_utf8_decode(&c, u + i, s.len - i);
		if (k == 0)
			return refuse(st, field, "not valid UTF-8", 0, i);
		if (is_control(c))
			return refuse(st, field, "control character", c, i);
		if (qdb_utf8_is_break(c)) {
			/* CRLF, or any run of breaks, is one space */
			while (i < s.len && (k = qdb_utf8_decode(&c, u + i,
								 s.len - i)) &&
			       qdb_utf8_is_break(c))
				i += k;
			if ((rc = put(st, " ", 1)))
				return rc;
			prev = ' ';
			continue;
		}
		if (ligature(prev, c) && (rc = puts_(st, "\\kern0pt{}")))
			return rc;
		const char *cmd = command_for(c);
		rc = cmd ? puts_(st, cmd) : put(st, s.ptr + i, k);
		if (rc)
			return rc;
		prev = c;
		i += k;
	}
	/* biblatex follows a field with its own punctuation (", " ". "):
	 * a field ending in half of a pair ends with a break */
	if (ligature(prev, ',') || ligature(prev, '-') || ligature(prev, prev))
		return puts_(st, "\\kern0pt{}");
	return 0;
}

/*   name = {value},\n  -- nothing when s is absent. */
static int put_field(bib_state *st, const char *name, qdb_str s)
{
	char head[40];
	int rc;
	if (!s.ptr)
		return 0;
	snprintf(head, sizeof head, "  %s = {", name);
	if ((rc = puts_(st, head)) || (rc = put_escaped(st, s, name)))
		return rc;
	return puts_(st, "},\n");
}

/* A date biblatex_date() accepted: only digits and - / . X ~ ? %, which
 * biber reads as EDTF, so written as it is. */
static int put_date(bib_state *st, const char *name, qdb_str d)
{
	char head[40];
	int rc;
	if (!d.ptr)
		return 0;
	snprintf(head, sizeof head, "  %s = {", name);
	if ((rc = puts_(st, head)) || (rc = put(st, d.ptr, d.len)))
		return rc;
	return puts_(st, "},\n");
}

/* A name: "Family, Given" for a person, {{...}} kept whole otherwise, so
 * biber never splits an organisation at an "and" or a comma. */
static int put_author(bib_state *st, qdb_str name)
{
	qdb_str given, family;
	int rc;
	if (!name.ptr)
		return 0;
	if ((rc = puts_(st, "  author = {")))
		return rc;
	if (qdb_item_person(name, &given, &family)) {
		if ((rc = put_escaped(st, family, "author")) ||
		    (rc = puts_(st, ", ")) ||
		    (rc = put_escaped(st, given, "author")))
			return rc;
	} else if ((rc = puts_(st, "{")) ||
		   (rc = put_escaped(st, name, "author")) ||
		   (rc = puts_(st, "}"))) {
		return rc;
	}
	return puts_(st, "},\n");
}

static int put_url(bib_state *st, qdb_str url)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc;
	if (!url.ptr)
		return 0;
	if ((rc = puts_(st, "  url = {")))
		return rc;
	for (size_t i = 0; i < url.len; i++) {
		unsigned char c = (unsigned char)url.ptr[i];
		if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c)) {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			rc = put(st, e, 3);
		} else {
			rc = put(st, url.ptr + i, 1);
		}
		if (rc)
			return rc;
	}
	return puts_(st, "},\n");
}

/* ---- Dates ----------------------------------------------------------- */

/* Whether p[0..n) is digits and X in the shape pat ('d' a digit). */
static int shaped(const char *p, size_t n, const char *pat)
{
	if (n != strlen(pat))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (pat[i] == 'd' ? !(p[i] >= '0' && p[i] <= '9')
		    : p[i] != pat[i])
			return 0;
	return 1;
}

/* What biblatex's date parser takes: the simple forms with qualifiers
 * and intervals, open ends (..), and unspecified digits in the shapes it
 * names (yearindecade, yearincentury, monthinyear, dayinmonth,
 * dayinyear). */
static int biblatex_date(qdb_str d)
{
	static const char *const x[] = {
		"dddX", "ddXX", "dddd-XX", "dddd-dd-XX", "dddd-XX-XX"
	};
	qdb_item_date_parts p;
	if (qdb_item_date_simple(&p, d))
		return 1;
	const char *slash = memchr(d.ptr, '/', d.len);
	if (slash) {
		qdb_str a = { d.ptr, (size_t)(slash - d.ptr) };
		qdb_str b = { slash + 1, d.len - a.len - 1 };
		int open_a = a.len == 2 && !memcmp(a.ptr, "..", 2);
		int open_b = b.len == 2 && !memcmp(b.ptr, "..", 2);
		return (open_a != open_b) &&
		       (open_a || qdb_item_date_simple(&p, a)) &&
		       (open_b || qdb_item_date_simple(&p, b));
	}
	for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
		if (shaped(d.ptr, d.len, x[i]))
			return 1;
	return 0;
}

/* ---- Entries ----------------------------------------------------------- */

static int put_entry(bib_state *st)
{
	qdb_item *it = &st->item;
	int type = qdb_item_type(it), rc;
	qdb_str url = qdb_item_str(&it->src[QDB_ISRC_URL]);
	qdb_str outlet = qdb_item_common(it, QDB_ICOM_OUTLET);
	qdb_str programme = qdb_item_common(it, QDB_ICOM_PROGRAMME);
	qdb_str date = qdb_item_date(it), none = { NULL, 0 };
	qdb_str note = none;
	const char *kind = type == QDB_ITEM_NEWSPAPER ? "article"
		: type != QDB_ITEM_SPEECH && url.ptr ? "online" : "unpublished";
	it->open = 0;
	if (date.ptr && !biblatex_date(date)) {
		note = date;
		date = none;
	}
	if ((rc = puts_(st, "\n@")) || (rc = puts_(st, kind)) ||
	    (rc = puts_(st, "{")) || (rc = puts_(st, it->key)) ||
	    (rc = puts_(st, ",\n")))
		return rc;
	if (type == QDB_ITEM_NEWSPAPER &&
	    (rc = puts_(st, "  entrysubtype = {newspaper},\n")))
		return rc;
	if ((rc = put_author(st, qdb_item_author(it))) ||
	    (rc = put_field(st, "title", qdb_item_title(it))))
		return rc;
	if (type == QDB_ITEM_NEWSPAPER) {
		rc = put_field(st, "journaltitle", outlet);
	} else {
		if (type == QDB_ITEM_BROADCAST || type == QDB_ITEM_INTERVIEW)
			rc = put_field(st, "titleaddon", programme);
		if (!rc)
			rc = put_field(st, !strcmp(kind, "online")
				       ? "organization" : "howpublished",
				       outlet);
	}
	if (!rc && type == QDB_ITEM_SPEECH) {
		qdb_str when = qdb_item_common(it, QDB_ICOM_DATE);
		rc = put_field(st, "eventtitle",
			       qdb_item_common(it, QDB_ICOM_OCCASION));
		if (!rc && when.ptr && biblatex_date(when))
			rc = put_date(st, "eventdate", when);
	}
	if (!rc)
		rc = put_date(st, "date", date);
	if (!rc)
		rc = put_field(st, "note", note);
	if (!rc)
		rc = put_url(st, url);
	return rc ? rc : puts_(st, "}\n");
}

static const char header[] =
	"% quotedb sources (biblatex plugin " BIB_VERSION "): one entry per "
	"source of the\n"
	"% quotes, for biblatex with backend=biber.  Keys stay the same from "
	"one\n"
	"% export to the next.  UTF-8.\n";

static int bib_begin(void **state, const qdb_plugin_host *host)
{
	*state = NULL;
	if (!host || host->size < sizeof(qdb_plugin_host) ||
	    host->abi_major != QDB_PLUGIN_ABI_MAJOR ||
	    host->abi_minor < QDB_PLUGIN_ABI_MINOR)
		return QDB_EABI;
	if (host->sort != QDB_SORT_SOURCE) {
		host->error(host, "one entry per source needs the quotes "
			    "sorted by source: leave --sort out");
		return QDB_EINVALID;
	}
	bib_state *st = calloc(1, sizeof *st);
	if (!st) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	st->host = host;
	st->out.host = host;
	st->out.format = "biblatex";
	int rc = puts_(st, header);
	if (rc) {
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

static int bib_quote(void *state, const qdb_quote *q,
		     const qdb_plugin_host *host)
{
	bib_state *st = state;
	int rc;
	if (!q || q->size < sizeof(qdb_quote)) {
		host->error(host, "quote record too small for this plugin "
			    "(%zu < %zu bytes)", q ? q->size : 0,
			    sizeof(qdb_quote));
		return QDB_EABI;
	}
	st->nquote++;
	if (!qdb_item_same(&st->item, q)) {
		if (st->item.open && (rc = put_entry(st)))
			return rc;
		if ((rc = qdb_item_start(&st->item, q))) {
			host->error(host, "out of memory");
			return rc;
		}
	}
	if ((rc = qdb_item_add(&st->item, q))) {
		host->error(host, "out of memory");
		return rc;
	}
	return 0;
}

static int bib_end(void *state, int status, const qdb_plugin_host *host)
{
	(void)host;
	bib_state *st = state;
	int rc = 0;
	if (!st)
		return 0;
	if (status == 0) {
		if (st->item.open)
			rc = put_entry(st);
		if (!rc)
			rc = qdb_outbuf_flush(&st->out);
	}
	qdb_item_free(&st->item);
	free(st);
	return rc;
}

static const qdb_plugin bib_plugin = {
	.abi_major = QDB_PLUGIN_ABI_MAJOR,
	.abi_minor = QDB_PLUGIN_ABI_MINOR,
	.size = sizeof(qdb_plugin),
	.name = "biblatex",
	.version = BIB_VERSION,
	.description = "biblatex .bib file, one entry per source, for biber",
	.extension = "bib",
	.options = NULL,
	.option_size = sizeof(qdb_plugin_option),
	.sort = QDB_SORT_SOURCE,
	.begin = bib_begin,
	.quote = bib_quote,
	.end = bib_end,
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &bib_plugin;
}
