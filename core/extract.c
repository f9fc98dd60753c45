/*
 * extract.c: finding the quotations of a source text and proposing, for
 * each, who said it, when, where and in what role (qdb_extract).
 *
 * The text is read paragraph by paragraph.  In each, the quotation marks
 * are paired first (spans, nested ones kept inside their outer span);
 * the words outside the spans are then cut into tokens and sentences, and
 * each sentence is searched for attribution: a speech verb or noun (a
 * "cue": said, told, according to, statement) and the speaker it points
 * at.  The rules are the ones a reader applies, in a fixed order, and the
 * one that decided is reported as the proposal's evidence, so a reviewer
 * can check it in a glance.  A span no rule attributes is a scare quote.
 *
 * Everything here is rule-based and local: one paragraph in memory at a
 * time besides the text itself, and the names seen so far (to link a
 * surname to the full name the text gave earlier).  Nothing is allocated
 * per quote but the caller's callback argument, which lives on the stack.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- word lists ------------------------------------------------------ */

static int in_list(const char *const *list, const char *w, size_t n)
{
	if (n == 0)
		return 0;
	for (; *list; list++) {
		const char *l = *list;
		/* the first byte first: most words differ there */
		if (l[0] == w[0] && !strncmp(l, w, n) && l[n] == '\0')
			return 1;
	}
	return 0;
}

/* Speech verbs.  "tell" and "asked" are left out: "could not tell for
 * certain" and "was asked what" point away from the words quoted. */
static const char *const cue_verbs[] = {
	"said", "says", "say", "saying", "told", "telling", "added", "adds",
	"adding", "explained", "explains", "explaining", "noted", "notes",
	"noting", "conceded", "concedes", "conceding", "remarked", "remarks",
	"claimed", "claims", "claim", "claiming", "insisted", "insists",
	"insisting", "acknowledged", "acknowledges", "admitted", "admits",
	"admitting", "declared", "declares", "declaring", "stated",
	"warned", "warns", "warning", "argued", "argues", "arguing", "wrote",
	"writes", "reported", "reports", "reporting", "related", "relates",
	"replied", "replies", "repeated", "repeats", "documented",
	"discovered", "asserted", "asserts", "announced", "announces",
	"vowed", "vows", "pledged", "promised", "praised", "praising",
	"described", "describes", "describing", "called", "calls", "named",
	"demanded", "demands", "denied", "denies", "thanked", "thank",
	"thanks", "continued", "continues", "responded", "recalled",
	"urged", "boasted", "confirmed", "suggested", "observed",
	"emphasised", "emphasises", "emphasized", "emphasizes", "accused",
	"dubbed", "labelled", "labeled", "quoted", "cited", "citing",
	"testified", "tweeted", "posted", "predicted", "describe", "warn",
	"write", "note", "explain", "add", "insist", "argue", "admit",
	"declare", "concede", "acknowledge", "suggest", "predict", "recall",
	"urge", "deny", "respond",
	"stressed", "stresses", "agreed", "objected", "answered", NULL
};

/* Nouns that carry attribution ("Kirby's statement that ..."). */
static const char *const cue_nouns[] = {
	"statement", "statements", "remarks", "speech", "clarification",
	"response", "reply", "words", "terms", "comments", "testimony",
	"message", "tweet", "post", "announcement", "declaration", NULL
};

/* Capitalised words that begin sentences without naming anyone. */
static const char *const stop_caps[] = {
	"The", "A", "An", "This", "That", "These", "Those", "But", "And", "Or",
	"In", "On", "At", "As", "Of", "For", "When", "While", "If", "Even",
	"Not", "What", "Why", "How", "Who", "Where", "It", "Its", "There",
	"Then", "So", "Once", "After", "Before", "During", "Nearly", "Within",
	"Some", "Among", "Still", "First", "Second", "Third", "Fourth",
	"Fifth", "Finally", "Regardless", "Likewise", "However", "Yet",
	"Thus", "Hence", "Meanwhile", "Earlier", "Later", "Asked", "Framed",
	"Alongside", "Assuming", "Reinforcing", "Increasing", "Given",
	"Captured", "Everything", "Nothing", "No", "Note", "Let", "Just",
	"Perhaps", "Maybe", "Of", "With", "Without", "From", "To", "By",
	"Although", "Though", "Because", "Since", "Until", "We", "I", "He",
	"She", "They", "You", "Our", "My", "His", "Her", "Their", "Your",
	"Many", "Most", "More", "Much", "Such", "Each", "Every", "All",
	"Both", "Another", "Other", "Over", "Under", "Here", "Now", "Today",
	"Also", "Only", "According", "Despite", "Instead", "Rather",
	"Moreover", "Indeed", "Again", "Both", "Either", "Neither", "Whether",
	"Which", "Whose", "Do", "Does", "Did", "Is", "Are", "Was", "Were",
	"Be", "Has", "Have", "Had", "Can", "Could", "Will", "Would", "Should",
	"May", "Might", "Must", "Mr", "Mrs", "Ms", "Dr", "Sir", "Lord",
	"Ayatollah", "Sheikh", "Ms.", "Mr.", "Period", "Therefore", "Along",
	"Forget", "Consider", "Take", "Look", "See", "Ask", "Tell", "Say",
	"Imagine", "Yes", "Well", "Oh", "Too", "Very", "Long", "Few",
	"Several", "Last", "Next", "Whatever", "Whenever", "Wherever",
	"Against", "Amid", "Around", "Across", "Behind", "Beyond", "Through",
	"Throughout", "Toward", "Towards", "Upon", "About", "Above",
	"Below", "Between", NULL
};

/* Words that make a run of capitals a title, not a name. */
static const char *const titles[] = {
	"President", "Vice", "Secretary", "Prime", "Minister", "Supreme",
	"Leader", "General", "Major-General", "Brigadier", "Brigadier-General",
	"Lieutenant", "Colonel", "Major", "Captain", "Admiral", "Ayatollah",
	"Senator", "Sen", "Governor", "Gov", "Chancellor", "Mayor", "Judge",
	"Justice", "Chief", "Ambassador", "Spokesman", "Spokeswoman",
	"Director", "Deputy", "King", "Queen", "Prince", "Princess", "Pope",
	"Rep", "Representative", "Congressman", "Congresswoman", "Dr", "Mr",
	"Mrs", "Ms", "Sheikh", "Imam", "Commander", "Chairman", "Chairwoman",
	"Councillor", "Councilor", "Councilman", "Councilwoman", "Supervisor",
	"Marshal", "Commissioner", "Sheriff", "Premier", "Chair",
	"Speaker", "Professor", "Prof", "Sir", "Dame", "Lord", "Lady",
	"Cardinal", "Bishop", "Rabbi", "Sergeant", "Officer", "Detective",
	"Inspector", "Attorney", "Solicitor", "Auditor", NULL
};

/* Lower-case words that join a title to a name ("NSC spokesman
 * Kirby") or that a role phrase ends with ("a senior official"). */
static const char *const role_nouns[] = {
	"spokesman", "spokeswoman", "spokesperson", "official", "officials",
	"leader", "chief", "commander", "minister", "secretary", "president",
	"director", "head", "envoy", "ambassador", "adviser", "advisor",
	"aide", "diplomat", "officer", "source", "sources", "analyst",
	"analysts", "member", "members", "representative", "representatives",
	"cleric", "general", "senator", "governor", "mayor", "chairman",
	"editor", "reporter", "correspondent", "researcher", "professor",
	"economist", "lawyer", "attorney", "expert", "experts", "witness",
	"witnesses", "resident", "residents", "activist", "activists",
	"negotiator", "mediator", "prosecutor", "judge", "manager", NULL
};

static const char *const function_words[] = {
	"a", "an", "the", "of", "and", "or", "but", "that", "while", "as",
	"to", "in", "on", "at", "by", "for", "with", "from", "who", "which",
	"some", "many", "most", "other", "several", "two", "three", "its",
	"their", "his", "her", "our", "said", "say", "says", "also", NULL
};

/* Plural nouns that speak as a group ("officials said"). */
static const char *const groups[] = {
	"officials", "residents", "forecasters", "police", "investigators",
	"prosecutors", "witnesses", "analysts", "experts", "critics",
	"protesters", "organisers", "organizers", "doctors", "scientists",
	"researchers", "economists", "engineers", "authorities", "aides",
	"diplomats", "sources", "officers", "lawyers", "supporters",
	"opponents", "campaigners", "activists", "teachers", "parents",
	"workers", "unions", "villagers", "survivors", "firefighters",
	"paramedics", "medics", "negotiators", "mediators", "ministers",
	NULL
};

/* Adjectives of nationality: a name only together with a noun. */
static const char *const demonyms[] = {
	"Israeli", "Iraqi", "Saudi", "Yemeni", "Qatari", "Pakistani", "Afghan",
	"American", "Arab", "Jewish", "Sunni", "Shi’i", "Shi’a", "Kurdish",
	"Turkish", "British", "French", "German", "Russian", "Chinese",
	"European", "Western", "Eastern", "Islamic", "Muslim", "Christian",
	"Gazan", "Emirati", "Omani", "Kuwaiti", "Bahraini", "Thai", "Polish",
	"Dutch", "Swiss", "Greek", "Irish", "Scottish", "Welsh", "Danish",
	"Swedish", "Finnish", "Spanish", "Japanese", "Lebanese", "Sudanese",
	"Chinese", "Congolese", "Senegalese", "Vietnamese", "Portuguese", NULL
};

static const char *const months[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December", NULL
};

static const char *const weekdays[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday", NULL
};

/* Words whose position before a date makes it fuzzy ("the end of
 * October") or relative ("a week after 7 October"). */
static const char *const fuzzy_before[] = {
	"of", "early", "late", "mid", "end", "beginning", "start", NULL
};
static const char *const relative_before[] = {
	"after", "before", "since", "until", "till", "through", "throughout",
	"following", "between", "from", "by", "ahead", NULL
};
/* Words a fuzzy or relative date phrase extends back over. */
static const char *const date_lead[] = {
	"at", "in", "the", "end", "beginning", "start", "middle", "first",
	"second", "third", "last", "week", "weeks", "half", "of", "early",
	"late", "mid", "a", "an", "one", "two", "three", "four", "five",
	"six", "seven", "eight", "nine", "ten", "few", "several", "days",
	"day", "months", "month", "hours", "hour", "years", "year", "nearly",
	"about", "almost", "just", "only", "some", "within", "shortly",
	"soon", "long", "On", "In", "At", "A", "An", "Nearly", "Within",
	"The", "Just", "Only", "About", "Almost", "Some", "Shortly",
	"Three", "Two", "One", "Four", "Five", "Six", "Days", "Weeks",
	"Months", "Hours", "Earlier", "Later", NULL
};
static const char *const time_units[] = {
	"hours", "hour", "days", "day", "weeks", "week", "months", "month",
	"years", "year", NULL
};
static const char *const quantities[] = {
	"a", "an", "one", "two", "three", "four", "five", "six", "seven",
	"eight", "nine", "ten", "few", "several", "some", "many", "A", "An",
	"One", "Two", "Three", "Four", "Five", "Six", "Several", "Few",
	"within", "Within", NULL
};

/* ---- the text: lines, UTF-8 ----------------------------------------- */

typedef struct pos {
	int line, column;
} pos;

/* Line and column (in characters) of byte off; lines[] holds the
 * offset of each line's first byte. */
