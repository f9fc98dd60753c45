/*
 * draft.c: finding the quotations in a writer's draft (Markdown, LaTeX or
 * plain text), with the line and column where each opens and the sentence
 * around it, streaming: one paragraph is in memory at a time.
 *
 * The draft is read line by line (each checked to be UTF-8 without NUL)
 * and gathered into paragraphs, the "raw" text.  A paragraph is turned
 * into the text it prints (Markdown's code spans, links and emphasis
 * marks left out; LaTeX's markup read as what it prints), each printed
 * byte remembering the raw byte it came from, and the quotation marks are
 * looked for in the printed text: that one scanner serves every format.
 * LaTeX's quoting commands and environments print as the private-use
 * marks OPEN_MARK and CLOSE_MARK, which nest, so quotation marks inside
 * them are the quotation's own text.
 *
 * The rules for what is a quotation are in docs/check.md.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest line and paragraph kept: past them a line is an error and
 * a paragraph is cut, so a 100 MB draft is read in bounded memory. */
#define LINE_MAX_BYTES (4u << 20)
#define PARA_MAX_BYTES (1u << 20)
/* The bytes at the start in which a NUL makes a binary file. */
#define SNIFF_BYTES 8000
/* The most of the previous paragraph kept to introduce a block quote. */
#define PREV_MAX 1024

/* What a LaTeX quoting command prints (U+E000, U+E001). */
#define OPEN_MARK 0xE000
#define CLOSE_MARK 0xE001

/* One line of the raw paragraph: where it starts in raw, its number in
 * the file, and the characters cut from its start ("> " in Markdown). */
typedef struct rline {
	size_t off;
	long lineno;
	int col0;
} rline;

/* A quotation left open at the end of a paragraph, which the next one
 * may continue by opening with the same mark. */
typedef struct pending {
	int open;
	unsigned opener, closer, closer2;
	long line;
	int col;
	qdb_buf text;
	qdb_buf ctx;
	size_t ctx_at;
} pending;

typedef struct reader {
	qdb_draft_format fmt;
	const char *name;
	qdb_read_fn read;
	void *src;
	qdb_draft_cb cb;
	void *payload;
	qdb_error *err;
	/* input */
	unsigned char in[65536];
	size_t inlen, inpos;
	int eof;
	int sniffed;          /* the first bytes were looked at */
	qdb_buf line;
	long lineno;
	/* the paragraph */
	qdb_buf raw;
	rline *lines;
	size_t nlines, linecap;
	int block;            /* a Markdown block quote */
	/* its printed text, and for each printed byte its raw offset */
	qdb_buf pr;
	uint32_t *map;
	size_t mapcap;
	/* the last sentence of the previous paragraph */
	qdb_buf prev;
	pending pend;
	/* Markdown */
	int fence;            /* inside ``` or ~~~ */
	char fence_ch;
	size_t fence_len;
	int blank_before;
	/* LaTeX */
	int preamble, verbatim, doc_end;
	int tex_depth;        /* open braces and quote environments */
	int nomem;
	int rc;               /* a callback's non-zero return */
} reader;

/* ---- characters ----------------------------------------------------- */

/* The code point at s[i] (n bytes), its length in *len; text is valid
 * UTF-8 by the time it is decoded here. */
static unsigned cp_at(const unsigned char *s, size_t n, size_t i, size_t *len)
{
	unsigned cp = 0;
	size_t l = qdb__utf8_decode(s + i, n - i, &cp);
	if (l == 0) {
		l = 1;
		cp = s[i];
	}
	*len = l;
	return cp;
}

/* The code point just before s[i], or 0 at the start. */
static unsigned cp_before(const unsigned char *s, size_t i)
{
	if (i == 0)
		return 0;
	size_t k = i - 1;
	while (k > 0 && (s[k] & 0xC0) == 0x80 && i - k < 4)
		k--;
	size_t len;
	return cp_at(s, i, k, &len);
}

/* A letter or digit: ASCII ones, and any other character outside the
 * Latin-1 punctuation, general punctuation and the private marks. */
static int is_word(unsigned cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		       (cp >= 'A' && cp <= 'Z');
	if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7)
		return 0;
	if (cp >= 0x2000 && cp <= 0x206F)
		return 0;
	if ((cp >= 0x3000 && cp <= 0x303F) || cp == OPEN_MARK ||
	    cp == CLOSE_MARK || cp == 0xFEFF)
		return 0;
	return 1;
}

int qdb__draft_is_word(unsigned cp)
{
	return is_word(cp);
}

static int is_space(unsigned cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
	       cp == 0xA0 || cp == 0;
}

/* ---- buffers -------------------------------------------------------- */

static void nomem(reader *r)
{
	if (!r->nomem)
		qdb__error_set(r->err, QDB_ENOMEM, "out of memory");
	r->nomem = 1;
}

/* Appends printed bytes that came from raw offset at. */
static void emit(reader *r, const void *p, size_t n, size_t at)
{
	if (r->pr.len + n > r->mapcap) {
		size_t cap = r->mapcap ? r->mapcap : 4096;
		while (cap < r->pr.len + n)
			cap *= 2;
		uint32_t *m = realloc(r->map, cap * sizeof *m);
		if (!m) {
			nomem(r);
			return;
		}
		r->map = m;
		r->mapcap = cap;
	}
	size_t base = r->pr.len;
	if (qdb__buf_add(&r->pr, p, n)) {
		nomem(r);
		return;
	}
	for (size_t k = 0; k < n; k++)
		r->map[base + k] = (uint32_t)at;
}

