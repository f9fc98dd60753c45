/*
 * utf8.h: decoding UTF-8, for the plugins that must look at characters
 * (json, markdown, html) to escape them or to refuse what their format
 * cannot hold.  A plugin cannot call the library's decoder (it needs no
 * libquotedb at run time), so this is static inline, like outbuf.h.
 *
 * Private to the plugins of this tree, not part of the plugin ABI.
 */
#ifndef QDB_PLUGINS_UTF8_H
#define QDB_PLUGINS_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes one UTF-8 sequence at p (n > 0 bytes left) into *cp; returns
 * its length, or 0 when it is not valid UTF-8: overlong forms, surrogates
 * (CESU-8 and WTF-8 included) and values past U+10FFFF are refused.
 */
static inline size_t qdb_utf8_decode(uint32_t *cp, const unsigned char *p,
				     size_t n)
{
	uint32_t c = p[0];
	size_t len;
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
	for (size_t i = 1; i < len; i++) {
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

/* A line break inside a text: LF, CR, NEL, U+2028, U+2029 (CRLF is two,
 * which formats that set a run of breaks once treat as one). */
static inline int qdb_utf8_is_break(uint32_t c)
{
	return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 ||
	       c == 0x2029;
}

#endif