static pos where(const char *s, const size_t *lines, size_t nlines,
		 size_t off)
{
	size_t lo = 0, hi = nlines;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	int col = 1;
	for (size_t i = lines[lo]; i < off; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			col++;
	pos p = { (int)lo + 1, col };
	return p;
}

/* The code point at s[i] (0 at or past n) and its length in *k. */
static unsigned cp_at(const char *s, size_t n, size_t i, size_t *k)
{
	unsigned cp = 0;
	if (i >= n) {
		*k = 0;
		return 0;
	}
	*k = qdb__utf8_decode((const unsigned char *)s + i, n - i, &cp);
	if (*k == 0) {
		*k = 1;
		return 0xfffd;
	}
	return cp;
}

/* The code point ending just before s[i], 0 at the start. */
static unsigned cp_before(const char *s, size_t i)
{
	if (i == 0)
		return 0;
	size_t j = i - 1;
	while (j > 0 && ((unsigned char)s[j] & 0xc0) == 0x80)
		j--;
	size_t k;
	return cp_at(s, i, j, &k);
}

static int is_letter(unsigned c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9');
	if (c == 0xa0 || c == 0xab || c == 0xbb || c == 0xd7 || c == 0xf7)
		return 0;
	if (c >= 0x2000 && c <= 0x206f)   /* general punctuation */
		return 0;
	if (c >= 0x3000 && c <= 0x303f)
		return 0;
	return c >= 0xc0;
}

static int is_space(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\f' || c == '\v' || c == 0xa0;
}

/* ---- quotation marks ------------------------------------------------- */

/* The closing mark of an opener, 0 when c opens nothing. */
static unsigned closer_of(unsigned c)
{
	switch (c) {
	case 0x201c: return 0x201d;   /* “ ” */
	case 0x2018: return 0x2019;   /* ‘ ’ */
	case 0xab: return 0xbb;       /* « » */
	case 0xbb: return 0xab;       /* » « (Danish, Swedish) */
	case 0x201e: return 0x201c;   /* „ “ */
	case 0x201a: return 0x2018;   /* ‚ ‘ */
	case '"': return '"';
	default: return 0;
	}
}

typedef struct span {
	size_t open;        /* the opening mark */
	size_t off, len;    /* the words inside */
	size_t end;         /* just past the closing mark */
	int top;            /* not inside another span */
} span;

#define MAX_OPEN 16

typedef struct extractor extractor;
static int warn_at(extractor *x, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- per-paragraph state -------------------------------------------- */

enum { T_WORD, T_PUNCT, T_QUOTE };
enum {
	F_CAP = 1,       /* starts with a capital (or al-X) */
	F_POSS = 2,      /* ends in 's or s' */
	F_MASK = 4,      /* inside an apposition, parentheses or dashes */
	F_PAREN = 8      /* inside parentheses */
};

typedef struct tok {
	int type;
	size_t off, len;       /* the word without its possessive ending */
	size_t full;           /* the whole token's length */
	unsigned cp;           /* T_PUNCT: the character */
	int span;              /* T_QUOTE: the index in spans */
	unsigned flags;
	int sent;              /* the sentence */
	int name;              /* the run (in runs) this word begins, or -1 */
	signed char cue;       /* is_cue's answer */
} tok;

/* A run of capitalised words: a name, perhaps after a title. */
typedef struct run {
	int t0, t1;            /* tokens of the name itself */
	int r0;                /* first token including the title */
	int poss;              /* ends in a possessive */
	int ent;               /* index in the entity table, or -1 */
	int title_only;        /* "the President": a title and no name */
	int appos0, appos1;    /* the apposition after it, tokens */
} run;

typedef struct dphrase {
	int t0, t1;            /* tokens of the phrase */
	int sent;
	char edtf[24];         /* "" when it does not resolve */
} dphrase;

/* A date or outlet that a speaker was given in a paragraph. */
typedef struct srec {
	int ent;
	int date;              /* index into the extractor's kept dates */
	int outlet;            /* entity index or -1 */
} srec;

#define KEEP_TEXT 160
typedef struct kept_date {
	char edtf[24];
	char text[KEEP_TEXT];
	int para;
} kept_date;

/* One entity: a canonical name and the forms the text used. */
typedef struct entity {
	char *name;
	int db;              /* from the caller's collection */
	int nwords;
} entity;

/* What a rule decided for one span. */
typedef struct attr {
	int kind;              /* QDB_PROPOSAL_* */
	int ent;               /* speaker entity, -1 */
	char as[160];          /* the form the text used */
	char role[200];
	int outlet;            /* entity, -1 */
	int date;              /* kept date, -1 */
	int confidence;
	char evidence[320];
} attr;

struct extractor {
	const char *s;
	size_t n;
	size_t *lines;
	size_t nlines;
	qdb_extract_options opt;
	qdb_proposal_cb cb;
	void *payload;
	qdb_error *err;
	int stopped;           /* the callback's return */

	int ref_ym;            /* year * 12 + month - 1 of the latest date */
	int ref_day;           /* yyyymmdd of the latest, 28 for a month */
	char last_day[24];     /* the last date resolved to a day */

	entity *ents;
	size_t nents, cents;

	/* The words the text writes in lower case (hashes), to tell
	 * "Residents said" from "Reilly said" at a sentence's start. */
	uint64_t *lower;
	size_t lower_cap, lower_n;

	kept_date *dates;
	size_t ndates, cdates;

	/* the paragraph */
	span *spans;
	size_t nspans, cspans;
	tok *toks;
	size_t ntoks, ctoks;
	run *runs;
	size_t nruns, cruns;
	dphrase *dps;
	size_t ndps, cdps;
	attr *attrs;
	size_t cattrs;
	int *sents;            /* first token of each sentence, then ntoks */
	size_t nsents, csents;

	srec *rec, *prev_rec;  /* this and the previous paragraph's */
	size_t nrec, crec, nprev, cprev;

	int last_speaker;      /* entity */
	int last_speaker_para;
	int last_subject;      /* the last sentence's named subject */
	int last_subject_para;
	int cur_para;
	char last_role[200];

	/* What the paragraph just read said about a block quotation that
	 * follows it (it ended with a colon). */
	int intro_valid;
	attr intro;
	int intro_para;

	int nested;            /* reading inside a quotation */
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);
	if (!q)
		return QDB_ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}
#define GROW(x, arr, cap, need) \
	grow((void **)&(x)->arr, &(x)->cap, (need), sizeof *(x)->arr)

static int warn_at(extractor *x, size_t off, const char *fmt, ...)
{
	if (!x->opt.warn)
		return 0;
	qdb_error w;
	memset(&w, 0, sizeof w);
	pos p = where(x->s, x->lines, x->nlines, off);
	w.line = p.line;
	w.column = p.column;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w.text, sizeof w.text, fmt, ap);
	va_end(ap);
	if (x->opt.warn(&w, x->payload)) {
		x->stopped = QDB_EUSER;
		return QDB_EUSER;
	}
	return 0;
}

/* Pairs the quotation marks of s[a, b): spans, the outer ones marked
 * top.  A mark left open or a closing mark with no opener is reported;
 * the spans around it are kept. */
static int find_spans(extractor *x, size_t a, size_t b)
{
	struct { size_t at; unsigned want; size_t len; } st[MAX_OPEN];
	int depth = 0;
	x->nspans = 0;
	size_t i = a;
	while (i < b) {
		size_t k;
		unsigned c = cp_at(x->s, b, i, &k);
		unsigned prev = cp_before(x->s, i);
		size_t k2;
		unsigned next = cp_at(x->s, b, i + k, &k2);
		/* A closing mark: the innermost open span that wants it. */
		int closed = 0;
		for (int d = depth - 1; d >= 0 && !closed; d--) {
			if (st[d].want != c)
				continue;
			if (c == 0x2019 && is_letter(next))
				break;   /* don't: an apostrophe */
			if (c == '"' && is_space(prev))
				break;
			if (c == 0x2018 && st[d].want == 0x2018 &&
			    is_letter(prev) && is_letter(next))
				break;
			for (int e = depth - 1; e > d; e--) {
				int r = warn_at(x, st[e].at, "quotation mark "
						"opened here is not closed "
						"before the one opened "
						"earlier");
				if (r)
					return r;
			}
			if (GROW(x, spans, cspans, x->nspans + 1))
				return QDB_ENOMEM;
			span *sp = &x->spans[x->nspans++];
			sp->open = st[d].at;
			sp->off = st[d].at + st[d].len;
			sp->len = i - sp->off;
			sp->end = i + k;
			sp->top = 0;
			depth = d;
			closed = 1;
		}
		if (closed) {
			i += k;
			continue;
		}
		unsigned want = closer_of(c);
		int opens = want != 0;
		if (c == 0x2018 || c == 0x201a || c == '"')
			opens = !is_letter(prev) && !is_space(next) && next;
		if (c == 0xbb)   /* » opens only as the Nordic style does */
			opens = !is_letter(prev) && is_letter(next);
		/* “ closes „ above; here it is an opener, unless it is what
		 * an open „ wants, handled above. */
		if (opens && depth < MAX_OPEN) {
			st[depth].at = i;
			st[depth].want = want;
			st[depth].len = k;
			depth++;
		} else if (c == 0x201d || (c == 0xbb && !opens)) {
			int r = warn_at(x, i, "closing quotation mark without "
					"an opening one");
			if (r)
				return r;
		}
		i += k;
	}
	for (int d = 0; d < depth; d++) {
		if (st[d].want == 0x2019)
			continue;   /* a lone ‘ is as often an apostrophe */
		int r = warn_at(x, st[d].at, "quotation mark not closed "
				"before the end of the paragraph");
		if (r)
			return r;
	}
	/* Spans were recorded as they closed; put them in text order and
	 * mark the outer ones. */
	for (size_t p = 1; p < x->nspans; p++) {
		span t = x->spans[p];
		size_t q = p;
		while (q > 0 && x->spans[q - 1].open > t.open) {
			x->spans[q] = x->spans[q - 1];
			q--;
		}
		x->spans[q] = t;
	}
	size_t outer_end = 0;
	for (size_t p = 0; p < x->nspans; p++) {
		if (p == 0 || x->spans[p].open >= outer_end) {
			x->spans[p].top = 1;
			outer_end = x->spans[p].end;
		}
	}
	return 0;
}

/* ---- tokens ------------------------------------------------------------ */

static int tok_is(const extractor *x, const tok *t, const char *w)
{
	return t->type == T_WORD && strlen(w) == t->len &&
		!strncmp(x->s + t->off, w, t->len);
}

static int tok_in(const extractor *x, const tok *t, const char *const *l)
{
	return t->type == T_WORD && in_list(l, x->s + t->off, t->len);
}

