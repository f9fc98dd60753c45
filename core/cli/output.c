/*
 * output.c: how the command writes: messages and misuse on stderr, table
 * cells sized for a terminal, tab-separated and JSON values, progress,
 * and the final flush that tells a failed write from success.
 */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700  /* wcwidth() */
#include "cli.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

const char *cli_cmd_name = "quotedb";
int cli_is_tty;

/* "quotedb: CMD: ", or "quotedb: " before any command runs. */
static void msg_prefix(FILE *out)
{
	if (strcmp(cli_cmd_name, "quotedb") != 0)
		fprintf(out, "quotedb: %s: ", cli_cmd_name);
	else
		fputs("quotedb: ", out);
}

/* A message's text, escaped: a name or value it quotes may be anything
 * (a file name, a database's content), and must not drive the terminal
 * or reorder the message. */
static void put_message(FILE *out, const char *text, size_t n,
			const char *tail)
{
	msg_prefix(out);
	cli_put_escaped(out, text, n, "\n\t");
	fputs(tail, out);
}

/*
 * A message is put together in memory and written to stderr at once:
 * stderr is unbuffered, and the escaping writes a character at a time
 * (an import that warns about thousands of new names made half a
 * million write calls).  When memory runs short, straight to stderr.
 */
static void emit(const char *tail, const char *fmt, va_list ap)
{
	char buf[4096];
	int len = vsnprintf(buf, sizeof buf, fmt, ap);
	if (len < 0)
		return;
	size_t n = (size_t)len < sizeof buf ? (size_t)len : sizeof buf - 1;
	char *s = NULL;
	size_t sl = 0;
	FILE *m = open_memstream(&s, &sl);
	if (m) {
		put_message(m, buf, n, tail);
		int bad = ferror(m);
		/* s and sl are the stream's: valid once it is closed, and s
		 * NULL when its last reallocation failed (glibc still says
		 * the close went well). */
		if (fclose(m) == 0 && !bad && s) {
			fwrite(s, 1, sl, stderr);
			free(s);
			return;
		}
		free(s);
	}
	put_message(stderr, buf, n, tail);
}

void cli_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("\n", fmt, ap);
	va_end(ap);
}

int cli_misuse(const char *fmt, ...)
{
	char tail[96];
	snprintf(tail, sizeof tail, "\nTry 'quotedb %s --help'.\n",
		 cli_cmd_name);
	va_list ap;
	va_start(ap, fmt);
	emit(tail, fmt, ap);
	va_end(ap);
	return CLI_MISUSE;
}

int cli_flush(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_msg("write error: %s", strerror(errno ? errno : EIO));
		return 1;
	}
	return 0;
}

/* Display width of a code point, as terminals show it.  The C library's
 * wcwidth() in its UTF-8 locale knows Unicode's wide and zero-width
 * characters (emoji, fullwidth signs, Arabic and Hebrew vowel marks,
 * zero-width non-joiners); this command never sets a locale, so it asks
 * for that one by name.  Where there is none, or wcwidth() has no answer:
 * combining marks take none, wide East Asian characters two, everything
 * else one. */
