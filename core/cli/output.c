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

void cli_msg(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "quotedb: %s: ", cli_cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_misuse(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "quotedb: %s: ", cli_cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'quotedb %s --help'.\n", cli_cmd_name);
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

static size_t decode(const char *s, size_t n, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k = p[0] < 0x80 ? 1 : (p[0] >> 5) == 6 ? 2 : (p[0] >> 4) == 14
		? 3 : 4;
	if (k > n)
		k = n;
	unsigned c = k == 1 ? p[0] : p[0] & (0x7f >> k);
	for (size_t i = 1; i < k; i++)
		c = (c << 6) | (p[i] & 0x3f);
	*cp = c;
	return k;
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

/* Prints s in width columns at most, cut with "…" when it is wider, and
 * padded to exactly width when pad is set.  Line breaks and tabs show as
 * spaces: a table row stays one line.  STX and ETX turn bold on and off
 * when colours are wanted, and bold ends with the cell. */
void cli_put_cell(const char *s, size_t n, size_t width, int pad)
{
	int color = cli_use_color(), bold = 0;
	size_t used = 0, i = 0;
	size_t total = 0;
	for (size_t j = 0; j < n;) {
		unsigned cp;
		j += decode(s + j, n - j, &cp);
		total += shown_width(cp);
	}
	while (i < n) {
		unsigned cp;
		size_t k = decode(s + i, n - i, &cp);
		size_t w = shown_width(cp);
		if (total > width && used + w > width - 1) {
			fputs("…", stdout);
			used++;
			break;
		}
		if (cp == 0x02 || cp == 0x03) {
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
 * way PostgreSQL's text format does: \\, \t, \n, \r. */
void cli_put_tsv(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': fputs("\\\\", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		default: fputc(s[i], stdout);
		}
	}
}

void cli_put_json_str(qdb_str s)
{
	if (!s.ptr) {
		fputs("null", stdout);
		return;
	}
	fputc('"', stdout);
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			fputc(c, stdout);
	}
	fputc('"', stdout);
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

