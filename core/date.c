/*
 * date.c: EDTF dates (ISO 8601-2, level 0 and part of level 1) turned into
 * the earliest and latest day they allow, as yyyymmdd integers.
 *
 * What is accepted, and nothing else:
 *   2023  2023-10  2023-10-09            level 0
 *   2023?  2023-10~  2023-10-09%         a qualifier after a date
 *   202X  20XX  2023-XX  2023-1X         unspecified trailing digits
 *   2023-10-XX  2023-10-2X
 *   A/B  ../B  A/..  /B  A/              intervals with open or unknown ends
 * Qualifiers say how sure the source is; they never widen the range.  Open
 * (..) and unknown (empty) ends are treated alike: QDB_DATE_OPEN_LO before,
 * QDB_DATE_OPEN_HI after, neither of them a real day.
 *
 * The input is a byte range, not a C string: nothing past len is read.
 */
#include "quotedb.h"

#include <stdio.h>
#include <string.h>

#define DATE_OPEN_LO QDB_DATE_OPEN_LO
#define DATE_OPEN_HI QDB_DATE_OPEN_HI

#define DATE_FORMS "accepted: 2023, 2023-10, 2023-10-09, each optionally " \
	"followed by ~ ? or %; 202X, 2023-XX, 2023-10-XX; intervals A/B, " \
	"../B, A/.., /B, A/"

/* One end of an interval, or a whole date. */
typedef struct date_range {
	int32_t lo, hi;
} date_range;

/* Where a parse stands, and why it stopped when it failed. */
typedef struct date_parser {
	const char *s;
	size_t len;
	size_t pos;
	char why[96];
} date_parser;

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int32_t ymd(int y, int m, int d)
{
	return (int32_t)(y * 10000 + m * 100 + d);
}

static int at_digit(const date_parser *p, size_t i)
{
	return i < p->len && p->s[i] >= '0' && p->s[i] <= '9';
}

static int at_char(const date_parser *p, size_t i, char c)
{
	return i < p->len && p->s[i] == c;
}

/* Records why parsing stopped at the current byte; returns -1. */
static int stop_at(date_parser *p, const char *what)
{
	if (p->pos >= p->len)
		snprintf(p->why, sizeof p->why, "%s at the end", what);
	else if ((unsigned char)p->s[p->pos] >= 0x21 &&
		 (unsigned char)p->s[p->pos] < 0x7f)
		snprintf(p->why, sizeof p->why, "%s at '%c' (byte %zu)", what,
			 p->s[p->pos], p->pos + 1);
	else
		snprintf(p->why, sizeof p->why, "%s at byte %zu", what,
			 p->pos + 1);
	return -1;
}

static int fail(date_parser *p, const char *why)
{
	snprintf(p->why, sizeof p->why, "%s", why);
	return -1;
}

/*
 * Reads two characters that are digits or X, as month or day: *lo and *hi
 * get the smallest and largest value the digits allow before the calendar
 * is consulted ("1X" is 10..19, "XX" is 00..99).  *unspec says whether an
 * X was seen.  A digit after an X is refused: only trailing digits may be
 * unspecified.
 */
static int two_digits(date_parser *p, int *lo, int *hi, int *unspec)
{
	size_t i = p->pos;
	int tens_x = at_char(p, i, 'X');
	if (!tens_x && !at_digit(p, i))
		return stop_at(p, "expected two digits");
	int ones_x = at_char(p, i + 1, 'X');
	if (!ones_x && !at_digit(p, i + 1)) {
		p->pos = i + 1;
		return stop_at(p, "expected two digits");
	}
	if (tens_x && !ones_x) {
		p->pos = i + 1;
		return stop_at(p, "a digit after X");
	}
	int tens = tens_x ? -1 : p->s[i] - '0';
	int ones = ones_x ? -1 : p->s[i + 1] - '0';
	*lo = tens_x ? 0 : tens * 10 + (ones_x ? 0 : ones);
	*hi = tens_x ? 99 : tens * 10 + (ones_x ? 9 : ones);
	*unspec = tens_x || ones_x;
	p->pos = i + 2;
	return 0;
}

