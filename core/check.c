/*
 * check.c: the verdict on each quotation of a draft against the
 * collection, under the contract of docs/check.md.
 *
 * A quotation is never compared with the whole collection.  Its rarest
 * words (by the FTS5 index's own document counts, common words never
 * counted) find candidates: the quotes holding its rarest words as close
 * together as the quotation has them, for exactness; failing that, the
 * best-ranked quotes holding two of them, for a near miss (docs/check.md
 * §7).  Exactness is verify's matcher (qdb_verify_text: white space runs,
 * ellipses, [brackets]) run on both texts with their quotation marks
 * folded and the quotation's closing punctuation and first letter's case
 * let go.  A near miss is a word alignment of the quotation against each
 * candidate, whose differences become the diff.  Who the draft says
 * spoke is looked up, phrase by phrase, among the speakers' names and
 * aliases.
 */
#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Candidates kept per query: all holding the rarest words (exactness),
 * and the best-ranked holding any (near misses). */
#define CAND_ALL 64
#define CAND_NEAR 16
/* Words of a quotation read for the queries; words in the phrase that
 * finds exact matches; rarest words whose pairs find near misses. */
#define TOKENS_MAX 512
#define PHRASE_MAX 8
#define NEAR_WORDS 4
/* Document counts remembered (direct-mapped by hash). */
#define DF_SLOTS 4096
/* The largest alignment table (quotation words × stored words). */
#define DP_MAX (4u << 20)
/* The longest speaker name looked for in a sentence, in words. */
#define NAME_WORDS 6
#define NAMED_MAX 16

typedef struct cand {
	sqlite3_int64 qid, speaker_id;
	size_t id, text, speaker;   /* offsets into ck->arena */
	size_t text_len;
	int exact, whole;
	int matches, score;         /* of the alignment */
} cand;

/* A word of a text: its bytes, and the key it is compared by. */
typedef struct word {
	size_t off, len;            /* in the original text */
	size_t koff, klen;          /* in the key buffer */
	int nocase;
	int free_before;            /* an ellipsis or [insertion] before */
} word;

enum op { OP_MATCH, OP_SUB, OP_INS, OP_DEL, OP_FREE };

/* A word of the quotation as the index splits it. */
typedef struct ftok {
	char w[64];
	int run;          /* words of one run stand in a row */
	int stop;         /* a common word (stopwords) */
} ftok;

typedef struct term {
	char w[64];
	int64_t df;
} term;

/* One entry of the document count cache; df < 0: empty. */
typedef struct df_slot {
	char w[64];
	int64_t df;
} df_slot;

typedef struct named {
	sqlite3_int64 id;
	size_t at;
} named;

struct qdb_checker {
	qdb *db;
	sqlite3_stmt *vocab, *cands, *name, *speaker;
	qdb_buf arena;              /* candidates' strings */
	cand c[3 * CAND_ALL];
	size_t nc;
	qdb_buf fq, fq2, fs, fs2, query, keys, diff, out[4];
	word *dw, *sw;
	size_t dwcap, swcap, ndw, nsw;
	int *h;
	unsigned char *dir;
	size_t dpcap;
	unsigned char *ops;
	size_t *opi, *opj;
	size_t opcap, nops;
	named nm[NAMED_MAX];
	size_t nnm;
	ftok tok[TOKENS_MAX];
	size_t ntok;
	int64_t common;           /* more documents than this: too common */
	df_slot *dfc;             /* DF_SLOTS entries */
};

const char *qdb_check_verdict_name(qdb_check_verdict v)
{
	static const char *const names[] = {
		"exact", "altered", "misattributed", "unknown", "term",
		"ambiguous"
	};
	return (unsigned)v <= QDB_CHECK_AMBIGUOUS ? names[v] : "?";
}

/* ---- the checker ---------------------------------------------------- */

