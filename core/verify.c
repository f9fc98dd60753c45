/*
 * verify.c: finding a quote in the text of its source document, under the
 * matching contract of docs/verify.md, and when it is not there, the
 * closest passage and the first character that differs.
 *
 * The quote is cut into tokens: literal bytes, white space runs, bracketed
 * insertions and ellipses.  Ellipses cut it into segments, which are found
 * left to right, each at its first occurrence after the previous one: that
 * greedy order keeps the work linear in the number of ellipses.  Within a
 * segment, the part before its first bracket is found by Knuth-Morris-Pratt
 * over the source read with each white space run as one symbol, linear
 * however repetitive the text.  From each place it occurs, the rest is
 * matched by following the set of source positions each token can reach:
 * a bracket's choices (any passage of up to BRACKET_MAX bytes) widen the
 * set by at most that many positions and literal text narrows it again,
 * so nothing backtracks.  WORK_MAX bounds what is left.
 */
#include "quotedb.h"

#include <stdlib.h>
#include <string.h>

/* The longest passage a [bracketed] insertion stands for. */
#define BRACKET_MAX 80

/* Anchors tried when a quote differs near its start (see diagnose). */
#define ANCHORS 8

/* The most source positions all match attempts of one call may step
 * through.  Natural text needs a tiny fraction of it; a quote dense with
 * [brackets] against very repetitive text could otherwise take minutes.
 * A call that runs out reports the quote as not found: never verified. */
#define WORK_MAX (1u << 27)

/* Below this many matched bytes (or a third of the quote) a quote is not
 * found rather than different: a short prefix matches by chance. */
#define NEAR_MIN 8

enum tok_kind { TOK_LIT, TOK_WS, TOK_BR, TOK_ELL };

/* A token is a byte range of the quote. */
typedef struct vtok {
	enum tok_kind kind;
	size_t off, len;
} vtok;

/* A segment: tokens [first, first + n), starting and ending with TOK_LIT. */
typedef struct vseg {
	size_t first, n;
} vseg;

/* One attempt to match (part of) a segment at one source position. */
typedef struct vmatch {
	int ok;
	size_t end;       /* earliest source end, when ok */
	size_t q_fail;    /* quote offset of the first difference, or the end */
	size_t s_fail;    /* source offset there */
	size_t progress;  /* quote bytes matched from the first token tried */
} vmatch;

typedef struct vctx {
	const unsigned char *q, *s;
	size_t qlen, slen;
	vtok *tok;
	size_t ntok;
	vseg *seg;
	size_t nseg;
	/* A [bracket] stripped from either end of the quote, for the span. */
	const vtok *lead_br, *trail_br;
	int lead_glued, trail_glued;
	/* The pattern scan uses: symbols (256 is white space), their quote
	 * offsets, the KMP failure function and recent source offsets. */
	int *pat;
	size_t *pat_q, *fail, *ring;
	/* The two position sets of a match attempt. */
	size_t *set[2];
	size_t cap;
	size_t work;
	int nomem;
	int exhausted;
} vctx;

/* ---- bytes ---------------------------------------------------------- */

/* Length of the white space character at b[i] (U+00A0 is two bytes). */
static size_t ws_len(const unsigned char *b, size_t n, size_t i)
{
	if (i >= n)
		return 0;
	switch (b[i]) {
	case ' ': case '\t': case '\r': case '\n': case '\f': case '\v':
		return 1;
	case 0xC2:
		return i + 1 < n && b[i + 1] == 0xA0 ? 2 : 0;
	default:
		return 0;
	}
}

/* Whether the character just before b[i] is white space. */
static int ws_before(const unsigned char *b, size_t i)
{
	if (i == 0)
		return 0;
	unsigned char c = b[i - 1];
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v')
		return 1;
	return c == 0xA0 && i >= 2 && b[i - 2] == 0xC2;
}

static size_t skip_ws(const unsigned char *b, size_t n, size_t i)
{
	size_t w;
	while ((w = ws_len(b, n, i)) != 0)
		i += w;
	return i;
}

/* Length of an ellipsis at q[i]: "…", three or more dots, or either of
 * them in brackets ("[…]", "[...]"), which also marks an omission. */
