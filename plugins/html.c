/*
 * html.c: the "html" export plugin.  One standalone HTML page that works
 * offline: no script, nothing fetched, its CSS inline.  On screen it is
 * the collection to read or to publish; printed (the browser's Print, or
 * headless Chromium's --print-to-pdf) it is a second printable appendix:
 * @page sets A4 or Letter, and no quotation is split across pages.
 *
 * Each quotation is
 *   <figure itemscope itemtype="https://schema.org/Quotation">
 *   <blockquote itemprop="text" cite="URL" lang=".." dir="..">TEXT
 *   </blockquote><figcaption>— Speaker, role; <cite>Outlet</cite>, ...
 *   </figcaption>
 *   <blockquote class="original" lang=".." dir="..">ORIGINAL</blockquote>
 *   </figure>
 * the last only for a translation whose original the collection holds,
 * in the language of its translated field.
 * with schema.org microdata: the text, the creator (a Person with its
 * name), dateCreated, inLanguage, and the source as isPartOf (a
 * CreativeWork with name, author and url).  cite= and the link are
 * written only for an http or https URL (another, javascript: say, is
 * shown as text), so nothing on the page runs or fetches anything.
 * dateCreated is given only for a plain ISO 8601 date (2023, 2023-10,
 * 2023-10-15), as <time datetime>: an EDTF date
 * with a qualifier or an interval (2023-10-15~, 2023-10/2023-11) is no
 * date schema.org or HTML knows, so it is shown as written and not
 * claimed as one.
 *
 * Direction.  lang is the quote's language field; dir is rtl for the
 * languages written right to left (ar, fa, he, ur, ps, yi, ckb, sd, ug,
 * dv, with any region: fa-IR), or for a script subtag that is (ku-Arab),
 * ltr for any other language (sd-Deva, ku-Latn), and auto when the quote
 * has no language, so the browser decides from its first strong letter.
 *
 * Exactness.  & < > " and ' are escaped everywhere; the text keeps its
 * line breaks and spaces (white-space: pre-wrap).  HTML cannot carry a
 * control character: NEL, which quotedb allows as a line break, is
 * written as LF; any other control character (C0 but tab, LF and CR; DEL;
 * C1) or a noncharacter (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF), which an
 * HTML parser reports as an error, fails the export with the quote, the
 * field and the character, and so does invalid UTF-8.  The store holds
 * none of these but NEL.
 *
 * Headings, as in the latex appendix: a new section whenever what the
 * quotes are sorted by changes (speaker, outlet, month); none in the
 * order they were added.  State: the current heading's key only.
 *
 * Options: title (the page's title and heading), paper (a4 or letter).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"
#include "outbuf.h"
#include "utf8.h"
#include "heading.h"

#define HTML_VERSION "1.0"

enum { PAPER_A4, PAPER_LETTER };   /* the values of option paper */

typedef struct html_state {
	const qdb_plugin_host *host;
	const qdb_quote *q;      /* the quote being written, for messages */
	const char *what;        /* the field being written, for messages */
	int in_section;
	qdb_heading heading;
	qdb_outbuf out;          /* last: 64 KiB */
} html_state;

static int put(html_state *st, const char *p, size_t n)
{
	return qdb_outbuf_put(&st->out, p, n);
}

static int puts_(html_state *st, const char *s)
{
	return put(st, s, strlen(s));
}