int qdb_checker_open(qdb_checker **out, qdb *db)
{
	if (!out || !db)
		return QDB_EINVALID;
	*out = NULL;
	qdb_checker *ck = calloc(1, sizeof *ck);
	if (!ck)
		return qdb__fail(db, QDB_ENOMEM, "out of memory");
	ck->db = db;
	ck->dfc = malloc(DF_SLOTS * sizeof *ck->dfc);
	if (!ck->dfc) {
		free(ck);
		return qdb__fail(db, QDB_ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < DF_SLOTS; k++)
		ck->dfc[k].df = -1;
	/* The index's own document counts say which words are rare.  The
	 * table that reads them lives in temp: a read-only handle, kept so
	 * by query_only (db.c), may make it, since no byte of the file is
	 * written; query_only is put back as it was. */
	int query_only = 0;
	sqlite3_stmt *qo = NULL;
	int rc = qdb__prepare(&qo, db, "PRAGMA query_only");
	if (!rc && sqlite3_step(qo) == SQLITE_ROW)
		query_only = sqlite3_column_int(qo, 0);
	sqlite3_finalize(qo);
	if (!rc && query_only)
		rc = qdb__exec(db, "PRAGMA query_only = 0");
	if (!rc) {
		rc = qdb__exec(db, "CREATE VIRTUAL TABLE IF NOT EXISTS "
			       "temp.qdb_check_vocab USING fts5vocab(main, "
			       "'quotes_fts', 'row')");
		if (query_only && sqlite3_exec(db->sql, "PRAGMA query_only = "
					       "1", NULL, NULL, NULL) != SQLITE_OK
		    && !rc)
			rc = qdb__fail_sql(db, "query_only");
	}
	if (!rc)
		rc = qdb__prepare(&ck->vocab, db, "SELECT doc FROM "
				  "temp.qdb_check_vocab WHERE term = ?");
	if (!rc)
		/* The best matches first, then their rows: joined
		 * after the LIMIT, not for every match. */
		rc = qdb__prepare(&ck->cands, db, "SELECT q.qid, q.id, "
				  "q.text, q.speaker_id, s.name FROM (SELECT "
				  "rowid AS r, rank AS k FROM quotes_fts WHERE "
				  "quotes_fts MATCH ?1 ORDER BY rank LIMIT ?2)"
				  " m"
				  " JOIN quotes q ON q.qid = m.r"
				  " JOIN speakers s ON s.id = q.speaker_id"
				  " ORDER BY m.k");
	sqlite3_stmt *st = NULL;
	if (!rc)
		rc = qdb__prepare(&st, db, "SELECT max(qid) FROM quotes");
	if (!rc) {
		/* A near miss is looked for through words at most one quote
		 * in a hundred holds (or 2,000): rarer words tell more, and
		 * reading a common word's postings costs the most. */
		int64_t n = sqlite3_step(st) == SQLITE_ROW ?
			sqlite3_column_int64(st, 0) : 0;
		ck->common = n / 100 > 2000 ? n / 100 : 2000;
	}
	sqlite3_finalize(st);
	if (!rc)
		rc = qdb__prepare(&ck->name, db, "SELECT id FROM speakers "
				  "WHERE name = ?1 UNION ALL SELECT speaker_id "
				  "FROM speaker_aliases WHERE alias = ?1 "
				  "LIMIT 1");
	if (!rc)
		rc = qdb__prepare(&ck->speaker, db, "SELECT name FROM "
				  "speakers WHERE id = ?");
	if (rc) {
		qdb_checker_free(ck);
		return rc;
	}
	*out = ck;
	qdb__ok(db);
	return 0;
}

void qdb_checker_free(qdb_checker *ck)
{
	if (!ck)
		return;
	sqlite3_finalize(ck->vocab);
	sqlite3_finalize(ck->cands);
	sqlite3_finalize(ck->name);
	sqlite3_finalize(ck->speaker);
	qdb__buf_free(&ck->arena);
	qdb__buf_free(&ck->fq);
	qdb__buf_free(&ck->fq2);
	qdb__buf_free(&ck->fs);
	qdb__buf_free(&ck->fs2);
	qdb__buf_free(&ck->query);
	qdb__buf_free(&ck->keys);
	qdb__buf_free(&ck->diff);
	for (int k = 0; k < 4; k++)
		qdb__buf_free(&ck->out[k]);
	free(ck->dw);
	free(ck->sw);
	free(ck->h);
	free(ck->dir);
	free(ck->ops);
	free(ck->opi);
	free(ck->opj);
	free(ck->dfc);
	free(ck);
}

/* ---- text ----------------------------------------------------------- */

static unsigned cp_at(const unsigned char *s, size_t n, size_t i, size_t *len)
{
	unsigned cp = 0;
	size_t l = qdb__utf8_decode(s + i, n - i, &cp);
	if (l == 0) {
		l = 1;
		cp = s[i];
	}
	*len = l;
	return cp;
}

/* The quotation marks the contract folds: every double mark is ", every
 * single one (and apostrophe) is '. */
static int fold_mark(unsigned cp)
{
	switch (cp) {
	case 0x201C: case 0x201D: case 0x201E: case 0x201F:
	case 0xAB: case 0xBB:
		return '"';
	case 0x2018: case 0x2019: case 0x201A: case 0x201B:
		return '\'';
	default:
		return 0;
	}
}

/* Appends s[0, n) to b with its marks folded. */
static void fold(qdb_buf *b, const char *s, size_t n)
{
	size_t i = 0, from = 0;
	while (i < n) {
		size_t l;
		int f = fold_mark(cp_at((const unsigned char *)s, n, i, &l));
		if (f) {
			char c = (char)f;
			qdb__buf_add(b, s + from, i - from);
			qdb__buf_add(b, &c, 1);
			from = i + l;
		}
		i += l;
	}
	qdb__buf_add(b, s + from, n - from);
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_stop(char c)
{
	return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' ||
	       c == '?';
}

/* The length of s without white space and closing punctuation at its
 * end: punctuation at the closing mark may stand inside or outside. */
static size_t trim_end(const char *s, size_t n)
{
	while (n && (is_ws(s[n - 1]) || is_stop(s[n - 1])))
		n--;
	return n;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Whether the ellipsis (… ... . . .) or [bracket] token t is one. */
static int is_ellipsis(const char *s, size_t n)
{
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 3 && !memcmp(s, "\xE2\x80\xA6", 3))
		return 1;
	if (n < 3)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '.')
			return 0;
	return 1;
}

/* ---- words ---------------------------------------------------------- */

static int push_word(qdb_checker *ck, word **v, size_t *nv, size_t *cap,
		     const char *s, size_t off, size_t len, int free_before)
{
	if (*nv == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		word *w = realloc(*v, c * sizeof *w);
		if (!w)
			return QDB_ENOMEM;
		*v = w;
		*cap = c;
	}
	word *w = &(*v)[(*nv)++];
	w->off = off;
	w->len = len;
	w->free_before = free_before;
	w->nocase = 0;
	/* The key: marks folded, brackets inside the word left out (so
	 * "[W]e" and "support[ing]" compare as words, without case). */
	w->koff = ck->keys.len;
	qdb_buf tmp = { 0 };
	fold(&tmp, s + off, len);
	for (size_t i = 0; i < tmp.len; i++) {
		if (tmp.data[i] == '[' || tmp.data[i] == ']') {
			w->nocase = 1;
			continue;
		}
		qdb__buf_add(&ck->keys, tmp.data + i, 1);
	}
	int bad = tmp.failed;
	qdb__buf_free(&tmp);
	w->klen = ck->keys.len - w->koff;
	return bad || ck->keys.failed ? QDB_ENOMEM : 0;
}

/*
 * Splits text into words at white space.  In the draft (draft set), an
 * ellipsis and a whole [bracketed insertion] are no words: they let the
 * stored words at that place go freely.  In a stored quote an ellipsis
 * is a word like any other: a draft that drops it hides an omission.
 */
static int split(qdb_checker *ck, const char *s, size_t n, int draft,
		 word **v, size_t *nv, size_t *cap)
{
	size_t i = 0;
	int free_next = 0;
	*nv = 0;
	while (i < n) {
		while (i < n && is_ws(s[i]))
			i++;
		if (i == n)
			break;
		size_t a = i;
		if (draft && s[i] == '[') {
			/* A bracket that opens a word and closes at the end
			 * of one stands for words of its own. */
			size_t j = i + 1;
			while (j < n && s[j] != ']' && s[j] != '[' &&
			       s[j] != '\n')
				j++;
			if (j < n && s[j] == ']' && (j + 1 == n ||
						     is_ws(s[j + 1]) ||
						     is_stop(s[j + 1]))) {
				i = j + 1;
				while (i < n && is_stop(s[i]))
					i++;
				free_next = 1;
				continue;
			}
		}
		while (i < n && !is_ws(s[i]))
			i++;
		int ell = is_ellipsis(s + a, i - a);
		if (draft && ell) {
			free_next = 1;
			continue;
		}
		if (push_word(ck, v, nv, cap, s, a, i - a, free_next))
			return QDB_ENOMEM;
		free_next = 0;
	}
	return 0;
}

static int word_eq(const qdb_checker *ck, const word *d, const word *s,
		   int first, int last)
{
	const char *a = ck->keys.data + d->koff;
	const char *b = ck->keys.data + s->koff;
	size_t al = d->klen, bl = s->klen;
	if (last) {
		al = trim_end(a, al);
		bl = trim_end(b, bl);
	}
	if (al != bl)
		return 0;
	if (!(d->nocase || s->nocase || first))
		return memcmp(a, b, al) == 0;
	for (size_t i = 0; i < al; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]) &&
		    (i > 0 || !first ? a[i] != b[i] : 1))
			return 0;
	return 1;
}