static size_t ellipsis_len(const unsigned char *q, size_t n, size_t i)
{
	if (i + 3 <= n && q[i] == 0xE2 && q[i + 1] == 0x80 && q[i + 2] == 0xA6)
		return 3;
	if (i + 3 <= n && q[i] == '.' && q[i + 1] == '.' && q[i + 2] == '.') {
		size_t j = i + 3;
		while (j < n && q[j] == '.')
			j++;
		return j - i;
	}
	if (i < n && q[i] == '[') {
		size_t j = skip_ws(q, n, i + 1), e;
		if (j < n && q[j] != '[' && (e = ellipsis_len(q, n, j)) != 0) {
			j = skip_ws(q, n, j + e);
			if (j < n && q[j] == ']')
				return j + 1 - i;
		}
	}
	return 0;
}

/* Start of the character that holds byte i. */
static size_t char_start(const unsigned char *b, size_t i)
{
	size_t k = 0;
	while (i > 0 && k < 3 && (b[i] & 0xC0) == 0x80) {
		i--;
		k++;
	}
	return i;
}

/* Length of the character at b[i] when it belongs to a word: ASCII letters
 * and digits, and any non-ASCII character outside U+0080..U+00BF (no-break
 * space, guillemets) and U+2000..U+203F (quotation marks, dashes, "…").
 * Only used to widen the reported span, so an approximation is enough. */
static size_t word_char_len(const unsigned char *b, size_t n, size_t i)
{
	unsigned char c = b[i];
	if (c < 0x80) {
		int alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z');
		return alnum ? 1 : 0;
	}
	size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (i + len > n)
		return 0;
	if (c == 0xC2 || (c == 0xE2 && b[i + 1] == 0x80))
		return 0;
	return len;
}

/*
 * Matches text (a bracket taken literally) at s[p] with white space runs
 * equal; returns the end, or (size_t)-1.
 */
static size_t match_ws_equal(const vctx *c, size_t p, const unsigned char *t,
			     size_t tlen)
{
	size_t i = 0;
	while (i < tlen) {
		if (ws_len(t, tlen, i)) {
			size_t e = skip_ws(c->s, c->slen, p);
			if (e == p)
				return (size_t)-1;
			p = e;
			i = skip_ws(t, tlen, i);
		} else if (p < c->slen && c->s[p] == t[i]) {
			p++;
			i++;
		} else {
			return (size_t)-1;
		}
	}
	return p;
}

/* ---- the quote as tokens and segments ------------------------------ */

/* Appends a token; literal bytes next to literal bytes join the same one. */
static void push_tok(vctx *c, enum tok_kind kind, size_t off, size_t len)
{
	if (kind == TOK_LIT && c->ntok && c->tok[c->ntok - 1].kind == TOK_LIT &&
	    c->tok[c->ntok - 1].off + c->tok[c->ntok - 1].len == off) {
		c->tok[c->ntok - 1].len += len;
		return;
	}
	c->tok[c->ntok].kind = kind;
	c->tok[c->ntok].off = off;
	c->tok[c->ntok].len = len;
	c->ntok++;
}

static void tokenize(vctx *c)
{
	const unsigned char *q = c->q;
	size_t n = c->qlen, i = 0;
	while (i < n) {
		size_t w = ws_len(q, n, i), e;
		if (w) {
			size_t end = skip_ws(q, n, i);
			push_tok(c, TOK_WS, i, end - i);
			i = end;
		} else if ((e = ellipsis_len(q, n, i)) != 0) {
			push_tok(c, TOK_ELL, i, e);
			i += e;
		} else if (q[i] == '[') {
			/* A bracket closes on the same line, without nesting;
			 * an unclosed one is a literal "[". */
			size_t j = i + 1;
			while (j < n && q[j] != ']' && q[j] != '[' &&
			       q[j] != '\n')
				j++;
			if (j < n && q[j] == ']') {
				push_tok(c, TOK_BR, i, j + 1 - i);
				i = j + 1;
			} else {
				push_tok(c, TOK_LIT, i++, 1);
			}
		} else {
			push_tok(c, TOK_LIT, i++, 1);
		}
	}
}

/*
 * Cuts the tokens at the ellipses into segments and trims each one: white
 * space at an edge means nothing, and a bracket at an edge may stand for
 * nothing, so neither has to match.  The brackets stripped from the ends of
 * the quote are kept to widen the reported span.
 */
