/*
 * markdown.c: the "markdown" export plugin.  A Markdown document for
 * pandoc (its default markdown, and CommonMark/GFM readers alike): each
 * quotation a block quote (">"), followed by its attribution, grouped
 * under headings as in the latex appendix.  pandoc turns it into HTML,
 * DOCX, ODT or EPUB; a writer pastes it into their own notes.
 *
 *   # Quotations
 *
 *   ## Joe Biden
 *
 *   > there is no clear evidence
 *
 *   — Joe Biden, President; *CBS*, 60 Minutes, interview; a week after
 *   7 October (2023-10-15~); reported by WSJ. Source: Iran and 7
 *   October, Kyle Orton, para. 14
 *
 * Exactness.  No text becomes markup.  Backslash-escaped wherever they
 * appear: \ ` * _ [ ] < > # | ~ ^ $ @ & { } " '.  The quotes too, since
 * pandoc's smart extension would curl them; $ for pandoc's TeX math, @
 * for its citations, ^ and ~ for super- and subscript, & for entities.
 * Escaped where they would mean something: - when it starts a line or
 * touches another - (lists, rules, smart dashes), . before a space, the
 * end or another . (pandoc puts a no-break space after "Mr." and makes
 * "..." an ellipsis; "1. " starts a list), ) after a number or letter
 * that starts a line ("10) "), and + = : % ( at the start of a line.
 * Every escape is of ASCII punctuation, which CommonMark and pandoc
 * both read as the character itself.
 *
 * Line breaks (LF, CR, CRLF, NEL, U+2028, U+2029) inside a quotation are
 * hard breaks ("\" at the end of the line) inside the block quote; a run
 * of them with an empty line among them is a paragraph break.  In other
 * fields a line break is a space.  Markdown has no way to keep spaces at
 * the start or end of a line, or a run of spaces (renderers collapse
 * them): those are written as they are between words and dropped at
 * line ends, which no reader of the rendered text can tell apart.
 * Control characters other than tab and the line breaks, and invalid
 * UTF-8, fail the export with the quote and the field (the store holds
 * neither).
 *
 * Headings: "## " whenever what the quotes are sorted by changes
 * (speaker, outlet, month); none in the order they were added.  State:
 * the current heading's key only.
 *
 * Option: title, the document's first heading.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"
#include "outbuf.h"
#include "utf8.h"
#include "heading.h"

enum { MD_TEXT, MD_FIELD };   /* a line break: a hard break, or a space */

typedef struct md_state {
	const qdb_plugin_host *host;
	const qdb_quote *q;      /* the quote being written, for messages */
	qdb_heading heading;
	qdb_outbuf out;          /* last: 64 KiB */
} md_state;

static int put(md_state *st, const char *p, size_t n)
{
	return qdb_outbuf_put(&st->out, p, n);
}

static int puts_(md_state *st, const char *s)
{
	return put(st, s, strlen(s));
}

static int refuse(md_state *st, const char *what, const char *why)
{
	const qdb_quote *q = st->q;
	if (q)
		st->host->error(st->host, "quote %.100s: %s %s",
				q->id.ptr ? q->id.ptr : "(no id)", what, why);
	else
		st->host->error(st->host, "%s %s", what, why);
	return QDB_EINVALID;
}

static int is_space(uint32_t c)
{
	return c == ' ' || c == '\t';
}

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
					  (c | 0x20) <= 'z');
}

/* Whether the ASCII character c, in its place, needs a backslash. */
static int needs_escape(unsigned char c, unsigned char prev,
			unsigned char next, int line_start, int alnum_only)
{
	switch (c) {
	case '\\': case '`': case '*': case '_': case '[': case ']':
	case '<': case '>': case '#': case '|': case '~': case '^':
	case '$': case '@': case '&': case '{': case '}': case '"':
	case '\'':
		return 1;
	case '-':
		return line_start || prev == '-' || next == '-';
	case '.':
		return prev == '.' || !is_alnum(next);
	case ')':
		return alnum_only && !line_start;
	case '+': case '=': case ':': case '%': case '(':
		return line_start;
	}
	return 0;
}

/*
 * The run of spaces, tabs and line breaks at s[i..): its end in *end and
 * the number of line breaks in it (CRLF is one).  0 breaks with *end ==
 * i means s[i] is none of them.
 */