/* ---- alignment ------------------------------------------------------ */

/*
 * Aligns every draft word against a stretch of the stored words: +2 a
 * word that matches, -1 one that differs, is added or is dropped, 0 a
 * stored word dropped where the draft marks an omission.  Sets c's
 * matches and score and leaves the operations in ck->ops, in order.
 * Returns 1 when aligned, 0 when too large, negative on no memory.
 */
static int align(qdb_checker *ck, cand *c)
{
	size_t m = ck->ndw, n = ck->nsw, w = n + 1;
	if (m == 0 || n == 0 || (m + 1) * w > DP_MAX)
		return 0;
	size_t cells = (m + 1) * w;
	if (cells > ck->dpcap) {
		int *h = realloc(ck->h, cells * sizeof *h);
		if (!h)
			return QDB_ENOMEM;
		ck->h = h;
		unsigned char *d = realloc(ck->dir, cells);
		if (!d)
			return QDB_ENOMEM;
		ck->dir = d;
		ck->dpcap = cells;
	}
	int *h = ck->h;
	unsigned char *dir = ck->dir;
	for (size_t j = 0; j <= n; j++) {
		h[j] = 0;
		dir[j] = OP_FREE;
	}
	for (size_t i = 1; i <= m; i++) {
		h[i * w] = -(int)i;
		dir[i * w] = OP_INS;
		int free_here = i < m ? ck->dw[i].free_before : 0;
		for (size_t j = 1; j <= n; j++) {
			int eq = word_eq(ck, &ck->dw[i - 1], &ck->sw[j - 1],
					 i == 1, i == m);
			int best = h[(i - 1) * w + j - 1] + (eq ? 2 : -1);
			unsigned char d = eq ? OP_MATCH : OP_SUB;
			int up = h[(i - 1) * w + j] - 1;
			int skip = free_here;
			int left = h[i * w + j - 1] - (skip ? 0 : 1);
			if (up > best) {
				best = up;
				d = OP_INS;
			}
			if (left > best) {
				best = left;
				d = skip ? OP_FREE : OP_DEL;
			}
			h[i * w + j] = best;
			dir[i * w + j] = d;
		}
	}
	size_t bj = 0;
	for (size_t j = 1; j <= n; j++)
		/* On a tie, a changed word rather than an added one. */
		if (h[m * w + j] >= h[m * w + bj])
			bj = j;
	/* Walk back, recording the operations in reverse. */
	if (m + n + 1 > ck->opcap) {
		size_t cap = m + n + 1;
		unsigned char *o = realloc(ck->ops, cap);
		if (!o)
			return QDB_ENOMEM;
		ck->ops = o;
		size_t *a = realloc(ck->opi, cap * sizeof *a);
		if (!a)
			return QDB_ENOMEM;
		ck->opi = a;
		size_t *b = realloc(ck->opj, cap * sizeof *b);
		if (!b)
			return QDB_ENOMEM;
		ck->opj = b;
		ck->opcap = cap;
	}
	size_t i = m, j = bj, k = 0;
	int matches = 0;
	while (i > 0) {
		unsigned char d = dir[i * w + j];
		ck->ops[k] = d;
		ck->opi[k] = i - 1;
		ck->opj[k] = j ? j - 1 : 0;
		k++;
		if (d == OP_MATCH || d == OP_SUB) {
			matches += d == OP_MATCH;
			i--;
			j--;
		} else if (d == OP_INS) {
			i--;
		} else {
			j--;
		}
	}
	/* Reverse into reading order. */
	for (size_t a = 0, b = k ? k - 1 : 0; a < b; a++, b--) {
		unsigned char t = ck->ops[a];
		ck->ops[a] = ck->ops[b];
		ck->ops[b] = t;
		size_t u = ck->opi[a];
		ck->opi[a] = ck->opi[b];
		ck->opi[b] = u;
		u = ck->opj[a];
		ck->opj[a] = ck->opj[b];
		ck->opj[b] = u;
	}
	ck->nops = k;
	c->matches = matches;
	c->score = h[m * w + bj];
	return 1;
}

/* The diff of the last alignment: the stored words, with [-…-] where
 * the draft differs and {+…+} for the draft's words. */
static void render_diff(qdb_checker *ck, const char *dtext,
			const char *stext)
{
	qdb_buf *b = &ck->diff;
	b->len = 0;
	size_t k = 0;
	int sep = 0, ell = 0;
	while (k < ck->nops) {
		unsigned char o = ck->ops[k];
		if (o == OP_MATCH) {
			const word *s = &ck->sw[ck->opj[k]];
			if (sep)
				qdb__buf_add(b, " ", 1);
			qdb__buf_add(b, stext + s->off, s->len);
			sep = 1;
			ell = 0;
			k++;
			continue;
		}
		if (o == OP_FREE) {
			if (!ell) {
				if (sep)
					qdb__buf_add(b, " ", 1);
				qdb__buf_addstr(b, "…");
				sep = 1;
				ell = 1;
			}
			k++;
			continue;
		}
		/* A run of differences: what the store has, then what the
		 * draft has instead. */
		size_t e = k;
		while (e < ck->nops && ck->ops[e] != OP_MATCH &&
		       ck->ops[e] != OP_FREE)
			e++;
		int any = 0;
		for (size_t t = k; t < e; t++) {
			if (ck->ops[t] != OP_SUB && ck->ops[t] != OP_DEL)
				continue;
			const word *s = &ck->sw[ck->opj[t]];
			qdb__buf_addstr(b, any ? " " : sep ? " [-" : "[-");
			qdb__buf_add(b, stext + s->off, s->len);
			any = 1;
		}
		if (any)
			qdb__buf_addstr(b, "-]");
		int anyd = 0;
		for (size_t t = k; t < e; t++) {
			if (ck->ops[t] != OP_SUB && ck->ops[t] != OP_INS)
				continue;
			const word *d = &ck->dw[ck->opi[t]];
			qdb__buf_addstr(b, anyd ? " " : (sep && !any) ?
					" {+" : "{+");
			qdb__buf_add(b, dtext + d->off, d->len);
			anyd = 1;
		}
		if (anyd)
			qdb__buf_addstr(b, "+}");
		sep = 1;
		ell = 0;
		k = e;
	}
	if (!b->data)
		qdb__buf_add(b, "", 0);
}

