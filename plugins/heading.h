/*
 * heading.h: the headings of an appendix, for the markdown and html
 * plugins: a new heading whenever what the quotes are sorted by changes
 * (the speaker, the outlet, the month), none in the order they were added.
 * The rule and the words are those of the latex plugin's appendix.
 *
 * The state is the key of the current heading only (one name, or a
 * month), so it does not grow with the number of quotes.  Private to the
 * plugins of this tree, static inline like outbuf.h.
 */
#ifndef QDB_PLUGINS_HEADING_H
#define QDB_PLUGINS_HEADING_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"

typedef struct qdb_heading {
	char *key;          /* the current heading's key; the plugin's */
	size_t len, cap;
	int have;           /* a heading was started */
	char label[64];     /* the text of a date or fixed heading */
} qdb_heading;

static const char *const qdb_heading_months[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

/*
 * The heading of a date known as the days lo to hi (yyyymmdd;
 * QDB_DATE_OPEN_LO and QDB_DATE_OPEN_HI for open ends, both 0 for no
 * date): its month, but the year (or years) when the date is only that
 * precise, so "2023" is not filed under January.
 */
static inline void qdb_heading_date(char *key, size_t keylen, char *text,
				    size_t textlen, int32_t lo, int32_t hi)
{
	int ylo = lo / 10000, mlo = lo / 100 % 100, yhi = hi / 10000;
	int mhi = hi / 100 % 100;
	const char *mname = mlo >= 1 && mlo <= 12 ?
		qdb_heading_months[mlo - 1] : "";
	if (hi == 0 || (lo == QDB_DATE_OPEN_LO && hi == QDB_DATE_OPEN_HI)) {
		snprintf(key, keylen, "none");
		snprintf(text, textlen, "Undated");
	} else if (lo <= 0) {
		snprintf(key, keylen, "until %d", hi / 100);
		snprintf(text, textlen, "Until %s %d", mhi >= 1 && mhi <= 12 ?
			 qdb_heading_months[mhi - 1] : "", yhi);
	} else if (hi == QDB_DATE_OPEN_HI) {
		snprintf(key, keylen, "from %d", lo / 100);
		snprintf(text, textlen, "From %s %d", mname, ylo);
	} else if (lo % 10000 == 101 && hi % 10000 == 1231) {
		snprintf(key, keylen, "years %d %d", ylo, yhi);
		if (ylo == yhi)
			snprintf(text, textlen, "%d", ylo);
		else   /* an en dash */
			snprintf(text, textlen, "%d\xe2\x80\x93%d", ylo, yhi);
	} else {
		snprintf(key, keylen, "month %d", lo / 100);
		snprintf(text, textlen, "%s %d", mname, ylo);
	}
}

/*
 * Whether q starts a new heading when the quotes come in order sort: 1,
 * with its text in *out (a field of q, borrowed for the call, or
 * h->label); 0 when q goes under the current heading or the order has
 * none; QDB_ENOMEM.
 */
static inline int qdb_heading_next(qdb_heading *h, qdb_sort sort,
				   const qdb_quote *q, qdb_str *out)
{
	char key[48];
	qdb_str k;
	switch (sort) {
	case QDB_SORT_SPEAKER:
		k = q->speaker;
		*out = q->speaker;
		break;
	case QDB_SORT_OUTLET:
		/* "" is a key no outlet has: stored names are not empty */
		k = q->outlet.ptr ? q->outlet : (qdb_str){ "", 0 };
		snprintf(h->label, sizeof h->label, "Outlet not stated");
		*out = q->outlet.ptr ? q->outlet :
			(qdb_str){ h->label, strlen(h->label) };
		break;
	case QDB_SORT_DATE:
		qdb_heading_date(key, sizeof key, h->label, sizeof h->label,
				 q->date_lo, q->date_hi);
		k = (qdb_str){ key, strlen(key) };
		*out = (qdb_str){ h->label, strlen(h->label) };
		break;
	default:
		return 0;
	}
	if (h->have && h->len == k.len && memcmp(h->key, k.ptr, k.len) == 0)
		return 0;
	if (k.len + 1 > h->cap) {
		char *p = realloc(h->key, k.len + 1);
		if (!p)
			return QDB_ENOMEM;
		h->key = p;
		h->cap = k.len + 1;
	}
	memcpy(h->key, k.ptr, k.len);
	h->len = k.len;
	h->have = 1;
	return 1;
}

static inline void qdb_heading_free(qdb_heading *h)
{
	free(h->key);
	h->key = NULL;
	h->len = h->cap = 0;
	h->have = 0;
}

#endif
