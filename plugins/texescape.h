/*
 * texescape.h: text made safe for LaTeX, the one escaper of the plugins
 * of this tree that write quotations into a TeX file (latex, the
 * appendix; latex-data, the data for quotedb.sty).  Both write a text the
 * same way, byte for byte; only what a line break becomes differs.
 *
 * Exactness.  Every character TeX treats specially is written as a
 * command (\textbackslash{}, \{, \textasciitilde{} ...), and so are the
 * ASCII characters fonts turn into other glyphs (' ` " < > |).  A pair the
 * fonts would join into one glyph (-- into an en dash, ‘‘ into “, !‘ into
 * ¡, << into « ...) is kept apart with \kern0pt{}: an empty group does
 * that in pdfTeX but not in LuaTeX, which forms ligatures after the
 * paragraph is built.  So no text can reach TeX as markup: "\input",
 * "^^5c" or "%" are printed, not obeyed.  A run of line breaks (LF, CR,
 * CRLF, NEL, U+2028, U+2029) is written as the caller says (\par, a
 * space, \qdbpar{}).  Control characters are always refused.
 *
 * Characters.  With charset any, every script is written: runs of Greek
 * and Cyrillic inside \qdbgreek{...} / \qdbcyrillic{...} (LGR and T2A
 * under pdflatex, nothing under lualatex), and qdb_tex.needs_lua is set
 * once a character pdflatex cannot set has been checked.  With charset
 * latin, a character the old preamble (T1 + Latin Modern in pdflatex,
 * Latin Modern OpenType in lualatex) cannot set in both engines is
 * refused: the list below was measured with TeX Live 2022.  Characters
 * pdftotext would read back as something else are written \qdbu{HEX}{c}
 * and the ellipsis \qdbellipsis{}: the document defines them (with an
 * ActualText span under pdfTeX).
 *
 * Long content.  Long tokens get places to break (\qdbbreak{}), CJK text
 * places between characters (\qdbcjkbreak{}), output lines end before
 * TeX's input buffer could fill, and a very long paragraph is cut into
 * paragraphs TeX breaks into lines one at a time (see qdb_tex_before).
 *
 * Private to the plugins of this tree, like outbuf.h: static inline, so
 * each plugin still builds from its own file into one .so.
 */
#ifndef QDB_PLUGINS_TEXESCAPE_H
#define QDB_PLUGINS_TEXESCAPE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbuf.h"
#include "utf8.h"

/* The writer: where the output goes and what the escaper keeps between
 * calls.  The caller writes its own markup with qdb_tex_raw, so col stays
 * right. */
typedef struct qdb_tex {
	qdb_outbuf *out;   /* borrowed */
	size_t col;        /* bytes written since the last newline */
	size_t par;        /* bytes since the last paragraph break or seam */
	int any_chars;     /* charset any (1) or latin (0) */
	int needs_lua;     /* a character pdflatex cannot set was checked */
} qdb_tex;

/* Which last characters of a text get \kern0pt{} after them. */
enum {
	QDB_TEX_END_NONE,   /* nothing the plugin writes can join them */
	QDB_TEX_END_SEP,    /* the plugin's separators ", " may follow */
	QDB_TEX_END_QUOTE,  /* a separator or a quotation mark may follow */
};

/* How one text is written. */
typedef struct qdb_tex_style {
	const char *brk;   /* written for a run of line breaks */
	const char *seam;  /* NULL, or where a paragraph grew long, written
			    * at a place to break (see qdb_tex_before) */
	int end;           /* QDB_TEX_END_* */
} qdb_tex_style;

/* Writes n bytes as they are, keeping count of the bytes since the last
 * newline and since the last paragraph break. */
static inline int qdb_tex_raw(qdb_tex *t, const char *p, size_t n)
{
	size_t k = n;
	while (k > 0 && p[k - 1] != '\n')
		k--;
	t->col = k ? n - k : t->col + n;
	t->par += n;
	return qdb_outbuf_put(t->out, p, n);
}

static inline int qdb_tex_raws(qdb_tex *t, const char *s)
{
	return qdb_tex_raw(t, s, strlen(s));
}

/* ---- Characters ---------------------------------------------------- */