/* ---- candidates ----------------------------------------------------- */

/*
 * Words in most quotes of any English collection.  Their document counts
 * are never asked for (fts5vocab counts by reading the whole posting
 * list, a million entries for "the") and they are never the rare words
 * a query is built from.  Sorted, for bsearch.
 */
static const char *const stopwords[] = {
	"a", "about", "after", "all", "also", "an", "and", "any", "are",
	"as", "at", "be", "because", "been", "before", "but", "by", "can",
	"could", "did", "do", "does", "don", "for", "from", "had", "has",
	"have", "he", "her", "here", "him", "his", "how", "i", "if", "in",
	"into", "is", "it", "its", "just", "like", "ll", "may", "me", "more",
	"most", "must", "my", "no", "not", "now", "of", "on", "one", "only",
	"or", "other", "our", "out", "over", "re", "s", "said", "say", "she",
	"should", "so", "some", "t", "than", "that", "the", "their", "them",
	"then", "there", "these", "they", "this", "those", "to", "up", "us",
	"ve", "very", "was", "we", "were", "what", "when", "where", "which",
	"who", "why", "will", "with", "would", "you", "your",
};

static int cmp_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int is_stopword(const char *w)
{
	return bsearch(w, stopwords, sizeof stopwords / sizeof *stopwords,
		       sizeof *stopwords, cmp_word) != NULL;
}

/* The document count of w (lower-case, as the index keeps it), through
 * the checker's cache: a draft asks for the same words again and again. */
static int doc_count(int64_t *out, qdb_checker *ck, const char *w)
{
	size_t len = strlen(w);
	/* The index keeps a word with its accents removed and its case
	 * folded, which only the index's tokenizer knows how to do: a word
	 * beyond ASCII is counted as neither rare nor common (the query,
	 * which the tokenizer reads, still finds it). */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)w[i] >= 0x80) {
			*out = ck->common;
			return 0;
		}
	df_slot *sl = &ck->dfc[qdb__fnv1a(QDB_FNV_INIT, w, len) % DF_SLOTS];
	if (sl->df >= 0 && !strcmp(sl->w, w)) {
		*out = sl->df;
		return 0;
	}
	sqlite3_reset(ck->vocab);
	sqlite3_bind_text(ck->vocab, 1, w, (int)len, SQLITE_STATIC);
	int st = sqlite3_step(ck->vocab);
	if (st == SQLITE_ROW)
		*out = sqlite3_column_int64(ck->vocab, 0);
	else if (st == SQLITE_DONE)
		*out = 0;
	sqlite3_reset(ck->vocab);
	if (st != SQLITE_ROW && st != SQLITE_DONE)
		return qdb__fail_sql(ck->db, "check: word counts");
	memcpy(sl->w, w, len + 1);
	sl->df = *out;
	return 0;
}

/*
 * The quotation's words as the index splits them (letters and digits;
 * apostrophes and hyphens split), lower-cased, in order.  A run is a
 * stretch without a [bracket] or an ellipsis, within which the words
 * stand in the stored quote exactly as here.  Words inside brackets are
 * the writer's and are left out.
 */
static void tokens(qdb_checker *ck, const char *s, size_t n)
{
	size_t i = 0;
	int bracket = 0, run = 0;
	ck->ntok = 0;
	while (i < n && ck->ntok < TOKENS_MAX) {
		size_t l;
		unsigned cp = cp_at((const unsigned char *)s, n, i, &l);
		if (cp == '[' || cp == ']' || cp == 0x2026 ||
		    (cp == '.' && i + 1 < n && s[i + 1] == '.')) {
			bracket = cp == '[' ? 1 : cp == ']' ? 0 : bracket;
			run++;
		}
		if (!qdb__draft_is_word(cp)) {
			i += l;
			continue;
		}
		size_t a = i;
		while (i < n) {
			cp = cp_at((const unsigned char *)s, n, i, &l);
			if (!qdb__draft_is_word(cp))
				break;
			i += l;
		}
		ftok *t = &ck->tok[ck->ntok];
		if (bracket || i - a >= sizeof t->w)
			continue;
		for (size_t j = 0; j < i - a; j++)
			t->w[j] = (char)lower((unsigned char)s[a + j]);
		t->w[i - a] = '\0';
		t->run = run;
		t->stop = is_stopword(t->w);
		ck->ntok++;
	}
}

static int cmp_df(const void *a, const void *b)
{
	const term *x = a, *y = b;
	return x->df < y->df ? -1 : x->df > y->df;
}

static void add_word(qdb_buf *b, const char *w)
{
	qdb__buf_addstr(b, "\"");
	qdb__buf_addstr(b, w);
	qdb__buf_addstr(b, "\"");
}

/*
 * The query that finds every quote the quotation is exactly part of.
 * In the run whose rarest uncommon words are rarest, those words (up to
 * NEAR_WORDS) within the span they have in the quotation: NEAR() reads
 * only their posting lists, and any quote holding the run holds them that
 * close.  A run with one uncommon word or none, and any run when phrase
 * is set, is looked for as a phrase of up to PHRASE_MAX of its words
 * around the rarest.  Returns the number of words used (0: none),
 * negative on an error.
 */