/* Case-insensitive membership for a word token. */
static int tok_in_ci(const extractor *x, const tok *t, const char *const *l)
{
	if (t->type != T_WORD || t->len >= 32)
		return 0;
	char w[32];
	for (size_t i = 0; i < t->len; i++) {
		char c = x->s[t->off + i];
		w[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	return in_list(l, w, t->len);
}

static int tok_punct(const tok *t, unsigned c)
{
	return t->type == T_PUNCT && t->cp == c;
}

/* Cuts s[a, b) into words, punctuation and quotations (the top spans). */
static int tokenize(extractor *x, size_t a, size_t b)
{
	x->ntoks = 0;
	size_t sp = 0;
	size_t i = a;
	while (i < b) {
		while (sp < x->nspans && (!x->spans[sp].top ||
					  x->spans[sp].open < i))
			sp++;
		if (GROW(x, toks, ctoks, x->ntoks + 1))
			return QDB_ENOMEM;
		tok *t = &x->toks[x->ntoks];
		memset(t, 0, sizeof *t);
		t->name = -1;
		if (sp < x->nspans && x->spans[sp].open == i) {
			t->type = T_QUOTE;
			t->span = (int)sp;
			t->off = i;
			t->len = t->full = x->spans[sp].end - i;
			x->ntoks++;
			i = x->spans[sp].end;
			continue;
		}
		size_t k;
		unsigned c = cp_at(x->s, b, i, &k);
		if (is_space(c)) {
			i += k;
			continue;
		}
		if (!is_letter(c)) {
			t->type = T_PUNCT;
			t->cp = c;
			t->off = i;
			t->len = t->full = k;
			x->ntoks++;
			i += k;
			continue;
		}
		/* A word: letters, with ’ ' - . , inside it between letters
		 * (Iran’s, al-Aruri, U.S, 1,200). */
		size_t j = i;
		for (;;) {
			size_t kk;
			unsigned d = cp_at(x->s, b, j, &kk);
			if (is_letter(d)) {
				j += kk;
				continue;
			}
			int inner = d == 0x2019 || d == '\'' || d == '-' ||
				d == '.' || d == ',' || d == 0x2010 ||
				d == 0x2011;
			if (!inner)
				break;
			if (sp < x->nspans && x->spans[sp].open == j)
				break;
			size_t k3;
			unsigned e = cp_at(x->s, b, j + kk, &k3);
			if (d == ',' && !(e >= '0' && e <= '9' &&
					  x->s[j - 1] >= '0' &&
					  x->s[j - 1] <= '9'))
				break;
			if (!is_letter(e))
				break;
			j += kk;
		}
		t->type = T_WORD;
		t->off = i;
		t->len = t->full = j - i;
		/* A possessive: 's, or s' / S’ at the end. */
		size_t kk;
		unsigned d = cp_at(x->s, b, j, &kk);
		if ((d == 0x2019 || d == '\'') &&
		    (x->s[j - 1] == 's' || x->s[j - 1] == 'S') &&
		    !(sp < x->nspans && x->spans[sp].open == j)) {
			t->flags |= F_POSS;
			t->full += kk;
			j += kk;
		} else if (t->len > 2) {
			const char *e = x->s + j;
			if (t->len > 4 && !memcmp(e - 4, "\xe2\x80\x99s", 4)) {
				t->flags |= F_POSS;
				t->len -= 4;
			} else if (e[-2] == '\'' && e[-1] == 's') {
				t->flags |= F_POSS;
				t->len -= 2;
			}
		}
		char f = x->s[i];
		if ((f >= 'A' && f <= 'Z') ||
		    (t->len > 3 && (!memcmp(x->s + i, "al-", 3) ||
				    !memcmp(x->s + i, "el-", 3)) &&
		     x->s[i + 3] >= 'A' && x->s[i + 3] <= 'Z'))
			t->flags |= F_CAP;
		if ((unsigned char)f >= 0xc0) {
			/* Accented capitals of Latin-1 and Latin Extended. */
			unsigned u = cp_at(x->s, b, i, &kk);
			if ((u >= 0xc0 && u <= 0xde && u != 0xd7) ||
			    (u >= 0x100 && u < 0x180 && !(u & 1)))
				t->flags |= F_CAP;
		}
		x->ntoks++;
		i = j;
	}
	return 0;
}

static const char *const abbrevs[] = {
	"Mr", "Mrs", "Ms", "Dr", "St", "Sen", "Rep", "Gov", "Gen", "Lt",
	"Col", "Capt", "Prof", "No", "vs", "r", "c", "Jr", "Sr", "Inc", "Ltd",
	"Co", "Corp", "approx", "Mt", "Fig", "p", "pp", "para", "ed", "eds",
	"etc", NULL
};

static int upper_start(const extractor *x, const tok *t)
{
	if (t->type == T_QUOTE)
		return 1;
	if (t->type == T_PUNCT)
		return t->cp == '(' || t->cp == '[';
	char f = x->s[t->off];
	return (f >= 'A' && f <= 'Z') || (f >= '0' && f <= '9') ||
		(t->flags & F_CAP);
}

/* Marks sentence starts in x->sents. */
static int split_sentences(extractor *x)
{
	x->nsents = 0;
	if (GROW(x, sents, csents, 1))
		return QDB_ENOMEM;
	x->sents[x->nsents++] = 0;
	for (size_t i = 0; i + 1 < x->ntoks; i++) {
		tok *t = &x->toks[i];
		int end = 0;
		if (t->type == T_PUNCT && (t->cp == '.' || t->cp == '?' ||
					   t->cp == '!')) {
			end = upper_start(x, &x->toks[i + 1]);
			if (end && i > 0 && x->toks[i - 1].type == T_WORD) {
				tok *w = &x->toks[i - 1];
				if (tok_in(x, w, abbrevs) ||
				    memchr(x->s + w->off, '.', w->len) ||
				    (w->len == 1 && (w->flags & F_CAP)))
					end = 0;
			}
		} else if (t->type == T_QUOTE) {
			/* “… days.” The next sentence */
			span *s = &x->spans[t->span];
			if (s->len > 0) {
				char l = x->s[s->off + s->len - 1];
				end = (l == '.' || l == '?' || l == '!') &&
					x->toks[i + 1].type == T_WORD &&
					upper_start(x, &x->toks[i + 1]) &&
					!tok_in_ci(x, &x->toks[i + 1],
						   cue_verbs);
			}
		}
		if (end) {
			if (GROW(x, sents, csents, x->nsents + 2))
				return QDB_ENOMEM;
			x->sents[x->nsents++] = (int)i + 1;
		}
	}
	if (GROW(x, sents, csents, x->nsents + 1))
		return QDB_ENOMEM;
	x->sents[x->nsents] = (int)x->ntoks;
	for (size_t s = 0; s < x->nsents; s++)
		for (int i = x->sents[s]; i < x->sents[s + 1]; i++)
			x->toks[i].sent = (int)s;
	return 0;
}

/* Masks what a name's speaker search skips: parentheses, pairs of
 * dashes, and an apposition after a name (", the head of X,"). */
static void mask(extractor *x)
{
	for (size_t s = 0; s < x->nsents; s++) {
		int a = x->sents[s], b = x->sents[s + 1];
		int paren = 0;
		int dash = -1;
		for (int i = a; i < b; i++) {
			tok *t = &x->toks[i];
			if (tok_punct(t, '('))
				paren++;
			if (paren)
				t->flags |= F_MASK | F_PAREN;
			if (tok_punct(t, ')') && paren)
				paren--;
			if (tok_punct(t, 0x2014) || tok_punct(t, 0x2013)) {
				if (dash >= 0) {
					for (int j = dash; j <= i; j++)
						x->toks[j].flags |= F_MASK;
					dash = -1;
				} else {
					dash = i;
				}
			}
		}
	}
}

/* ---- names ------------------------------------------------------------ */

static int ci_eq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++) {
		char c = a[i], d = b[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (d >= 'A' && d <= 'Z')
			d = (char)(d - 'A' + 'a');
		if (c != d)
			return 0;
	}
	return 1;
}

static int words_in(const char *s, size_t n)
{
	int w = 0, in = 0;
	for (size_t i = 0; i < n; i++) {
		int sp = s[i] == ' ';
		if (!sp && !in)
			w++;
		in = !sp;
	}
	return w;
}

/* Whether name[0, n) ends with the words of w[0, wn) (case aside). */
static int ends_with_words(const char *name, size_t n, const char *w,
			   size_t wn)
{
	if (wn > n || !ci_eq(name + n - wn, wn, w, wn))
		return 0;
	return wn == n || name[n - wn - 1] == ' ';
}

static int add_entity(extractor *x, const char *name, size_t n, int db)
{
	if (GROW(x, ents, cents, x->nents + 1))
		return QDB_ENOMEM;
	char *c = malloc(n + 1);
	if (!c)
		return QDB_ENOMEM;
	memcpy(c, name, n);
	c[n] = '\0';
	entity *e = &x->ents[x->nents++];
	e->name = c;
	e->db = db;
	e->nwords = words_in(name, n);
	return (int)x->nents - 1;
}

/* The entity name[0, n) stands for: a collection's name or alias, an
 * entity of the text with that name, or an earlier, fuller name it ends
 * (a surname); else a new entity.  *out gets its index, or -1 when
 * memory ran out. */
static int entity_of(extractor *x, const char *name, size_t n, int *out)
{
	*out = -1;
	for (size_t i = 0; i < x->nents; i++) {
		entity *e = &x->ents[i];
		if (ci_eq(e->name, strlen(e->name), name, n)) {
			*out = (int)i;
			return 0;
		}
	}
	/* The collection's aliases. */
	for (int k = 0; k < 2; k++) {
		const qdb_entity *v = k ? x->opt.outlets : x->opt.speakers;
		size_t nv = k ? x->opt.noutlets : x->opt.nspeakers;
		for (size_t i = 0; v && i < nv; i++) {
			const char *a = v[i].aliases;
			while (a && *a) {
				const char *e = strchr(a, ';');
				size_t al = e ? (size_t)(e - a) : strlen(a);
				if (ci_eq(a, al, name, n)) {
					for (size_t j = 0; j < x->nents; j++)
						if (!strcmp(x->ents[j].name,
							    v[i].name)) {
							*out = (int)j;
							return 0;
						}
					break;
				}
				a = e ? e + 1 : NULL;
				while (a && *a == ' ')
					a++;
			}
		}
	}
	/* A surname, or the end of a longer name ("the Journal"). */
	int best = -1;
	for (size_t i = 0; i < x->nents; i++) {
		entity *e = &x->ents[i];
		if (ends_with_words(e->name, strlen(e->name), name, n) &&
		    (best < 0 || e->db > x->ents[best].db))
			best = (int)i;
	}
	if (best >= 0) {
		*out = best;
		return 0;
	}
	int r = add_entity(x, name, n, 0);
	if (r < 0)
		return r;
	*out = r;
	return 0;
}

static uint64_t word_hash(const char *w, size_t n)
{
	uint64_t h = QDB_FNV_INIT;
	for (size_t i = 0; i < n; i++) {
		char c = w[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		h = qdb__fnv1a(h, &c, 1);
	}
	return h ? h : 1;
}

static int lower_add(extractor *x, uint64_t h)
{
	if (2 * (x->lower_n + 1) > x->lower_cap) {
		size_t cap = x->lower_cap ? x->lower_cap * 2 : 1024;
		uint64_t *v = calloc(cap, sizeof *v);
		if (!v)
			return QDB_ENOMEM;
		for (size_t i = 0; i < x->lower_cap; i++) {
			uint64_t g = x->lower[i];
			if (!g)
				continue;
			size_t k = g & (cap - 1);
			while (v[k])
				k = (k + 1) & (cap - 1);
			v[k] = g;
		}
		free(x->lower);
		x->lower = v;
		x->lower_cap = cap;
	}
	size_t k = h & (x->lower_cap - 1);
	while (x->lower[k]) {
		if (x->lower[k] == h)
			return 0;
		k = (k + 1) & (x->lower_cap - 1);
	}
	x->lower[k] = h;
	x->lower_n++;
	return 0;
}

static int lower_has(const extractor *x, const char *w, size_t n)
{
	if (!x->lower_cap)
		return 0;
	uint64_t h = word_hash(w, n);
	size_t k = h & (x->lower_cap - 1);
	while (x->lower[k]) {
		if (x->lower[k] == h)
			return 1;
		k = (k + 1) & (x->lower_cap - 1);
	}
	return 0;
}

/* Every word of three letters or more that starts in lower case. */
static int find_lower(extractor *x)
{
	size_t i = 0;
	while (i < x->n) {
		char c = x->s[i];
		int lead = i == 0 || !is_letter((unsigned char)x->s[i - 1]);
		if (!(c >= 'a' && c <= 'z') || !lead) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < x->n && ((x->s[j] >= 'a' && x->s[j] <= 'z') ||
				    (x->s[j] >= 'A' && x->s[j] <= 'Z')))
			j++;
		if (j - i >= 3 && (j >= x->n ||
				   !((unsigned char)x->s[j] & 0x80)) &&
		    lower_add(x, word_hash(x->s + i, j - i)))
			return QDB_ENOMEM;
		i = j;
	}
	return 0;
}

/* Whether the word of t, which starts a sentence, is a common word the
 * text also writes in lower case ("Residents", "Dehumidification"). */
static int common_word(const extractor *x, const tok *t)
{
	const char *w = x->s + t->off;
	size_t n = t->len;
	if (n < 3 || (w[1] >= 'A' && w[1] <= 'Z'))
		return 0;   /* HAMAS, CIA */
	for (size_t i = 0; i < n; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' &&
							w[i] <= 'Z')))
			return 0;
	return lower_has(x, w, n) ||
		(w[n - 1] == 's' && lower_has(x, w, n - 1));
}

/* Finds the runs of capitalised words of each sentence. */
static int find_runs(extractor *x)
{
	x->nruns = 0;
	for (size_t i = 0; i < x->ntoks; i++) {
		tok *t = &x->toks[i];
		if (t->type != T_WORD || !(t->flags & F_CAP) || t->name >= 0)
			continue;
		int first = (int)i == x->sents[t->sent];
		if (tok_in(x, t, months) || tok_in(x, t, weekdays))
			continue;
		int lead_the = 0;
		if (tok_is(x, t, "The") && !first)
			lead_the = 1;
		else if (tok_is(x, t, "The") && i + 3 < x->ntoks &&
			 (x->toks[i + 1].flags & F_CAP) &&
			 (x->toks[i + 2].flags & F_CAP) &&
			 (x->toks[i + 3].flags & F_CAP))
			lead_the = 1;
		else if (tok_in(x, t, stop_caps) && !tok_in(x, t, titles))
			continue;
		else if (first && common_word(x, t) && (i + 1 >= x->ntoks ||
			 !(x->toks[i + 1].flags & F_CAP)))
			continue;
		if (lead_the && (i + 1 >= x->ntoks ||
				 !(x->toks[i + 1].flags & F_CAP)))
			continue;
		size_t j = i;
		int poss = 0;
		for (;;) {
			tok *u = &x->toks[j];
			if (u->flags & F_POSS) {
				poss = 1;
				j++;
				break;
			}
			size_t nx = j + 1;
			if (nx >= x->ntoks || x->toks[nx].sent != t->sent)
				{ j = nx; break; }
			tok *v = &x->toks[nx];
			if (v->type == T_WORD && (v->flags & F_CAP) &&
			    !tok_in(x, v, months) && !tok_in(x, v, weekdays)) {
				j = nx;
				continue;
			}
			/* of / al / bin between two capitalised words */
			if (v->type == T_WORD && nx + 1 < x->ntoks &&
			    (tok_is(x, v, "of") || tok_is(x, v, "al") ||
			     tok_is(x, v, "bin") || tok_is(x, v, "ibn") ||
			     tok_is(x, v, "for") ||
			     tok_is(x, v, "de") || tok_is(x, v, "van") ||
			     tok_is(x, v, "von") || tok_is(x, v, "and")) &&
			    x->toks[nx + 1].type == T_WORD &&
			    (x->toks[nx + 1].flags & F_CAP) &&
			    !tok_is(x, v, "and")) {
				j = nx + 1;
				continue;
			}
			j = nx;
			break;
		}
		if (GROW(x, runs, cruns, x->nruns + 1))
			return QDB_ENOMEM;
		run *r = &x->runs[x->nruns];
		memset(r, 0, sizeof *r);
		r->r0 = (int)i;
		r->t0 = (int)i + lead_the;
		r->t1 = (int)j;
		r->poss = poss;
		r->ent = -1;
		r->appos0 = r->appos1 = -1;
		/* Titles off the front, up to the last title word:
		 * "Secretary of State Antony Blinken", "Transport Minister
		 * Sara Okafor", "Israeli Prime Minister Benjamin Netanyahu". */
		int k = r->t0, last = -1;
		for (int q = r->t0; q < r->t1 - 1; q++)
			if (tok_in(x, &x->toks[q], titles))
				last = q;
		if (last >= 0) {
			k = last + 1;
			while (k + 1 < r->t1 && tok_is(x, &x->toks[k], "of"))
				k += 2;
		}
		if (r->t1 - r->t0 == 1 && tok_in(x, &x->toks[r->t0], titles))
			k = r->t1;
		if (k >= r->t1)
			r->title_only = 1;
		r->t0 = k < r->t1 ? k : r->t0;
		/* A lone nationality before a lower-case noun is an
		 * adjective ("Israeli civilians"). */
		if (r->t1 - r->t0 == 1 && !r->title_only) {
			tok *w = &x->toks[r->t0];
			size_t wl = w->len;
			const char *ws = x->s + w->off;
			int dem = tok_in(x, w, demonyms) ||
				(wl > 4 && (!strncmp(ws + wl - 3, "ian", 3) ||
					    !strncmp(ws + wl - 3, "ese", 3)));
			if (dem && !poss) {
				for (int q = r->r0; q < r->t1; q++)
					x->toks[q].name = -2;
				continue;
			}
		}
		for (int q = r->r0; q < r->t1; q++)
			x->toks[q].name = (int)x->nruns;
		x->nruns++;
	}
	return 0;
}

/* "NSC spokesman Kirby": the run before a role noun and a name is part
 * of the name's role, not a candidate of its own. */
static void runs_prefixes(extractor *x)
{
	for (size_t ri = 0; ri + 1 < x->nruns; ri++) {
		run *r = &x->runs[ri], *nx = &x->runs[ri + 1];
		int k = r->t1;
		if (r->poss || k + 1 != nx->r0 || !tok_in(x, &x->toks[k],
							 role_nouns))
			continue;
		for (int q = r->r0; q < r->t1; q++)
			x->toks[q].name = (int)ri + 1;
		nx->r0 = r->r0;
		r->t1 = r->t0;   /* empty: never a candidate */
		r->title_only = 0;
	}
}

/* Joins "NSC spokesman Kirby" and "HAMAS’ overall leader Ismail Haniyeh":
 * the name after a role noun keeps the words before as its role.  And
 * finds each run's apposition (", the head of X,"). */