static inline int qdb_tex_is_control(uint32_t c)
{
	return (c < 0x20 && c != '\t' && !qdb_utf8_is_break(c)) ||
	       c == 0x7F || (c >= 0x80 && c < 0xA0 && c != 0x85);
}

/*
 * What both engines set with the latin preamble, beyond ASCII: every
 * character from U+00A0 to U+024F, U+02B0 to U+02FF and U+2000 to U+215F
 * (and a few more) was typeset with pdflatex (T1, lmodern) and lualatex
 * (fontspec, Latin Modern); these are the ones neither refused.
 */
static const uint32_t qdb_tex_latin_ranges[][2] = {
	{ 0x00A0, 0x0125 }, { 0x0128, 0x0137 }, { 0x0139, 0x013E },
	{ 0x0141, 0x0148 }, { 0x014A, 0x0165 }, { 0x0168, 0x017E },
	{ 0x0192, 0x0192 }, { 0x01CD, 0x01D4 }, { 0x01E6, 0x01E7 },
	{ 0x01EA, 0x01EB }, { 0x01F0, 0x01F0 }, { 0x01F4, 0x01F5 },
	{ 0x0218, 0x021B }, { 0x0237, 0x0237 }, { 0x02C6, 0x02C7 },
	{ 0x02D8, 0x02D9 }, { 0x02DB, 0x02DD }, { 0x200C, 0x200C },
	{ 0x2010, 0x2011 }, { 0x2013, 0x2014 }, { 0x2016, 0x2016 },
	{ 0x2018, 0x201A }, { 0x201C, 0x201E }, { 0x2020, 0x2022 },
	{ 0x2026, 0x2026 }, { 0x2030, 0x2030 }, { 0x2039, 0x203B },
	{ 0x203D, 0x203D }, { 0x2044, 0x2044 }, { 0x20A1, 0x20A1 },
	{ 0x20A4, 0x20A4 }, { 0x20A6, 0x20A6 }, { 0x20A9, 0x20A9 },
	{ 0x20AB, 0x20AC }, { 0x20B1, 0x20B1 }, { 0x2103, 0x2103 },
	{ 0x2116, 0x2117 }, { 0x2122, 0x2122 }, { 0x212E, 0x212E },
	{ 0x2190, 0x2193 }, { 0xFB00, 0xFB04 },
};

/*
 * Characters pdflatex draws right but pdftotext (and copy and paste) would
 * read back as something else: accents built from two glyphs, glyphs T1
 * shares with other characters (U+2010 is "-", U+02C6 is "^"), TS1 symbols
 * without a Unicode name.  They are written \qdbu{hex}{c}, which under
 * pdfTeX puts c in an ActualText span naming the character.  Sorted.
 */
static const uint16_t qdb_tex_actual_text[] = {
	0x00B2, 0x00B3, 0x00B9, 0x0110, 0x0122, 0x0123, 0x0129, 0x012B,
	0x012D, 0x012E, 0x012F, 0x0135, 0x0136, 0x0137, 0x013B, 0x013C,
	0x0145, 0x0146, 0x0156, 0x0157, 0x0172, 0x0173, 0x01D0, 0x01EA,
	0x01EB, 0x01F0, 0x0218, 0x0219, 0x021A, 0x021B, 0x02C6, 0x02DC,
	/* LGR builds the capitals with tonos from two glyphs; T2A draws
	 * the Ukrainian and Serbian I, J with the Latin ones */
	0x0386, 0x0388, 0x0389, 0x038A, 0x038C, 0x038E, 0x038F, 0x0406,
	0x0408, 0x0456, 0x0458,
	0x2010, 0x2011, 0x20A6, 0x20B1, 0x2117,
};

/*
 * Greek (LGR) and Cyrillic (T2A) that pdflatex sets with the preamble of
 * charset any and pdftotext reads back (some through \qdbu): measured
 * with TeX Live 2022, cbfonts and cm-super, by setting every assigned
 * character of U+0370-U+03FF, U+0400-U+052F and U+1F00-U+1FFF.  The
 * polytonic capitals, built from pieces, are left to lualatex.
 */