static int build_exact(qdb_checker *ck, int phrase)
{
	term best[NEAR_WORDS + 1];
	size_t nbest = 0, best_at[NEAR_WORDS + 1], best_run = 0;
	int64_t best_score = -1;
	size_t k = 0;
	while (k < ck->ntok) {
		/* One run: its rarest uncommon words and where they are. */
		size_t e = k;
		while (e < ck->ntok && ck->tok[e].run == ck->tok[k].run)
			e++;
		term t[NEAR_WORDS + 1];
		size_t at[NEAR_WORDS + 1], nt = 0;
		for (size_t i = k; i < e; i++) {
			const ftok *w = &ck->tok[i];
			int dup = w->stop;
			for (size_t j = 0; j < nt && !dup; j++)
				dup = !strcmp(t[j].w, w->w);
			if (dup)
				continue;
			int64_t df = 0;
			int rc = doc_count(&df, ck, w->w);
			if (rc)
				return rc;
			/* Sorted in by hand: at[] goes with t[]. */
			size_t j = nt < NEAR_WORDS ? nt++ : NEAR_WORDS;
			while (j > 0 && t[j - 1].df > df) {
				if (j < NEAR_WORDS) {
					t[j] = t[j - 1];
					at[j] = at[j - 1];
				}
				j--;
			}
			if (j < NEAR_WORDS) {
				memcpy(t[j].w, w->w, sizeof t[j].w);
				t[j].df = df;
				at[j] = i;
			}
		}
		/* Scored by its second rarest word: two rare words make a
		 * selective NEAR(); a run with one is a phrase. */
		int64_t score = nt >= 2 ? t[1].df : nt == 1 ?
			INT64_MAX / 4 + t[0].df :
			INT64_MAX / 2 - (int64_t)(e - k);
		if (best_score < 0 || score < best_score) {
			best_score = score;
			memcpy(best, t, nt * sizeof *t);
			memcpy(best_at, at, nt * sizeof *at);
			nbest = nt;
			best_run = k;
		}
		k = e;
	}
	qdb_buf *b = &ck->query;
	b->len = 0;
	size_t used = 0;
	/* A short quotation whose one telling word is common: reading
	 * common words' postings in place costs the most of anything here,
	 * for what is almost surely a scare quote. */
	if (ck->ndw < 4 && nbest < 2 && (nbest == 0 ||
					  best[0].df > ck->common))
		return 0;
	if (nbest >= 2 && !phrase) {
		size_t lo = best_at[0], hi = best_at[0];
		qdb__buf_addstr(b, "text : NEAR(");
		for (size_t i = 0; i < nbest; i++) {
			if (i)
				qdb__buf_addstr(b, " ");
			add_word(b, best[i].w);
			lo = best_at[i] < lo ? best_at[i] : lo;
			hi = best_at[i] > hi ? best_at[i] : hi;
		}
		/* The tokens between them, and a little for where the
		 * index splits words otherwise than here. */
		char tail[32];
		snprintf(tail, sizeof tail, ", %zu)", hi - lo + 2);
		qdb__buf_addstr(b, tail);
		used = nbest;
	} else if (nbest == 1 && best[0].df <= CAND_ALL && !phrase) {
		/* Every quote holding the word is a candidate. */
		qdb__buf_addstr(b, "text : ");
		add_word(b, best[0].w);
		used = 1;
	} else if (ck->ntok) {
		size_t e = best_run;
		while (e < ck->ntok && ck->tok[e].run == ck->tok[best_run].run)
			e++;
		size_t a = best_run;
		if (nbest >= 1 && best_at[0] >= a + PHRASE_MAX / 2)
			a = best_at[0] - PHRASE_MAX / 2;
		if (e > a + PHRASE_MAX)
			e = a + PHRASE_MAX;
		qdb__buf_addstr(b, "text : \"");
		for (size_t i = a; i < e; i++) {
			if (i > a)
				qdb__buf_addstr(b, " ");
			qdb__buf_addstr(b, ck->tok[i].w);
		}
		qdb__buf_addstr(b, "\"");
		used = e - a;
	}
	if (b->failed)
		return qdb__fail(ck->db, QDB_ENOMEM, "out of memory");
	return (int)used;
}

/*
 * The query for near misses: any two of the NEAR_WORDS rarest words the
 * index has, none of them common (a quotation with a word or two changed
 * keeps most of them), or the one word there is.  Returns the number of
 * words used (0: none).
 */
static int build_near(qdb_checker *ck)
{
	term t[NEAR_WORDS + 1];
	size_t nt = 0;
	for (size_t k = 0; k < ck->ntok; k++) {
		const ftok *w = &ck->tok[k];
		int dup = w->stop;
		for (size_t j = 0; j < nt && !dup; j++)
			dup = !strcmp(t[j].w, w->w);
		if (dup)
			continue;
		int64_t df = 0;
		int rc = doc_count(&df, ck, w->w);
		if (rc)
			return rc;
		/* A word no quote has finds nothing; one that many have
		 * costs the most to read and tells the least. */
		if (df == 0 || df > ck->common)
			continue;
		memcpy(t[nt].w, w->w, sizeof t[nt].w);
		t[nt].df = df;
		if (nt < NEAR_WORDS)
			nt++;
		qsort(t, nt, sizeof *t, cmp_df);
	}
	qdb_buf *b = &ck->query;
	b->len = 0;
	qdb__buf_addstr(b, "text : (");
	if (nt == 1)
		add_word(b, t[0].w);
	int pairs = 0;
	for (size_t x = 0; nt > 1 && x < nt; x++)
		for (size_t y = x + 1; y < nt; y++) {
			qdb__buf_addstr(b, pairs++ ? " OR (" : "(");
			add_word(b, t[x].w);
			qdb__buf_addstr(b, " AND ");
			add_word(b, t[y].w);
			qdb__buf_addstr(b, ")");
		}
	qdb__buf_addstr(b, ")");
	if (b->failed)
		return qdb__fail(ck->db, QDB_ENOMEM, "out of memory");
	return (int)nt;
}

/* Runs the candidate query q (FTS5 syntax) and keeps up to limit new
 * candidates. */
static int fetch(qdb_checker *ck, const char *q, int limit)
{
	sqlite3_stmt *st = ck->cands;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, limit);
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW &&
	       ck->nc < 3 * CAND_ALL) {
		sqlite3_int64 qid = sqlite3_column_int64(st, 0);
		int seen = 0;
		for (size_t k = 0; k < ck->nc && !seen; k++)
			seen = ck->c[k].qid == qid;
		if (seen)
			continue;
		cand *c = &ck->c[ck->nc++];
		memset(c, 0, sizeof *c);
		c->qid = qid;
		c->speaker_id = sqlite3_column_int64(st, 3);
		const int cols[3] = { 1, 2, 4 };
		size_t *offs[3] = { &c->id, &c->text, &c->speaker };
		for (int k = 0; k < 3; k++) {
			*offs[k] = ck->arena.len;
			const void *p = sqlite3_column_text(st, cols[k]);
			size_t len = (size_t)sqlite3_column_bytes(st, cols[k]);
			if (k == 1)
				c->text_len = len;
			qdb__buf_add(&ck->arena, p ? p : "", len);
			qdb__buf_add(&ck->arena, "", 1);
		}
	}
	int rc = 0;
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = qdb__fail_sql(ck->db, "check: candidates");
	sqlite3_reset(st);
	if (!rc && ck->arena.failed)
		rc = qdb__fail(ck->db, QDB_ENOMEM, "out of memory");
	return rc;
}

/* ---- exactness ------------------------------------------------------ */