static size_t cp_width(unsigned cp)
{
	static locale_t utf8;
	static int tried;
	if (!tried) {
		tried = 1;
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	if (utf8 && cp >= 0xa0) {
		locale_t old = uselocale(utf8);
		int w = wcwidth((wchar_t)cp);
		uselocale(old);
		if (w >= 0)
			return (size_t)w;
	}
	if ((cp >= 0x300 && cp <= 0x36f) || cp == 0x200b || cp == 0x200d)
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0x1f300 && cp <= 0x1faff) ||
	    (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

/* What would break a table row: line breaks (LF, CR, NEL, U+2028 and
 * U+2029: a text may hold all but CR) and tabs.  Each shows as a space. */
static int is_break(unsigned cp)
{
	return cp == '\n' || cp == '\t' || cp == '\r' || cp == 0x85 ||
	       cp == 0x2028 || cp == 0x2029;
}

/* The UTF-8 sequence at s: its length and code point, or 0 when it is
 * not valid UTF-8 (a hostile database can hold anything). */
static size_t decode(const char *s, size_t n, unsigned *cp)
{
	static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	const unsigned char *p = (const unsigned char *)s;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	size_t k = (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3
		: (p[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (!k || k > n)
		return 0;
	unsigned c = p[0] & (0x7f >> k);
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min[k] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return k;
}

/* What must not reach a terminal as it is: C0 and C1 controls and DEL
 * (ESC starts the sequences that move the cursor, retitle the window or
 * worse), and the bidirectional embeddings, overrides and isolates that
 * reorder the text after them (U+202E shows "exe.txt" as "txt.exe").
 * The marks LRM, RLM and ALM only nudge neutral characters and stay. */
static int is_hidden(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The unit of s at its start (n > 0): its length, and in esc what to show
 * instead when it must not be shown as it is: an invalid byte as \xHH,
 * a hidden control (is_hidden) as \xHH below U+0100, else \u{HHHH}.
 * esc is empty when the unit is shown as it is; *cp is its code point.
 */
static size_t unit(const char *s, size_t n, unsigned *cp, char esc[16])
{
	size_t k = decode(s, n, cp);
	esc[0] = '\0';
	if (k == 0) {
		*cp = 0xfffd;
		snprintf(esc, 16, "\\x%02X", (unsigned char)s[0]);
		return 1;
	}
	if (is_hidden(*cp)) {
		if (*cp < 0x100)
			snprintf(esc, 16, "\\x%02X", *cp);
		else
			snprintf(esc, 16, "\\u{%04X}", *cp);
	}
	return k;
}

void cli_put_escaped(FILE *out, const char *s, size_t n, const char *keep)
{
	for (size_t i = 0; i < n;) {
		unsigned cp;
		char esc[16];
		size_t k = unit(s + i, n - i, &cp, esc);
		if (esc[0] && !(cp < 0x80 && cp && strchr(keep, (int)cp)))
			fputs(esc, out);
		else
			fwrite(s + i, 1, k, out);
		i += k;
	}
}


/* The columns a character of a cell takes: a line break or tab shows as
 * a space, and a search snippet's STX and ETX around a match (see
 * put_snippet) take none. */
static size_t shown_width(unsigned cp)
{
	if (cp == 0x02 || cp == 0x03)
		return 0;
	return is_break(cp) ? 1 : cp_width(cp);
}

/* One unit of a cell: its length, and in *w the columns it takes; esc
 * as unit() says, except for what a cell shows its own way (breaks,
 * STX and ETX). */
static size_t cell_unit(const char *s, size_t n, unsigned *cp, char esc[16],
			size_t *w)
{
	size_t k = unit(s, n, cp, esc);
	if (is_break(*cp) || *cp == 0x02 || *cp == 0x03)
		esc[0] = '\0';
	*w = esc[0] ? strlen(esc) : shown_width(*cp);
	return k;
}

size_t cli_cell_width(const char *s, size_t n)
{
	size_t total = 0;
	char esc[16];
	for (size_t j = 0; j < n;) {
		unsigned cp;
		size_t w;
		j += cell_unit(s + j, n - j, &cp, esc, &w);
		total += w;
	}
	return total;
}

/* Prints s in width columns at most, cut with "…" when it is wider, and
 * padded to exactly width when pad is set.  Line breaks and tabs show as
 * spaces: a table row stays one line.  Other controls and invalid bytes
 * show escaped (unit()).  STX and ETX turn bold on and off when colours
 * are wanted, and bold ends with the cell. */
void cli_put_cell(const char *s, size_t n, size_t width, int pad)
{
	int color = cli_use_color(), bold = 0;
	size_t used = 0, i = 0;
	size_t total = cli_cell_width(s, n);
	char esc[16];
	while (i < n) {
		unsigned cp;
		size_t w;
		size_t k = cell_unit(s + i, n - i, &cp, esc, &w);
		if (total > width && used + w > width - 1) {
			fputs("…", stdout);
			used++;
			break;
		}
		if (esc[0]) {
			fputs(esc, stdout);
		} else if (cp == 0x02 || cp == 0x03) {
			bold = cp == 0x02;
			if (color)
				fputs(bold ? "\x1b[1m" : "\x1b[0m", stdout);
		} else if (is_break(cp)) {
			fputc(' ', stdout);
		} else {
			fwrite(s + i, 1, k, stdout);
		}
		used += w;
		i += k;
	}
	if (bold && color)
		fputs("\x1b[0m", stdout);
	if (pad)
		for (; used < width; used++)
			fputc(' ', stdout);
}

/* Tab-separated output escapes what would break a line or a field, the
 * way PostgreSQL's text format does: \\, \t, \n, \r; every other
 * control byte (C0, DEL, the bytes of C1 but NEL, which a text may hold
 * as a line break) and every byte of invalid
 * UTF-8 as \xHH, which PostgreSQL's COPY reads back as that byte.
 * Piped into a terminal or a pager, nothing drives it. */
void cli_put_tsv(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t k = decode(s + i, n - i, &cp);
		unsigned char c = (unsigned char)s[i];
		if (k == 0 || (cp >= 0x80 && cp <= 0x9f && cp != 0x85)) {
			if (k == 0)
				k = 1;
			for (size_t j = 0; j < k; j++)
				printf("\\x%02X", (unsigned char)s[i + j]);
		} else if (c == '\\') {
			fputs("\\\\", stdout);
		} else if (c == '\t') {
			fputs("\\t", stdout);
		} else if (c == '\n') {
			fputs("\\n", stdout);
		} else if (c == '\r') {
			fputs("\\r", stdout);
		} else if (c < 0x20 || c == 0x7f) {
			printf("\\x%02X", c);
		} else {
			fwrite(s + i, 1, k, stdout);
		}
		i += k;
	}
}

void cli_put_json_str(qdb_str s)
{
	if (!s.ptr) {
		fputs("null", stdout);
		return;
	}
	fputc('"', stdout);
	for (size_t i = 0; i < s.len;) {
		unsigned cp;
		size_t k = decode(s.ptr + i, s.len - i, &cp);
		if (k == 0) {
			/* Not UTF-8 (a hostile file): JSON cannot carry
			 * the byte, so it shows as U+FFFD. */
			fputs("\\ufffd", stdout);
			k = 1;
		} else if (cp == '"' || cp == '\\') {
			printf("\\%c", (char)cp);
		} else if (cp == '\n') {
			fputs("\\n", stdout);
		} else if (cp == '\t') {
			fputs("\\t", stdout);
		} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f &&
					       cp != 0x85)) {
			/* C1 too, a terminal may read U+009B as CSI; not
			 * NEL, a line break a text may hold. */
			printf("\\u%04x", cp);
		} else {
			fwrite(s.ptr + i, 1, k, stdout);
		}
		i += k;
	}
	fputc('"', stdout);
}

void cli_put_json_cstr(const char *s)
{
	qdb_str v = { s, s ? strlen(s) : 0 };
	cli_put_json_str(v);
}

size_t cli_term_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	if (cols && atoi(cols) > 20)
		return (size_t)atoi(cols);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 100;
}

int cli_use_color(void)
{
	const char *nc = getenv("NO_COLOR");
	return cli_is_tty && !(nc && *nc);
}

/* Progress of long imports and exports: a count and a rate on stderr,
 * only when stderr is a terminal, rewritten in place. */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double progress_start;

static int show_progress(int64_t done, void *payload)
{
	const char *verb = payload;
	double dt = now_s() - progress_start;
	fprintf(stderr, "\r%s %lld quotes, %.0f/s\x1b[K", verb,
		(long long)done, dt > 0 ? (double)done / dt : 0.0);
	return 0;
}

void cli_progress_on(qdb *db, const char *verb)
{
	if (!isatty(STDERR_FILENO))
		return;
	progress_start = now_s();
	qdb_progress(db, show_progress, 10000, (void *)verb);
}

static void show_warning(const qdb_error *w, void *payload)
{
	(void)payload;
	char buf[1024];
	/* After the progress line, which the next update redraws. */
	if (isatty(STDERR_FILENO))
		fputs("\r\x1b[K", stderr);
	cli_msg("warning: %s", qdb_error_format(w, buf, sizeof buf));
}

void cli_warnings_on(qdb *db, int strict)
{
	qdb_warnings(db, show_warning, NULL, strict);
}

void cli_progress_off(void)
{
	if (isatty(STDERR_FILENO))
		fputs("\r\x1b[K", stderr);
}