static void segment(vctx *c)
{
	size_t a = 0;
	while (a <= c->ntok) {
		size_t b = a;
		while (b < c->ntok && c->tok[b].kind != TOK_ELL)
			b++;
		size_t lo = a, hi = b;
		const vtok *lead = NULL, *trail = NULL;
		while (lo < hi && c->tok[lo].kind != TOK_LIT) {
			if (c->tok[lo].kind == TOK_BR)
				lead = &c->tok[lo];
			lo++;
		}
		while (hi > lo && c->tok[hi - 1].kind != TOK_LIT) {
			if (c->tok[hi - 1].kind == TOK_BR)
				trail = &c->tok[hi - 1];
			hi--;
		}
		if (lo < hi) {
			if (c->nseg == 0 && lead) {
				c->lead_br = lead;
				c->lead_glued = lead->off + lead->len ==
						c->tok[lo].off;
			}
			c->trail_br = trail;
			c->trail_glued = trail && c->tok[hi - 1].off +
					 c->tok[hi - 1].len == trail->off;
			c->seg[c->nseg].first = lo;
			c->seg[c->nseg].n = hi - lo;
			c->nseg++;
		}
		a = b + 1;
	}
}

/* ---- matching one segment ------------------------------------------ */

static int reserve(vctx *c, size_t need)
{
	if (need <= c->cap)
		return 0;
	size_t cap = c->cap ? c->cap : 256;
	while (cap < need)
		cap *= 2;
	for (int k = 0; k < 2; k++) {
		size_t *p = realloc(c->set[k], cap * sizeof *p);
		if (!p) {
			c->nomem = 1;
			return -1;
		}
		c->set[k] = p;
	}
	c->cap = cap;
	return 0;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static size_t sort_unique(size_t *v, size_t n)
{
	if (n < 2)
		return n;
	qsort(v, n, sizeof *v, cmp_size);
	size_t k = 1;
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

/*
 * The positions a bracket can end at from the sorted positions cur: every
 * position up to BRACKET_MAX bytes on without crossing a line break, and
 * the end of the bracket's own text.  The passages come out in order and
 * without repeats; the rare literal ends beyond them are sorted in.
 */
static size_t expand_bracket(const vctx *c, const size_t *cur, size_t ncur,
			     size_t *nxt, const unsigned char *text,
			     size_t tlen)
{
	size_t n = 0, next_free = 0;
	for (size_t i = 0; i < ncur; i++) {
		size_t p = cur[i], lim = p;
		while (lim - p < BRACKET_MAX && lim < c->slen &&
		       c->s[lim] != '\n' && c->s[lim] != '\r')
			lim++;
		for (size_t k = p > next_free ? p : next_free; k <= lim; k++)
			nxt[n++] = k;
		if (lim + 1 > next_free)
			next_free = lim + 1;
	}
	size_t passages = n;
	for (size_t i = 0; i < ncur; i++) {
		size_t e = match_ws_equal(c, cur[i], text, tlen);
		if (e != (size_t)-1 && e - cur[i] > BRACKET_MAX)
			nxt[n++] = e;
	}
	return n > passages ? sort_unique(nxt, n) : n;
}

/*
 * Matches tokens t0.. of segment g at source position start, following
 * every source position each token can end at (sorted, without repeats).
 * Returns -1 only when memory runs out; the outcome is in *m.
 */
static int match_seg(vctx *c, const vseg *g, size_t t0, size_t start,
		     vmatch *m)
{
	int ci = 0;  /* c->set[ci] holds the current positions */
	size_t *cur = c->set[0], *nxt = c->set[1];
	size_t ncur = 1;
	size_t q0 = c->tok[g->first + t0].off;
	cur[0] = start;
	for (size_t t = g->first + t0; t < g->first + g->n; t++) {
		const vtok *tk = &c->tok[t];
		const unsigned char *text = c->q + tk->off;
		size_t nnxt = 0, best_cp = 0, best_pos = cur[0];
		c->work += ncur;
		if (c->work > WORK_MAX)
			c->exhausted = 1;
		if (c->exhausted) {
			m->ok = 0;
			m->q_fail = tk->off;
			m->s_fail = cur[0];
			m->progress = m->q_fail - q0;
			return 0;
		}
		if (tk->kind == TOK_BR) {
			/* Room for every position the passages reach, and for
			 * the literal ends beyond them. */
			if (reserve(c, cur[ncur - 1] - cur[0] + BRACKET_MAX +
				    1 + ncur))
				return -1;
			cur = c->set[ci];
			nxt = c->set[ci ^ 1];
			nnxt = expand_bracket(c, cur, ncur, nxt, text, tk->len);
		} else if (tk->kind == TOK_LIT) {
			for (size_t i = 0; i < ncur; i++) {
				size_t p = cur[i], room = c->slen - p, cp = 0;
				size_t max = tk->len < room ? tk->len : room;
				while (cp < max && c->s[p + cp] == text[cp])
					cp++;
				if (cp == tk->len)
					nxt[nnxt++] = p + cp;
				else if (cp > best_cp) {
					best_cp = cp;
					best_pos = p;
				}
			}
		} else {
			/* After a bracket that stood for nothing, the white
			 * space on its two sides is one run. */
			int after_br = t > g->first &&
				       c->tok[t - 1].kind == TOK_BR;
			for (size_t i = 0; i < ncur; i++) {
				size_t p = cur[i];
				size_t e = skip_ws(c->s, c->slen, p);
				if ((e > p || (after_br && ws_before(c->s, p)))
				    && (nnxt == 0 || nxt[nnxt - 1] != e))
					nxt[nnxt++] = e;
			}
		}
		if (nnxt == 0) {
			m->ok = 0;
			m->q_fail = tk->off + best_cp;
			m->s_fail = best_pos + best_cp;
			m->progress = m->q_fail - q0;
			return 0;
		}
		ci ^= 1;
		cur = c->set[ci];
		nxt = c->set[ci ^ 1];
		ncur = nnxt;
	}
	const vtok *last = &c->tok[g->first + g->n - 1];
	m->ok = 1;
	m->end = cur[0];
	m->q_fail = last->off + last->len;
	m->s_fail = cur[0];
	m->progress = m->q_fail - q0;
	return 0;
}

/*
 * Scans the source from `from` for tokens t0.. of segment g.  The tokens up
 * to the first bracket are found with Knuth-Morris-Pratt over the source
 * read as a stream in which a white space run is one symbol, so the scan
 * is linear however repetitive the text; only where they occur is the rest
 * of the segment matched with match_seg.
 *
 * With first set, stops at the first full match and returns 1 (0: none).
 * Otherwise finds the start that gets furthest, the first on a tie, and
 * returns 1 when any byte matched; a full match ends the scan early.
 * Returns -1 when memory runs out.
 */
static int scan(vctx *c, const vseg *g, size_t t0, size_t from, int first,
		size_t *out_start, vmatch *out)
{
	size_t tb = g->first + t0, tend = g->first + g->n;
	size_t L = 0;
	for (; tb < tend && c->tok[tb].kind != TOK_BR; tb++) {
		const vtok *tk = &c->tok[tb];
		if (tk->kind == TOK_WS) {
			c->pat[L] = 256;
			c->pat_q[L++] = tk->off;
		} else {
			for (size_t i = 0; i < tk->len; i++) {
				c->pat[L] = c->q[tk->off + i];
				c->pat_q[L++] = tk->off + i;
			}
		}
	}
	size_t q0 = c->tok[g->first + t0].off;
	size_t qend = tb < tend ? c->tok[tb].off : c->tok[tend - 1].off +
		      c->tok[tend - 1].len;
	c->pat_q[L] = qend;
	c->fail[0] = 0;
	for (size_t i = 1, k = 0; i < L; i++) {
		while (k > 0 && c->pat[i] != c->pat[k])
			k = c->fail[k - 1];
		if (c->pat[i] == c->pat[k])
			k++;
		c->fail[i] = k;
	}

	int found = 0;
	size_t i = from, k = 0, j = 0;
	while (i < c->slen) {
		size_t w = ws_len(c->s, c->slen, i), next;
		int sym;
		if (w) {
			sym = 256;
			next = skip_ws(c->s, c->slen, i);
		} else {
			sym = c->s[i];
			next = i + 1;
		}
		c->ring[j++ % L] = i;
		while (k > 0 && c->pat[k] != sym)
			k = c->fail[k - 1];
		if (c->pat[k] == sym)
			k++;
		if (k < L) {
			/* A partial match is only worth keeping as a guess. */
			size_t prog = c->pat_q[k] - q0;
			if (!first && k > 0 && (!found ||
						prog > out->progress)) {
				out->ok = 0;
				out->q_fail = c->pat_q[k];
				out->s_fail = next;
				out->progress = prog;
				*out_start = c->ring[(j - k) % L];
				found = 1;
			}
			i = next;
			continue;
		}
		size_t start = c->ring[(j - L) % L];
		vmatch m;
		if (tb == tend) {
			m.ok = 1;
			m.end = m.s_fail = next;
			m.q_fail = qend;
		} else if (match_seg(c, g, tb - g->first, next, &m)) {
			return -1;
		}
		m.progress = m.q_fail - q0;
		if (c->exhausted)
			break;
		if (m.ok || (!first && (!found ||
					m.progress > out->progress))) {
			*out = m;
			*out_start = start;
			found = 1;
			if (m.ok)
				return 1;
		}
		k = c->fail[L - 1];
		i = next;
	}
	return first ? 0 : found;
}

/* ---- when the quote is not there ----------------------------------- */

static size_t dist(size_t a, size_t b)
{
	return a > b ? a - b : b - a;
}

/* How far an alignment may be off from where resync expects it. */
#define RESYNC_SLACK 8

/*
 * After a difference at quote[qf] against source[sf], how much of segment
 * g matches again from one of the next two word starts, near where an
 * alignment that merely swapped a few bytes would put them.  Returns the
 * bytes matched (-1: out of memory).
 */
static long resync(vctx *c, const vseg *g, size_t qf, size_t sf)
{
	size_t best = 0;
	int tried = 0;
	for (size_t t = 1; t < g->n && tried < 2; t++) {
		const vtok *tk = &c->tok[g->first + t];
		if (tk->kind != TOK_LIT || tk->off <= qf ||
		    c->tok[g->first + t - 1].kind != TOK_WS)
			continue;
		tried++;
		size_t want = sf + (tk->off - qf);
		size_t lo = want > RESYNC_SLACK ? want - RESYNC_SLACK : 0;
		for (size_t p = lo; p <= want + RESYNC_SLACK && p < c->slen;
		     p++) {
			vmatch m;
			if (match_seg(c, g, t, p, &m))
				return -1;
			if (m.progress > best)
				best = m.progress;
		}
	}
	return (long)best;
}

/*
 * Segment j could not be placed at or after base.  Looks for the alignment
 * that matches most of it: the longest prefix anywhere, and, since a
 * difference near the start leaves only a short prefix, the longest match
 * of the segment's tail from a few word starts, followed by the start that
 * gets furthest near where that tail puts the segment.  *out_start is the
 * alignment's start, *m the attempt from there; the return value is the
 * number of the segment's bytes that match, before the difference and
 * after it (-1: out of memory).
 */
static long diagnose(vctx *c, size_t j, size_t base, size_t *out_start,
		     vmatch *m)
{
	const vseg *g = &c->seg[j];
	const vtok *last = &c->tok[g->first + g->n - 1];
	size_t q0 = c->tok[g->first].off;
	size_t seglen = last->off + last->len - q0;

	m->ok = 0;
	m->progress = 0;
	m->q_fail = q0;
	m->s_fail = base < c->slen ? base : c->slen;
	*out_start = m->s_fail;
	int rc = scan(c, g, 0, base, 0, out_start, m);
	if (rc < 0)
		return -1;
	long after = rc > 0 ? resync(c, g, m->q_fail, m->s_fail) : 0;
	if (after < 0)
		return -1;
	size_t matched = m->progress + (size_t)after;
	if (matched > seglen)
		matched = seglen;
	if (m->progress * 2 >= seglen)
		return (long)matched;

	/* Tails from word starts spread over the segment. */
	size_t best_k = 0, best_tail = 0, best_p = 0;
	size_t mark = 1;
	for (size_t t = 1; t < g->n && mark < ANCHORS + 1; t++) {
		const vtok *tk = &c->tok[g->first + t];
		if (tk->kind != TOK_LIT || c->tok[g->first + t - 1].kind !=
		    TOK_WS || (tk->off - q0) * (ANCHORS + 1) < mark * seglen)
			continue;
		while (mark < ANCHORS + 1 && (tk->off - q0) * (ANCHORS + 1) >=
		       mark * seglen)
			mark++;
		vmatch tm;
		size_t tp = 0;
		rc = scan(c, g, t, base, 0, &tp, &tm);
		if (rc < 0)
			return -1;
		/* A tail counts when it is no chance match: a third of
		 * the segment at least, and halfway to its end. */
		size_t rest = seglen - (tk->off - q0);
		if (rc > 0 && tm.progress > best_tail &&
		    tm.progress * 3 >= seglen && tm.progress * 2 >= rest) {
			best_tail = tm.progress;
			best_k = t;
			best_p = tp;
		}
	}
	if (best_k == 0 || best_tail <= matched)
		return (long)matched;

	/* The segment should start about this far before its tail: white
	 * space runs and brackets may shift it. */
	size_t before = c->tok[g->first + best_k].off - q0;
	size_t slack = 32 + before / 4;
	for (size_t t = 0; t < best_k; t++)
		if (c->tok[g->first + t].kind == TOK_BR)
			slack += BRACKET_MAX;
	size_t est = best_p > before ? best_p - before : 0;
	if (est < base)
		est = base;
	size_t lo = est > base + slack ? est - slack : base;
	size_t hi = est + slack < best_p ? est + slack : best_p;
	vmatch wm = { 0, 0, q0, est, 0 };
	size_t ws = est;
	int have = 0;
	for (size_t s = lo; s <= hi; s++) {
		vmatch tm;
		if (match_seg(c, g, 0, s, &tm))
			return -1;
		/* A start away from where the tail puts it needs a source
		 * insertion or omission, so it must match more to win: a
		 * stray "the" nearby is not the alignment, "did they"
		 * before an inserted "[the Iranians]" is. */
		long score = 3 * (long)tm.progress - (long)dist(s, est);
		long best = 3 * (long)wm.progress - (long)dist(ws, est);
		if (!have || score > best ||
		    (score == best && dist(s, est) < dist(ws, est))) {
			wm = tm;
			ws = s;
			have = 1;
		}
	}
	size_t total = wm.progress + best_tail;
	if (total > seglen)
		total = seglen;
	if (total <= matched)
		return (long)matched;
	*m = wm;
	*out_start = ws;
	return (long)total;
}

/* ---- the span ------------------------------------------------------- */

/* Widens [*st, *en) over the words a bracket at either end of the quote
 * stood for, or over the bracket itself when the source has it too. */
static void widen(const vctx *c, size_t *st, size_t *en)
{
	const unsigned char *s = c->s;
	if (c->lead_br) {
		const unsigned char *t = c->q + c->lead_br->off;
		size_t n = c->lead_br->len, p = *st;
		if (!c->lead_glued) {
			while (p > 0 && ws_before(s, p))
				p -= s[p - 1] == 0xA0 ? 2 : 1;
			if (p == *st)
				p = (size_t)-1;
		}
		if (p != (size_t)-1 && p >= n && memcmp(s + p - n, t, n) == 0) {
			*st = p - n;
		} else if (c->lead_glued) {
			while (*st > 0) {
				size_t b = char_start(s, *st - 1);
				if (word_char_len(s, c->slen, b) != *st - b)
					break;
				*st = b;
			}
		}
	}
	if (c->trail_br) {
		const unsigned char *t = c->q + c->trail_br->off;
		size_t n = c->trail_br->len, p = *en;
		if (!c->trail_glued) {
			p = skip_ws(s, c->slen, p);
			if (p == *en)
				p = c->slen + 1;
		}
		if (p <= c->slen && c->slen - p >= n &&
		    memcmp(s + p, t, n) == 0) {
			*en = p + n;
		} else if (c->trail_glued) {
			size_t w;
			while (*en < c->slen &&
			       (w = word_char_len(s, c->slen, *en)) != 0)
				*en += w;
		}
	}
}

/* ---- the entry point ------------------------------------------------ */

static int verify(vctx *c, qdb_verify_result *out)
{
	out->status = QDB_NOT_FOUND;
	out->near_off = out->near_len = 0;
	out->quote_off = out->source_off = 0;
	tokenize(c);
	segment(c);
	if (c->nseg == 0)
		return 0;  /* nothing but white space, brackets, ellipses */
	if (reserve(c, 2 * (BRACKET_MAX + 2)))
		return QDB_ENOMEM;

	size_t pos = 0, first = 0, j;
	for (j = 0; j < c->nseg; j++) {
		size_t st;
		vmatch m;
		int rc = scan(c, &c->seg[j], 0, pos, 1, &st, &m);
		if (rc < 0)
			return QDB_ENOMEM;
		if (rc == 0 && c->exhausted)
			return 0;
		if (rc == 0)
			break;
		if (j == 0)
			first = st;
		pos = m.end;
	}
	if (j == c->nseg) {
		size_t st = first, en = pos;
		widen(c, &st, &en);
		out->status = QDB_VERIFIED;
		out->near_off = st;
		out->near_len = en - st;
		out->quote_off = c->qlen;
		out->source_off = en;
		return 0;
	}

	size_t base = j == 0 ? 0 : pos, at;
	vmatch m;
	long got = diagnose(c, j, base, &at, &m);
	if (got < 0)
		return QDB_ENOMEM;
	if (c->exhausted)
		return 0;
	/* Measured against the quote up to the end of the part that could
	 * not be placed: what comes after it was never looked for. */
	const vseg *g = &c->seg[j];
	const vtok *glast = &c->tok[g->first + g->n - 1];
	size_t matched = c->tok[g->first].off + (size_t)got;
	if (matched < NEAR_MIN || matched * 3 < glast->off + glast->len)
		return 0;

	/* Report the start of the character that differs: the bytes before
	 * it are equal on both sides, so both step back alike. */
	size_t qf = m.q_fail, sf = m.s_fail;
	size_t back = qf < c->qlen ? qf - char_start(c->q, qf) : 0;
	if (back > sf)
		back = sf;
	qf -= back;
	sf -= back;

	/* The passage: from the start of the match (or of this segment when
	 * an ellipsis skipped far), about as long as the quote. */
	size_t near = j > 0 && at - first <= 2 * c->qlen ? first : at;
	if (near > sf)
		near = sf;
	size_t len = sf - near + (c->qlen - qf);
	if (len < c->qlen)
		len = c->qlen;
	if (len > c->slen - near)
		len = c->slen - near;
	size_t end = near + len;
	if (near < c->slen)
		near = char_start(c->s, near);
	/* End at the end of a word, if one ends soon. */
	for (size_t k = 0; k < 24 && end < c->slen &&
	     !ws_len(c->s, c->slen, end); k++)
		end++;
	while (end < c->slen && (c->s[end] & 0xC0) == 0x80)
		end++;
	out->status = QDB_DIFFERS;
	out->quote_off = qf;
	out->source_off = sf;
	out->near_off = near;
	out->near_len = end - near;
	return 0;
}

int qdb_verify_text(qdb_verify_result *out, const char *quote, size_t qlen,
		    const char *source, size_t slen)
{
	if (!out || out->size < sizeof *out)
		return QDB_EINVALID;
	if ((!quote && qlen) || (!source && slen))
		return QDB_EINVALID;

	vctx c;
	memset(&c, 0, sizeof c);
	c.q = (const unsigned char *)(quote ? quote : "");
	c.s = (const unsigned char *)(source ? source : "");
	c.qlen = qlen;
	c.slen = slen;
	c.tok = malloc((qlen + 1) * sizeof *c.tok);
	c.seg = malloc((qlen + 1) * sizeof *c.seg);
	c.pat = malloc((qlen + 1) * sizeof *c.pat);
	c.pat_q = malloc((qlen + 1) * sizeof *c.pat_q);
	c.fail = malloc((qlen + 1) * sizeof *c.fail);
	c.ring = malloc((qlen + 1) * sizeof *c.ring);
	int rc = QDB_ENOMEM;
	if (c.tok && c.seg && c.pat && c.pat_q && c.fail && c.ring)
		rc = verify(&c, out);
	if (c.nomem)
		rc = QDB_ENOMEM;
	free(c.tok);
	free(c.seg);
	free(c.pat);
	free(c.pat_q);
	free(c.fail);
	free(c.ring);
	free(c.set[0]);
	free(c.set[1]);
	return rc;
}