/* One date with its optional qualifier: the ends of an interval are two. */
static int parse_date(date_parser *p, date_range *out)
{
	size_t start = p->pos;
	if (at_char(p, start, '+') || at_char(p, start, '-'))
		return fail(p, "a sign is not allowed (years run from 0000 to "
			    "9999)");

	/* The year: four characters, digits then any X. */
	int ylo = 0, yhi = 0, nx = 0;
	for (int k = 0; k < 4; k++) {
		size_t i = start + (size_t)k;
		if (at_digit(p, i) && nx == 0) {
			ylo = ylo * 10 + (p->s[i] - '0');
			yhi = yhi * 10 + (p->s[i] - '0');
		} else if (at_char(p, i, 'X')) {
			ylo = ylo * 10;
			yhi = yhi * 10 + 9;
			nx++;
		} else {
			p->pos = i;
			if (at_digit(p, i))
				return stop_at(p, "a digit after X");
			return stop_at(p, k == 0 ? "expected a four-digit year"
				       : "the year needs four digits");
		}
	}
	p->pos = start + 4;
	if (at_digit(p, p->pos) || at_char(p, p->pos, 'X'))
		return fail(p, "the year has more than four digits (years "
			    "run from 0000 to 9999)");

	int mlo = 1, mhi = 12, dlo = 1, dhi = 31, m_unspec = 0, d_unspec = 0;
	int has_month = 0, has_day = 0;
	if (at_char(p, p->pos, '-')) {
		if (nx)
			return stop_at(p, "a month after an unspecified year");
		p->pos++;
		if (two_digits(p, &mlo, &mhi, &m_unspec))
			return -1;
		has_month = 1;
		if (m_unspec) {
			/* 0X is 01..09, 1X is 10..12, XX is any month. */
			if (mlo == 0)
				mlo = 1;
			if (mhi > 12)
				mhi = 12;
			if (mlo > 12)
				return fail(p, "no month matches the X digits");
		} else if (mlo < 1 || mlo > 12) {
			snprintf(p->why, sizeof p->why,
				 "there is no month %02d", mlo);
			return -1;
		}
	}
	if (has_month && at_char(p, p->pos, '-')) {
		p->pos++;
		if (two_digits(p, &dlo, &dhi, &d_unspec))
			return -1;
		has_day = 1;
		if (m_unspec && (dlo != 0 || dhi != 99))
			return fail(p, "after an unspecified month the day "
				    "must be XX");
	}

	/* The calendar decides the last day; only known months can check. */
	int first_day = 1, last_day = month_days(yhi, mhi);
	if (has_day && !m_unspec) {
		int mdays = month_days(ylo, mlo);
		if (d_unspec) {
			first_day = dlo < 1 ? 1 : dlo;
			last_day = dhi > mdays ? mdays : dhi;
			if (first_day > last_day) {
				snprintf(p->why, sizeof p->why, "no day of "
					 "%04d-%02d matches the X digits",
					 ylo, mlo);
				return -1;
			}
		} else if (dlo < 1 || dlo > mdays) {
			snprintf(p->why, sizeof p->why, "%04d-%02d has no day "
				 "%02d", ylo, mlo, dlo);
			return -1;
		} else {
			first_day = last_day = dlo;
		}
	} else if (!m_unspec && has_month) {
		last_day = month_days(ylo, mlo);
	}
	out->lo = ymd(ylo, mlo, first_day);
	out->hi = ymd(yhi, mhi, last_day);

	if (p->pos < p->len && (p->s[p->pos] == '~' || p->s[p->pos] == '?' ||
				p->s[p->pos] == '%'))
		p->pos++;
	return 0;
}

/* Copies the input into buf for a message, printable and shortened. */
static void show_input(char *buf, size_t size, const char *s, size_t len)
{
	size_t n = 0, max = size - 4;
	for (size_t i = 0; i < len && n < max; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[n++] = c >= 0x20 && c != 0x7f ? (char)c : '?';
	}
	if (n == len) {
		buf[n] = '\0';
		return;
	}
	/* Shortened: without cutting a UTF-8 character in two. */
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(buf + n, "...", 4);
}

static int date_fail(qdb_error *err, const char *s, size_t len,
		     const char *why)
{
	if (err) {
		char shown[44];
		show_input(shown, sizeof shown, s, len);
		err->code = QDB_EINVALID;
		snprintf(err->text, sizeof err->text, "bad date \"%s\": %s; %s",
			 shown, why, DATE_FORMS);
	}
	return QDB_EINVALID;
}

/* Parses one interval end: a date, "..", or nothing (unknown). */
static int parse_end(date_parser *p, date_range *out, size_t end, int *open)
{
	*open = 0;
	if (p->pos == end) {
		*open = 1;
		return 0;
	}
	if (end - p->pos == 2 && p->s[p->pos] == '.' &&
	    p->s[p->pos + 1] == '.') {
		p->pos = end;
		*open = 1;
		return 0;
	}
	date_parser sub = *p;
	sub.len = end;  /* the other end is not this one's business */
	if (parse_date(&sub, out)) {
		memcpy(p->why, sub.why, sizeof p->why);
		return -1;
	}
	if (sub.pos != end) {
		p->pos = sub.pos;
		return stop_at(p, "unexpected text");
	}
	p->pos = end;
	return 0;
}

int qdb_date_parse(int32_t *out_lo, int32_t *out_hi, const char *s, size_t len,
		   qdb_error *err)
{
	if (!s && len)
		return date_fail(err, "", 0, "no text");
	if (len == 0)
		return date_fail(err, "", 0, "the date is empty");
	if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
	    s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r' ||
	    s[0] == '\n' || s[0] == '\r')
		return date_fail(err, s, len,
				 "leading or trailing white space");

	date_parser p = { s, len, 0, "" };
	const char *slash = memchr(s, '/', len);
	date_range r;
	if (!slash) {
		if (parse_date(&p, &r))
			return date_fail(err, s, len, p.why);
		if (p.pos != len) {
			stop_at(&p, "unexpected text");
			return date_fail(err, s, len, p.why);
		}
	} else {
		size_t mid = (size_t)(slash - s);
		date_range a = { DATE_OPEN_LO, DATE_OPEN_LO };
		date_range b = { DATE_OPEN_HI, DATE_OPEN_HI };
		int a_open, b_open;
		if (parse_end(&p, &a, mid, &a_open))
			return date_fail(err, s, len, p.why);
		p.pos = mid + 1;
		if (memchr(s + p.pos, '/', len - p.pos))
			return date_fail(err, s, len, "more than one '/'");
		if (parse_end(&p, &b, len, &b_open))
			return date_fail(err, s, len, p.why);
		if (a_open && b_open)
			return date_fail(err, s, len, "an interval needs at "
					 "least one date");
		if (!a_open && !b_open && a.lo > b.hi)
			return date_fail(err, s, len, "the interval starts "
					 "after it ends");
		r.lo = a_open ? DATE_OPEN_LO : a.lo;
		r.hi = b_open ? DATE_OPEN_HI : b.hi;
	}
	if (out_lo)
		*out_lo = r.lo;
	if (out_hi)
		*out_hi = r.hi;
	return 0;
}