/*
 * The stored text without its editor's brackets, into b: a bracket glued
 * to a word, or around one character, gives up its brackets ("[T]hose",
 * "support[ing]", "[A]"); one that stands as words of its own goes
 * ("the [7 October] attack" is "the attack").  An ellipsis in brackets
 * stays.  A draft may quote the words as spoken.
 */
static void unbracket(qdb_buf *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] != '[') {
			qdb__buf_add(b, s + i++, 1);
			continue;
		}
		size_t j = i + 1;
		while (j < n && s[j] != ']' && s[j] != '[' && s[j] != '\n')
			j++;
		if (j == n || s[j] != ']' || is_ellipsis(s + i, j + 1 - i)) {
			qdb__buf_add(b, s + i++, 1);
			continue;
		}
		int alone = (i == 0 || is_ws(s[i - 1])) &&
			    (j + 1 == n || is_ws(s[j + 1]) ||
			     is_stop(s[j + 1]));
		size_t l;
		cp_at((const unsigned char *)s, j, i + 1, &l);
		if (!alone || i + 1 + l == j)
			qdb__buf_add(b, s + i + 1, j - i - 1);
		i = j + 1;
	}
	qdb__buf_add(b, "", 0);
}

/* Whether the folded quotation (either case of its first letter) is in
 * candidate c, as stored or without its brackets; sets c->exact and
 * c->whole. */
static int exact(qdb_checker *ck, cand *c)
{
	ck->fs.len = 0;
	fold(&ck->fs, ck->arena.data + c->text, c->text_len);
	ck->fs2.len = 0;
	if (memchr(ck->fs.data, '[', ck->fs.len))
		unbracket(&ck->fs2, ck->fs.data, ck->fs.len);
	if (ck->fs.failed || ck->fs2.failed)
		return QDB_ENOMEM;
	const qdb_buf *v[2] = { &ck->fq, &ck->fq2 };
	const qdb_buf *src[2] = { &ck->fs, &ck->fs2 };
	for (int k = 0; k < 4; k++) {
		const qdb_buf *q = v[k % 2], *f = src[k / 2];
		if (!q->len || !f->len)
			continue;
		qdb_verify_result r = QDB_VERIFY_RESULT_INIT;
		int rc = qdb_verify_text(&r, q->data, q->len, f->data, f->len);
		if (rc)
			return rc;
		if (r.status != QDB_VERIFIED)
			continue;
		c->exact = 1;
		size_t lead = 0;
		while (lead < f->len && is_ws(f->data[lead]))
			lead++;
		c->whole = r.near_off <= lead && r.near_off + r.near_len >=
			   trim_end(f->data, f->len);
		return 0;
	}
	return 0;
}

/* ---- who the draft names -------------------------------------------- */

static int capital(const char *s, size_t n)
{
	size_t l;
	unsigned cp = cp_at((const unsigned char *)s, n, 0, &l);
	return (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE) ||
	       (cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x410 && cp <= 0x42F);
}

typedef struct span {
	size_t off, len;
} span;

/* Whether the text between words a and b is a comma and white space. */
static int comma_between(const char *s, const span *a, const span *b)
{
	size_t i = a->off + a->len;
	if (i >= b->off || s[i] != ',')
		return 0;
	for (i++; i < b->off; i++)
		if (!is_ws(s[i]))
			return 0;
	return 1;
}

/* The speakers the context names (canonical ids, with where), looking
 * phrases of up to NAME_WORDS words up among names and aliases. */
static int find_named(qdb_checker *ck, const char *s, size_t n)
{
	span w[256];
	size_t nw = 0, i = 0;
	ck->nnm = 0;
	while (i < n && nw < 256) {
		size_t l;
		unsigned cp = cp_at((const unsigned char *)s, n, i, &l);
		if (!qdb__draft_is_word(cp)) {
			i += l;
			continue;
		}
		size_t a = i;
		while (i < n) {
			cp = cp_at((const unsigned char *)s, n, i, &l);
			int inner = (cp == '-' || cp == '\'' || cp == 0x2019 ||
				     cp == '.') && i + l < n;
			if (inner) {
				size_t l2;
				unsigned nx = cp_at((const unsigned char *)s,
						    n, i + l, &l2);
				inner = qdb__draft_is_word(nx);
			}
			if (!qdb__draft_is_word(cp) && !inner)
				break;
			i += l;
		}
		size_t e = i;
		/* A possessive: Biden's, Biden’s. */
		if (e - a > 2 && s[e - 1] == 's' && s[e - 2] == '\'')
			e -= 2;
		else if (e - a > 4 && s[e - 1] == 's' &&
			 !memcmp(s + e - 4, "\xE2\x80\x99", 3))
			e -= 4;
		w[nw].off = a;
		w[nw].len = e - a;
		nw++;
	}
	char phrase[256];
	for (size_t k = 0; k < nw && ck->nnm < NAMED_MAX; k++) {
		if (!capital(s + w[k].off, w[k].len) &&
		    !(k + 1 < nw && capital(s + w[k + 1].off, w[k + 1].len)))
			continue;
		size_t maxw = nw - k < NAME_WORDS ? nw - k : NAME_WORDS;
		for (size_t m = maxw; m >= 1; m--) {
			int cap = 0;
			size_t pl = 0;
			for (size_t t = k; t < k + m; t++) {
				cap |= capital(s + w[t].off, w[t].len);
				if (pl + w[t].len + 2 >= sizeof phrase) {
					cap = 0;
					break;
				}
				/* "Novák, Paul": a comma between two words
				 * may be part of a name. */
				if (t > k && comma_between(s, &w[t - 1], &w[t]))
					phrase[pl++] = ',';
				if (t > k)
					phrase[pl++] = ' ';
				memcpy(phrase + pl, s + w[t].off, w[t].len);
				pl += w[t].len;
			}
			if (!cap)
				continue;
			sqlite3_reset(ck->name);
			sqlite3_bind_text(ck->name, 1, phrase, (int)pl,
					  SQLITE_STATIC);
			int st = sqlite3_step(ck->name);
			if (st == SQLITE_ROW) {
				ck->nm[ck->nnm].id =
					sqlite3_column_int64(ck->name, 0);
				ck->nm[ck->nnm].at = w[k].off;
				ck->nnm++;
				k += m - 1;
				break;
			}
			if (st != SQLITE_DONE) {
				sqlite3_reset(ck->name);
				return qdb__fail_sql(ck->db, "check: names");
			}
		}
	}
	sqlite3_reset(ck->name);
	return 0;
}

