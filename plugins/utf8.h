/*
 * utf8.h: decoding UTF-8 one character at a time, for the plugins of this
 * tree that must look at characters (to escape them, or to refuse one
 * their format cannot hold).  The host only sends valid UTF-8, but a
 * plugin does not rely on that: a bad sequence decodes as length 0.
 *
 * Private to the plugins of this tree, like outbuf.h: static inline, so
 * each plugin still builds from its own file into one .so.
 */
#ifndef QDB_PLUGINS_UTF8_H
#define QDB_PLUGINS_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the sequence at p (n > 0 bytes left) into *cp; returns its
 * length, or 0 when it is not valid UTF-8 (overlong forms, surrogates and
 * values past U+10FFFF included).
 */
static inline size_t qdb_utf8_decode(uint32_t *cp, const unsigned char *p,
				     size_t n)
{
	uint32_t c = p[0];
	size_t len, i;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
		return 0;
	*cp = c;
	return len;
}

/* A line break in a text: LF, CR (CRLF is two, the caller joins them),
 * NEL, U+2028, U+2029. */
static inline int qdb_utf8_is_break(uint32_t c)
{
	return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 ||
	       c == 0x2029;
}

#endif