static void runs_roles(extractor *x)
{
	for (size_t ri = 0; ri < x->nruns; ri++) {
		run *r = &x->runs[ri];
		int e = r->t1;
		if (e + 1 < (int)x->ntoks && tok_punct(&x->toks[e], ',') &&
		    x->toks[e + 1].type == T_WORD &&
		    (tok_is(x, &x->toks[e + 1], "the") ||
		     tok_is(x, &x->toks[e + 1], "a") ||
		     tok_is(x, &x->toks[e + 1], "an") ||
		     tok_is(x, &x->toks[e + 1], "who") ||
		     tok_is(x, &x->toks[e + 1], "which") ||
		     tok_is(x, &x->toks[e + 1], "whose") ||
		     tok_is(x, &x->toks[e + 1], "then") ||
		     tok_is(x, &x->toks[e + 1], "its") ||
		     tok_is(x, &x->toks[e + 1], "his") ||
		     tok_is(x, &x->toks[e + 1], "her") ||
		     tok_is(x, &x->toks[e + 1], "now") ||
		     tok_is(x, &x->toks[e + 1], "founded") ||
		     tok_is(x, &x->toks[e + 1], "based"))) {
			int sent = x->toks[e].sent;
			int q = e + 1;
			while (q < (int)x->ntoks && x->toks[q].sent == sent &&
			       !tok_punct(&x->toks[q], ',') &&
			       !tok_punct(&x->toks[q], ';') &&
			       !tok_punct(&x->toks[q], ':') &&
			       !tok_punct(&x->toks[q], 0x2014))
				q++;
			/* Only a real insertion, closed by a comma or dash. */
			if (q < (int)x->ntoks && x->toks[q].sent == sent &&
			    (tok_punct(&x->toks[q], ',') ||
			     tok_punct(&x->toks[q], 0x2014))) {
				r->appos0 = e + 1;
				r->appos1 = q;
				for (int j = e; j <= q; j++)
					x->toks[j].flags |= F_MASK;
				x->toks[q].flags &= ~(unsigned)F_MASK;
				/* A second one: ", who was among ..., told" */
				if (q + 1 < (int)x->ntoks &&
				    tok_punct(&x->toks[q], ',') &&
				    (tok_is(x, &x->toks[q + 1], "who") ||
				     tok_is(x, &x->toks[q + 1], "the"))) {
					int z = q + 1;
					while (z < (int)x->ntoks &&
					       x->toks[z].sent == sent &&
					       !tok_punct(&x->toks[z], ','))
						z++;
					if (z < (int)x->ntoks &&
					    x->toks[z].sent == sent)
						for (int j = q; j < z; j++)
							x->toks[j].flags |=
								F_MASK;
				}
			}
		}
	}
}

/* The run whose words include token i, or -1. */
static int run_at(const extractor *x, int i)
{
	if (i < 0 || i >= (int)x->ntoks)
		return -1;
	int n = x->toks[i].name;
	return n >= 0 ? n : -1;
}

static const char *const pronouns[] = {
	"he", "she", "they", "He", "She", "They", "his", "her", "their",
	"His", "Her", "Their", NULL
};

/* ---- dates -------------------------------------------------------------- */

static int month_of(const extractor *x, const tok *t)
{
	for (int m = 0; months[m]; m++)
		if (tok_is(x, t, months[m]))
			return m + 1;
	return 0;
}

static int num_of(const extractor *x, const tok *t, int lo, int hi)
{
	if (t->type != T_WORD || t->len > 4)
		return 0;
	int v = 0;
	for (size_t i = 0; i < t->len; i++) {
		char c = x->s[t->off + i];
		if (c < '0' || c > '9')
			return 0;
		v = v * 10 + (c - '0');
	}
	return v >= lo && v <= hi ? v : 0;
}

/* A date at token i: day, month, year (0 when absent) and its end. */
static int date_at(const extractor *x, int i, int *d, int *m, int *y)
{
	int n = (int)x->ntoks;
	*d = *m = *y = 0;
	if (i >= n)
		return i;
	int j = i;
	if ((*d = num_of(x, &x->toks[j], 1, 31)) && j + 1 < n &&
	    (*m = month_of(x, &x->toks[j + 1]))) {
		j += 2;
	} else {
		*d = 0;
		if (!(*m = month_of(x, &x->toks[j])))
			return i;
		j++;
		if (j < n && (*d = num_of(x, &x->toks[j], 1, 31)) &&
		    x->toks[j].len <= 2)
			j++;
		else
			*d = 0;
		if (j + 1 < n && *d && tok_punct(&x->toks[j], ',') &&
		    num_of(x, &x->toks[j + 1], 1000, 2999))
			j++;
	}
	if (j < n && (*y = num_of(x, &x->toks[j], 1000, 2999)) &&
	    x->toks[j].len == 4)
		j++;
	else
		*y = 0;
	return j;
}

/* The year of day/month with none given: the latest such date that
 * is not after the text's latest dated mention (a news text speaks of
 * its past); a month's grace for a text written just after. */
static int year_for(const extractor *x, int m)
{
	if (x->ref_ym <= 0)
		return 0;
	int ry = x->ref_ym / 12, rm = x->ref_ym % 12 + 1;
	return m <= rm + 1 ? ry : ry - 1;
}