static const uint32_t qdb_tex_pdftex_ranges[][2] = {
	{ 0x0375, 0x0375 }, { 0x0384, 0x038A }, { 0x038C, 0x038C },
	{ 0x038E, 0x03A1 }, { 0x03A3, 0x03CE }, { 0x03D8, 0x03DD },
	{ 0x03DF, 0x03E1 }, { 0x0400, 0x045F }, { 0x0490, 0x0493 },
	{ 0x0496, 0x049D }, { 0x04A0, 0x04A5 }, { 0x04AA, 0x04AB },
	{ 0x04AE, 0x04B3 }, { 0x04B6, 0x04BB }, { 0x04C0, 0x04C2 },
	{ 0x04D0, 0x04DF }, { 0x04E2, 0x04E9 }, { 0x04EC, 0x04F5 },
	{ 0x04F8, 0x04F9 }, { 0x1F00, 0x1F07 }, { 0x1F10, 0x1F15 },
	{ 0x1F20, 0x1F27 }, { 0x1F30, 0x1F37 }, { 0x1F40, 0x1F45 },
	{ 0x1F50, 0x1F57 }, { 0x1F60, 0x1F67 }, { 0x1F70, 0x1F70 },
	{ 0x1F72, 0x1F72 }, { 0x1F74, 0x1F74 }, { 0x1F76, 0x1F76 },
	{ 0x1F78, 0x1F78 }, { 0x1F7A, 0x1F7A }, { 0x1F7C, 0x1F7C },
	{ 0x1F80, 0x1F87 }, { 0x1F90, 0x1F97 }, { 0x1FA0, 0x1FA7 },
	{ 0x1FB0, 0x1FB4 }, { 0x1FB6, 0x1FB9 }, { 0x1FBF, 0x1FC4 },
	{ 0x1FC6, 0x1FC7 }, { 0x1FCD, 0x1FD2 }, { 0x1FD6, 0x1FD9 },
	{ 0x1FDD, 0x1FE2 }, { 0x1FE4, 0x1FE9 }, { 0x1FED, 0x1FED },
	{ 0x1FF2, 0x1FF4 }, { 0x1FF6, 0x1FF7 }, { 0x1FFE, 0x1FFE },
};