/* Whether c cannot appear in an HTML document, even as a reference. */
static int forbidden(uint32_t c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
	       (c >= 0x7f && c <= 0x9f && c != 0x85) ||
	       (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

static int special(unsigned char c)
{
	return c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' ||
	       c < 0x20 || c >= 0x7f;
}

static int refuse(html_state *st, const char *why)
{
	const qdb_quote *q = st->q;
	if (q)
		st->host->error(st->host, "quote %.100s: %s %s",
				q->id.ptr ? q->id.ptr : "(no id)", st->what,
				why);
	else
		st->host->error(st->host, "%s %s", st->what, why);
	return QDB_EINVALID;
}

/* s as HTML text or attribute value: escaped, checked. */
static int put_text(html_state *st, qdb_str s)
{
	const unsigned char *p = (const unsigned char *)s.ptr;
	size_t i = 0, n = s.len;
	int rc;
	while (i < n) {
		size_t run = i;
		while (run < n && !special(p[run]))
			run++;
		if (run > i && (rc = put(st, s.ptr + i, run - i)))
			return rc;
		if ((i = run) == n)
			break;
		uint32_t c = 0;
		size_t k = qdb_utf8_decode(&c, p + i, n - i);
		const char *e = NULL;
		if (k == 0) {
			char why[64];
			snprintf(why, sizeof why, "is not valid UTF-8 (byte "
				 "%zu)", i);
			return refuse(st, why);
		}
		if (forbidden(c)) {
			char why[64];
			snprintf(why, sizeof why, "holds U+%04X, which HTML "
				 "cannot carry", (unsigned)c);
			return refuse(st, why);
		}
		switch (c) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		case 0x85: e = "\n"; break;   /* NEL: a line break */
		}
		if ((rc = e ? puts_(st, e) : put(st, s.ptr + i, k)))
			return rc;
		i += k;
	}
	return 0;
}

/* A field of the current quote, named in messages by its YAML key. */
static int put_field(html_state *st, const char *what, qdb_str s)
{
	st->what = what;
	return put_text(st, s);
}

/* ---- Direction ------------------------------------------------------- */

/* Whether the subtag p[0..n) is one of list, ignoring ASCII case. */
static int among(const char *p, size_t n, const char *const *list)
{
	for (; *list; list++) {
		size_t k = strlen(*list), i = 0;
		if (k != n)
			continue;
		while (i < n && (p[i] | 0x20) == (*list)[i])
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

/* "rtl", "ltr" or "auto" for a BCP 47 language tag (absent: auto). */
static const char *direction(qdb_str lang)
{
	static const char *const rtl_langs[] = {
		"ar", "fa", "he", "ur", "ps", "yi", "ckb", "sd", "ug", "dv",
		"iw", "ji", NULL };
	static const char *const rtl_scripts[] = {
		"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg",
		"mand", "samr", "mend", NULL };
	if (!lang.ptr)
		return "auto";
	size_t a = strcspn(lang.ptr, "-_");
	if (a > lang.len)
		a = lang.len;
	/* the script is the 4-letter subtag after the language */
	if (a < lang.len) {
		const char *s = lang.ptr + a + 1;
		size_t b = strcspn(s, "-_");
		if (b == 4)
			return among(s, 4, rtl_scripts) ? "rtl" : "ltr";
	}
	return among(lang.ptr, a, rtl_langs) ? "rtl" : "ltr";
}

/* Whether a browser may follow the URL: http or https only, so that no
 * javascript: or data: URL from a source becomes a link to run. */
static int linkable(qdb_str u)
{
	static const char *const schemes[] = { "http://", "https://" };
	for (size_t i = 0; i < 2; i++) {
		size_t k = strlen(schemes[i]), j = 0;
		while (j < k && j < u.len && (u.ptr[j] | 0x20) == schemes[i][j])
			j++;
		if (j == k)
			return 1;
	}
	return 0;
}

/* Whether the EDTF date is a plain ISO 8601 date: yyyy[-mm[-dd]]. */
static int iso_date(qdb_str d)
{
	static const char shape[] = "dddd-dd-dd";
	if (d.len != 4 && d.len != 7 && d.len != 10)
		return 0;
	for (size_t i = 0; i < d.len; i++) {
		char c = d.ptr[i];
		if (shape[i] == 'd' ? (c < '0' || c > '9') : c != '-')
			return 0;
	}
	return 1;
}

/* ---- The page ----------------------------------------------------- */

static const char css[] =
	"html { color-scheme: light; }\n"
	"body { font: 17px/1.5 Georgia, \"Noto Serif\", \"Times New Roman\","
	" serif;\n"
	"  max-width: 42em; margin: 2em auto; padding: 0 1em; color: #111;"
	" background: #fff; }\n"
	"h1 { font-size: 1.7em; margin: 0 0 1em; }\n"
	"h2 { font-size: 1.25em; margin: 2em 0 .5em; padding-bottom: .2em;\n"
	"  border-bottom: 1px solid #bbb; }\n"
	"figure { margin: 1.2em 0 1.6em; }\n"
	"blockquote { margin: 0; padding: .1em 0 .1em 1em;\n"
	"  border-inline-start: 3px solid #999; white-space: pre-wrap;\n"
	"  overflow-wrap: anywhere; }\n"
	"figcaption { margin-top: .4em; font-size: .88em; color: #444; }\n"
	"figcaption cite { font-style: italic; }\n"
	"a { color: #0645ad; }\n"
	"@media print {\n"
	"  body { font-size: 11pt; max-width: none; margin: 0; padding: 0; }\n"
	"  h2 { break-after: avoid; }\n"
	"  figure { break-inside: avoid; }\n"
	"  a { color: inherit; text-decoration: none; }\n"
	"}\n";

static int put_head(html_state *st, const char *title, int paper)
{
	int rc;
	qdb_str t = { title, strlen(title) };
	st->what = "option title";
	if ((rc = puts_(st, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			"<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
			"content=\"width=device-width, initial-scale=1\">\n"
			"<meta name=\"generator\" content=\"quotedb html "
			HTML_VERSION "\">\n<title>")) ||
	    (rc = put_text(st, t)) ||
	    (rc = puts_(st, "</title>\n<style>\n")) ||
	    (rc = puts_(st, paper == PAPER_LETTER ?
			"@page { size: letter; margin: 2cm; }\n" :
			"@page { size: A4; margin: 2cm; }\n")) ||
	    (rc = puts_(st, css)) ||
	    (rc = puts_(st, "</style>\n</head>\n<body>\n<main>\n<h1>")) ||
	    (rc = put_text(st, t)))
		return rc;
	return puts_(st, "</h1>\n");
}

static int put_heading(html_state *st, const qdb_quote *q)
{
	qdb_str text;
	int rc = qdb_heading_next(&st->heading, st->host->sort, q, &text);
	if (rc == QDB_ENOMEM) {
		st->host->error(st->host, "out of memory");
		return rc;
	}
	if (rc == 0)
		return 0;
	if (st->in_section && (rc = puts_(st, "</section>\n")))
		return rc;
	st->in_section = 1;
	if ((rc = puts_(st, "<section>\n<h2>")) ||
	    (rc = put_field(st, "heading", text)))
		return rc;
	return puts_(st, "</h2>\n");
}

/* ", x" after the first part of a group, "; x" starting one. */
static int part(html_state *st, int *first, const char *what, qdb_str s,
		const char *open, const char *close)
{
	int rc;
	if (!s.ptr)
		return 0;
	if ((rc = puts_(st, *first ? "; " : ", ")))
		return rc;
	*first = 0;
	if ((open && (rc = puts_(st, open))) ||
	    (rc = put_field(st, what, s)))
		return rc;
	return close ? puts_(st, close) : 0;
}

static int put_date(html_state *st, const qdb_quote *q)
{
	int rc;
	if (!q->date.ptr)
		return 0;
	if (!iso_date(q->date))
		return put_field(st, "date", q->date);
	if ((rc = puts_(st, "<time itemprop=\"dateCreated\" datetime=\"")) ||
	    (rc = put_field(st, "date", q->date)) ||
	    (rc = puts_(st, "\">")) || (rc = put_field(st, "date", q->date)))
		return rc;
	return puts_(st, "</time>");
}

/*
 * — Speaker, role; Outlet, programme, occasion; date_text (date);
 * reported by X.  Source: title, author, locator.
 */
static int put_caption(html_state *st, const qdb_quote *q)
{
	int rc, first;
	if ((rc = puts_(st, "<figcaption>\xe2\x80\x94 <span itemprop=\"creator"
			"\" itemscope itemtype=\"https://schema.org/Person\">"
			"<span itemprop=\"name\">")) ||
	    (rc = put_field(st, "speaker", q->speaker)) ||
	    (rc = puts_(st, "</span></span>")))
		return rc;
	if (q->role.ptr && ((rc = puts_(st, ", ")) ||
			    (rc = put_field(st, "role", q->role))))
		return rc;
	first = 1;
	if ((rc = part(st, &first, "outlet", q->outlet, "<cite>",
		       "</cite>")) ||
	    (rc = part(st, &first, "programme", q->programme, NULL, NULL)) ||
	    (rc = part(st, &first, "occasion", q->occasion, NULL, NULL)))
		return rc;
	if (q->date_text.ptr) {
		if ((rc = puts_(st, "; ")) ||
		    (rc = put_field(st, "date_text", q->date_text)))
			return rc;
		if (q->date.ptr && ((rc = puts_(st, " (")) ||
				    (rc = put_date(st, q)) ||
				    (rc = puts_(st, ")"))))
			return rc;
	} else if (q->date.ptr) {
		if ((rc = puts_(st, "; ")) || (rc = put_date(st, q)))
			return rc;
	}
	if (q->reported_by.ptr &&
	    ((rc = puts_(st, "; reported by ")) ||
	     (rc = put_field(st, "reported_by", q->reported_by))))
		return rc;
	if (q->source.ptr) {
		if ((rc = puts_(st, ". Source: <span itemprop=\"isPartOf\" "
				"itemscope itemtype=\"https://schema.org/"
				"CreativeWork\">")))
			return rc;
		int link = q->source_url.ptr && linkable(q->source_url);
		if (link &&
		    ((rc = puts_(st, "<a itemprop=\"url\" href=\"")) ||
		     (rc = put_field(st, "source.url", q->source_url)) ||
		     (rc = puts_(st, "\">"))))
			return rc;
		if ((rc = puts_(st, "<span itemprop=\"name\">")) ||
		    (rc = put_field(st, "source.title", q->source)) ||
		    (rc = puts_(st, link ? "</span></a>" : "</span>")))
			return rc;
		/* another scheme is shown, not linked */
		if (q->source_url.ptr && !link &&
		    ((rc = puts_(st, ", ")) ||
		     (rc = put_field(st, "source.url", q->source_url))))
			return rc;
		if (q->source_author.ptr &&
		    ((rc = puts_(st, ", <span itemprop=\"author\">")) ||
		     (rc = put_field(st, "source.author", q->source_author)) ||
		     (rc = puts_(st, "</span>"))))
			return rc;
		if ((rc = puts_(st, "</span>")))
			return rc;
	}
	if (q->locator.ptr && ((rc = puts_(st, q->source.ptr ? ", " :
					   ". ")) ||
			       (rc = put_field(st, "locator", q->locator))))
		return rc;
	return puts_(st, "</figcaption>\n");
}

static int html_quote(void *state, const qdb_quote *q,
		      const qdb_plugin_host *host)
{
	html_state *st = state;
	int rc;
	if (!q || q->size < sizeof(qdb_quote)) {
		host->error(host, "quote record too small for this plugin "
			    "(%zu < %zu bytes)", q ? q->size : 0,
			    sizeof(qdb_quote));
		return QDB_EABI;
	}
	st->q = q;
	if ((rc = put_heading(st, q)) ||
	    (rc = puts_(st, "<figure itemscope itemtype=\"https://schema.org/"
			"Quotation\">\n")))
		return rc;
	if (q->language.ptr &&
	    ((rc = puts_(st, "<meta itemprop=\"inLanguage\" content=\"")) ||
	     (rc = put_field(st, "language", q->language)) ||
	     (rc = puts_(st, "\">\n"))))
		return rc;
	if ((rc = puts_(st, "<blockquote itemprop=\"text\"")))
		return rc;
	if (q->source_url.ptr && linkable(q->source_url) &&
	    ((rc = puts_(st, " cite=\"")) ||
	     (rc = put_field(st, "source.url", q->source_url)) ||
	     (rc = puts_(st, "\""))))
		return rc;
	if (q->language.ptr &&
	    ((rc = puts_(st, " lang=\"")) ||
	     (rc = put_field(st, "language", q->language)) ||
	     (rc = puts_(st, "\""))))
		return rc;
	if ((rc = puts_(st, " dir=\"")) ||
	    (rc = puts_(st, direction(q->language))) ||
	    (rc = puts_(st, "\">")) ||
	    (rc = put_field(st, "text", q->text)) ||
	    (rc = puts_(st, "</blockquote>\n")) ||
	    (rc = put_caption(st, q)))
		return rc;
	if (q->original.ptr &&
	    ((rc = puts_(st, "<blockquote class=\"original\"")) ||
	     (q->translated.ptr &&
	      ((rc = puts_(st, " lang=\"")) ||
	       (rc = put_field(st, "translated", q->translated)) ||
	       (rc = puts_(st, "\"")))) ||
	     (rc = puts_(st, " dir=\"")) ||
	     (rc = puts_(st, direction(q->translated))) ||
	     (rc = puts_(st, "\">")) ||
	     (rc = put_field(st, "original", q->original)) ||
	     (rc = puts_(st, "</blockquote>\n"))))
		return rc;
	st->q = NULL;
	return puts_(st, "</figure>\n");
}

static int html_begin(void **state, const qdb_plugin_host *host)
{
	*state = NULL;
	if (!host || host->size < sizeof(qdb_plugin_host) ||
	    host->abi_major != QDB_PLUGIN_ABI_MAJOR ||
	    host->abi_minor < QDB_PLUGIN_ABI_MINOR)
		return QDB_EABI;
	html_state *st = calloc(1, sizeof *st);
	if (!st) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	st->host = host;
	st->out.host = host;
	st->out.format = "HTML";
	const char *title = host->option(host, "title");
	int rc = put_head(st, title ? title : "",
			  (int)host->option_int(host, "paper"));
	if (rc) {
		free(st);   /* end is only called after a successful begin */
		return rc;
	}
	*state = st;
	return 0;
}

static int html_end(void *state, int status, const qdb_plugin_host *host)
{
	(void)host;
	html_state *st = state;
	int rc = 0;
	if (!st)
		return 0;
	if (status == 0) {
		if (st->in_section)
			rc = puts_(st, "</section>\n");
		if (!rc)
			rc = puts_(st, "</main>\n</body>\n</html>\n");
		if (!rc)
			rc = qdb_outbuf_flush(&st->out);
	}
	qdb_heading_free(&st->heading);
	free(st);
	return rc;
}

static const char *const paper_values[] = { "a4", "letter", NULL };

static const qdb_plugin_option html_options[] = {
	{ .name = "title", .type = QDB_OPTION_STRING,
	  .default_value = "Quotations",
	  .help = "the page's title and heading" },
	{ .name = "paper", .type = QDB_OPTION_ENUM, .default_value = "a4",
	  .values = paper_values,
	  .help = "a4 or letter: the page size when printed" },
	{ .name = NULL }
};

static const qdb_plugin html_plugin = {
	.abi_major = QDB_PLUGIN_ABI_MAJOR,
	.abi_minor = QDB_PLUGIN_ABI_MINOR,
	.size = sizeof(qdb_plugin),
	.name = "html",
	.version = HTML_VERSION,
	.description = "one offline HTML page with schema.org microdata, "
		"printable as an appendix",
	.extension = "html",
	.options = html_options,
	.option_size = sizeof(qdb_plugin_option),
	.sort = QDB_SORT_SPEAKER,
	.begin = html_begin,
	.quote = html_quote,
	.end = html_end,
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &html_plugin;
}