static int keep_date(extractor *x, const char *edtf, size_t ta, size_t tb)
{
	if (GROW(x, dates, cdates, x->ndates + 1))
		return -1;
	kept_date *k = &x->dates[x->ndates];
	snprintf(k->edtf, sizeof k->edtf, "%s", edtf);
	size_t n = tb - ta;
	if (n >= KEEP_TEXT) {
		n = KEEP_TEXT - 1;
		while (n > 0 && ((unsigned char)x->s[ta + n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(k->text, x->s + ta, n);
	k->text[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (k->text[i] == '\n' || k->text[i] == '\r' ||
		    k->text[i] == '\t')
			k->text[i] = ' ';
	return (int)x->ndates++;
}

static int add_dphrase(extractor *x, int t0, int t1, const char *edtf)
{
	if (GROW(x, dps, cdps, x->ndps + 1))
		return QDB_ENOMEM;
	dphrase *p = &x->dps[x->ndps++];
	p->t0 = t0;
	p->t1 = t1;
	p->sent = x->toks[t0].sent;
	snprintf(p->edtf, sizeof p->edtf, "%s", edtf);
	return 0;
}

/* Extends a fuzzy or relative phrase back over the words that lead it
 * ("in the first week of", "a week after"). */
static int lead_back(const extractor *x, int t0, int limit)
{
	int sent = x->toks[t0].sent;
	while (t0 > 0 && limit-- > 0 && x->toks[t0 - 1].sent == sent &&
	       tok_in(x, &x->toks[t0 - 1], date_lead))
		t0--;
	return t0;
}

/* The date phrases of the paragraph, in order. */
static int find_dates(extractor *x)
{
	x->ndps = 0;
	char last[24];   /* the last day named, for "the same day" */
	snprintf(last, sizeof last, "%s", x->last_day);
	int n = (int)x->ntoks;
	for (int i = 0; i < n; i++) {
		tok *t = &x->toks[i];
		if (t->type != T_WORD)
			continue;
		int d, m, y;
		int j = date_at(x, i, &d, &m, &y);
		char edtf[24] = "";
		if (j > i) {
			tok *p = i > 0 && x->toks[i - 1].sent == t->sent
				? &x->toks[i - 1] : NULL;
			/* 0 absolute, 1 fuzzy, 2 relative, -1 none */
			int kind = 0;
			if (!p)
				kind = d ? -1 : 0;
			else if (tok_in_ci(x, p, fuzzy_before))
				kind = 1;
			else if (tok_in_ci(x, p, relative_before))
				kind = 2;
			else if (tok_is(x, p, "on") || tok_is(x, p, "On") ||
				 tok_is(x, p, "in") || tok_is(x, p, "In") ||
				 tok_is(x, p, "a") || tok_is(x, p, "an") ||
				 tok_is(x, p, "during") || tok_punct(p, '('))
				kind = 0;
			else if (tok_punct(p, ',') && i > 1 &&
				 (tok_is(x, &x->toks[i - 2], "i.e") ||
				  tok_is(x, &x->toks[i - 2], "e.g")))
				kind = 0;
			else
				kind = -1;
			if (kind < 0 || (!d && !y && kind == 0 &&
					 !(p && (tok_is(x, p, "in") ||
						 tok_is(x, p, "In")))))
				{ i = j - 1; continue; }
			if (kind == 0) {
				int yy = y ? y : year_for(x, m);
				if (yy && d)
					snprintf(edtf, sizeof edtf,
						 "%04d-%02d-%02d", yy, m, d);
				else if (yy)
					snprintf(edtf, sizeof edtf, "%04d-%02d",
						 yy, m);
				if (add_dphrase(x, p && (tok_is(x, p, "a") ||
							 tok_is(x, p, "on") ||
							 tok_is(x, p, "On") ||
							 tok_is(x, p, "in") ||
							 tok_is(x, p, "In"))
						? i - 1 : i, j, edtf))
					return QDB_ENOMEM;
				if (strlen(edtf) == 10)
					snprintf(last, sizeof last, "%s", edtf);
			} else {
				if (add_dphrase(x, lead_back(x, i, 6), j, ""))
					return QDB_ENOMEM;
			}
			i = j - 1;
			continue;
		}
		/* mid-December */
		if (t->len > 4 && !strncmp(x->s + t->off, "mid-", 4)) {
			if (add_dphrase(x, lead_back(x, i, 2), i + 1, ""))
				return QDB_ENOMEM;
			continue;
		}
		/* "a week after the attack", "within days of the rampage",
		 * "three weeks ago" */
		if (tok_in(x, t, time_units) && i + 1 < n) {
			tok *nx = &x->toks[i + 1];
			const tok *pv = i > 0 ? &x->toks[i - 1] : NULL;
			int q = pv && tok_in(x, pv, quantities);
			int ql = q || (pv && (tok_is(x, pv, "the") ||
					      tok_is(x, pv, "The")));
			int ago = tok_is(x, nx, "later") ||
				tok_is(x, nx, "earlier") || tok_is(x, nx, "ago");
			int after = ago || tok_is(x, nx, "after") ||
				tok_is(x, nx, "before") || tok_is(x, nx, "of");
			if (!after || !(q || (ql && (tok_is(x, t, "day") ||
						     tok_is(x, t, "week")))))
				continue;
			int e = i + 2;
			if (!ago) {
				/* the object: "the attack", "7 October" */
				int dd, mm, yy;
				int k = date_at(x, e, &dd, &mm, &yy);
				if (k > e) {
					e = k;
				} else {
					while (e < n && x->toks[e].sent ==
					       t->sent && e < i + 6 &&
					       x->toks[e].type == T_WORD &&
					       !tok_is(x, &x->toks[e],
						       "that") &&
					       !tok_is(x, &x->toks[e],
						       "and")) {
						int last = !tok_is(x,
							&x->toks[e], "the") &&
							!tok_is(x, &x->toks[e],
								"a");
						e++;
						if (last)
							break;
					}
				}
			}
			if (e > n)
				e = n;
			if (add_dphrase(x, lead_back(x, i, 3), e, ""))
				return QDB_ENOMEM;
			i = e - 1;
			continue;
		}
		/* "the same day", "earlier that month", "later that day" */
		if ((tok_is(x, t, "same") || tok_is(x, t, "that") ||
		     tok_is(x, t, "next") || tok_is(x, t, "this")) &&
		    i + 1 < n && i > 0 &&
		    (tok_is(x, &x->toks[i + 1], "day") ||
		     tok_is(x, &x->toks[i + 1], "week") ||
		     tok_is(x, &x->toks[i + 1], "month")) &&
		    (tok_is(x, &x->toks[i - 1], "the") ||
		     tok_is(x, &x->toks[i - 1], "Earlier") ||
		     tok_is(x, &x->toks[i - 1], "earlier") ||
		     tok_is(x, &x->toks[i - 1], "Later") ||
		     tok_is(x, &x->toks[i - 1], "later"))) {
			int sameday = tok_is(x, t, "same") &&
				tok_is(x, &x->toks[i + 1], "day");
			if (add_dphrase(x, i - 1, i + 2, sameday ? last : ""))
				return QDB_ENOMEM;
			i++;
			continue;
		}
		/* "on Wednesday", "last Friday": the text's week, which
		 * it seldom dates; kept as the phrase. */
		if (tok_in(x, t, weekdays)) {
			int t0 = i;
			if (i > 0 && x->toks[i - 1].sent == t->sent &&
			    (tok_is(x, &x->toks[i - 1], "on") ||
			     tok_is(x, &x->toks[i - 1], "On") ||
			     tok_is(x, &x->toks[i - 1], "last") ||
			     tok_is(x, &x->toks[i - 1], "Last") ||
			     tok_is(x, &x->toks[i - 1], "next") ||
			     tok_is(x, &x->toks[i - 1], "this")))
				t0 = i - 1;
			if (add_dphrase(x, t0, i + 1, ""))
				return QDB_ENOMEM;
			continue;
		}
		if (tok_is(x, t, "yesterday") || tok_is(x, t, "today") ||
		    tok_is(x, t, "Yesterday") || tok_is(x, t, "Today")) {
			if (add_dphrase(x, i, i + 1, ""))
				return QDB_ENOMEM;
		}
	}
	return 0;
}

/* ---- attribution ------------------------------------------------------- */

static int cue_of(const extractor *x, int i)
{
	tok *t = &x->toks[i];
	if (t->type != T_WORD || (t->flags & F_PAREN))
		return 0;
	if (tok_is(x, t, "according") || tok_is(x, t, "According"))
		return i + 1 < (int)x->ntoks &&
			tok_is(x, &x->toks[i + 1], "to");
	if (tok_is(x, t, "went") || tok_is(x, t, "goes"))
		return i + 1 < (int)x->ntoks &&
			tok_is(x, &x->toks[i + 1], "on") &&
			(i + 2 >= (int)x->ntoks ||
			 x->toks[i + 2].type != T_WORD);
	if (tok_in(x, t, cue_nouns))
		return 2;
	if (!tok_in_ci(x, t, cue_verbs))
		return 0;
	/* "the report", "a claim": a noun, not the verb */
	if (i > 0 && (tok_is(x, &x->toks[i - 1], "the") ||
		      tok_is(x, &x->toks[i - 1], "The") ||
		      tok_is(x, &x->toks[i - 1], "a") ||
		      tok_is(x, &x->toks[i - 1], "A") ||
		      tok_is(x, &x->toks[i - 1], "an") ||
		      tok_is(x, &x->toks[i - 1], "this") ||
		      tok_is(x, &x->toks[i - 1], "its") ||
		      tok_is(x, &x->toks[i - 1], "their")))
		return 0;
	/* "suffice it to say", "which is to say", "so to speak" */
	if (i >= 2 && tok_is(x, &x->toks[i - 1], "to") &&
	    (tok_is(x, &x->toks[i - 2], "it") ||
	     tok_is(x, &x->toks[i - 2], "is")))
		return 0;
	/* "as HAMAS calls the war": a name for a thing, not a quotation,
	 * unless a quotation follows at once. */
	return 1;
}

/* The cue of token i (0 none, 1 a verb, 2 a noun), worked out once per
 * paragraph by mark_cues. */
static int is_cue(const extractor *x, int i)
{
	return x->toks[i].cue;
}

static void mark_cues(extractor *x)
{
	for (size_t i = 0; i < x->ntoks; i++)
		x->toks[i].cue = (signed char)cue_of(x, (int)i);
}

typedef struct who {
	int ent;              /* -1: none */
	int run;              /* the run named, -1 */
	int tok;              /* where the speaker was found */
	int conf;
	char how[200];
	char role[200];
} who;

static void who_none(who *w)
{
	memset(w, 0, sizeof *w);
	w->ent = -1;
	w->run = -1;
	w->tok = -1;
}

static void copy_tok_text(const extractor *x, char *buf, size_t size,
			  size_t a, size_t b)
{
	size_t n = b > a ? b - a : 0;
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)x->s[a + n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, x->s + a, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')
			buf[i] = ' ';
}

/* The text of tokens [a, b). */
static void tokens_text(const extractor *x, char *buf, size_t size, int a,
			int b)
{
	if (a >= b) {
		buf[0] = '\0';
		return;
	}
	const tok *l = &x->toks[b - 1];
	copy_tok_text(x, buf, size, x->toks[a].off, l->off + l->len);
}

/* Fills w from run r: its entity, and a role from its title or its
 * apposition. */
static int who_from_run(extractor *x, who *w, int r, int t, int conf,
			const char *how)
{
	run *rn = &x->runs[r];
	if (rn->title_only) {
		/* "the President": the last speaker who was one */
		if (x->last_speaker < 0)
			return 0;
		w->ent = x->last_speaker;
		w->run = -1;
		w->tok = t;
		w->conf = conf - 20;
		char tt[80];
		tokens_text(x, tt, sizeof tt, rn->t0, rn->t1);
		snprintf(w->how, sizeof w->how, "%s \"%s\" taken as %s", how,
			 tt, x->ents[w->ent].name);
		return 1;
	}
	const tok *a = &x->toks[rn->t0], *b = &x->toks[rn->t1 - 1];
	int e;
	int rc = entity_of(x, x->s + a->off, b->off + b->len - a->off, &e);
	if (rc)
		return rc;
	w->ent = e;
	w->run = r;
	w->tok = t;
	w->conf = conf;
	char form[120];
	tokens_text(x, form, sizeof form, rn->t0, rn->t1);
	snprintf(w->how, sizeof w->how, "%s \"%s\"", how, form);
	w->role[0] = '\0';
	if (rn->appos0 >= 0) {
		int s0 = rn->appos0;
		if (tok_is(x, &x->toks[s0], "the") ||
		    tok_is(x, &x->toks[s0], "a") ||
		    tok_is(x, &x->toks[s0], "an"))
			s0++;
		if (!tok_is(x, &x->toks[s0], "who") &&
		    !tok_is(x, &x->toks[s0], "which") &&
		    !tok_is(x, &x->toks[s0], "founded") &&
		    !tok_is(x, &x->toks[s0], "based") &&
		    rn->appos1 - s0 <= 16)
			tokens_text(x, w->role, sizeof w->role, s0, rn->appos1);
	}
	if (!w->role[0] && rn->t0 > rn->r0)
		tokens_text(x, w->role, sizeof w->role, rn->r0, rn->t0);
	if (!w->role[0] && rn->r0 > 0) {
		/* "NSC spokesman Kirby", "HAMAS’ overall leader Haniyeh" */
		int q = rn->r0 - 1;
		if (tok_in(x, &x->toks[q], role_nouns)) {
			int s0 = q;
			while (s0 > 0 && x->toks[s0 - 1].sent ==
			       x->toks[q].sent && rn->r0 - s0 < 7 &&
			       x->toks[s0 - 1].type == T_WORD &&
			       !tok_is(x, &x->toks[s0 - 1], "the") &&
			       !tok_is(x, &x->toks[s0 - 1], "a") &&
			       !tok_is(x, &x->toks[s0 - 1], "an") &&
			       !tok_is(x, &x->toks[s0 - 1], "by") &&
			       !tok_is(x, &x->toks[s0 - 1], "from") &&
			       !tok_is(x, &x->toks[s0 - 1], "of") &&
			       !tok_in(x, &x->toks[s0 - 1], stop_caps) &&
			       !(x->toks[s0 - 1].flags & F_POSS))
				s0--;
			tokens_text(x, w->role, sizeof w->role, s0, q + 1);
		}
	}
	return 1;
}

/* Resolves a pronoun at token t: the first name of its sentence before
 * it, else the last speaker. */
static int who_pronoun(extractor *x, who *w, int t, int conf)
{
	int s0 = x->sents[x->toks[t].sent];
	for (int i = s0; i < t; i++) {
		int r = run_at(x, i);
		if (r >= 0 && !(x->toks[i].flags & F_MASK) &&
		    !x->runs[r].title_only) {
			int rc = who_from_run(x, w, r, i, conf,
					      "pronoun for");
			return rc;
		}
	}
	int e = x->last_speaker;
	const char *what = "the last speaker";
	if (x->last_subject >= 0 && x->last_subject != e &&
	    x->last_subject_para >= x->cur_para - 1) {
		e = x->last_subject;
		what = "the last sentence's subject";
	}
	if (e < 0)
		return 0;
	w->ent = e;
	w->tok = t;
	w->conf = conf - 10;
	char p[16];
	tokens_text(x, p, sizeof p, t, t + 1);
	snprintf(w->how, sizeof w->how, "\"%s\" taken as %s, %s", p, what,
		 x->ents[e].name);
	if (e == x->last_speaker)
		snprintf(w->role, sizeof w->role, "%s", x->last_role);
	return 1;
}

/* A quotation that names a role ("senior Biden administration
 * official") standing as a speaker. */
static int quote_is_role(const extractor *x, const tok *t)
{
	span *sp = &x->spans[t->span];
	size_t e = sp->off + sp->len, b = e;
	while (b > sp->off && x->s[b - 1] != ' ')
		b--;
	return sp->len < 80 && in_list(role_nouns, x->s + b, e - b);
}

/* The candidate speaker at token i (a name, a pronoun, a quoted role),
 * walking back; 1 when found. */
static int candidate(extractor *x, who *w, int i, int conf, const char *how)
{
	tok *t = &x->toks[i];
	if (t->flags & F_MASK)
		return 0;
	int r = run_at(x, i);
	if (r >= 0) {
		run *rn = &x->runs[r];
		/* A possessive before a noun is not the subject ("Iran’s
		 * Supreme Leader"), unless a cue noun follows. */
		if (rn->poss) {
			int k = rn->t1;
			int lim = k + 4;
			while (k < (int)x->ntoks && k < lim &&
			       x->toks[k].type == T_WORD &&
			       !(x->toks[k].flags & F_CAP) &&
			       !is_cue(x, k))
				k++;
			if (!(k < (int)x->ntoks && is_cue(x, k) == 2))
				return 0;
		}
		return who_from_run(x, w, r, i, conf, how);
	}
	if (tok_in(x, t, pronouns))
		return who_pronoun(x, w, i, conf - 10);
	if (t->type == T_QUOTE && quote_is_role(x, t)) {
		span *sp = &x->spans[t->span];
		int e;
		int rc = entity_of(x, x->s + sp->off, sp->len, &e);
		if (rc)
			return rc;
		w->ent = e;
		w->tok = i;
		w->conf = conf - 15;
		snprintf(w->how, sizeof w->how, "%s the quoted role", how);
		return 1;
	}
	/* "officials said", "Residents say": the group as the speaker */
	if (i + 1 < (int)x->ntoks && is_cue(x, i + 1) == 1 &&
	    (tok_in_ci(x, t, role_nouns) || tok_in_ci(x, t, groups))) {
		/* "HAMAS officials": theirs */
		int r = run_at(x, i - 1);
		if (r >= 0 && !x->runs[r].poss && !x->runs[r].title_only &&
		    x->runs[r].ent >= 0)
			return who_from_run(x, w, r, i - 1, conf, how);
		/* "a council source": with its modifiers */
		int s0 = i;
		while (s0 > x->sents[t->sent] && i - s0 < 3 &&
		       x->toks[s0 - 1].type == T_WORD &&
		       !(x->toks[s0 - 1].flags & (F_CAP | F_POSS)) &&
		       !tok_in_ci(x, &x->toks[s0 - 1], stop_caps) &&
		       !tok_in_ci(x, &x->toks[s0 - 1], cue_verbs) &&
		       !tok_in(x, &x->toks[s0 - 1], function_words))
			s0--;
		const tok *a = &x->toks[s0];
		int e;
		int rc = entity_of(x, x->s + a->off,
				   t->off + t->len - a->off, &e);
		if (rc)
			return rc;
		w->ent = e;
		w->tok = i;
		w->conf = conf - 20;
		snprintf(w->how, sizeof w->how, "%s \"%s\"", how,
			 x->ents[e].name);
		return 1;
	}
	/* "a senior administration official said" */
	if (tok_in(x, t, role_nouns) && i > 0 &&
	    !tok_is(x, t, "head") && !tok_is(x, t, "general")) {
		int s0 = i;
		while (s0 > x->sents[t->sent] && i - s0 < 6 &&
		       x->toks[s0 - 1].type == T_WORD &&
		       !(x->toks[s0 - 1].flags & F_POSS) &&
		       !tok_is(x, &x->toks[s0 - 1], "of") &&
		       !tok_is(x, &x->toks[s0 - 1], "by") &&
		       !tok_in(x, &x->toks[s0 - 1], cue_verbs))
			s0--;
		if (s0 < i && (tok_is(x, &x->toks[s0], "a") ||
			       tok_is(x, &x->toks[s0], "an") ||
			       tok_is(x, &x->toks[s0], "A") ||
			       tok_is(x, &x->toks[s0], "An"))) {
			const tok *a = &x->toks[s0 + 1];
			int e;
			int rc = entity_of(x, x->s + a->off,
					   t->off + t->len - a->off, &e);
			if (rc)
				return rc;
			w->ent = e;
			w->tok = i;
			w->conf = conf - 15;
			snprintf(w->how, sizeof w->how, "%s the role \"%s\"",
				 how, x->ents[e].name);
			return 1;
		}
	}
	return 0;
}

/* A cue whose subject names no one ("the engineers write", "according
 * to the report"): the speaker of this paragraph or the one before,
 * at low confidence, for the reviewer to confirm. */
static int nameless(extractor *x, who *w, const char *cw)
{
	if (x->last_speaker < 0 || x->last_speaker_para < x->cur_para - 4)
		return 0;
	w->ent = x->last_speaker;
	w->conf = 40;
	snprintf(w->how, sizeof w->how, "\"%s\" names no one: the last "
		 "speaker, %s", cw, x->ents[w->ent].name);
	snprintf(w->role, sizeof w->role, "%s", x->last_role);
	return 1;
}

/* Who the cue at token c points at. */
static int cue_speaker(extractor *x, who *w, int c)
{
	who_none(w);
	int sent = x->toks[c].sent;
	int s0 = x->sents[sent], s1 = x->sents[sent + 1];
	tok *t = &x->toks[c];
	char cw[40];
	tokens_text(x, cw, sizeof cw, c, c + 1);
	char how[80];
	int rc;
	/* "according to X" */
	if (tok_is(x, t, "according") || tok_is(x, t, "According")) {
		for (int i = c + 2; i < s1 && i < c + 5; i++)
			if ((rc = candidate(x, w, i, 85, "\"according to\"")))
				return rc;
		return nameless(x, w, cw);
	}
	/* "“…”, said X": right after a quotation, and a verb whose
	 * subject may follow it ("told X" names the listener). */
	int prev_punct = c > s0 && (x->toks[c - 1].type == T_QUOTE ||
				    (c > s0 + 1 &&
				     tok_punct(&x->toks[c - 1], ',') &&
				     x->toks[c - 2].type == T_QUOTE)) &&
		!tok_is(x, t, "told") && !tok_is(x, t, "telling");
	int after = c + 1;
	if (tok_is(x, t, "went") || tok_is(x, t, "goes"))
		after = c + 2;
	/* ", said Zarghami" */
	if (prev_punct && after < s1 && run_at(x, after) >= 0) {
		snprintf(how, sizeof how, "\"%s\" before", cw);
		if ((rc = candidate(x, w, after, 90, how)))
			return rc;
	}
	/* "described as", "was repeated by X" */
	int passive = (after < s1 && tok_is(x, &x->toks[after], "as") &&
		       (c == s0 || run_at(x, c - 1) < 0)) ||
		(c > s0 && (tok_is(x, &x->toks[c - 1], "was") ||
			    tok_is(x, &x->toks[c - 1], "were") ||
			    tok_is(x, &x->toks[c - 1], "is") ||
			    tok_is(x, &x->toks[c - 1], "are") ||
			    tok_is(x, &x->toks[c - 1], "been") ||
			    tok_is(x, &x->toks[c - 1], "be")));
	if (passive) {
		for (int i = c + 1; i < s1 && i < c + 10; i++) {
			if (tok_is(x, &x->toks[i], "by")) {
				for (int k = i + 1; k < s1 && k < i + 8; k++)
					if (run_at(x, k) >= 0 &&
					    (rc = candidate(x, w, k, 80,
							    "passive, by")))
						return rc;
			}
		}
		/* "described as": by whoever was speaking; "it must be
		 * said" by no one. */
		if (x->last_speaker >= 0 && after < s1 &&
		    tok_is(x, &x->toks[after], "as")) {
			w->ent = x->last_speaker;
			w->tok = c;
			w->conf = 50;
			snprintf(w->how, sizeof w->how, "\"%s\" with no one "
				 "named: the last speaker, %s", cw,
				 x->ents[w->ent].name);
			snprintf(w->role, sizeof w->role, "%s", x->last_role);
			return 1;
		}
		return 0;
	}
	/* A participle after a comma or "by": the clause's subject */
	size_t cl = t->len;
	int ing = cl > 4 && !strncmp(x->s + t->off + cl - 3, "ing", 3);
	if (ing && c > s0) {
		int p = c - 1;
		while (p > s0 && x->toks[p].type == T_WORD &&
		       x->toks[p].len > 2 &&
		       !strncmp(x->s + x->toks[p].off + x->toks[p].len - 2,
				"ly", 2))
			p--;
		tok *pt = &x->toks[p];
		if (tok_punct(pt, ',') || tok_is(x, pt, "by") ||
		    tok_is(x, pt, "and") ||
		    tok_is(x, pt, "in") || tok_is(x, pt, "while") ||
		    tok_is(x, pt, "when") || tok_punct(pt, 0x2014)) {
			snprintf(how, sizeof how, "subject of \"%s\":", cw);
			for (int i = s0; i < c; i++)
				if ((rc = candidate(x, w, i, 75, how)))
					return rc;
		}
	}
	/* The nearest name before the cue, within the clause. */
	snprintf(how, sizeof how, "\"%s\" after", cw);
	for (int i = c - 1; i >= s0; i--) {
		tok *u = &x->toks[i];
		if (tok_punct(u, ';'))
			break;
		int r = run_at(x, i);
		if (r >= 0 && x->runs[r].r0 != i && x->runs[r].t0 != i)
			continue;   /* inside a run: take it at its start */
		int direct = i == c - 1 || (r >= 0 && x->runs[r].t1 == c);
		if ((rc = candidate(x, w, i, direct ? 85 : 75, how)))
			return rc;
	}
	/* "said X" after all */
	for (int i = c + 1; i < s1 && i < c + 3; i++)
		if (run_at(x, i) >= 0) {
			snprintf(how, sizeof how, "\"%s\" before", cw);
			if ((rc = candidate(x, w, i, 70, how)))
				return rc;
		}
	return nameless(x, w, cw);
}

/* Whether span token q is a name or a title, not a quotation: every
 * word capitalised but for small words ("Axis of Resistance", "the
 * Houthis", "60 Minutes"). */
static int name_like(const extractor *x, const tok *q)
{
	span *sp = &x->spans[q->span];
	const char *s = x->s + sp->off;
	size_t n = sp->len;
	if (n == 0 || n > 60)
		return 0;
	int caps = 0, words = 0;
	size_t i = 0;
	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == ',' || s[i] == '-'))
			i++;
		if (i >= n)
			break;
		size_t j = i;
		while (j < n && s[j] != ' ')
			j++;
		words++;
		size_t wl = j - i;
		const char *w = s + i;
		int upper = (w[0] >= 'A' && w[0] <= 'Z') ||
			(w[0] >= '0' && w[0] <= '9') ||
			(unsigned char)w[0] >= 0xc3;
		if (upper)
			caps++;
		else if (!in_list((const char *const[]){ "of", "the", "and",
				"for", "in", "on", "to", "a", "an", "al", "de",
				"el", "bin", "or", NULL }, w, wl))
			return 0;
		if (memchr(w, '.', wl) && j < n)
			return 0;   /* a sentence */
		i = j;
	}
	return caps > 0 && words <= 7;
}

/* The paragraph's record of what a speaker was given. */
static srec *rec_find(srec *v, size_t n, int ent)
{
	for (size_t i = n; i-- > 0;)
		if (v[i].ent == ent)
			return &v[i];
	return NULL;
}

static int rec_set(extractor *x, int ent, int date, int outlet, int force)
{
	if (ent < 0)
		return 0;
	srec *r = rec_find(x->rec, x->nrec, ent);
	if (r) {
		if (force || r->date < 0)
			r->date = date >= 0 ? date : r->date;
		if (force || r->outlet < 0)
			r->outlet = outlet >= 0 ? outlet : r->outlet;
		return 0;
	}
	if (GROW(x, rec, crec, x->nrec + 1))
		return QDB_ENOMEM;
	srec *n = &x->rec[x->nrec++];
	n->ent = ent;
	n->date = date;
	n->outlet = outlet;
	return 0;
}

/* Whether a day lies more than a week after the text's latest dated
 * mention: a meeting to come, not the day words were said. */
static int later_than_text(const extractor *x, const char *edtf)
{
	if (strlen(edtf) != 10 || !x->ref_day)
		return 0;
	int y = atoi(edtf), m = atoi(edtf + 5), d = atoi(edtf + 8);
	int ry = x->ref_day / 10000, rm = x->ref_day / 100 % 100;
	int rd = x->ref_day % 100;
	long a = (long)y * 372 + m * 31 + d;
	long b = (long)ry * 372 + rm * 31 + rd;
	return a > b + 7;
}

/* The date phrase that goes with the cue at c: the first within ten
 * words after it (before the quotation), else the nearest before it in
 * the sentence.  Returns a kept date or -1. */
static int cue_date(extractor *x, int c, int q)
{
	int sent = x->toks[c].sent;
	const dphrase *best = NULL;
	for (size_t i = 0; i < x->ndps; i++) {
		const dphrase *p = &x->dps[i];
		if (p->sent != sent || later_than_text(x, p->edtf))
			continue;
		if (p->t0 > c && p->t0 <= c + 10 && (q < 0 || p->t0 < q)) {
			best = p;
			break;
		}
	}
	if (!best)
		for (size_t i = 0; i < x->ndps; i++) {
			const dphrase *p = &x->dps[i];
			if (p->sent == sent && p->t1 <= c + 1 &&
			    !later_than_text(x, p->edtf))
				best = p;
		}
	if (!best)
		return -1;
	const tok *a = &x->toks[best->t0], *b = &x->toks[best->t1 - 1];
	return keep_date(x, best->edtf, a->off, b->off + b->len);
}

/* The outlet a cue names: "told CNN", "to Al-Jazeera", "interview with
 * LBC TV", "on Saudi Arabia’s Al-Arabiya". */
static int cue_outlet(extractor *x, int c)
{
	int sent = x->toks[c].sent;
	int s0 = x->sents[sent], s1 = x->sents[sent + 1];
	int start = -1;
	if (tok_is(x, &x->toks[c], "told") || tok_is(x, &x->toks[c], "telling"))
		start = c + 1;
	for (int i = s0; i < s1 && start < 0; i++) {
		if ((tok_is(x, &x->toks[i], "to") && i > s0 &&
		     (i == c + 1 || i == c + 2 || is_cue(x, i - 1))) ||
		    (tok_is(x, &x->toks[i], "with") && i > s0 &&
		     tok_is(x, &x->toks[i - 1], "interview")) ||
		    (tok_is(x, &x->toks[i], "on") && i > s0 && i < c + 6 &&
		     i > c))
			start = i + 1;
	}
	if (start < 0)
		return -1;
	for (int i = start; i < s1 && i < start + 4; i++) {
		if (tok_is(x, &x->toks[i], "the"))
			continue;
		int r = run_at(x, i);
		if (r < 0)
			return -1;
		if (x->runs[r].poss && x->runs[r].t1 < s1 &&
		    run_at(x, x->runs[r].t1) >= 0 &&
		    x->toks[x->runs[r].t1].type == T_WORD) {
			i = x->runs[r].t1 - 1;   /* "Egypt’s Al-Masir" */
			continue;
		}
		run *rn = &x->runs[r];
		const tok *a = &x->toks[rn->t0], *b = &x->toks[rn->t1 - 1];
		int e;
		if (entity_of(x, x->s + a->off, b->off + b->len - a->off, &e))
			return -1;
		return e;
	}
	return -1;
}

/* Decides a for the span token q of the paragraph. */
static int attribute(extractor *x, int q, attr *a)
{
	memset(a, 0, sizeof *a);
	a->ent = -1;
	a->outlet = -1;
	a->date = -1;
	a->kind = QDB_PROPOSAL_SCARE;
	tok *qt = &x->toks[q];
	int sent = qt->sent;
	int s0 = x->sents[sent], s1 = x->sents[sent + 1];

	if (name_like(x, qt)) {
		a->confidence = 80;
		snprintf(a->evidence, sizeof a->evidence, "a name or title, "
			 "not a quotation");
		return 0;
	}
	if (q >= 2 && (tok_is(x, &x->toks[q - 1], "word") ||
		       tok_is(x, &x->toks[q - 1], "term") ||
		       tok_is(x, &x->toks[q - 1], "phrase") ||
		       tok_is(x, &x->toks[q - 1], "so-called") ||
		       tok_is(x, &x->toks[q - 1], "label"))) {
		char wd[24];
		tokens_text(x, wd, sizeof wd, q - 1, q);
		a->confidence = 90;
		snprintf(a->evidence, sizeof a->evidence, "a word mentioned, "
			 "not quoted (\"%s\" before it)", wd);
		return 0;
	}
	if (qt->flags & F_PAREN) {
		a->confidence = 70;
		snprintf(a->evidence, sizeof a->evidence, "in parentheses");
		return 0;
	}

	who w, guess;
	who_none(&w);
	who_none(&guess);
	int guess_cue = -1;
	int cue = -1;
	int rule = 0;
	int rc;
	/* 1. "Name: “…”" */
	int cr = q >= 2 && tok_punct(&x->toks[q - 1], ':')
		? run_at(x, q - 2) : -1;
	/* not "... given to HAMAS and PIJ: “…”" */
	if (cr >= 0 && x->runs[cr].r0 > s0) {
		const tok *b = &x->toks[x->runs[cr].r0 - 1];
		if (tok_is(x, b, "to") || tok_is(x, b, "and") ||
		    tok_is(x, b, "of") || tok_is(x, b, "with") ||
		    tok_is(x, b, "for") || tok_is(x, b, "from") ||
		    tok_is(x, b, "about") || tok_is(x, b, "in") ||
		    tok_is(x, b, "on") || tok_is(x, b, "against") ||
		    tok_punct(b, ','))
			cr = -1;
	}
	if (cr >= 0 && !(x->toks[q - 2].flags & F_MASK)) {
		int r = cr;
		if ((rc = who_from_run(x, &w, r, q - 2, 90,
				       "colon after")) < 0)
			return rc;
		if (w.ent >= 0) {
			rule = 1;
			cue = q - 1;
		}
	}
	/* 2. An attribution set off by commas, or after the quotation:
	 * "“…”, said X", ", X notes.", "according to X," - it covers the
	 * whole sentence. */
	for (int i = s0; i < s1 && !rule; i++) {
		if (!is_cue(x, i))
			continue;
		int r0 = -1, end = -1;
		if (tok_is(x, &x->toks[i], "according") ||
		    tok_is(x, &x->toks[i], "According")) {
			int k = i + 2;
			while (k < s1 && k < i + 8 &&
			       x->toks[k].type == T_WORD)
				k++;
			if (k > i + 2)
				{ r0 = i; end = k; }
		} else if (i > s0 && (run_at(x, i - 1) >= 0 ||
				      tok_in(x, &x->toks[i - 1], pronouns))) {
			int r = run_at(x, i - 1);
			r0 = r >= 0 ? x->runs[r].r0 : i - 1;
			end = i + 1;
			if (tok_is(x, &x->toks[i], "went"))
				end = i + 2;
		} else if (i > s0 + 1 && tok_punct(&x->toks[i - 1], ',') &&
			   run_at(x, i - 2) >= 0) {
			/* "“…,” one resident, Alan Cho, said." */
			r0 = x->runs[run_at(x, i - 2)].r0;
			end = i + 1;
		} else if (i + 1 < s1 && run_at(x, i + 1) >= 0 &&
			   (i == s0 || x->toks[i - 1].type != T_WORD)) {
			r0 = i;
			end = x->runs[run_at(x, i + 1)].t1;
		}
		if (r0 < 0)
			continue;
		/* “…,” incident commander Dana Whitfield told reporters at
		 * the fairgrounds. */
		int rs = r0;
		while (rs > s0 && r0 - rs < 4 && x->toks[rs - 1].type ==
		       T_WORD && !(x->toks[rs - 1].flags & F_CAP))
			rs--;
		if (rs < r0 && rs > s0 && x->toks[rs - 1].type == T_QUOTE)
			r0 = rs;
		if (end < s1 && (tok_is(x, &x->toks[i], "told") ||
				 tok_is(x, &x->toks[i], "telling"))) {
			int k = end;
			while (k < s1 && k < end + 10 &&
			       x->toks[k].type == T_WORD)
				k++;
			end = k;
		}
		int open = r0 == s0 || tok_punct(&x->toks[r0 - 1], ',') ||
			x->toks[r0 - 1].type == T_QUOTE;
		int close = end >= s1 || tok_punct(&x->toks[end], ',') ||
			tok_punct(&x->toks[end], '.') ||
			tok_punct(&x->toks[end], ';') ||
			tok_punct(&x->toks[end], '!') ||
			tok_punct(&x->toks[end], '?');
		int touches = (r0 > s0 && x->toks[r0 - 1].type == T_QUOTE) ||
			(r0 > s0 + 1 && x->toks[r0 - 2].type == T_QUOTE) ||
			(end < s1 && x->toks[end].type == T_QUOTE);
		int according = r0 == i && (tok_is(x, &x->toks[i], "according")
					    || tok_is(x, &x->toks[i],
						      "According"));
		if (!(open && close && (touches || r0 > s0 || according)))
			continue;
		if ((rc = cue_speaker(x, &w, i)) < 0)
			return rc;
		if (w.ent >= 0 && w.conf < 60) {
			if (guess.ent < 0) {
				guess = w;
				guess_cue = i;
			}
			who_none(&w);   /* a guess: a nearer cue may know */
		}
		if (w.ent >= 0) {
			rule = 2;
			cue = i;
			w.conf = w.conf < 90 ? w.conf + 5 : w.conf;
		}
	}
	/* 3. A cue before the quotation, within reach: a that-clause runs
	 * to the end of the sentence; otherwise twelve words, not past a
	 * semicolon or a colon that starts a new clause. */
	if (!rule) {
		for (int i = q - 1; i >= s0; i--) {
			if (!is_cue(x, i))
				continue;
			if (x->toks[i].flags & F_MASK)
				continue;
			int that = 0, words = 0, stop = 0;
			for (int k = i + 1; k < q; k++) {
				tok *u = &x->toks[k];
				if (tok_is(x, u, "that") && k <= i + 8)
					that = 1;
				if (u->type != T_PUNCT && !(u->flags & F_MASK))
					words++;
				if (tok_punct(u, ';'))
					stop = 1;
				/* a colon that starts a clause of the
				 * writer's own ("army: it is ...") */
				if (tok_punct(u, ':') && k != q - 1 &&
				    x->toks[k + 1].type == T_WORD &&
				    !(x->toks[k + 1].flags & F_CAP))
					stop = 1;
				if (u->type == T_QUOTE)
					words = 0;  /* a chain of quotations */
			}
			int colon = tok_punct(&x->toks[q - 1], ':');
			if (that ? 0 : (stop || (words > 12 && !colon)))
				break;
			if ((rc = cue_speaker(x, &w, i)) < 0)
				return rc;
			if (w.ent >= 0) {
				rule = 3;
				cue = i;
			}
			break;
		}
	}
	if (!rule && guess.ent >= 0) {
		w = guess;
		cue = guess_cue;
		rule = 2;
	}
	if (!rule) {
		/* A quotation right after a verb with no quotation of its
		 * own: the cue is ahead ("“…” Zarghami went on" handled
		 * above).  The cue after the quotation: "“…” X added". */
		int has_cue = 0;
		for (int i = s0; i < s1; i++)
			if (is_cue(x, i))
				has_cue = 1;
		if (has_cue) {
			a->confidence = 55;
			snprintf(a->evidence, sizeof a->evidence, "no "
				 "attribution reaches it in the sentence");
			return 2;
		} else {
			a->confidence = 70;
			snprintf(a->evidence, sizeof a->evidence, "no "
				 "attribution in the sentence");
		}
		return 1;   /* the paragraph pass may still take it */
	}
	a->kind = QDB_PROPOSAL_QUOTE;
	a->ent = w.ent;
	a->confidence = w.conf;
	snprintf(a->role, sizeof a->role, "%s", w.role);
	if (w.run >= 0) {
		run *rn = &x->runs[w.run];
		tokens_text(x, a->as, sizeof a->as, rn->t0, rn->t1);
	}
	snprintf(a->evidence, sizeof a->evidence, "%s", w.how);
	a->date = cue_date(x, cue, q);
	a->outlet = cue_outlet(x, cue);
	return 0;
}

/* ---- the paragraph pass ------------------------------------------------ */

static void set_last(extractor *x, const attr *a)
{
	if (a->ent < 0)
		return;
	x->last_speaker = a->ent;
	x->last_speaker_para = x->cur_para;
	snprintf(x->last_role, sizeof x->last_role, "%s", a->role);
}

/* The date and outlet a speaker had earlier in this paragraph or in the
 * one before, for a quotation whose sentence gives none. */
static void inherit(extractor *x, attr *a)
{
	if (a->ent < 0)
		return;
	srec *r = rec_find(x->rec, x->nrec, a->ent);
	const char *where = "earlier in the paragraph";
	if (!r || (r->date < 0 && r->outlet < 0)) {
		r = rec_find(x->prev_rec, x->nprev, a->ent);
		where = "the paragraph before";
	}
	if (!r)
		return;
	if (a->date < 0 && r->date >= 0) {
		a->date = r->date;
		size_t l = strlen(a->evidence);
		snprintf(a->evidence + l, sizeof a->evidence - l,
			 "; date from %s", where);
	}
	if (a->outlet < 0)
		a->outlet = r->outlet;
}

static int emit(extractor *x, const attr *a, size_t off, size_t len,
		int para, int para_last, int block)
{
	/* Inside a quotation only what a named speaker said is proposed:
	 * the rest is already in the outer text. */
	if (x->nested && (a->kind != QDB_PROPOSAL_QUOTE ||
			  a->confidence < 60))
		return 0;
	qdb_proposal p;
	memset(&p, 0, sizeof p);
	p.size = sizeof p;
	p.kind = (qdb_proposal_kind)a->kind;
	/* A text has no white space at its ends. */
	while (len > 0 && is_space((unsigned char)x->s[off])) {
		off++;
		len--;
	}
	while (len > 0 && is_space((unsigned char)x->s[off + len - 1]))
		len--;
	if (len == 0)
		return 0;
	p.off = off;
	p.len = len;
	pos ps = where(x->s, x->lines, x->nlines, off);
	p.line = ps.line;
	p.column = ps.column;
	p.para = para;
	p.para_last = para_last;
	p.block = block;
	if (a->ent >= 0) {
		const char *nm = x->ents[a->ent].name;
		p.speaker.ptr = nm;
		p.speaker.len = strlen(nm);
		if (a->as[0] && strcmp(a->as, nm)) {
			p.speaker_as.ptr = a->as;
			p.speaker_as.len = strlen(a->as);
		}
	}
	if (a->role[0]) {
		p.role.ptr = a->role;
		p.role.len = strlen(a->role);
	}
	if (a->outlet >= 0 && a->outlet != a->ent) {
		p.outlet.ptr = x->ents[a->outlet].name;
		p.outlet.len = strlen(p.outlet.ptr);
	}
	if (a->date >= 0) {
		kept_date *d = &x->dates[a->date];
		if (d->edtf[0]) {
			p.date.ptr = d->edtf;
			p.date.len = strlen(d->edtf);
		}
		if (d->text[0]) {
			p.date_text.ptr = d->text;
			p.date_text.len = strlen(d->text);
		}
	}
	p.confidence = a->confidence;
	p.evidence.ptr = a->evidence;
	p.evidence.len = strlen(a->evidence);
	int r = x->cb ? x->cb(&p, x->payload) : 0;
	if (r)
		x->stopped = r;
	return r;
}

/* Registers the paragraph's names, in order, so a surname finds the
 * full name given before it. */
static int register_runs(extractor *x)
{
	for (size_t i = 0; i < x->nruns; i++) {
		run *r = &x->runs[i];
		if (r->title_only || r->t1 <= r->t0) {
			r->ent = -1;
			continue;
		}
		const tok *a = &x->toks[r->t0], *b = &x->toks[r->t1 - 1];
		int rc = entity_of(x, x->s + a->off,
				   b->off + b->len - a->off, &r->ent);
		if (rc)
			return rc;
	}
	return 0;
}

/* Attribution of a paragraph's sentences; the proposals of its spans
 * go out in text order. */
static int read_paragraph(extractor *x, size_t a, size_t b, int para)
{
	int rc;
	x->cur_para = para;
	if ((rc = tokenize(x, a, b)) || (rc = split_sentences(x)))
		return rc;
	mask(x);
	mark_cues(x);
	if ((rc = find_runs(x)))
		return rc;
	runs_prefixes(x);
	runs_roles(x);
	if ((rc = register_runs(x)) || (rc = find_dates(x)))
		return rc;
	/* The last date resolved to a day, for "the same day". */
	if (GROW(x, attrs, cattrs, x->ntoks + 1))
		return QDB_ENOMEM;
	int *pending = calloc(x->ntoks + 1, sizeof *pending);
	if (!pending)
		return QDB_ENOMEM;
	/* Sentence by sentence: first its quotations, then what its cues
	 * tell later sentences (each speaker's date and outlet, who "he"
	 * is). */
	int prev_sent_speaker = -1, para_speaker = -1;
	for (size_t s = 0; s < x->nsents; s++) {
		int s0 = x->sents[s], s1 = x->sents[s + 1];
		int sent_speaker = -1;
		for (int i = s0; i < s1; i++) {
			if (x->toks[i].type != T_QUOTE)
				continue;
			attr *at = &x->attrs[i];
			int r = attribute(x, i, at);
			if (r < 0) {
				rc = r;
				goto out;
			}
			/* A sentence that is only quotation goes on from
			 * the paragraph's last speaker. */
			if ((r == 1 || r == 2) && i == s0 &&
			    (prev_sent_speaker >= 0 || para_speaker >= 0)) {
				int e = prev_sent_speaker >= 0
					? prev_sent_speaker : para_speaker;
				at->kind = QDB_PROPOSAL_QUOTE;
				at->ent = e;
				at->confidence = 60;
				snprintf(at->evidence, sizeof at->evidence,
					 "a sentence of quotation after one "
					 "by %s", x->ents[e].name);
				snprintf(at->role, sizeof at->role, "%s",
					 x->last_role);
			} else if (r == 1) {
				pending[i] = 1;
			}
			if (at->kind == QDB_PROPOSAL_QUOTE) {
				inherit(x, at);
				if ((rc = rec_set(x, at->ent, at->date,
						  at->outlet, 0)))
					goto out;
				set_last(x, at);
				sent_speaker = at->ent;
				para_speaker = at->ent;
			}
		}
		prev_sent_speaker = sent_speaker;
		int had = 0;
		for (int i = s0; i < s1; i++) {
			if (!is_cue(x, i) || (x->toks[i].flags & F_MASK))
				continue;
			who w;
			if ((rc = cue_speaker(x, &w, i)) < 0)
				goto out;
			if (w.ent < 0)
				continue;
			int d = cue_date(x, i, -1);
			int o = cue_outlet(x, i);
			if ((rc = rec_set(x, w.ent, d, o, 0)))
				goto out;
			if (w.run >= 0) {
				x->last_subject = w.ent;
				x->last_subject_para = para;
			}
			had = 1;
			break;
		}
		if (!had) {
			/* A sentence that starts with a name is about them
			 * ("Adeyemi rejected the charge.  She said ..."). */
			int r = run_at(x, s0);
			if (r < 0 && s0 + 1 < s1)
				r = run_at(x, s0 + 1);
			if (r >= 0 && !x->runs[r].poss &&
			    !x->runs[r].title_only && x->runs[r].ent >= 0) {
				x->last_subject = x->runs[r].ent;
				x->last_subject_para = para;
			}
			/* Without a cue, the sentence's first date goes to
			 * every name in it ("Meshal ... on 19 October"). */
			int d = -1;
			for (size_t k = 0; k < x->ndps; k++)
				if (x->dps[k].sent == (int)s) {
					const dphrase *p = &x->dps[k];
					const tok *ta = &x->toks[p->t0];
					const tok *tb = &x->toks[p->t1 - 1];
					d = keep_date(x, p->edtf, ta->off,
						      tb->off + tb->len);
					break;
				}
			for (int i = s0; i < s1 && d >= 0; i++) {
				int rr = run_at(x, i);
				if (rr >= 0 && x->runs[rr].r0 == i &&
				    (rc = rec_set(x, x->runs[rr].ent, d, -1,
						  0)))
					goto out;
			}
		}
		for (size_t k = 0; k < x->ndps; k++)
			if (x->dps[k].sent == (int)s &&
			    strlen(x->dps[k].edtf) == 10)
				snprintf(x->last_day, sizeof x->last_day, "%s",
					 x->dps[k].edtf);
	}
	/* Pass 3: a sentence without attribution whose subject has been
	 * quoted in this paragraph or the one before. */
	for (size_t i = 0; i < x->ntoks; i++) {
		if (!pending[i])
			continue;
		attr *at = &x->attrs[i];
		int sent = x->toks[i].sent;
		int s0 = x->sents[sent];
		int subj = -1, st = -1;
		for (int k = s0; k < (int)i; k++) {
			int r = run_at(x, k);
			if (r >= 0 && !(x->toks[k].flags & F_MASK) &&
			    !x->runs[r].title_only) {
				subj = x->runs[r].ent;
				st = r;
				break;
			}
		}
		if (subj < 0)
			continue;
		int quoted = 0;
		for (size_t k = 0; k < x->ntoks; k++)
			if (x->toks[k].type == T_QUOTE && x->attrs[k].kind ==
			    QDB_PROPOSAL_QUOTE && x->attrs[k].ent == subj &&
			    !pending[k])
				quoted = 1;
		srec *pr = rec_find(x->prev_rec, x->nprev, subj);
		if (!quoted && !(pr && x->last_speaker == subj))
			continue;
		at->kind = QDB_PROPOSAL_QUOTE;
		at->ent = subj;
		at->confidence = 45;
		char form[120];
		tokens_text(x, form, sizeof form, x->runs[st].t0,
			    x->runs[st].t1);
		snprintf(at->as, sizeof at->as, "%s", form);
		snprintf(at->evidence, sizeof at->evidence, "no verb, but the "
			 "sentence is about \"%s\", quoted %s", form,
			 quoted ? "in this paragraph" : "just before");
		inherit(x, at);
		if (!at->role[0])
			snprintf(at->role, sizeof at->role, "%s",
				 x->last_speaker == subj ? x->last_role : "");
	}
	for (size_t i = 0; i < x->ntoks; i++) {
		if (x->toks[i].type != T_QUOTE)
			continue;
		span *sp = &x->spans[x->toks[i].span];
		if ((rc = emit(x, &x->attrs[i], sp->off, sp->len, para, para,
				0)))
			goto out;
	}
	/* A paragraph that ends with a colon introduces a block quotation:
	 * its last sentence says whose. */
	x->intro_valid = 0;
	if (x->ntoks > 0 && tok_punct(&x->toks[x->ntoks - 1], ':')) {
		attr *in = &x->intro;
		memset(in, 0, sizeof *in);
		in->ent = in->outlet = in->date = -1;
		int s = (int)x->nsents - 1;
		int s0 = x->sents[s], s1 = x->sents[s + 1];
		for (int i = s0; i < s1; i++) {
			if (!is_cue(x, i) || (x->toks[i].flags & F_MASK))
				continue;
			who w;
			if ((rc = cue_speaker(x, &w, i)) < 0)
				goto out;
			/* the surest cue of the sentence */
			if (w.ent < 0 || (in->ent >= 0 &&
					  w.conf - 5 <= in->confidence))
				continue;
			in->ent = w.ent;
			in->confidence = w.conf - 5;
			snprintf(in->role, sizeof in->role, "%s", w.role);
			if (w.run >= 0)
				tokens_text(x, in->as, sizeof in->as,
					    x->runs[w.run].t0,
					    x->runs[w.run].t1);
			snprintf(in->evidence, sizeof in->evidence,
				 "block quotation after a colon; %s", w.how);
			in->date = cue_date(x, i, -1);
			in->outlet = cue_outlet(x, i);
		}
		if (in->ent < 0 && x->last_speaker >= 0 &&
		    rec_find(x->rec, x->nrec, x->last_speaker)) {
			in->ent = x->last_speaker;
			in->confidence = 60;
			snprintf(in->role, sizeof in->role, "%s", x->last_role);
			snprintf(in->evidence, sizeof in->evidence, "block "
				 "quotation after a colon; the paragraph's "
				 "speaker, %s", x->ents[in->ent].name);
		}
		if (in->ent >= 0) {
			in->kind = QDB_PROPOSAL_QUOTE;
			inherit(x, in);
			x->intro_valid = 1;
			x->intro_para = para;
		}
	}
	rc = 0;
out:
	free(pending);
	return rc;
}

/* A paragraph, then the quotations quoted inside its quotations ("Iran,
 * which pledged to ‘stand by …’"), each read as a paragraph of its own
 * whose state is thrown away after. */
static int do_paragraph(extractor *x, size_t a, size_t b, int para)
{
	size_t (*inner)[2] = NULL;
	size_t ninner = 0;
	for (size_t i = 0; i < x->nspans; i++) {
		span *o = &x->spans[i];
		if (!o->top || x->nested)
			continue;
		if (i + 1 < x->nspans && x->spans[i + 1].open < o->end) {
			size_t (*v)[2] = realloc(inner, (ninner + 1) *
						 sizeof *inner);
			if (!v) {
				free(inner);
				return QDB_ENOMEM;
			}
			inner = v;
			inner[ninner][0] = o->off;
			inner[ninner][1] = o->off + o->len;
			ninner++;
		}
	}
	int rc = read_paragraph(x, a, b, para);
	if (rc || !ninner) {
		free(inner);
		return rc;
	}
	/* What reading inside a quotation must not change. */
	int ls = x->last_speaker, lsp = x->last_speaker_para;
	int su = x->last_subject, sup = x->last_subject_para;
	char role[sizeof x->last_role];
	memcpy(role, x->last_role, sizeof role);
	size_t nrec = x->nrec;
	int iv = x->intro_valid, ip = x->intro_para;
	attr in = x->intro;
	qdb_extract_warn_cb warn = x->opt.warn;
	x->opt.warn = NULL;   /* its marks were reported already */
	x->nested = 1;
	for (size_t k = 0; k < ninner && !rc; k++) {
		rc = find_spans(x, inner[k][0], inner[k][1]);
		if (!rc)
			rc = read_paragraph(x, inner[k][0], inner[k][1], para);
	}
	x->nested = 0;
	x->opt.warn = warn;
	x->last_speaker = ls;
	x->last_speaker_para = lsp;
	x->last_subject = su;
	x->last_subject_para = sup;
	memcpy(x->last_role, role, sizeof role);
	x->nrec = nrec;
	x->intro_valid = iv;
	x->intro_para = ip;
	x->intro = in;
	free(inner);
	return rc;
}

/* Moves this paragraph's records to "the one before". */
static void next_paragraph(extractor *x)
{
	srec *t = x->prev_rec;
	size_t c = x->cprev;
	x->prev_rec = x->rec;
	x->nprev = x->nrec;
	x->cprev = x->crec;
	x->rec = t;
	x->crec = c;
	x->nrec = 0;
}

/* ---- the text --------------------------------------------------------- */

typedef struct para {
	size_t a, b;       /* its bytes, without the line break */
	int num;
	int md_quote;      /* "> " Markdown block quotation */
} para;

static int ends_with_ellipsis(const char *s, size_t a, size_t b)
{
	while (b > a && is_space((unsigned char)s[b - 1]))
		b--;
	if (b - a >= 3 && !strncmp(s + b - 3, "\xe2\x80\xa6", 3))
		return 1;
	return b - a >= 3 && !strncmp(s + b - 3, "...", 3);
}

static int starts_with_quote_mark(const char *s, size_t a, size_t b)
{
	size_t k;
	unsigned c = cp_at(s, b, a, &k);
	return c == 0x201c || c == '"' || c == 0xab || c == 0x201e ||
		c == 0x2018;
}

/* The latest year-bearing date of the text, for days given without a
 * year. */
static int find_ref(extractor *x)
{
	int best = 0;
	for (const char *p = x->s; p < x->s + x->n; p++) {
		if (*p < 'A' || *p > 'Z')
			continue;
		for (int m = 0; months[m]; m++) {
			size_t l = strlen(months[m]);
			if ((size_t)(x->s + x->n - p) < l + 5 ||
			    strncmp(p, months[m], l))
				continue;
			const char *q = p + l;
			if (*q == ',')
				q++;
			if (*q != ' ')
				continue;
			q++;
			/* "October 2023", or "October 9, 2023" */
			if (q + 4 <= x->s + x->n && q[0] >= '1' &&
			    q[0] <= '2') {
				int y = 0, k = 0;
				while (k < 4 && q[k] >= '0' && q[k] <= '9')
					y = y * 10 + (q[k++] - '0');
				int after = q + 4 < x->s + x->n ? q[4] : ' ';
				if (k == 4 && !(after >= '0' && after <= '9') &&
				    y >= 1900 && y <= 2100) {
					if (y * 12 + m > best)
						best = y * 12 + m;
					/* "14 March 2025": the day too */
					int d = 0;
					const char *b = p - 1;
					if (b > x->s && *b == ' ') {
						int mul = 1;
						while (--b >= x->s &&
						       *b >= '0' && *b <= '9' &&
						       mul <= 10) {
							d += (*b - '0') * mul;
							mul *= 10;
						}
					}
					if (d < 1 || d > 31)
						d = 28;
					int v = y * 10000 + (m + 1) * 100 + d;
					if (v > x->ref_day)
						x->ref_day = v;
				}
			}
		}
	}
	x->ref_ym = best;
	return 0;
}

static int do_text(extractor *x)
{
	/* Paragraphs: lines, or blank-line separated blocks when the text
	 * has a blank line between two lines of text. */
	int blocks = 0;
	{
		int seen_text = 0, blank = 0;
		for (size_t i = 0; i < x->nlines; i++) {
			size_t a = x->lines[i];
			size_t b = i + 1 < x->nlines ? x->lines[i + 1] : x->n;
			int empty = 1;
			for (size_t k = a; k < b; k++)
				if (!is_space((unsigned char)x->s[k]))
					empty = 0;
			if (empty) {
				if (seen_text)
					blank = 1;
			} else {
				if (blank)
					blocks = 1;
				seen_text = 1;
			}
		}
	}
	find_ref(x);
	para *ps = NULL;
	size_t np = 0, cp = 0;
	int num = 0, in_par = 0;
	for (size_t i = 0; i < x->nlines; i++) {
		size_t a = x->lines[i];
		size_t b = i + 1 < x->nlines ? x->lines[i + 1] : x->n;
		while (b > a && (x->s[b - 1] == '\n' || x->s[b - 1] == '\r'))
			b--;
		int empty = 1;
		for (size_t k = a; k < b; k++)
			if (!is_space((unsigned char)x->s[k]))
				empty = 0;
		if (empty) {
			in_par = 0;
			continue;
		}
		if (blocks && in_par) {
			ps[np - 1].b = b;   /* the next line of the block */
			continue;
		}
		num = blocks ? num + 1 : (int)i + 1;
		if (grow((void **)&ps, &cp, np + 1, sizeof *ps)) {
			free(ps);
			return QDB_ENOMEM;
		}
		para *p = &ps[np++];
		p->a = a;
		p->b = b;
		p->num = num;
		p->md_quote = blocks && x->s[a] == '>';
		if (p->md_quote) {
			p->a++;
			while (p->a < b && x->s[p->a] == ' ')
				p->a++;
		}
		in_par = 1;
	}
	int rc = 0;
	for (size_t i = 0; i < np && !rc; i++) {
		para *p = &ps[i];
		x->cur_para = p->num;
		if ((rc = find_spans(x, p->a, p->b)))
			break;
		int block = p->md_quote ||
			(x->intro_valid && i > 0 &&
			 x->intro_para == ps[i - 1].num &&
			 !starts_with_quote_mark(x->s, p->a, p->b));
		if (!block) {
			if (!(rc = do_paragraph(x, p->a, p->b, p->num)))
				next_paragraph(x);
			continue;
		}
		/* The block runs on while a paragraph ends with an ellipsis
		 * (the quotation goes on after a cut). */
		size_t j = i;
		while (!p->md_quote && j + 1 < np &&
		       ends_with_ellipsis(x->s, ps[j].a, ps[j].b))
			j++;
		attr a;
		if (x->intro_valid) {
			a = x->intro;
		} else {
			memset(&a, 0, sizeof a);
			a.ent = a.outlet = a.date = -1;
			a.kind = QDB_PROPOSAL_SCARE;
			a.confidence = 50;
			snprintf(a.evidence, sizeof a.evidence, "a block "
				 "quotation with no attribution before it");
			if (x->last_speaker >= 0) {
				a.kind = QDB_PROPOSAL_QUOTE;
				a.ent = x->last_speaker;
				a.confidence = 50;
				snprintf(a.role, sizeof a.role, "%s",
					 x->last_role);
				snprintf(a.evidence, sizeof a.evidence, "a "
					 "block quotation; the last speaker, "
					 "%s", x->ents[a.ent].name);
				inherit(x, &a);
			}
		}
		for (size_t k = i + 1; k <= j && !rc; k++)
			rc = find_spans(x, ps[k].a, ps[k].b);
		if (rc)
			break;
		if (a.kind == QDB_PROPOSAL_QUOTE) {
			if ((rc = rec_set(x, a.ent, a.date, a.outlet, 1)))
				break;
			set_last(x, &a);
		}
		/* A Markdown quotation over several lines keeps their '>'
		 * markers: the text must be the source's bytes. */
		if (p->md_quote && memchr(x->s + p->a, '\n', ps[j].b - p->a)) {
			size_t l = strlen(a.evidence);
			snprintf(a.evidence + l, sizeof a.evidence - l, "; the "
				 "text holds the lines' '>' markers");
			a.confidence = a.confidence > 30 ? 30 : a.confidence;
		}
		rc = emit(x, &a, p->a, ps[j].b - p->a, p->num, ps[j].num, 1);
		x->intro_valid = 0;
		next_paragraph(x);
		i = j;
	}
	free(ps);
	return rc;
}

static void extractor_free(extractor *x)
{
	for (size_t i = 0; i < x->nents; i++)
		free(x->ents[i].name);
	free(x->ents);
	free(x->dates);
	free(x->spans);
	free(x->toks);
	free(x->runs);
	free(x->dps);
	free(x->attrs);
	free(x->sents);
	free(x->rec);
	free(x->prev_rec);
	free(x->lines);
	free(x->lower);
}

int qdb_extract(const char *source, size_t len,
		const qdb_extract_options *opt, qdb_proposal_cb cb,
		void *payload, qdb_error *err)
{
	extractor x;
	memset(&x, 0, sizeof x);
	x.last_speaker = -1;
	x.last_subject = -1;
	if (err)
		memset(err, 0, sizeof *err);
	if (!source && len)
		return qdb__error_set(err, QDB_EINVALID, "no source text");
	if (opt) {
		int rc = qdb__versioned(&x.opt, sizeof x.opt, opt, opt->size,
					QDB__SIZE_UPTO(qdb_extract_options,
						       warn),
					"qdb_extract_options", err);
		if (rc)
			return rc;
	}
	x.s = source;
	x.n = len;
	x.cb = cb;
	x.payload = payload;
	x.err = err;
	/* UTF-8 first: nothing is proposed from a text that is not. */
	size_t line = 1, lstart = 0;
	for (size_t i = 0; i < len;) {
		unsigned c;
		size_t k = qdb__utf8_decode((const unsigned char *)source + i,
					    len - i, &c);
		if (k == 0 || c == 0) {
			int col = 1;
			for (size_t j = lstart; j < i; j++)
				if (((unsigned char)source[j] & 0xc0) != 0x80)
					col++;
			int rc = qdb__error_set(err, QDB_EINVALID, "%s at byte "
						"%zu", c == 0 && k ? "a NUL "
						"byte" : "invalid UTF-8", i);
			if (err) {
				err->line = (int)line;
				err->column = col;
			}
			return rc;
		}
		if (c == '\n') {
			line++;
			lstart = i + 1;
		}
		i += k;
	}
	if (len == 0)
		return 0;
	x.lines = malloc(line * sizeof *x.lines);
	if (!x.lines)
		return qdb__error_set(err, QDB_ENOMEM, "out of memory");
	x.lines[x.nlines++] = 0;
	for (size_t i = 0; i < len; i++)
		if (source[i] == '\n' && i + 1 <= len)
			x.lines[x.nlines++] = i + 1;
	if (x.nlines > 1 && x.lines[x.nlines - 1] == len)
		x.nlines--;
	/* The collection's names first: they are canonical. */
	int rc = 0;
	for (size_t k = 0; k < 2 && !rc; k++) {
		const qdb_entity *v = k ? x.opt.outlets : x.opt.speakers;
		size_t nv = k ? x.opt.noutlets : x.opt.nspeakers;
		for (size_t i = 0; v && i < nv && !rc; i++)
			if (v[i].name && *v[i].name)
				rc = add_entity(&x, v[i].name,
						strlen(v[i].name), 1) < 0
					? QDB_ENOMEM : 0;
	}
	if (!rc)
		rc = find_lower(&x);
	if (!rc)
		rc = do_text(&x);
	if (rc == QDB_ENOMEM)
		qdb__error_set(err, QDB_ENOMEM, "out of memory");
	else if (rc == QDB_EUSER && x.stopped == QDB_EUSER)
		qdb__error_set(err, QDB_EUSER, "stopped by the caller");
	else if (rc && x.stopped)
		rc = x.stopped;
	extractor_free(&x);
	return rc;
}