static size_t space_run(const unsigned char *p, size_t n, size_t i,
			size_t *end)
{
	size_t breaks = 0;
	while (i < n) {
		uint32_t c = 0;
		size_t k = qdb_utf8_decode(&c, p + i, n - i);
		if (k == 0)
			break;
		if (c == '\r' && i + 1 < n && p[i + 1] == '\n')
			k = 2;
		if (qdb_utf8_is_break(c))
			breaks++;
		else if (!is_space(c))
			break;
		i += k;
	}
	*end = i;
	return breaks;
}

/*
 * s, escaped, as the content of a block quote (MD_TEXT: after "> ") or
 * of a line (MD_FIELD).  line_start: whether s starts a line's content.
 */
static int put_md(md_state *st, const char *what, qdb_str s, int mode,
		  int line_start)
{
	const unsigned char *p = (const unsigned char *)s.ptr;
	size_t i = 0, n = s.len;
	int rc, wrote = 0, alnum_only = line_start;
	unsigned char prev = 0;
	char why[64];
	while (i < n) {
		size_t end = i, breaks = 0;
		/* only these bytes can start a space or a line break (NEL is
		 * C2 85, U+2028/9 E2 80 A8/A9) */
		unsigned char b = p[i];
		if (b == ' ' || b == '\t' || b == '\n' || b == '\r' ||
		    b == 0xC2 || b == 0xE2)
			breaks = space_run(p, n, i, &end);
		if (end > i) {
			/* whitespace: dropped at either end, else kept */
			if (end == n || !wrote) {
				i = end;
				continue;
			}
			if (breaks == 0)
				rc = put(st, s.ptr + i, end - i);
			else if (mode == MD_FIELD)
				rc = put(st, " ", 1);
			else
				rc = puts_(st, breaks == 1 ? "\\\n> " :
					   "\n>\n> ");
			if (rc)
				return rc;
			if (breaks && mode == MD_TEXT) {
				line_start = alnum_only = 1;
				prev = 0;
			} else {
				prev = ' ';
			}
			i = end;
			continue;
		}
		uint32_t c = 0;
		size_t k = qdb_utf8_decode(&c, p + i, n - i);
		if (k == 0) {
			snprintf(why, sizeof why, "is not valid UTF-8 (byte "
				 "%zu)", i);
			return refuse(st, what, why);
		}
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
			snprintf(why, sizeof why, "holds the control character "
				 "U+%04X", (unsigned)c);
			return refuse(st, what, why);
		}
		if (c >= 0x80) {
			if ((rc = put(st, s.ptr + i, k)))
				return rc;
			prev = 0;
			line_start = alnum_only = 0;
		} else {
			unsigned char next = i + 1 < n ? p[i + 1] : 0;
			char e[2] = { '\\', (char)c };
			int esc = needs_escape((unsigned char)c, prev, next,
					       line_start, alnum_only);
			if ((rc = put(st, esc ? e : e + 1, esc ? 2 : 1)))
				return rc;
			alnum_only = alnum_only && is_alnum((unsigned char)c);
			line_start = 0;
			prev = (unsigned char)c;
		}
		wrote = 1;
		i += k;
	}
	return 0;
}

/* Whether s shows nothing: only spaces, tabs and line breaks. */
static int blank(qdb_str s)
{
	size_t end;
	space_run((const unsigned char *)s.ptr, s.len, 0, &end);
	return end == s.len;
}

static int put_heading(md_state *st, const qdb_quote *q)
{
	qdb_str text;
	int rc = qdb_heading_next(&st->heading, st->host->sort, q, &text);
	if (rc == QDB_ENOMEM) {
		st->host->error(st->host, "out of memory");
		return rc;
	}
	if (rc == 0)
		return 0;
	if ((rc = puts_(st, "## ")) ||
	    (rc = put_md(st, "heading", text, MD_FIELD, 0)))
		return rc;
	return puts_(st, "\n\n");
}

/* "; x" starting a group of the attribution, ", x" inside it. */
static int part(md_state *st, int *first, const char *what, qdb_str s,
		int emphasis)
{
	int rc;
	if (!s.ptr)
		return 0;
	if ((rc = puts_(st, *first ? "; " : ", ")))
		return rc;
	*first = 0;
	emphasis = emphasis && !blank(s);
	if ((emphasis && (rc = put(st, "*", 1))) ||
	    (rc = put_md(st, what, s, MD_FIELD, 0)))
		return rc;
	return emphasis ? put(st, "*", 1) : 0;
}

/*
 * — Speaker, role; *Outlet*, programme, occasion; date_text (date);
 * reported by X. Source: title, author, locator
 */