/* Appends raw[at, at + n) as printed, each byte from its own place. */
static void emit_raw(reader *r, size_t at, size_t n)
{
	size_t base = r->pr.len;
	emit(r, r->raw.data + at, n, at);
	if (!r->nomem)
		for (size_t k = 0; k < n; k++)
			r->map[base + k] = (uint32_t)(at + k);
}

/* Appends code point cp, UTF-8 encoded. */
static void emit_cp(reader *r, unsigned cp, size_t at)
{
	unsigned char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else {
		b[0] = (unsigned char)(0xE0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	}
	emit(r, b, n, at);
}

/* ---- positions ------------------------------------------------------ */

/* The line and column (in characters) of raw offset off. */
static void position(const reader *r, size_t off, long *line, int *col)
{
	size_t lo = 0, hi = r->nlines;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (r->lines[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	const rline *l = &r->lines[lo];
	int c = l->col0 + 1;
	const unsigned char *s = (const unsigned char *)r->raw.data;
	for (size_t i = l->off; i < off && i < r->raw.len; i++)
		c += (s[i] & 0xC0) != 0x80;
	*line = l->lineno;
	*col = c;
}

/* ---- reading lines -------------------------------------------------- */

/* A NUL byte in the first 8,000 bytes makes a binary file (as grep and
 * git decide), told at its line before any byte of it is read as text. */
static int binary(reader *r)
{
	size_t n = r->inlen < SNIFF_BYTES ? r->inlen : SNIFF_BYTES;
	const unsigned char *nul = memchr(r->in, 0, n);
	if (!nul)
		return 0;
	long line = 1;
	for (const unsigned char *p = r->in; p < nul; p++)
		line += *p == '\n';
	r->err->line = (int)line;
	return qdb__error_set(r->err, QDB_EINVALID, "a binary file, not a "
			      "draft (a NUL byte)");
}

/* Reads the next line into r->line without its line break; 1 when there
 * is one, 0 at the end, negative on an error (reported). */
static int next_line(reader *r)
{
	r->line.len = 0;
	if (r->line.data)
		r->line.data[0] = '\0';
	int got = 0;
	if (!r->sniffed) {
		/* The first 8,000 bytes, however the reads come. */
		r->sniffed = 1;
		while (r->inlen < SNIFF_BYTES && !r->eof) {
			ptrdiff_t n = r->read(r->in + r->inlen,
					      sizeof r->in - r->inlen, r->src);
			if (n < 0)
				return qdb__error_set(r->err, QDB_EIO,
						      "cannot read");
			if (n == 0)
				r->eof = 1;
			r->inlen += (size_t)n;
		}
		int rc = binary(r);
		if (rc)
			return rc;
	}
	for (;;) {
		if (r->inpos == r->inlen) {
			if (r->eof)
				break;
			ptrdiff_t n = r->read(r->in, sizeof r->in, r->src);
			if (n < 0)
				return qdb__error_set(r->err, QDB_EIO,
						      "cannot read");
			if (n == 0) {
				r->eof = 1;
				break;
			}
			r->inlen = (size_t)n;
			r->inpos = 0;
		}
		got = 1;
		unsigned char *s = r->in + r->inpos;
		size_t avail = r->inlen - r->inpos;
		unsigned char *nl = memchr(s, '\n', avail);
		size_t take = nl ? (size_t)(nl - s) : avail;
		if (r->line.len + take > LINE_MAX_BYTES)
			return qdb__error_set(r->err, QDB_EINVALID, "line "
					      "%ld is longer than 4 MiB",
					      r->lineno + 1);
		if (qdb__buf_add(&r->line, s, take)) {
			nomem(r);
			return QDB_ENOMEM;
		}
		r->inpos += take + (nl ? 1 : 0);
		if (nl)
			break;
	}
	if (!got)
		return 0;
	r->lineno++;
	if (r->line.len && r->line.data[r->line.len - 1] == '\r')
		r->line.data[--r->line.len] = '\0';
	/* UTF-8 without NUL: anything else is a binary file or another
	 * encoding, reported where it starts. */
	const unsigned char *p = (const unsigned char *)r->line.data;
	size_t n = r->line.len, col = 1;
	if (r->lineno == 1 && n >= 3 && p[0] == 0xEF && p[1] == 0xBB &&
	    p[2] == 0xBF) {
		memmove(r->line.data, r->line.data + 3, n - 2);
		n = r->line.len -= 3;
	}
	const unsigned char *nul = memchr(p, 0, n);
	if (nul) {
		/* A binary file: where in it means little. */
		qdb__error_set(r->err, QDB_EINVALID, "a binary file, not a "
			       "draft (a NUL byte)");
		r->err->line = (int)r->lineno;
		return QDB_EINVALID;
	}
	for (size_t i = 0; i < n; col++) {
		unsigned cp;
		size_t l = qdb__utf8_decode(p + i, n - i, &cp);
		if (l == 0) {
			qdb__error_set(r->err, QDB_EINVALID, "invalid UTF-8 "
				       "(byte 0x%02X)", p[i]);
			break;
		}
		i += l;
		if (i == n)
			return 1;
	}
	if (n == 0)
		return 1;
	r->err->line = (int)r->lineno;
	r->err->column = (int)col;
	return QDB_EINVALID;
}

/* ---- the paragraph -------------------------------------------------- */

static void para_add_line(reader *r, const char *s, size_t n, int col0)
{
	if (r->nlines == r->linecap) {
		size_t cap = r->linecap ? r->linecap * 2 : 64;
		rline *l = realloc(r->lines, cap * sizeof *l);
		if (!l) {
			nomem(r);
			return;
		}
		r->lines = l;
		r->linecap = cap;
	}
	if (r->nlines && qdb__buf_add(&r->raw, "\n", 1)) {
		nomem(r);
		return;
	}
	r->lines[r->nlines].off = r->raw.len;
	r->lines[r->nlines].lineno = r->lineno;
	r->lines[r->nlines].col0 = col0;
	r->nlines++;
	if (qdb__buf_add(&r->raw, s, n))
		nomem(r);
}

/* ---- Markdown and text: the printed text ---------------------------- */

/* The length of the run of c at s[i]. */
static size_t run_of(const char *s, size_t n, size_t i, char c)
{
	size_t k = i;
	while (k < n && s[k] == c)
		k++;
	return k - i;
}

static void print_markdown(reader *r)
{
	const char *s = r->raw.data;
	size_t n = r->raw.len, i = 0;
	while (i < n) {
		char c = s[i];
		if (c == '`') {
			/* A code span: up to the same number of backticks. */
			size_t k = run_of(s, n, i, '`'), j = i + k;
			while (j < n) {
				size_t m = run_of(s, n, j, '`');
				if (m == k)
					break;
				j += m ? m : 1;
			}
			if (j < n) {
				i = j + k;
				continue;
			}
			emit_raw(r, i, k);
			i += k;
		} else if (c == '\\' && i + 1 < n &&
			   strchr("\\`*_{}[]()#+-.!<>\"'", s[i + 1])) {
			emit(r, s + i + 1, 1, i + 1);
			i += 2;
		} else if (c == '*' || (c == '_' && (i == 0 ||
			   !is_word((unsigned char)s[i - 1]) || i + 1 == n ||
			   !is_word((unsigned char)s[i + 1])))) {
			i++;    /* emphasis marks print nothing */
		} else if ((c == '[' || (c == '!' && i + 1 < n &&
					 s[i + 1] == '[')) &&
			   r->fmt == QDB_DRAFT_MARKDOWN) {
			/* [text](url) prints text, ![alt](url) nothing; any
			 * other [ is a writer's insertion, kept. */
			size_t b = c == '!' ? i + 1 : i, j = b + 1;
			while (j < n && s[j] != ']' && s[j] != '[' &&
			       s[j] != '\n')
				j++;
			if (j + 1 < n && s[j] == ']' && s[j + 1] == '(') {
				size_t e = j + 2;
				while (e < n && s[e] != ')' && s[e] != '\n')
					e++;
				if (e < n && s[e] == ')') {
					if (c != '!')
						emit_raw(r, b + 1, j - b - 1);
					i = e + 1;
					continue;
				}
			}
			emit(r, s + i, 1, i);
			i++;
		} else if (c == '<' && i + 3 < n && !memcmp(s + i, "<!--", 4)) {
			const char *e = NULL;
			for (size_t k = i + 4; k + 2 < n; k++)
				if (!memcmp(s + k, "-->", 3)) {
					e = s + k + 3;
					break;
				}
			if (!e) {
				emit(r, s + i, 1, i);
				i++;
			} else {
				i = (size_t)(e - s);
			}
		} else {
			emit(r, s + i, 1, i);
			i++;
		}
	}
}

/* ---- LaTeX: the printed text ---------------------------------------- */

/* What the closing brace of a group prints. */
enum frame { FR_NONE, FR_QUOTE, FR_INNER, FR_INS, FR_DROP };

#define TEX_STACK 64

typedef struct texst {
	enum frame fr[TEX_STACK];
	int depth;
	int quotes;   /* quote frames open */
} texst;

/* Commands whose braced argument prints nothing. */
static int drop_arg(const char *name, size_t n)
{
	static const char *const names[] = {
		"cite", "citep", "citet", "autocite", "parencite", "textcite",
		"footcite", "label", "ref", "eqref", "pageref", "cref",
		"Cref", "url", "index", "includegraphics", "vspace", "hspace",
		"begin", "end", "bibliography", "bibliographystyle",
		"usepackage", "documentclass", "input", "include", "href",
		"setlength", "newcommand", "renewcommand", "cites", NULL
	};
	for (size_t k = 0; names[k]; k++)
		if (strlen(names[k]) == n && !memcmp(names[k], name, n))
			return 1;
	return 0;
}

/* Skips balanced text from s[i] (at an open char) to after its close. */
static size_t skip_group(const char *s, size_t n, size_t i, char open,
			 char close)
{
	int d = 0;
	for (; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (s[i] == open)
			d++;
		else if (s[i] == close && --d == 0)
			return i + 1;
	}
	return n;
}

static size_t skip_spaces(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
		i++;
	return i;
}

/* Skips optional [arguments]; returns the offset after them. */
static size_t skip_opts(const char *s, size_t n, size_t i)
{
	for (;;) {
		size_t j = skip_spaces(s, n, i);
		if (j < n && s[j] == '[')
			i = skip_group(s, n, j, '[', ']');
		else
			return i;
	}
}

static void push(reader *r, texst *t, enum frame f, size_t at)
{
	if (t->depth == TEX_STACK)
		return;
	t->fr[t->depth++] = f;
	if (f == FR_QUOTE) {
		/* The outermost quotation prints the private marks; one
		 * inside it prints as csquotes would: ‘ ’, then “ ”. */
		emit_cp(r, t->quotes == 0 ? OPEN_MARK : t->quotes % 2 ?
			0x2018 : 0x201C, at);
		t->quotes++;
	} else if (f == FR_INS) {
		emit(r, "[", 1, at);
	}
}

static void pop(reader *r, texst *t, size_t at)
{
	if (t->depth == 0)
		return;
	enum frame f = t->fr[--t->depth];
	if (f == FR_QUOTE) {
		t->quotes--;
		emit_cp(r, t->quotes == 0 ? CLOSE_MARK : t->quotes % 2 ?
			0x2019 : 0x201D, at);
	} else if (f == FR_INS) {
		emit(r, "]", 1, at);
	}
}

static int is_env(const char *s, size_t n, size_t i, const char *cmd)
{
	size_t k = strlen(cmd);
	if (i + k > n || memcmp(s + i, cmd, k))
		return 0;
	i += k;
	return (i + 7 <= n && !memcmp(s + i, "{quote}", 7)) ||
	       (i + 11 <= n && !memcmp(s + i, "{quotation}", 11));
}

static void print_latex(reader *r)
{
	const char *s = r->raw.data;
	size_t n = r->raw.len, i = 0;
	texst t = { .depth = 0, .quotes = 0 };
	while (i < n) {
		char c = s[i];
		if (c == '%') {
			while (i < n && s[i] != '\n')
				i++;
			/* The comment and its line break print nothing. */
			i++;
			continue;
		}
		if (c == '$') {
			/* Mathematics prints no quotations. */
			size_t k = i + 1;
			while (k < n && (s[k] != '$' || s[k - 1] == '\\'))
				k++;
			i = k + 1;
			continue;
		}
		if (c == '{') {
			push(r, &t, FR_NONE, i);
			i++;
			continue;
		}
		if (c == '}') {
			pop(r, &t, i);
			i++;
			continue;
		}
		if (c == '~') {
			emit(r, " ", 1, i++);
			continue;
		}
		if (c == '`' || c == '\'') {
			int two = i + 1 < n && s[i + 1] == c;
			emit_cp(r, c == '`' ? (two ? 0x201C : 0x2018)
				: (two ? 0x201D : 0x2019), i);
			i += two ? 2 : 1;
			continue;
		}
		if (c == '-' && i + 1 < n && s[i + 1] == '-') {
			int three = i + 2 < n && s[i + 2] == '-';
			emit_cp(r, three ? 0x2014 : 0x2013, i);
			i += three ? 3 : 2;
			continue;
		}
		if (c != '\\') {
			emit(r, s + i, 1, i);
			i++;
			continue;
		}
		/* A control sequence. */
		size_t at = i, j = i + 1;
		if (j < n && !((s[j] >= 'a' && s[j] <= 'z') ||
			       (s[j] >= 'A' && s[j] <= 'Z'))) {
			char d = j < n ? s[j] : ' ';
			if (strchr("%&$#_{}", d))
				emit(r, &d, 1, at);
			else if (d == '\\' || d == ',' || d == ' ' ||
				 d == '\n' || d == ';')
				emit(r, " ", 1, at);
			i = j + 1;
			continue;
		}
		while (j < n && ((s[j] >= 'a' && s[j] <= 'z') ||
				 (s[j] >= 'A' && s[j] <= 'Z')))
			j++;
		const char *name = s + i + 1;
		size_t nl = j - i - 1;
		int star = j < n && s[j] == '*';
		if (star)
			j++;
#define IS(lit) (nl == sizeof lit - 1 && !memcmp(name, lit, nl))
		if (is_env(s, n, i, "\\begin")) {
			push(r, &t, FR_QUOTE, at);
			i = skip_group(s, n, j, '{', '}');
			continue;
		}
		if (is_env(s, n, i, "\\end")) {
			pop(r, &t, at);
			i = skip_group(s, n, j, '{', '}');
			continue;
		}
		if (IS("verb")) {
			char d = j < n ? s[j] : '|';
			const char *e = memchr(s + j + 1, d, n > j + 1 ?
					       n - j - 1 : 0);
			i = e ? (size_t)(e - s) + 1 : n;
			continue;
		}
		if (IS("ldots") || IS("dots") || IS("textellipsis")) {
			emit_cp(r, 0x2026, at);
			i = j;
			if (i + 1 < n && s[i] == '{' && s[i + 1] == '}')
				i += 2;
			continue;
		}
		if (IS("textelp")) {
			emit_cp(r, 0x2026, at);
			size_t k = skip_spaces(s, n, j);
			i = k < n && s[k] == '{' ? skip_group(s, n, k, '{', '}')
				: j;
			continue;
		}
		if (IS("textins")) {
			size_t k = skip_spaces(s, n, j);
			if (k < n && s[k] == '{') {
				push(r, &t, FR_INS, at);
				i = k + 1;
			} else {
				i = j;
			}
			continue;
		}
		if (IS("enquote") || IS("textquote") || IS("blockquote") ||
		    IS("textcquote") || IS("blockcquote")) {
			size_t k = skip_opts(s, n, j);
			if (IS("textcquote") || IS("blockcquote")) {
				k = skip_spaces(s, n, k);
				if (k < n && s[k] == '{')
					k = skip_group(s, n, k, '{', '}');
				k = skip_opts(s, n, k);
			}
			k = skip_spaces(s, n, k);
			if (k < n && s[k] == '{') {
				push(r, &t, FR_QUOTE, at);
				i = k + 1;
			} else {
				i = j;
			}
			continue;
		}
		if (drop_arg(name, nl)) {
			size_t k = skip_opts(s, n, j);
			k = skip_spaces(s, n, k);
			if (k < n && s[k] == '{')
				k = skip_group(s, n, k, '{', '}');
			if (IS("cites"))
				while ((k = skip_spaces(s, n, k)) < n &&
				       s[k] == '{')
					k = skip_group(s, n, k, '{', '}');
			i = k;
			continue;
		}
#undef IS
		/* Any other command prints nothing itself, and eats the
		 * spaces after it as TeX does; its {argument} prints. */
		i = j;
		if (i < n && s[i] == ' ')
			i = skip_spaces(s, n, i);
	}
	while (t.depth)
		pop(r, &t, n);
}

/* ---- finding quotations in the printed text ------------------------- */

/* Whether opener cp may open a quotation at pr[i], and its closers. */
static int opens(const unsigned char *p, size_t n, size_t i, size_t len,
		 unsigned cp, unsigned *c1, unsigned *c2)
{
	unsigned before = cp_before(p, i), after = 0;
	size_t al;
	if (i + len < n)
		after = cp_at(p, n, i + len, &al);
	switch (cp) {
	case 0x201C: *c1 = 0x201D; *c2 = 0x201D; return 1;
	case 0x201E: *c1 = 0x201C; *c2 = 0x201D; return 1;
	case '"': *c1 = '"'; *c2 = '"'; return 1;
	case 0xAB: *c1 = 0xBB; *c2 = 0xBB; return 1;
	case OPEN_MARK: *c1 = CLOSE_MARK; *c2 = CLOSE_MARK; return 1;
	case 0x2018:
	case 0x201A:
	case '\'':
		/* Not an apostrophe: no letter before, a letter after. */
		if (is_word(before) || is_space(after) || after == 0)
			return 0;
		*c1 = cp == '\'' ? '\'' : 0x2019;
		*c2 = cp == 0x201A ? 0x2018 : *c1;
		return 1;
	default:
		return 0;
	}
}

/* Whether closer cp at pr[i] closes: a single mark between two letters
 * is an apostrophe ("don’t"). */
static int closes(const unsigned char *p, size_t n, size_t i, size_t len,
		  unsigned cp)
{
	if (cp != '\'' && cp != 0x2019 && cp != 0x2018)
		return 1;
	unsigned before = cp_before(p, i), after = 0;
	size_t al;
	if (i + len < n)
		after = cp_at(p, n, i + len, &al);
	return !is_space(before) && !is_word(after);
}

static int is_single(unsigned cp)
{
	return cp == '\'' || cp == 0x2019 || cp == 0x2018;
}

/* Adds printed bytes to b with the private marks left out. */
static void add_plain(reader *r, qdb_buf *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t l;
		unsigned cp = cp_at((const unsigned char *)s, n, i, &l);
		if (cp != OPEN_MARK && cp != CLOSE_MARK &&
		    qdb__buf_add(b, s + i, l))
			nomem(r);
		i += l;
	}
	if (!b->data && qdb__buf_add(b, "", 0))
		nomem(r);
}

static int sentence_end(const unsigned char *p, size_t n, size_t i)
{
	if (i >= n || (p[i] != '.' && p[i] != '!' && p[i] != '?'))
		return 0;
	size_t k = i + 1, l;
	/* A closing mark may stand between the stop and the space. */
	while (k < n) {
		unsigned cp = cp_at(p, n, k, &l);
		if (cp == '"' || cp == 0x201D || cp == 0x2019 || cp == '\'' ||
		    cp == 0xBB || cp == CLOSE_MARK || cp == ')')
			k += l;
		else
			break;
	}
	return k >= n || p[k] == ' ' || p[k] == '\n' || p[k] == '\t';
}

/* The sentence around printed [open, close_end): its start and end. */
static void sentence(const reader *r, size_t open, size_t close_end,
		     int ends_sentence, size_t *st, size_t *en)
{
	const unsigned char *p = (const unsigned char *)r->pr.data;
	size_t n = r->pr.len, a = open;
	while (a > 0 && !sentence_end(p, n, a - 1))
		a--;
	size_t b = close_end;
	if (!ends_sentence)
		while (b < n && !sentence_end(p, n, b))
			b++;
	if (b < n)
		b++;
	*st = a;
	*en = b;
}

/* Hands one quotation to the callback. */
static void deliver(reader *r, const char *text, size_t tlen, long line,
		    int col, const char *ctx, size_t clen, size_t ctx_at,
		    int block, int unterminated)
{
	if (r->rc || r->nomem)
		return;
	/* The text without white space at its ends. */
	while (tlen && is_space((unsigned char)text[0])) {
		text++;
		tlen--;
	}
	while (tlen && is_space((unsigned char)text[tlen - 1]))
		tlen--;
	qdb_draft_quote q;
	memset(&q, 0, sizeof q);
	q.size = sizeof q;
	q.text.ptr = text;
	q.text.len = tlen;
	q.line = (int)line;
	q.column = col;
	q.context.ptr = ctx;
	q.context.len = clen;
	q.context_at = ctx_at;
	q.block = block;
	q.unterminated = unterminated;
	if (!unterminated && tlen == 0)
		return;
	r->rc = r->cb(&q, r->payload);
}

/* Adds printed [from, to) to b without the quotations in it: the words
 * of another quotation in the sentence name nobody. */
static void add_outside(reader *r, qdb_buf *b, size_t from, size_t to)
{
	const unsigned char *p = (const unsigned char *)r->pr.data;
	size_t i = from, run = from;
	unsigned c1 = 0, c2 = 0, opener = 0;
	int in = 0;
	while (i < to) {
		size_t l;
		unsigned cp = cp_at(p, to, i, &l);
		if (!in && opens(p, to, i, l, cp, &c1, &c2)) {
			add_plain(r, b, (const char *)p + run, i - run);
			in = 1;
			opener = cp;
		} else if (in && (cp == c1 || cp == c2) && (opener == '"' ||
			   closes(p, to, i, l, cp))) {
			in = 0;
			run = i + l;
		}
		i += l;
	}
	if (!in)
		add_plain(r, b, (const char *)p + run, to - run);
}

/* i moved forward, or back, to the start of a character of p[0, n):
 * a sentence's bounds are found byte by byte, and a context must be
 * whole characters. */
static size_t char_ceil(const unsigned char *p, size_t n, size_t i)
{
	while (i < n && (p[i] & 0xC0) == 0x80)
		i++;
	return i;
}

static size_t char_floor(const unsigned char *p, size_t n, size_t i)
{
	while (i > 0 && i < n && (p[i] & 0xC0) == 0x80)
		i--;
	return i;
}

/* The context of printed [open, close_end) into ctx: the sentence with
 * the quotation left out, or the previous paragraph's last sentence when
 * the sentence holds nothing else. */
static void context(reader *r, qdb_buf *ctx, size_t *at, size_t open,
		    size_t close_end, int ends_sentence)
{
	const unsigned char *pr = (const unsigned char *)r->pr.data;
	size_t st, en;
	sentence(r, open, close_end, ends_sentence, &st, &en);
	st = char_ceil(pr, r->pr.len, st);
	en = char_floor(pr, r->pr.len, en);
	if (st > open)
		st = open;
	if (en < close_end)
		en = close_end;
	ctx->len = 0;
	add_outside(r, ctx, st, open);
	*at = ctx->len;
	add_outside(r, ctx, close_end, en);
	int empty = 1;
	for (size_t k = 0; k < ctx->len && empty; k++)
		empty = is_space((unsigned char)ctx->data[k]) ||
			strchr(",.;:!?()—–-", ctx->data[k]);
	if (!empty)
		return;
	/* The sentence before it introduces it, in this paragraph or at
	 * the end of the previous one. */
	ctx->len = 0;
	if (st > 0) {
		const unsigned char *p = (const unsigned char *)r->pr.data;
		size_t b = st;
		while (b > 0 && is_space(p[b - 1]))
			b--;
		size_t a = b;
		while (a > 0 && !sentence_end(p, r->pr.len, a - 1))
			a--;
		a = char_ceil(p, r->pr.len, a);
		b = char_floor(p, r->pr.len, b);
		if (a < b)
			add_outside(r, ctx, a, b);
	} else if (r->prev.len) {
		add_plain(r, ctx, r->prev.data, r->prev.len);
	}
	*at = ctx->len;
}

/* The paragraph's last sentence becomes r->prev. */
static void keep_last_sentence(reader *r)
{
	const unsigned char *p = (const unsigned char *)r->pr.data;
	size_t n = r->pr.len;
	while (n && is_space(p[n - 1]))
		n--;
	if (n == 0)
		return;
	size_t a = n - 1;
	while (a > 0 && !sentence_end(p, n, a - 1) && n - a < PREV_MAX)
		a--;
	while (a < n && (p[a] & 0xC0) == 0x80)
		a++;
	r->prev.len = 0;
	add_outside(r, &r->prev, a, n);
}

static void unterminated(reader *r, pending *pd)
{
	deliver(r, "", 0, pd->line, pd->col, "", 0, 0, 0, 1);
	pd->open = 0;
}

/* Scans the printed paragraph for quotations. */
static void scan_printed(reader *r)
{
	const unsigned char *p = (const unsigned char *)r->pr.data;
	size_t n = r->pr.len, i = 0;
	pending *pd = &r->pend;
	qdb_buf ctx = { 0 };
	size_t ctx_at = 0;
	/* A pending quotation goes on when this paragraph opens with its
	 * mark; otherwise it was never closed. */
	int in = 0, depth = 0;
	size_t start = 0, open = 0;
	unsigned closer = 0, closer2 = 0, opener = 0;
	long oline = 0;
	int ocol = 0;
	if (pd->open) {
		size_t k = 0, l;
		while (k < n && is_space(p[k]))
			k++;
		if (k < n && cp_at(p, n, k, &l) == pd->opener) {
			in = 1;
			depth = 1;
			opener = pd->opener;
			closer = pd->closer;
			closer2 = pd->closer2;
			start = i = k + l;
			open = 0;
			if (qdb__buf_add(&pd->text, "\n", 1))
				nomem(r);
		} else {
			unterminated(r, pd);
		}
	}
	while (i < n && !r->rc && !r->nomem) {
		size_t l;
		unsigned cp = cp_at(p, n, i, &l);
		if (!in) {
			if (opens(p, n, i, l, cp, &closer, &closer2)) {
				in = 1;
				depth = 1;
				opener = cp;
				open = i;
				start = i + l;
				position(r, r->map[i], &oline, &ocol);
			}
			i += l;
			continue;
		}
		/* Inside: only this quotation's own marks count. */
		if (cp == opener && opener == OPEN_MARK) {
			depth++;
		} else if ((cp == closer || cp == closer2) &&
			   closes(p, n, i, l, cp) && --depth == 0) {
			in = 0;
			const char *text = (const char *)p + start;
			size_t tlen = i - start;
			int ends = tlen && strchr(".!?", text[tlen - 1]);
			if (pd->open) {
				add_plain(r, &pd->text, text, tlen);
				deliver(r, pd->text.data, pd->text.len,
					pd->line, pd->col, pd->ctx.data,
					pd->ctx.len, pd->ctx_at, 0, 0);
				pd->open = 0;
			} else {
				qdb_buf t = { 0 };
				add_plain(r, &t, text, tlen);
				context(r, &ctx, &ctx_at, open, i + l, ends);
				deliver(r, t.data, t.len, oline, ocol,
					ctx.data, ctx.len, ctx_at, 0, 0);
				qdb__buf_free(&t);
			}
		}
		i += l;
	}
	if (in && !r->rc && !r->nomem) {
		/* Open at the paragraph's end: a double mark may go on in
		 * the next paragraph; a single one is never closed. */
		if (!pd->open) {
			pd->open = 1;
			pd->opener = opener;
			pd->closer = closer;
			pd->closer2 = closer2;
			pd->line = oline;
			pd->col = ocol;
			pd->text.len = 0;
			context(r, &pd->ctx, &pd->ctx_at, open, n, 0);
		}
		add_plain(r, &pd->text, (const char *)p + start, n - start);
		if (is_single(opener) || opener == OPEN_MARK)
			unterminated(r, pd);
	}
	qdb__buf_free(&ctx);
}

/* A Markdown block quote: the whole paragraph is one quotation. */
static void block_quote(reader *r)
{
	const unsigned char *p = (const unsigned char *)r->pr.data;
	size_t n = r->pr.len, a = 0;
	while (a < n && is_space(p[a]))
		a++;
	if (a == n)
		return;
	size_t b = n, l;
	/* Marks around the whole block are not part of it. */
	unsigned c1, c2, cp = cp_at(p, n, a, &l);
	size_t start = a;
	if (opens(p, n, a, l, cp, &c1, &c2) && !is_single(cp)) {
		while (b > a && is_space(p[b - 1]))
			b--;
		size_t k = b - 1;
		while (k > a && (p[k] & 0xC0) == 0x80)
			k--;
		size_t kl;
		unsigned last = cp_at(p, n, k, &kl);
		if (k > a && (last == c1 || last == c2)) {
			start = a + l;
			b = k;
		}
	}
	long line;
	int col;
	position(r, r->map[a], &line, &col);
	qdb_buf t = { 0 };
	add_plain(r, &t, (const char *)p + start, b - start);
	deliver(r, t.data, t.len, line, col, r->prev.data ? r->prev.data : "",
		r->prev.len, r->prev.len, 1, 0);
	qdb__buf_free(&t);
}

/* Reads the gathered paragraph, then forgets it. */
static void flush_para(reader *r)
{
	if (r->nlines == 0)
		return;
	r->pr.len = 0;
	if (r->fmt == QDB_DRAFT_LATEX)
		print_latex(r);
	else
		print_markdown(r);
	if (!r->nomem && r->pr.len) {
		if (r->block) {
			if (r->pend.open)
				unterminated(r, &r->pend);
			block_quote(r);
		} else {
			scan_printed(r);
		}
		keep_last_sentence(r);
	}
	r->raw.len = 0;
	r->nlines = 0;
	r->block = 0;
}

/* ---- the line loop -------------------------------------------------- */

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

static void markdown_line(reader *r, const char *s, size_t n)
{
	size_t ind = 0;
	while (ind < n && ind < 4 && s[ind] == ' ')
		ind++;
	/* Fenced code blocks. */
	if (r->fmt == QDB_DRAFT_MARKDOWN && ind < 4 && n - ind >= 3 &&
	    (s[ind] == '`' || s[ind] == '~')) {
		size_t k = run_of(s, n, ind, s[ind]);
		if (k >= 3 && (!r->fence || (s[ind] == r->fence_ch &&
					     k >= r->fence_len))) {
			flush_para(r);
			if (r->fence) {
				r->fence = 0;
			} else {
				r->fence = 1;
				r->fence_ch = s[ind];
				r->fence_len = k;
			}
			r->blank_before = 1;
			return;
		}
	}
	if (r->fence)
		return;
	if (blank(s, n)) {
		flush_para(r);
		r->blank_before = 1;
		return;
	}
	if (r->fmt == QDB_DRAFT_MARKDOWN) {
		/* Indented code after a blank line. */
		if (r->nlines == 0 && r->blank_before &&
		    (ind == 4 || (n && s[0] == '\t')))
			return;
		if (ind < 4 && ind < n && s[ind] == '>') {
			if (!r->block)
				flush_para(r);
			r->block = 1;
			size_t k = ind + 1;
			if (k < n && s[k] == ' ')
				k++;
			para_add_line(r, s + k, n - k, (int)k);
			r->blank_before = 0;
			return;
		}
		if (r->block)
			flush_para(r);
		/* A heading is a paragraph of its own. */
		if (ind < n && s[ind] == '#') {
			flush_para(r);
			para_add_line(r, s, n, 0);
			flush_para(r);
			r->blank_before = 1;
			return;
		}
	}
	r->blank_before = 0;
	para_add_line(r, s, n, 0);
	if (r->raw.len > PARA_MAX_BYTES)
		flush_para(r);
}

/* Braces and quote environments still open after line s, so that a
 * blank line inside a quote environment does not end the paragraph. */
static int tex_depth_after(int d, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%')
			break;
		if (s[i] == '\\') {
			if (is_env(s, n, i, "\\begin"))
				d++;
			else if (is_env(s, n, i, "\\end"))
				d--;
			i++;
			continue;
		}
		d += s[i] == '{';
		d -= s[i] == '}';
	}
	return d < 0 ? 0 : d;
}

static int contains(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	for (size_t i = 0; i + k <= n; i++) {
		if (s[i] == '%')
			return 0;
		if (!memcmp(s + i, w, k))
			return 1;
	}
	return 0;
}

static void latex_line(reader *r, const char *s, size_t n)
{
	if (r->doc_end)
		return;
	if (r->verbatim) {
		if (contains(s, n, "\\end{verbatim}") ||
		    contains(s, n, "\\end{lstlisting}") ||
		    contains(s, n, "\\end{minted}"))
			r->verbatim = 0;
		return;
	}
	if (contains(s, n, "\\documentclass"))
		r->preamble = 1;
	if (r->preamble) {
		if (contains(s, n, "\\begin{document}"))
			r->preamble = 0;
		return;
	}
	if (contains(s, n, "\\end{document}")) {
		r->doc_end = 1;
		flush_para(r);
		return;
	}
	if (contains(s, n, "\\begin{verbatim}") ||
	    contains(s, n, "\\begin{lstlisting}") ||
	    contains(s, n, "\\begin{minted}")) {
		flush_para(r);
		r->verbatim = 1;
		return;
	}
	if (blank(s, n) && r->tex_depth == 0) {
		flush_para(r);
		return;
	}
	para_add_line(r, s, n, 0);
	r->tex_depth = tex_depth_after(r->tex_depth, s, n);
	if (r->raw.len > PARA_MAX_BYTES) {
		flush_para(r);
		r->tex_depth = 0;
	}
}

qdb_draft_format qdb_draft_format_of(const char *name)
{
	const char *dot = name ? strrchr(name, '.') : NULL;
	if (!dot || strchr(dot, '/'))
		return QDB_DRAFT_TEXT;
	if (!strcmp(dot, ".md") || !strcmp(dot, ".markdown") ||
	    !strcmp(dot, ".mdown") || !strcmp(dot, ".mkd"))
		return QDB_DRAFT_MARKDOWN;
	if (!strcmp(dot, ".tex") || !strcmp(dot, ".ltx") ||
	    !strcmp(dot, ".latex"))
		return QDB_DRAFT_LATEX;
	return QDB_DRAFT_TEXT;
}

int qdb_draft_read(const char *name, qdb_draft_format fmt, qdb_read_fn read,
		   void *src, qdb_draft_cb cb, void *payload, qdb_error *err)
{
	qdb_error local;
	if (!err)
		err = &local;
	memset(err, 0, sizeof *err);
	if (!read || !cb || (unsigned)fmt > QDB_DRAFT_LATEX)
		return qdb__error_set(err, QDB_EINVALID, "qdb_draft_read: "
				      "bad arguments");
	snprintf(err->file, sizeof err->file, "%s", name ? name : "");
	reader *r = calloc(1, sizeof *r);
	if (!r)
		return qdb__error_set(err, QDB_ENOMEM, "out of memory");
	r->fmt = fmt;
	r->name = name;
	r->read = read;
	r->src = src;
	r->cb = cb;
	r->payload = payload;
	r->err = err;
	r->blank_before = 1;
	int rc;
	while ((rc = next_line(r)) > 0 && !r->rc && !r->nomem) {
		if (fmt == QDB_DRAFT_LATEX)
			latex_line(r, r->line.data, r->line.len);
		else
			markdown_line(r, r->line.data, r->line.len);
	}
	if (rc == 0 && !r->rc && !r->nomem) {
		flush_para(r);
		if (r->pend.open)
			unterminated(r, &r->pend);
	}
	if (r->nomem)
		rc = QDB_ENOMEM;
	else if (r->rc)
		rc = r->rc;
	else if (rc > 0)
		rc = 0;
	qdb__buf_free(&r->line);
	qdb__buf_free(&r->raw);
	qdb__buf_free(&r->pr);
	qdb__buf_free(&r->prev);
	qdb__buf_free(&r->pend.text);
	qdb__buf_free(&r->pend.ctx);
	free(r->lines);
	free(r->map);
	free(r);
	return rc;
}
