/*
 * texescape.h: text made safe for LaTeX, for the plugins of this tree
 * that write quotations into a TeX file (latex-data; plugins/latex.c has
 * its own copy of these rules, kept byte for byte the same).
 *
 * The guarantees, those of the appendix (see plugins/latex.c): every
 * character TeX treats specially is written as a command (\textbackslash{},
 * \{, \textasciitilde{} ...), and so are the ASCII characters fonts turn
 * into other glyphs (' ` " < > |); a pair fonts would join into one glyph
 * (-- into an en dash, ‘‘ into “, !‘ into ¡, << into « ...) is kept apart
 * with \kern0pt{}, which stops the ligature in pdfTeX and in LuaTeX; so no
 * text reaches TeX as markup.  Control characters are refused; with charset
 * latin, so is a character the two engines cannot both set with T1 + Latin
 * Modern and Latin Modern OpenType (measured with TeX Live 2022).
 * Characters pdftotext would read back as something else are written
 * \qdbu{HEX}{c} and the ellipsis \qdbellipsis{}: the document defines them
 * (quotedb.sty does, with an ActualText span under pdfTeX).
 *
 * Private to the plugins of this tree, like outbuf.h: static inline, so
 * each plugin still builds from its own file into one .so.
 */
#ifndef QDB_PLUGINS_TEXESCAPE_H
#define QDB_PLUGINS_TEXESCAPE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "outbuf.h"
#include "utf8.h"

/*
 * What both engines set with the standalone preamble, beyond ASCII: every
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
	0x2010, 0x2011, 0x20A6, 0x20B1, 0x2117,
};

static inline int qdb_tex_needs_actual_text(uint32_t c)
{
	size_t lo = 0;
	size_t hi = sizeof qdb_tex_actual_text /
		sizeof qdb_tex_actual_text[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (qdb_tex_actual_text[mid] == c)
			return 1;
		if (qdb_tex_actual_text[mid] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
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

static inline int qdb_tex_is_latin(uint32_t c)
{
	if (c >= 0x20 && c < 0x7F)
		return 1;
	if (c == '\t' || qdb_utf8_is_break(c) || qdb_tex_command(c))
		return 1;
	const size_t n = sizeof qdb_tex_latin_ranges /
		sizeof qdb_tex_latin_ranges[0];
	for (size_t i = 0; i < n; i++)
		if (c >= qdb_tex_latin_ranges[i][0] &&
		    c <= qdb_tex_latin_ranges[i][1])
			return 1;
	return 0;
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

static inline int qdb_tex_is_control(uint32_t c)
{
	return (c < 0x20 && c != '\t' && !qdb_utf8_is_break(c)) ||
	       c == 0x7F || (c >= 0x80 && c < 0xA0 && c != 0x85);
}

/*
 * Whether p[0, n) can be written: 0, or QDB_EINVALID with *why ("not
 * valid UTF-8", "control character", "not in charset latin"), the
 * character in *cp (0 for bad UTF-8) and its byte offset in *at.
 */
static inline int qdb_tex_check(const char *p, size_t n, int any_chars,
				const char **why, uint32_t *cp, size_t *at)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;
	while (i < n) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			i++;
			continue;
		}
		uint32_t c = 0;
		size_t k = qdb_utf8_decode(&c, u + i, n - i);
		*cp = c;
		*at = i;
		if (k == 0) {
			*cp = 0;
			*why = "not valid UTF-8";
			return QDB_EINVALID;
		}
		if (qdb_tex_is_control(c)) {
			*why = "control character";
			return QDB_EINVALID;
		}
		if (!any_chars && !qdb_tex_is_latin(c)) {
			*why = "cannot be set by both pdflatex and lualatex "
				"(use -O charset=any if your document's fonts "
				"have it)";
			return QDB_EINVALID;
		}
		i += k;
	}
	return 0;
}

/*
 * Writes p[0, n), which qdb_tex_check accepted, escaped into b.  A run of
 * line breaks (LF, CR, CRLF, NEL, U+2028, U+2029) is written brk.  The
 * text ends with \kern0pt{} when its last character could join what
 * follows it (a separator, a closing quotation mark) into a ligature.
 */
static inline int qdb_tex_put(qdb_outbuf *b, const char *p, size_t n,
			      const char *brk)
{
	const unsigned char *u = (const unsigned char *)p;
	uint32_t prev = 0;
	size_t i = 0;
	int rc;
	while (i < n) {
		if (qdb_tex_plain_ascii(u[i])) {
			size_t j = i + 1;
			while (j < n && qdb_tex_plain_ascii(u[j]))
				j++;
			if ((rc = qdb_outbuf_put(b, p + i, j - i)))
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
		if (qdb_utf8_is_break(c)) {
			while (i < n && (k = qdb_utf8_decode(&c, u + i,
							     n - i)) &&
			       qdb_utf8_is_break(c))
				i += k;
			if ((rc = qdb_outbuf_put(b, brk, strlen(brk))))
				return rc;
			prev = 0;
			continue;
		}
		if (qdb_tex_ligature(prev, c) &&
		    (rc = qdb_outbuf_put(b, "\\kern0pt{}", 10)))
			return rc;
		cmd = qdb_tex_command(c);
		if (cmd) {
			rc = qdb_outbuf_put(b, cmd, strlen(cmd));
		} else if (qdb_tex_needs_actual_text(c)) {
			char head[16];
			int hn = snprintf(head, sizeof head, "\\qdbu{%04X}{",
					  (unsigned)c);
			rc = qdb_outbuf_put(b, head, (size_t)hn);
			if (!rc)
				rc = qdb_outbuf_put(b, p + i, k);
			if (!rc)
				rc = qdb_outbuf_put(b, "}", 1);
		} else {
			rc = qdb_outbuf_put(b, p + i, k);
		}
		if (rc)
			return rc;
		prev = c;
		i += k;
	}
	if (qdb_tex_ligature(prev, ',') || qdb_tex_ligature(prev, '-') ||
	    qdb_tex_ligature(prev, prev) || qdb_tex_ligature(prev, 0x2018) ||
	    qdb_tex_ligature(prev, 0x2019))
		return qdb_outbuf_put(b, "\\kern0pt{}", 10);
	return 0;
}

#endif