static int put_attribution(md_state *st, const qdb_quote *q)
{
	int rc, first;
	if ((rc = puts_(st, "\xe2\x80\x94 ")) ||
	    (rc = put_md(st, "speaker", q->speaker, MD_FIELD, 0)))
		return rc;
	if (q->role.ptr && ((rc = puts_(st, ", ")) ||
			    (rc = put_md(st, "role", q->role, MD_FIELD, 0))))
		return rc;
	first = 1;
	if ((rc = part(st, &first, "outlet", q->outlet, 1)) ||
	    (rc = part(st, &first, "programme", q->programme, 0)) ||
	    (rc = part(st, &first, "occasion", q->occasion, 0)))
		return rc;
	first = 1;
	if ((rc = part(st, &first, "date_text", q->date_text, 0)))
		return rc;
	if (q->date.ptr) {
		if ((rc = puts_(st, first ? "; " : " (")) ||
		    (rc = put_md(st, "date", q->date, MD_FIELD, 0)) ||
		    (!first && (rc = puts_(st, ")"))))
			return rc;
	}
	if (q->reported_by.ptr &&
	    ((rc = puts_(st, "; reported by ")) ||
	     (rc = put_md(st, "reported_by", q->reported_by, MD_FIELD, 0))))
		return rc;
	first = 1;
	const struct { const char *what; qdb_str s; } src[] = {
		{ "source.title", q->source },
		{ "source.author", q->source_author },
		{ "locator", q->locator },
	};
	for (size_t i = 0; i < 3; i++) {
		if (!src[i].s.ptr)
			continue;
		if ((rc = puts_(st, first ? ". Source: " : ", ")) ||
		    (rc = put_md(st, src[i].what, src[i].s, MD_FIELD, 0)))
			return rc;
		first = 0;
	}
	return puts_(st, "\n\n");
}

static int md_quote(void *state, const qdb_quote *q,
		    const qdb_plugin_host *host)
{
	md_state *st = state;
	int rc;
	if (!q || q->size < sizeof(qdb_quote)) {
		host->error(host, "quote record too small for this plugin "
			    "(%zu < %zu bytes)", q ? q->size : 0,
			    sizeof(qdb_quote));
		return QDB_EABI;
	}
	st->q = q;
	if ((rc = put_heading(st, q)) || (rc = puts_(st, "> ")) ||
	    (rc = put_md(st, "text", q->text, MD_TEXT, 1)) ||
	    (rc = puts_(st, "\n\n")) || (rc = put_attribution(st, q)))
		return rc;
	st->q = NULL;
	return 0;
}

static int md_begin(void **state, const qdb_plugin_host *host)
{
	*state = NULL;
	if (!host || host->size < sizeof(qdb_plugin_host) ||
	    host->abi_major != QDB_PLUGIN_ABI_MAJOR ||
	    host->abi_minor < QDB_PLUGIN_ABI_MINOR)
		return QDB_EABI;
	md_state *st = calloc(1, sizeof *st);
	if (!st) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	st->host = host;
	st->out.host = host;
	st->out.format = "Markdown";
	const char *title = host->option(host, "title");
	int rc = 0;
	if (title && *title) {
		qdb_str t = { title, strlen(title) };
		rc = puts_(st, "# ");
		if (!rc)
			rc = put_md(st, "option title", t, MD_FIELD, 0);
		if (!rc)
			rc = puts_(st, "\n\n");
	}
	if (rc) {
		free(st);   /* end is only called after a successful begin */
		return rc;
	}
	*state = st;
	return 0;
}

static int md_end(void *state, int status, const qdb_plugin_host *host)
{
	(void)host;
	md_state *st = state;
	int rc = 0;
	if (!st)
		return 0;
	if (status == 0)
		rc = qdb_outbuf_flush(&st->out);
	qdb_heading_free(&st->heading);
	free(st);
	return rc;
}

static const qdb_plugin_option md_options[] = {
	{ .name = "title", .type = QDB_OPTION_STRING,
	  .default_value = "Quotations",
	  .help = "the document's first heading (empty: none)" },
	{ .name = NULL }
};

static const qdb_plugin md_plugin = {
	.abi_major = QDB_PLUGIN_ABI_MAJOR,
	.abi_minor = QDB_PLUGIN_ABI_MINOR,
	.size = sizeof(qdb_plugin),
	.name = "markdown",
	.version = "1.0",
	.description = "Markdown for pandoc: block quotes with attributions, "
		"grouped under headings",
	.extension = "md",
	.options = md_options,
	.option_size = sizeof(qdb_plugin_option),
	.sort = QDB_SORT_SPEAKER,
	.begin = md_begin,
	.quote = md_quote,
	.end = md_end,
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &md_plugin;
}