static int is_named(const qdb_checker *ck, sqlite3_int64 id)
{
	for (size_t k = 0; k < ck->nnm; k++)
		if (ck->nm[k].id == id)
			return 1;
	return 0;
}

/* The first speaker the sentence names other than not_id, or -1: the
 * subject of an English sentence tends to come first ("Netanyahu spoke
 * of a “green light” from Tehran"). */
static sqlite3_int64 first_other(const qdb_checker *ck, sqlite3_int64 not_id)
{
	for (size_t k = 0; k < ck->nnm; k++)
		if (ck->nm[k].id != not_id)
			return ck->nm[k].id;
	return -1;
}

/* Copies a speaker's canonical name into out. */
static int speaker_name(qdb_checker *ck, qdb_buf *out, sqlite3_int64 id)
{
	out->len = 0;
	sqlite3_reset(ck->speaker);
	sqlite3_bind_int64(ck->speaker, 1, id);
	int rc = 0;
	if (sqlite3_step(ck->speaker) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(ck->speaker,
								   0);
		qdb__buf_addstr(out, p ? p : "");
	} else {
		rc = qdb__fail_sql(ck->db, "check: speaker");
	}
	sqlite3_reset(ck->speaker);
	if (!rc && out->failed)
		rc = qdb__fail(ck->db, QDB_ENOMEM, "out of memory");
	return rc;
}

/* ---- the verdict ---------------------------------------------------- */

static qdb_str arena_str(const qdb_checker *ck, size_t off)
{
	qdb_str s = { ck->arena.data + off, strlen(ck->arena.data + off) };
	return s;
}

static qdb_str buf_str(const qdb_buf *b)
{
	qdb_str s = { b->data ? b->data : "", b->len };
	return s;
}

/* Prepares the folded forms of the quotation: fq as written, fq2 with
 * its first letter in the other case. */
static int prepare(qdb_checker *ck, const char *t, size_t n)
{
	ck->fq.len = ck->fq2.len = 0;
	fold(&ck->fq, t, n);
	if (ck->fq.failed)
		return QDB_ENOMEM;
	ck->fq.len = trim_end(ck->fq.data, ck->fq.len);
	qdb__buf_add(&ck->fq, "", 0);
	for (size_t i = 0; i < ck->fq.len; i++) {
		char c = ck->fq.data[i];
		int up = c >= 'A' && c <= 'Z', lo = c >= 'a' && c <= 'z';
		if (!up && !lo) {
			/* Marks, brackets and an ellipsis may stand before
			 * the letter; a digit or another letter is first. */
			if (i + 3 <= ck->fq.len &&
			    !memcmp(ck->fq.data + i, "\xE2\x80\xA6", 3))
				i += 2;
			else if ((unsigned char)c >= 0x80 ||
				 (c >= '0' && c <= '9'))
				break;
			continue;
		}
		qdb__buf_add(&ck->fq2, ck->fq.data, ck->fq.len);
		if (!ck->fq2.failed)
			ck->fq2.data[i] = (char)(up ? c + 32 : c - 32);
		break;
	}
	return ck->fq.failed || ck->fq2.failed ? QDB_ENOMEM : 0;
}

/* The attribution and names of the result for candidate c. */
static int fill(qdb_checker *ck, qdb_check_result *r, const cand *c)
{
	r->id = arena_str(ck, c->id);
	r->speaker = arena_str(ck, c->speaker);
	sqlite3_int64 a = is_named(ck, c->speaker_id) ? c->speaker_id
		: first_other(ck, c->speaker_id);
	if (a < 0)
		return 0;
	int rc = speaker_name(ck, &ck->out[0], a);
	if (!rc)
		r->attributed_to = buf_str(&ck->out[0]);
	return rc;
}

/* Checks the candidates from index `from` on for exactness; returns the
 * number of exact ones among all, *nwhole the whole ones. */
static int exact_all(qdb_checker *ck, size_t from, int *nexact, int *nwhole)
{
	for (size_t k = from; k < ck->nc; k++) {
		int rc = exact(ck, &ck->c[k]);
		if (rc)
			return qdb__fail(ck->db, rc, "out of memory");
	}
	*nexact = *nwhole = 0;
	for (size_t k = 0; k < ck->nc; k++) {
		*nexact += ck->c[k].exact;
		*nwhole += ck->c[k].whole;
	}
	return 0;
}

/* The verdict among exact candidates (§2-§4 of docs/check.md). */
static int decide_exact(qdb_check_result *out, qdb_checker *ck,
			size_t nwords, int nwhole)
{
	/* A whole stored quote before a part of one; then one speaker, or
	 * the only one of them the draft names: that is the writer's
	 * attribution, not a guess. */
	const cand *pick = NULL, *other = NULL, *named = NULL;
	int named_two = 0;
	for (size_t k = 0; k < ck->nc; k++) {
		const cand *c = &ck->c[k];
		if (!c->exact || (nwhole && !c->whole))
			continue;
		if (!pick)
			pick = c;
		else if (!other && c->speaker_id != pick->speaker_id)
			other = c;
		if (is_named(ck, c->speaker_id)) {
			if (named && named->speaker_id != c->speaker_id)
				named_two = 1;
			if (!named)
				named = c;
		}
	}
	if (other && named && !named_two) {
		pick = named;
		other = NULL;
	}
	if (other) {
		/* A short phrase under several speakers is common words,
		 * not anyone's quotation. */
		if (nwords < 4 && !nwhole)
			return 0;
		out->verdict = QDB_CHECK_AMBIGUOUS;
		out->id = arena_str(ck, pick->id);
		out->speaker = arena_str(ck, pick->speaker);
		out->other_id = arena_str(ck, other->id);
		out->other_speaker = arena_str(ck, other->speaker);
		return 0;
	}
	int rc = fill(ck, out, pick);
	if (rc)
		return rc;
	out->verdict = out->attributed_to.ptr &&
		!is_named(ck, pick->speaker_id) ?
		QDB_CHECK_MISATTRIBUTED : QDB_CHECK_EXACT;
	return 0;
}

/* The verdict for a near miss (§5): the candidate whose alignment
 * matches most of the quotation's words, if it is clearly the one. */