static inline int qdb_tex_u16_cmp(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static inline int qdb_tex_needs_actual_text(uint32_t c)
{
	uint16_t key = (uint16_t)c;
	return c <= 0xFFFF &&
	       bsearch(&key, qdb_tex_actual_text,
		       sizeof qdb_tex_actual_text /
		       sizeof qdb_tex_actual_text[0],
		       sizeof qdb_tex_actual_text[0], qdb_tex_u16_cmp);
}

/* Characters written as commands (the rest is written as it is). */
static inline const char *qdb_tex_command(uint32_t c)
{
	switch (c) {
	case '\\': return "\\textbackslash{}";
	case '{': return "\\{";
	case '}': return "\\}";
	case '$': return "\\$";
	case '&': return "\\&";
	case '#': return "\\#";
	case '%': return "\\%";
	case '_': return "\\_";
	case '^': return "\\textasciicircum{}";
	case '~': return "\\textasciitilde{}";
	/* [ ] can be taken for an optional argument after a macro */
	case '[': return "{[}";
	case ']': return "{]}";
	/* T1 and TeX ligatures turn these into other glyphs */
	case '<': return "\\textless{}";
	case '>': return "\\textgreater{}";
	case '|': return "\\textbar{}";
	case '"': return "\\textquotedbl{}";
	case '\'': return "\\textquotesingle{}";
	case '`': return "\\textasciigrave{}";
	case '\t': return " ";
	/* pdflatex builds … from three dots: ActualText keeps it one */
	case 0x2026: return "\\qdbellipsis{}";
	/* spaces Latin Modern has no glyph for */
	case 0x2002: case 0x2007: return "\\enspace{}";
	case 0x2003: return "\\quad{}";
	case 0x2004: case 0x2005: case 0x2006: case 0x2008: case 0x2009:
	case 0x200A: case 0x202F: case 0x205F: return "\\,";
	case 0x200B: return "\\hspace{0pt}";
	case 0x2060: case 0xFEFF: return "\\nobreak{}";
	case 0x2212: return "\\textminus{}";
	}
	return NULL;
}

static inline int qdb_tex_in_ranges(uint32_t c, const uint32_t (*r)[2],
				    size_t n)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c < r[mid][0])
			hi = mid;
		else if (c > r[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static inline int qdb_tex_is_latin(uint32_t c)
{
	if (c >= 0x20 && c < 0x7F)
		return 1;
	if (c == '\t' || qdb_utf8_is_break(c) || qdb_tex_command(c))
		return 1;
	return qdb_tex_in_ranges(c, qdb_tex_latin_ranges,
				 sizeof qdb_tex_latin_ranges /
				 sizeof qdb_tex_latin_ranges[0]);
}

/* What pdflatex sets with the preamble of charset any; for the rest the
 * document needs lualatex. */
static inline int qdb_tex_pdftex_ok(uint32_t c)
{
	return qdb_tex_is_latin(c) ||
	       qdb_tex_in_ranges(c, qdb_tex_pdftex_ranges,
				 sizeof qdb_tex_pdftex_ranges /
				 sizeof qdb_tex_pdftex_ranges[0]);
}

/*
 * The scripts pdflatex sets in another font encoding than T1: a run of
 * them is written inside \qdbgreek{...} or \qdbcyrillic{...}, which switch
 * to LGR or T2A under pdflatex and do nothing under lualatex.
 */
enum { QDB_TEX_RUN_NONE, QDB_TEX_RUN_GREEK, QDB_TEX_RUN_CYRILLIC };

static inline int qdb_tex_run_of(uint32_t c)
{
	if ((c >= 0x0370 && c <= 0x03FF) || (c >= 0x1F00 && c <= 0x1FFF))
		return QDB_TEX_RUN_GREEK;
	if (c >= 0x0400 && c <= 0x052F)
		return QDB_TEX_RUN_CYRILLIC;
	return QDB_TEX_RUN_NONE;
}

/* Combining marks stay with the letter before them, in its run. */
static inline int qdb_tex_is_combining(uint32_t c)
{
	return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
	       (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
	       (c >= 0xFE20 && c <= 0xFE2F);
}

/*
 * Chinese and Japanese are written without spaces, so TeX finds no place
 * to break a line: the escaper puts \qdbcjkbreak{} (a line break allowed)
 * between two CJK characters, except before closing punctuation and after
 * opening punctuation, which stay with their neighbour (the basic rule of
 * kinsoku shori).
 */
static inline int qdb_tex_is_cjk(uint32_t c)
{
	return (c >= 0x2E80 && c <= 0x2FFF) || (c >= 0x3000 && c <= 0x30FF) ||
	       (c >= 0x3100 && c <= 0x31FF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x20000 && c <= 0x3FFFF);
}

static inline int qdb_tex_cjk_closing(uint32_t c)
{
	static const uint16_t closing[] = {
		0x3001, 0x3002, 0x3009, 0x300B, 0x300D, 0x300F, 0x3011,
		0x3015, 0x3017, 0x3019, 0x301B, 0x301E, 0x303B, 0x3041,
		0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083, 0x3085,
		0x3087, 0x308E, 0x309D, 0x309E, 0x30A1, 0x30A3, 0x30A5,
		0x30A7, 0x30A9, 0x30C3, 0x30E3, 0x30E5, 0x30E7, 0x30EE,
		0x30FC, 0x30FD, 0x30FE, 0xFF01, 0xFF09, 0xFF0C, 0xFF0E,
		0xFF1A, 0xFF1B, 0xFF1F, 0xFF3D, 0xFF5D, 0xFF60, 0xFF61,
		0xFF63, 0xFF64,
	};
	for (size_t i = 0; i < sizeof closing / sizeof closing[0]; i++)
		if (closing[i] == c)
			return 1;
	return 0;
}

static inline int qdb_tex_cjk_opening(uint32_t c)
{
	return c == 0x3008 || c == 0x300A || c == 0x300C || c == 0x300E ||
	       c == 0x3010 || c == 0x3014 || c == 0x3016 || c == 0x3018 ||
	       c == 0x301A || c == 0x301D || c == 0xFF08 || c == 0xFF3B ||
	       c == 0xFF5B || c == 0xFF5F || c == 0xFF62;
}

/*
 * Pairs the fonts would join into one glyph: -- (en dash), –- (em dash),
 * ‘‘ and ’’ (double quotes), !‘ and ?‘ (¡ ¿), ,, („), << and >> (« »).
 * pdflatex sets U+2010 (hyphen) as "-", so it joins like one.  Found by
 * typesetting every pair of punctuation characters with both engines.
 */
static inline int qdb_tex_ligature(uint32_t a, uint32_t b)
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

/*
 * Checks that p[0, n) can be written.  what names it in the message (the
 * host is told why, with the character and its byte offset), or is NULL
 * to only say whether it can, quietly.  Either way a character pdflatex
 * cannot set sets t->needs_lua.
 */
static inline int qdb_tex_check(qdb_tex *t, const char *what, const char *p,
				size_t n)
{
	const qdb_plugin_host *h = t->out->host;
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;
	while (i < n) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {   /* printable ASCII */
			i++;
			continue;
		}
		uint32_t c;
		size_t k = qdb_utf8_decode(&c, u + i, n - i);
		if (k && t->any_chars && !qdb_tex_pdftex_ok(c))
			t->needs_lua = 1;
		if (!what && (k == 0 || qdb_tex_is_control(c) ||
			      (!t->any_chars && !qdb_tex_is_latin(c))))
			return QDB_EINVALID;   /* the caller asks again */
		if (k == 0) {
			h->error(h, "%s: not valid UTF-8 at byte %zu", what,
				 i);
			return QDB_EINVALID;
		}
		if (qdb_tex_is_control(c)) {
			h->error(h, "%s: control character U+%04X at byte "
				 "%zu cannot be set in LaTeX", what,
				 (unsigned)c, i);
			return QDB_EINVALID;
		}
		if (!t->any_chars && !qdb_tex_is_latin(c)) {
			h->error(h, "%s: U+%04X \"%.*s\" at byte %zu cannot "
				 "be set with charset=latin (without it every "
				 "script is set)", what, (unsigned)c, (int)k,
				 p + i, i);
			return QDB_EINVALID;
		}
		i += k;
	}
	return 0;
}

/*
 * An ASCII character TeX sets as itself that can never be the second half
 * of a ligature: runs of these are copied as they are, which is most of
 * any text ('-' and ',' pair with themselves, so they take the slow path).
 */
static inline int qdb_tex_plain_ascii(unsigned char c)
{
	/* qdb_tex_command's ASCII cases, and '-' and ',': a table, because
	 * this runs for every byte of every field. */
	static const unsigned char special[128] = {
		['\\'] = 1, ['{'] = 1, ['}'] = 1, ['$'] = 1, ['&'] = 1,
		['#'] = 1, ['%'] = 1, ['_'] = 1, ['^'] = 1, ['~'] = 1,
		['['] = 1, [']'] = 1, ['<'] = 1, ['>'] = 1, ['|'] = 1,
		['"'] = 1, ['\''] = 1, ['`'] = 1, ['-'] = 1, [','] = 1,
	};
	return c >= 0x20 && c < 0x7f && !special[c];
}

/* ---- Long content -------------------------------------------------- */

/*
 * TeX breaks a line at spaces and hyphens (and hyphenates words); a URL
 * or any other long token without them would run into the margin.  So a
 * token gets \qdbbreak{} (a line break allowed, at a cost: \penalty1000,
 * dearer than a hyphenation; the line it ends is set ragged, so a run of
 * them can always be set) after the characters that divide URLs and
 * paths, and after every QDB_TEX_BREAK_EVERY characters without one.  A
 * break there adds no character: nothing is printed in its place.
 *
 * TeX reads its input a line at a time into a buffer of 200,000 bytes,
 * so no output line may grow near that: once a line holds
 * QDB_TEX_LINE_MAX bytes, it ends with "%" before the next character that
 * is not a space (TeX drops spaces at the start of a line; the % keeps the
 * newline from becoming one).  That changes nothing in the PDF.
 *
 * TeX also holds a whole paragraph in memory until it has broken it into
 * lines, and pdfTeX's memory is fixed (5,000,000 words): a paragraph of a
 * MiB overflows it, and well before that pdfTeX slows down as its memory
 * fills (a 256 KiB paragraph took 15 s, 1.2 s with room).  So once a
 * paragraph has QDB_TEX_SEAM output bytes, the next space (or place to
 * break) outside a \qdbgreek/\qdbcyrillic run is written as style->seam,
 * \qdbjoin{}: the paragraph ends there with its last line justified and
 * the next one goes on without indent or space between; the text is
 * unchanged, the space having become a line break.
 */
#define QDB_TEX_BREAK_EVERY 20
#define QDB_TEX_LINE_MAX 4000
#define QDB_TEX_SEAM (32 * 1024)

typedef struct qdb_tex_token {
	unsigned unbroken;   /* characters since a place to break */
	int after_divider;   /* the last character divides a URL */
	int run;             /* QDB_TEX_RUN_* open around the text */
} qdb_tex_token;

static inline int qdb_tex_url_divider(uint32_t c)
{
	return c == '/' || c == '.' || c == '?' || c == '&' || c == '=';
}

/* Whether a seam goes at the next place to break. */
static inline int qdb_tex_seam_due(const qdb_tex *t, const qdb_tex_style *s,
				   const qdb_tex_token *k)
{
	return s->seam && t->par >= QDB_TEX_SEAM &&
	       k->run == QDB_TEX_RUN_NONE;
}

static inline int qdb_tex_seam(qdb_tex *t, const qdb_tex_style *s)
{
	int rc = qdb_tex_raws(t, s->seam);
	t->par = 0;
	return rc;
}

/* What goes before a character that is not a space. */
static inline int qdb_tex_before(qdb_tex *t, const qdb_tex_style *s,
				 qdb_tex_token *k)
{
	int rc;
	if (k->after_divider || k->unbroken >= QDB_TEX_BREAK_EVERY) {
		rc = qdb_tex_seam_due(t, s, k) ? qdb_tex_seam(t, s)
			: qdb_tex_raws(t, "\\qdbbreak{}");
		if (rc)
			return rc;
		k->unbroken = 0;
	}
	k->after_divider = 0;
	if (t->col >= QDB_TEX_LINE_MAX && (rc = qdb_tex_raws(t, "%\n")))
		return rc;
	return 0;
}

/* Notes character c, just written. */
static inline void qdb_tex_after(qdb_tex_token *k, uint32_t c)
{
	if (c == ' ' || c == '\t' || qdb_utf8_is_break(c) || c == '-') {
		k->unbroken = 0;
		k->after_divider = 0;
		return;
	}
	k->unbroken++;
	k->after_divider = qdb_tex_url_divider(c);
}

/* Writes the plain ASCII run p[0..n), with what qdb_tex_before adds, and
 * a seam for a space when one is due. */
static inline int qdb_tex_plain(qdb_tex *t, const qdb_tex_style *s,
				qdb_tex_token *k, const char *p, size_t n)
{
	size_t seg = 0;
	int rc;
	for (size_t j = 0; j < n; j++) {
		unsigned char b = (unsigned char)p[j];
		if (b == ' ' && qdb_tex_seam_due(t, s, k)) {
			if ((rc = qdb_tex_raw(t, p + seg, j - seg)) ||
			    (rc = qdb_tex_seam(t, s)))
				return rc;
			seg = j + 1;
		} else if (b != ' ' &&
			   (k->after_divider ||
			    k->unbroken >= QDB_TEX_BREAK_EVERY ||
			    t->col + (j - seg) >= QDB_TEX_LINE_MAX)) {
			if ((rc = qdb_tex_raw(t, p + seg, j - seg)) ||
			    (rc = qdb_tex_before(t, s, k)))
				return rc;
			seg = j;
		}
		qdb_tex_after(k, b);
	}
	return qdb_tex_raw(t, p + seg, n - seg);
}

/* Closes a run of \qdbgreek or \qdbcyrillic when c is not of it; opens
 * one when c starts it. */
static inline int qdb_tex_switch_run(qdb_tex *t, qdb_tex_token *k,
				     uint32_t c)
{
	static const char *const open[] = { "", "\\qdbgreek{",
					    "\\qdbcyrillic{" };
	int want = qdb_tex_run_of(c);
	int rc;
	if (want == k->run ||
	    (k->run != QDB_TEX_RUN_NONE && qdb_tex_is_combining(c)))
		return 0;
	if (k->run != QDB_TEX_RUN_NONE && (rc = qdb_tex_raws(t, "}")))
		return rc;
	k->run = want;
	return want != QDB_TEX_RUN_NONE ? qdb_tex_raws(t, open[want]) : 0;
}

/* ---- Writing ------------------------------------------------------- */

/* Writes p[0, n) escaped, in style s; qdb_tex_check has accepted it. */
static inline int qdb_tex_put(qdb_tex *t, const char *p, size_t n,
			      const qdb_tex_style *s)
{
	const unsigned char *u = (const unsigned char *)p;
	uint32_t prev = 0;
	size_t i = 0;
	int rc;
	qdb_tex_token tok = { 0, 0, QDB_TEX_RUN_NONE };
	if (s->seam)
		t->par = 0;   /* a text with seams starts a paragraph */
	while (i < n) {
		if (qdb_tex_plain_ascii(u[i])) {
			size_t j = i + 1;
			while (j < n && qdb_tex_plain_ascii(u[j]))
				j++;
			if (tok.run != QDB_TEX_RUN_NONE &&
			    (rc = qdb_tex_switch_run(t, &tok, u[i])))
				return rc;
			if ((rc = qdb_tex_plain(t, s, &tok, p + i, j - i)))
				return rc;
			prev = u[j - 1];
			i = j;
			continue;
		}
		uint32_t c;
		size_t k = qdb_utf8_decode(&c, u + i, n - i);
		const char *cmd;
		if (k == 0)
			return QDB_EINVALID;
		if (t->any_chars && (rc = qdb_tex_switch_run(t, &tok, c)))
			return rc;
		if (qdb_utf8_is_break(c)) {
			/* a run of line breaks is one paragraph break */
			while (i < n && (k = qdb_utf8_decode(&c, u + i,
							     n - i)) &&
			       qdb_utf8_is_break(c))
				i += k;
			if ((rc = qdb_tex_raws(t, s->brk)))
				return rc;
			t->par = 0;
			qdb_tex_after(&tok, '\n');
			prev = 0;
			continue;
		}
		if (qdb_tex_is_cjk(c) && qdb_tex_is_cjk(prev) &&
		    !qdb_tex_cjk_closing(c) && !qdb_tex_cjk_opening(prev)) {
			rc = qdb_tex_seam_due(t, s, &tok) ? qdb_tex_seam(t, s)
				: qdb_tex_raws(t, "\\qdbcjkbreak{}");
			if (rc)
				return rc;
			tok.unbroken = 0;
		}
		if (c != '\t' && !qdb_tex_is_combining(c) &&
		    (rc = qdb_tex_before(t, s, &tok)))
			return rc;
		if (qdb_tex_ligature(prev, c) &&
		    (rc = qdb_tex_raws(t, "\\kern0pt{}")))
			return rc;
		cmd = qdb_tex_command(c);
		if (cmd) {
			rc = qdb_tex_raws(t, cmd);
		} else if (qdb_tex_needs_actual_text(c)) {
			char head[16];
			snprintf(head, sizeof head, "\\qdbu{%04X}{",
				 (unsigned)c);
			rc = qdb_tex_raws(t, head);
			if (!rc)
				rc = qdb_tex_raw(t, p + i, k);
			if (!rc)
				rc = qdb_tex_raws(t, "}");
		} else {
			rc = qdb_tex_raw(t, p + i, k);
		}
		if (rc)
			return rc;
		qdb_tex_after(&tok, c);
		prev = c;
		i += k;
	}
	if (tok.run != QDB_TEX_RUN_NONE && (rc = qdb_tex_raws(t, "}")))
		return rc;
	/* A text ending in a character that could join what the plugin
	 * writes next into a ligature ("Smith," then ", " would print as
	 * „; ’ then a closing ’ as ”) ends with a break. */
	if ((s->end >= QDB_TEX_END_SEP &&
	     (qdb_tex_ligature(prev, ',') || qdb_tex_ligature(prev, '-') ||
	      qdb_tex_ligature(prev, prev))) ||
	    (s->end >= QDB_TEX_END_QUOTE &&
	     (qdb_tex_ligature(prev, 0x2018) ||
	      qdb_tex_ligature(prev, 0x2019))))
		return qdb_tex_raws(t, "\\kern0pt{}");
	return 0;
}

#endif
