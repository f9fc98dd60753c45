/*
 * fuzz_latex.c: libFuzzer target for the latex plugin's escaping
 * (plugins/latex.c, compiled in) through a fake host.
 *
 * The first byte picks the options (order speaker or outlet, standalone,
 * charset any or latin); the rest is cut at NUL bytes into the quote's
 * fields (fuzz_util.h); with standalone=1 the context field is the title.
 * The output of one quote has a fixed shape around the escaped fields;
 * the target cuts it into the heading, the label (derived from the id as
 * put_label documents), the quote style, the text, the attribution (its
 * date part may be the plugin's own words), the source (only the link's
 * target is checked here: no byte in it may mean anything to TeX) and
 * the index entry and checks each:
 * - every backslash starts one of the commands the plugin escapes with
 *   (\qdbu{HEX}{c} naming c's code point included), every { belongs to
 *   one, and no raw special character (\ { } $ & # ^ _
 *   ~ % [ ] < > | " ' ` or a line break) is left: no text reaches TeX as
 *   markup;
 * - no pair of characters the fonts would join (-- ‘‘ ,, !‘ ...) is left
 *   without \kern0pt{} between them;
 * - decoding the commands gives back the field, up to what the plugin
 *   documents it changes: a tab is a space, a run of line breaks one \par
 *   (a space outside the text), and spaces without a glyph become the
 *   nearest TeX space.
 * A quote the plugin refuses must be refused with QDB_EINVALID and a
 * message, and with charset=any only for invalid UTF-8 or a control
 * character.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

typedef struct sbuf {
	char *p;
	size_t len, cap;
} sbuf;

static void add(sbuf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void adds(sbuf *b, const char *s)
{
	add(b, s, strlen(s));
}

/* ---- UTF-8, as the plugin reads it -------------------------------- */