static int decide_near(qdb_check_result *out, qdb_checker *ck,
		       size_t nwords, const char *t)
{
	cand *best = NULL, *tie = NULL;
	int rc;
	for (size_t k = 0; k < ck->nc; k++) {
		cand *c = &ck->c[k];
		const char *s = ck->arena.data + c->text;
		rc = split(ck, s, c->text_len, 0, &ck->sw, &ck->nsw,
			   &ck->swcap);
		if (!rc)
			rc = align(ck, c);
		if (rc < 0)
			return qdb__fail(ck->db, QDB_ENOMEM, "out of memory");
		if (rc == 0)
			continue;
		/* Clearly meant: two thirds of the quotation's words at
		 * least, in order, three or more. */
		if (c->matches < 3 || (size_t)c->matches * 3 < 2 * nwords)
			continue;
		if (!best || c->matches > best->matches ||
		    (c->matches == best->matches && c->score > best->score)) {
			best = c;
			tie = NULL;
		} else if (c->matches == best->matches &&
			   c->score == best->score &&
			   c->speaker_id != best->speaker_id) {
			tie = c;
		}
	}
	if (!best)
		return 0;
	if (tie) {
		out->verdict = QDB_CHECK_AMBIGUOUS;
		out->id = arena_str(ck, best->id);
		out->speaker = arena_str(ck, best->speaker);
		out->other_id = arena_str(ck, tie->id);
		out->other_speaker = arena_str(ck, tie->speaker);
		return 0;
	}
	/* Align the best again to render its diff. */
	const char *s = ck->arena.data + best->text;
	rc = split(ck, s, best->text_len, 0, &ck->sw, &ck->nsw, &ck->swcap);
	if (!rc)
		rc = align(ck, best) < 0 ? QDB_ENOMEM : 0;
	if (!rc) {
		render_diff(ck, t, s);
		rc = ck->diff.failed ? QDB_ENOMEM : 0;
	}
	if (rc)
		return qdb__fail(ck->db, QDB_ENOMEM, "out of memory");
	rc = fill(ck, out, best);
	if (rc)
		return rc;
	out->verdict = QDB_CHECK_ALTERED;
	out->diff = buf_str(&ck->diff);
	return 0;
}

int qdb_check_quote(qdb_check_result *out, qdb_checker *ck,
		    const qdb_draft_quote *q)
{
	if (!out || out->size < sizeof *out || !ck || !q ||
	    q->size < sizeof *q || (!q->text.ptr && q->text.len))
		return QDB_EINVALID;
	qdb *db = ck->db;
	memset((char *)out + sizeof out->size, 0,
	       sizeof *out - sizeof out->size);
	if (q->unterminated)
		return qdb__fail(db, QDB_EINVALID, "an unterminated "
				 "quotation has no text to check");
	const char *t = q->text.ptr ? q->text.ptr : "";
	size_t tn = q->text.len;
	ck->nc = 0;
	ck->nnm = 0;
	ck->arena.len = 0;
	ck->keys.len = 0;
	int rc = prepare(ck, t, tn);
	if (!rc)
		rc = split(ck, t, tn, 1, &ck->dw, &ck->ndw, &ck->dwcap);
	if (rc)
		return qdb__fail(db, QDB_ENOMEM, "out of memory");
	size_t nwords = ck->ndw;
	out->verdict = nwords >= 4 ? QDB_CHECK_UNKNOWN : QDB_CHECK_TERM;
	tokens(ck, t, tn);

	/* A short quotation of nothing but common words ("as it
	 * were") is nobody's: a term, without reading their postings. */
	int uncommon = 0;
	for (size_t k = 0; k < ck->ntok; k++)
		uncommon |= !ck->tok[k].stop;
	if (nwords < 4 && !uncommon)
		return 0;
	/* 1. Every quote holding the quotation's most telling words in
	 * place: all the quotes it can be exactly part of. */
	int nexact = 0, nwhole = 0;
	int used = build_exact(ck, 0);
	if (used < 0)
		return used;
	if (used > 0 && ((rc = fetch(ck, ck->query.data, CAND_ALL)) != 0 ||
			 (rc = exact_all(ck, 0, &nexact, &nwhole)) != 0))
		return rc;
	/* As many as were asked for and none exact: common words close
	 * together in many quotes may have crowded it out.  The words in
	 * place, as a phrase, cost more to read but leave none out. */
	if (!nexact && ck->nc >= CAND_ALL) {
		size_t from = ck->nc;
		if ((used = build_exact(ck, 1)) < 0)
			return used;
		if (used > 0 &&
		    ((rc = fetch(ck, ck->query.data, CAND_ALL)) != 0 ||
		     (rc = exact_all(ck, from, &nexact, &nwhole)) != 0))
			return rc;
	}
	/* 2. Not there: the quotes holding two of its rarest words, for a
	 * near miss (or a match the phrase could not see: the stored
	 * quote's own brackets between its words). */
	if (!nexact && nwords >= 4) {
		size_t from = ck->nc;
		if ((used = build_near(ck)) < 0)
			return used;
			/* One word ranks its quotes by little: take more. */
		if (used > 0 && ((rc = fetch(ck, ck->query.data, used == 1 ?
					     CAND_ALL : CAND_NEAR)) != 0 ||
		     (rc = exact_all(ck, from, &nexact, &nwhole)) != 0))
			return rc;
	}
	if (q->context.ptr && (nexact || (nwords >= 4 && ck->nc)) &&
	    (rc = find_named(ck, q->context.ptr, q->context.len)) != 0)
		return rc;
	if (nexact)
		return decide_exact(out, ck, nwords, nwhole);
	if (nwords < 4)
		return 0;
	return decide_near(out, ck, nwords, t);
}

/* ---- a whole draft -------------------------------------------------- */

typedef struct walk {
	qdb_checker *ck;
	qdb_check_cb cb;
	void *payload;
	int rc;
} walk;

static int check_one(const qdb_draft_quote *q, void *payload)
{
	walk *w = payload;
	if (q->unterminated)
		return w->cb(q, NULL, w->payload);
	qdb_check_result r = QDB_CHECK_RESULT_INIT;
	int rc = qdb_check_quote(&r, w->ck, q);
	if (rc) {
		w->rc = rc;
		return rc;
	}
	return w->cb(q, &r, w->payload);
}

int qdb_check_draft(qdb_checker *ck, const char *name, qdb_draft_format fmt,
		    qdb_read_fn read, void *src, qdb_check_cb cb,
		    void *payload, qdb_error *err)
{
	if (!ck || !cb)
		return QDB_EINVALID;
	walk w = { ck, cb, payload, 0 };
	int rc = qdb_draft_read(name, fmt, read, src, check_one, &w, err);
	if (w.rc && err) {
		/* The check failed, not the draft: the database says why. */
		snprintf(err->text, sizeof err->text, "%s",
			 qdb_errmsg(ck->db));
		err->line = err->column = 0;
		err->code = w.rc;
	}
	return rc;
}