static size_t utf8(uint32_t *cp, const unsigned char *p, size_t n)
{
	uint32_t c = p[0];
	size_t len;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2, c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, c &= 0x07;
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

static void put_cp(sbuf *b, uint32_t c)
{
	unsigned char u[4];
	size_t n;
	if (c < 0x80) {
		u[0] = (unsigned char)c, n = 1;
	} else if (c < 0x800) {
		u[0] = 0xC0 | (c >> 6), u[1] = 0x80 | (c & 0x3F), n = 2;
	} else if (c < 0x10000) {
		u[0] = 0xE0 | (c >> 12), u[1] = 0x80 | ((c >> 6) & 0x3F);
		u[2] = 0x80 | (c & 0x3F), n = 3;
	} else {
		u[0] = 0xF0 | (c >> 18), u[1] = 0x80 | ((c >> 12) & 0x3F);
		u[2] = 0x80 | ((c >> 6) & 0x3F), u[3] = 0x80 | (c & 0x3F);
		n = 4;
	}
	add(b, u, n);
}

static int is_break(uint32_t c)
{
	return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 ||
	       c == 0x2029;
}

/* What the plugin documents it refuses whatever the charset. */
static int acceptable(qdb_str s)
{
	const unsigned char *u = (const unsigned char *)s.ptr;
	for (size_t i = 0; s.ptr && i < s.len;) {
		uint32_t c;
		size_t k = utf8(&c, u + i, s.len - i);
		if (!k)
			return 0;
		if ((c < 0x20 && c != '\t' && !is_break(c)) || c == 0x7F ||
		    (c >= 0x80 && c < 0xA0 && c != 0x85))
			return 0;
		i += k;
	}
	return 1;
}

/*
 * s as the escaped output should decode: tab a space, a run of line
 * breaks one "\n" in text (one space elsewhere), spaces without a glyph
 * folded the way decode() folds the command written for them.
 */
static void normalize(sbuf *b, qdb_str s, int text)
{
	const unsigned char *u = (const unsigned char *)s.ptr;
	size_t i = 0;
	while (i < s.len) {
		uint32_t c;
		size_t k = utf8(&c, u + i, s.len - i);
		if (is_break(c)) {
			while (i < s.len && (k = utf8(&c, u + i, s.len - i)) &&
			       is_break(c))
				i += k;
			adds(b, text ? "\n" : " ");
			continue;
		}
		switch (c) {
		case '\t': c = ' '; break;
		case 0x2007: c = 0x2002; break;
		case 0x2004: case 0x2005: case 0x2006: case 0x2008:
		case 0x200A: case 0x202F: case 0x205F: c = 0x2009; break;
		case 0xFEFF: c = 0x2060; break;
		}
		put_cp(b, c);
		i += k;
	}
}

/* ---- reading the output back -------------------------------------- */

typedef struct tok {
	const char *s;
	const char *dec;
} tok;

/* The commands plugins/latex.c writes for one character (command_for),
 * and what each stands for. */
static const tok escapes[] = {
	{ "\\textbackslash{}", "\\" }, { "\\{", "{" }, { "\\}", "}" },
	{ "\\$", "$" }, { "\\&", "&" }, { "\\#", "#" }, { "\\%", "%" },
	{ "\\_", "_" }, { "\\textasciicircum{}", "^" },
	{ "\\textasciitilde{}", "~" }, { "{[}", "[" }, { "{]}", "]" },
	{ "\\textless{}", "<" }, { "\\textgreater{}", ">" },
	{ "\\textbar{}", "|" }, { "\\textquotedbl{}", "\"" },
	{ "\\textquotesingle{}", "'" }, { "\\textasciigrave{}", "`" },
	{ "\\qdbellipsis{}", "\xE2\x80\xA6" },
	{ "\\enspace{}", "\xE2\x80\x82" }, { "\\quad{}", "\xE2\x80\x83" },
	{ "\\,", "\xE2\x80\x89" }, { "\\hspace{0pt}", "\xE2\x80\x8B" },
	{ "\\nobreak{}", "\xE2\x81\xA0" }, { "\\textminus{}", "\xE2\x88\x92" },
	{ "\\kern0pt{}", "" },
};
#define NESCAPES (sizeof escapes / sizeof escapes[0])

enum { R_FIELD, R_TEXT, R_ATTRIBUTION };

/* The pairs latex.c's ligature() keeps apart. */
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

/*
 * \qdbu{HEX}{c}: the character c in an ActualText span under pdfTeX, HEX
 * its code point in four upper-case hex digits.  Returns the length of
 * the command; *cp gets c.
 */
static size_t actual_text(const char *p, size_t n, uint32_t *cp,
			  const char *region, const char *all)
{
	uint32_t hex = 0, c = 0;
	size_t k = 0;
	int ok = n >= 14 && !memcmp(p + 10, "}{", 2);
	for (int i = 6; ok && i < 10; i++) {
		char h = p[i];
		ok = (h >= '0' && h <= '9') || (h >= 'A' && h <= 'F');
		hex = hex * 16 + (uint32_t)(h <= '9' ? h - '0' : h - 'A' + 10);
	}
	if (ok)
		k = utf8(&c, (const unsigned char *)p + 12, n - 12);
	ok = ok && k > 0 && c == hex && 12 + k < n && p[12 + k] == '}';
	FUZZ_CHECK(ok, "%s: malformed \\qdbu at \"%.*s\"\n--- output ---"
		   "\n%s", region, (int)(n < 20 ? n : 20), p, all);
	*cp = c;
	return 13 + k;
}

/*
 * Decodes one escaped region into out, failing (with the offset) on
 * anything that is not a plain character or one of the plugin's
 * commands.  kind adds \par (text) or \qdbreportedby\ (attribution),
 * decoded as "\n" and "\x01".
 */
static void decode(sbuf *out, const char *p, size_t n, int kind,
		   const char *region, const char *all)
{
	static const char specials[] = "\\{}$&#^_~%[]<>|\"'`\n\r\t";
	/* What adds no character and leaves ligatures to \kern0pt{}: a
	 * place to break, the end of a long output line, the start of a
	 * Greek or Cyrillic run (whose raw } ends it). */
	static const char *const transparent[] = {
		"\\qdbbreak{}", "\\qdbcjkbreak{}", "%\n", "\\qdbgreek{",
		"\\qdbcyrillic{",
	};
	uint32_t prev = 0;
	size_t i = 0;
	int runs = 0;
	while (i < n) {
		const char *dec = NULL;
		size_t len = 0, t;
		for (t = 0; t < sizeof transparent / sizeof transparent[0];
		     t++) {
			size_t l = strlen(transparent[t]);
			if (l <= n - i && !memcmp(p + i, transparent[t], l)) {
				len = l;
				break;
			}
		}
		if (len) {
			FUZZ_CHECK(!runs || t < 3, "%s: nested runs at byte "
				   "%zu of \"%.*s\"", region, i, (int)n, p);
			runs += t >= 3;
			i += len;
			continue;
		}
		if (runs && p[i] == '}') {
			runs--;
			i++;
			continue;
		}
		for (size_t t = 0; t < NESCAPES && !dec; t++) {
			size_t l = strlen(escapes[t].s);
			if (l <= n - i && !memcmp(p + i, escapes[t].s, l))
				dec = escapes[t].dec, len = l;
		}
		if (!dec && kind == R_TEXT && n - i >= 5 &&
		    !memcmp(p + i, "\\par\n", 5))
			dec = "\n", len = 5;
		if (!dec && kind == R_ATTRIBUTION && n - i >= 16 &&
		    !memcmp(p + i, "\\qdbreportedby\\ ", 16))
			dec = "\x01", len = 16;
		uint32_t c = 0;
		size_t k = len;
		if (!dec && n - i > 6 && !memcmp(p + i, "\\qdbu{", 6)) {
			k = actual_text(p + i, n - i, &c, region, all);
			FUZZ_CHECK(!ligature(prev, c), "%s: U+%04X U+%04X "
				   "form a ligature at byte %zu of \"%.*s\"",
				   region, (unsigned)prev, (unsigned)c, i,
				   (int)n, p);
			add(out, p + i + 12, k - 13);
			prev = c;
			i += k;
			continue;
		}
		if (dec) {
			if (*dec)
				utf8(&c, (const unsigned char *)dec,
				     strlen(dec));
		} else {
			FUZZ_CHECK(!memchr(specials, p[i],
					   sizeof specials - 1),
				   "%s: raw 0x%02x at byte %zu of \"%.*s\"\n"
				   "--- output ---\n%s", region,
				   (unsigned char)p[i], i, (int)n, p, all);
			k = utf8(&c, (const unsigned char *)p + i, n - i);
			FUZZ_CHECK(k > 0, "%s: invalid UTF-8 written",
				   region);
		}
		/* Written as a command or not, the glyphs would join;
		 * only \kern0pt{} (c == 0) keeps them apart. */
		FUZZ_CHECK(!ligature(prev, c), "%s: U+%04X U+%04X form a "
			   "ligature at byte %zu of \"%.*s\"", region,
			   (unsigned)prev, (unsigned)c, i, (int)n, p);
		if (dec)
			adds(out, dec);
		else
			add(out, p + i, k);
		prev = c;
		i += k;
	}
	FUZZ_CHECK(!runs, "%s: a run is not closed in \"%.*s\"", region,
		   (int)n, p);
}

/* Checks that region decodes to want. */
static void check_region(const char *p, size_t n, int kind,
			 const char *region, const sbuf *want, const char *all)
{
	sbuf got = { 0 };
	adds(&got, "");
	decode(&got, p, n, kind, region, all);
	FUZZ_CHECK(got.len == want->len && !memcmp(got.p, want->p, got.len),
		   "%s decodes to \"%s\", the field is \"%s\"\n--- output "
		   "---\n%s", region, got.p, want->p, all);
	free(got.p);
}

/* Expects the literal s at *at and moves past it. */
static void expect(const char *out, size_t len, size_t *at, const char *s)
{
	size_t n = strlen(s);
	FUZZ_CHECK(*at + n <= len && !memcmp(out + *at, s, n), "expected "
		   "\"%s\" at byte %zu\n--- output ---\n%s", s, *at, out);
	*at += n;
}

/* The region from *at to the first end (which follows it); moves past
 * the end. */
static size_t region_to(const char *out, size_t len, size_t *at,
			const char *end, size_t *rlen)
{
	size_t start = *at, n = strlen(end);
	for (size_t i = start; i + n <= len; i++) {
		if (!memcmp(out + i, end, n)) {
			*rlen = i - start;
			*at = i + n;
			return start;
		}
	}
	FUZZ_CHECK(0, "no \"%s\" after byte %zu\n--- output ---\n%s", end,
		   start, out);
	return 0;
}

/* Adds ", x" (sep) unless x is absent or repeats a value seen. */
static void part(sbuf *b, int *first, const char *sep, qdb_str x,
		 qdb_str *seen, size_t *nseen)
{
	if (!x.ptr)
		return;
	for (size_t i = 0; i < *nseen; i++)
		if (seen[i].len == x.len && !memcmp(seen[i].ptr, x.ptr, x.len))
			return;
	seen[(*nseen)++] = x;
	if (!*first)
		adds(b, sep);
	*first = 0;
	normalize(b, x, 0);
}

/* The attribution as put_attribution composes it, from normalized
 * fields, up to the date (head) and after it (tail); \qdbreportedby\ is
 * "\x01". */
static void attribution(sbuf *head, sbuf *tail, const qdb_quote *q)
{
	qdb_str seen[8];
	size_t nseen = 0;
	int first = 1, group_first = 1;
	part(head, &first, "; ", q->speaker, seen, &nseen);
	part(head, &first, ", ", q->role, seen, &nseen);
	const qdb_str where[] = { q->occasion, q->programme, q->outlet };
	for (int i = 0; i < 3; i++) {
		size_t before = nseen;
		part(head, &first, group_first ? "; " : ", ", where[i], seen,
		     &nseen);
		if (nseen > before)
			group_first = 0;
	}
	if (q->reported_by.ptr) {
		adds(tail, "; \x01");
		normalize(tail, q->reported_by, 0);
	}
}

/*
 * The date part of an attribution: "; " and the date in words (only
 * letters, digits, spaces and parentheses: the plugin's own text) or as
 * written; "; " and date_text when there is no date; nothing without
 * either.
 */
static void check_date(const char *p, size_t n, const qdb_quote *q,
		       const char *all)
{
	if (!q->date.ptr && !q->date_text.ptr) {
		FUZZ_CHECK(n == 0, "a date part without a date\n%s", all);
		return;
	}
	FUZZ_CHECK(n >= 2 && !memcmp(p, "; ", 2), "no date part\n%s", all);
	sbuf want = { 0 };
	adds(&want, "");
	normalize(&want, q->date.ptr ? q->date : q->date_text, 0);
	int words = q->date.ptr != NULL;
	for (size_t i = 2; i < n && words; i++)
		words = (p[i] >= 'a' && p[i] <= 'z') ||
			(p[i] >= 'A' && p[i] <= 'Z') ||
			(p[i] >= '0' && p[i] <= '9') || p[i] == ' ' ||
			p[i] == '(' || p[i] == ')';
	FUZZ_CHECK(words || (n - 2 == want.len &&
			     !memcmp(p + 2, want.p, want.len)),
		   "date part \"%.*s\", the field is \"%s\"\n%s", (int)n, p,
		   want.p, all);
	free(want.p);
}

/* What put_label makes of an id. */
static void label_of(sbuf *b, const qdb_quote *q)
{
	static const char hex[] = "0123456789abcdef";
	int plain = q->id.ptr && q->id.len > 0 && q->id.len <= 64;
	for (size_t i = 0; plain && i < q->id.len; i++) {
		char c = q->id.ptr[i];
		plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-';
	}
	if (q->id.ptr && q->id.len > 256) {
		uint64_t h = 1469598103934665603u;
		char buf[64];
		for (size_t i = 0; i < q->id.len; i++)
			h = (h ^ (unsigned char)q->id.ptr[i]) *
			    1099511628211u;
		snprintf(buf, sizeof buf, "qdbh-%016llx-%zu",
			 (unsigned long long)h, q->id.len);
		adds(b, buf);
	} else if (!q->id.ptr) {
		adds(b, "qdbn-1");
	} else if (plain) {
		adds(b, "qdb-");
		add(b, q->id.ptr, q->id.len);
	} else {
		adds(b, "qdbx-");
		for (size_t i = 0; i < q->id.len; i++) {
			unsigned char c = (unsigned char)q->id.ptr[i];
			char h[2] = { hex[c >> 4], hex[c & 15] };
			add(b, h, 2);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int by_outlet = data[0] & 1, standalone = (data[0] >> 1) & 1;
	int latin = (data[0] >> 2) & 1;
	qdb_quote q = QDB_QUOTE_INIT;
	qdb_str tags[4];
	char *copy = fuzz_split(&q, tags, 4, data + 1, size - 1);
	if (!q.text.ptr || !q.speaker.ptr) {
		free(copy);
		return 0;
	}
	/* The title is an option: a C string, so up to the first NUL. */
	const char *title = standalone && q.context.ptr ? q.context.ptr : NULL;
	const char *opts[] = { "standalone", standalone ? "1" : "0",
			       "charset", latin ? "latin" : "any",
			       title ? "title" : NULL, title, NULL };

	/* The document without quotes: what every output starts with. */
	fuzz_host h0;
	fuzz_host_init(&h0, qdb_plugin_descriptor(), opts);
	h0.pub.sort = by_outlet ? QDB_SORT_OUTLET : QDB_SORT_SPEAKER;
	int rc0 = fuzz_export(&h0, NULL, 0);

	fuzz_host h;
	fuzz_host_init(&h, qdb_plugin_descriptor(), opts);
	h.pub.sort = h0.pub.sort;
	const qdb_quote *qs[1] = { &q };
	int rc = fuzz_export(&h, qs, 1);

	const qdb_str checked[] = { q.text, q.speaker, q.role, q.outlet,
		q.programme, q.occasion, q.date, q.date_text, q.reported_by,
		q.source, q.source_author, q.source_date, q.source_url,
		q.locator, q.translated,
		{ title, title ? strlen(title) : 0 } };
	int ok = 1;
	for (size_t i = 0; i < sizeof checked / sizeof checked[0]; i++)
		ok &= acceptable(checked[i]);
	if (rc0 || rc) {
		FUZZ_CHECK((rc0 ? rc0 : rc) == QDB_EINVALID, "rc %d: %s",
			   rc0 ? rc0 : rc, rc0 ? h0.msg : h.msg);
		FUZZ_CHECK((rc0 ? h0.msg : h.msg)[0], "refused without a "
			   "message");
		FUZZ_CHECK(latin || !ok, "charset=any refused a valid quote: "
			   "%s", rc0 ? h0.msg : h.msg);
		goto done;
	}
	FUZZ_CHECK(ok, "accepted a control character or invalid UTF-8");

	const char *suffix = standalone ? "\n\\end{document}\n" : "";
	size_t sl = strlen(suffix);
	FUZZ_CHECK(h0.len >= sl && !memcmp(h0.out + h0.len - sl, suffix, sl),
		   "the empty document does not end with its suffix");
	size_t pl = h0.len - sl;
	FUZZ_CHECK(h.len >= pl + sl && !memcmp(h.out, h0.out, pl) &&
		   !memcmp(h.out + h.len - sl, suffix, sl),
		   "the document's frame changed with a quote");
	const char *out = h.out;
	size_t len = h.len - sl, at = pl, n;
	sbuf want = { 0 };

	/* The title, in the frame. */
	if (standalone && title && *title) {
		const char *start = "\\begin{center}\\LARGE\\bfseries ";
		size_t t = 0;
		region_to(h0.out, pl, &t, start, &n);
		size_t r = region_to(h0.out, pl, &t, "\\end{center}\n", &n);
		qdb_str ts = { title, strlen(title) };
		normalize(&want, ts, 0);
		check_region(h0.out + r, n, R_FIELD, "title", &want, out);
		want.len = 0;
	}

	/* pdflatex stopped before the first text it cannot set */
	if (len - at >= 18 && !memcmp(out + at, "\\qdbneedslualatex\n", 18))
		at += 18;
	/* The heading: the speaker, or the outlet. */
	expect(out, len, &at, "\n\\qdbgroup{");
	size_t r = region_to(out, len, &at, "}\n", &n);
	if (by_outlet && !q.outlet.ptr) {
		FUZZ_CHECK(n == 18 && !memcmp(out + r, "\\qdbnooutletname{}",
			   18), "heading without an outlet");
	} else {
		normalize(&want, by_outlet ? q.outlet : q.speaker, 0);
		check_region(out + r, n, R_FIELD, "heading", &want, out);
	}
	want.len = 0;

	expect(out, len, &at, "\n\\begin{qdbquote}{1}\\label{");
	label_of(&want, &q);
	adds(&want, "}\\label{qdbspk1q1}%\n");
	expect(out, len, &at, want.p);
	want.len = 0;
	/* A text that starts right to left is set in its language's
	 * direction (babel's otherlanguage): arabic or hebrew. */
	int rtl = len - at >= 13 && !memcmp(out + at, "\\qdbrtlstart{", 13);
	if (rtl) {
		at += 13;
		if (len - at >= 7 && !memcmp(out + at, "arabic}", 7))
			at += 7;
		else
			expect(out, len, &at, "hebrew}");
	}
	expect(out, len, &at, "\\qdbopenquote{");
	/* the quote style: empty, {style} or [variant]{style} */
	r = at;
	while (at < len && out[at] != '}')
		at++;
	if (at < len && out[at] == '}' && at > r)
		at++;
	for (size_t i = r; i < at; i++)
		FUZZ_CHECK((out[i] >= 'a' && out[i] <= 'z') ||
			   strchr("[]{}", out[i]), "quote style \"%.*s\"",
			   (int)(at - r), out + r);
	expect(out, len, &at, "}");
	r = region_to(out, len, &at, rtl ? "\\qdbclosequote\\qdbrtlend\n"
		      "\\qdbattribution{" : "\\qdbclosequote\n"
		      "\\qdbattribution{", &n);
	normalize(&want, q.text, 1);
	check_region(out + r, n, R_TEXT, "text", &want, out);
	want.len = 0;

	r = region_to(out, len, &at, "}\n", &n);
	sbuf tail = { 0 };
	adds(&tail, "");
	attribution(&want, &tail, &q);
	{
		sbuf got = { 0 };
		adds(&got, "");
		decode(&got, out + r, n, R_ATTRIBUTION, "attribution", out);
		FUZZ_CHECK(got.len >= want.len + tail.len &&
			   !memcmp(got.p, want.p, want.len) &&
			   !memcmp(got.p + got.len - tail.len, tail.p,
				   tail.len), "attribution \"%s\": want "
			   "\"%s\" ... \"%s\"\n%s", got.p, want.p, tail.p,
			   out);
		check_date(got.p + want.len, got.len - want.len - tail.len,
			   &q, out);
		free(got.p);
	}
	free(tail.p);
	want.len = 0;

	/* The source: the link's target may hold only what cannot mean
	 * anything to TeX (the printed URL is checked by test_latex). */
	if (len - at >= 16 && !memcmp(out + at, "\\qdbsourcestart ", 16)) {
		r = region_to(out, len, &at, "\\qdbsourceend\n", &n);
		const char *h = NULL;
		for (size_t i = r; !h && i + 9 <= r + n; i++)
			if (!memcmp(out + i, "\\qdbhref{", 9))
				h = out + i;
		FUZZ_CHECK(!h == !q.source_url.ptr, "link without a URL");
		if (h) {
			size_t t = (size_t)(h - out) + 9, e = t;
			while (e < r + n && out[e] != '}') {
				unsigned char c = (unsigned char)out[e];
				FUZZ_CHECK(c > 0x20 && c < 0x7f &&
					   !strchr("\"<>\\^`{|", c) &&
					   (c != '%' || (e + 2 < r + n &&
					    strchr("0123456789ABCDEFabcdef",
						   out[e + 1]) &&
					    strchr("0123456789ABCDEFabcdef",
						   out[e + 2]))),
					   "link target byte 0x%02x", c);
				e++;
			}
			expect(out, r + n, &e, "}{");
		}
	}
	expect(out, len, &at, "\\end{qdbquote}\n");

	expect(out, len, &at, "\n\\qdbgroup{\\qdbindexname}\n"
	       "\\qdbindexentry{");
	FUZZ_CHECK(len - at >= 8 && !memcmp(out + len - 8, "}{1}{1}\n", 8),
		   "index entry");
	normalize(&want, q.speaker, 0);
	check_region(out + at, len - 8 - at, R_FIELD, "index entry", &want,
		     out);
	free(want.p);
done:
	fuzz_host_free(&h0);
	fuzz_host_free(&h);
	free(copy);
	return 0;
}
