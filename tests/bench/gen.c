/*
 * gen.c: writes N synthetic quotations in the quotes/ YAML format
 * (docs/format.md) for the benchmark.  Deterministic: a fixed seed, and
 * quote i depends only on the quotes before it, so the file for 10,000 is
 * the first 10,000 quotes of the file for 100,000.
 *
 * Shape: texts of 40-600 characters (log-normal, median about 170) of
 * UTF-8 prose with curly quotes, em dashes, ellipses, [insertions],
 * accented and non-Latin words; about 3% carry the characters that trip
 * CSV, LaTeX and shells, some with a leading = - + @; a few are exactly
 * yes, null, ~ or 2023-10-07.  5,000 speakers and 500 outlets drawn with
 * Zipf-like frequencies; full, year-month, year, EDTF-qualified and
 * interval dates; most quotes have a context and a source.  Every string
 * is double-quoted.
 *
 * Usage: gen N FILE
 */
#include "corpus.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const common[] = {
	"the", "of", "and", "to", "a", "in", "is", "that", "we", "it", "for",
	"not", "this", "will", "be", "on", "are", "with", "they", "have", "as",
	"our", "was", "people", "all", "but", "by", "there", "their", "what",
	"from", "at", "has", "no", "an", "would", "been", "which", "one",
	"more", "must", "can", "do", "if", "who", "us", "so", "about", "any",
	"were", "these", "them", "when", "now", "very", "country", "war",
	"time", "today", "government", "world", "those", "other", "only",
	"because", "against", "peace", "should", "never", "every", "state",
	"security", "forces", "after", "before", "right", "new", "said",
	"know", "think", "want", "believe", "continue", "support", "also",
	"going", "years", "region", "citizens", "attack", "responsibility",
	"president", "minister", "leaders", "decision", "clear", "evidence",
	"law", "international", "military", "political", "nothing", "again",
	"against", "children", "families", "future", "history", "hope",
	"don’t", "it’s", "we’re", "can’t", "won’t", "there’s", "I", "he",
	"she", "you", "my", "his", "her", "your", "than", "then", "some",
	"many", "most", "such", "same", "own", "still", "even", "just",
	"over", "under", "between", "through", "without", "within", "during",
	"until", "while", "where", "how", "why", "here", "both", "each",
	"few", "make", "made", "take", "give", "see", "come", "go", "say",
	"tell", "ask", "need", "feel", "try", "leave", "call", "keep",
	"begin", "show", "hear", "play", "run", "move", "live", "hold",
	"bring", "happen", "write", "provide", "stand", "lose", "pay",
	"meet", "include", "set", "learn", "change", "lead", "understand",
	"watch", "follow", "stop", "create", "speak", "read", "allow",
	"grow", "open", "walk", "win", "offer", "remember", "consider",
	"appear", "buy", "wait", "serve", "die", "send", "expect", "build",
	"stay", "fall", "cut", "reach", "kill", "remain", "suggest", "raise",
	"pass", "sell", "require", "report", "decide", "pull", "nation",
	"army", "city", "village", "border", "talks", "deal", "plan",
	"crisis", "threat", "victory", "defeat", "truth", "lies", "justice",
	"freedom", "enemy", "ally", "treaty", "vote", "election", "court",
	"police", "prison", "hospital", "school", "street", "market",
	"economy", "prices", "workers", "jobs", "taxes", "budget", "oil",
	"water", "food", "power", "energy", "land", "sea", "air", "fire",
	"silence", "moment", "question", "answer", "problem", "solution",
	"café", "naïve", "déjà", "façade", "résumé", "fiancée", "rôle",
	"coöperation", "Zürich", "Kraków", "Malmö", "Ḥamās", "Gaza",
	"Jerusalem", "Beirut", "Tehran", "Kyiv", "Moscow", "Washington",
	"Brussels", "Ankara", "Riyadh", "Cairo", "Doha"
};
#define NCOMMON (sizeof common / sizeof common[0])

/* Words from other scripts, sprinkled through the prose. */
static const char *const foreign[] = {
	"Москва", "спасибо", "القدس", "السلام", "شكرا", "שלום", "ירושלים",
	"東京", "和平", "Ελλάδα", "δημοκρατία", "भारत", "नमस्ते", "서울",
	"평화", "İstanbul", "Łódź", "Straße", "Ærø", "Ñuñoa", "Smørrebrød",
	"Intifāḍa", "Ṣalāḥ", "Hezbollāh", "naïveté"
};
#define NFOREIGN (sizeof foreign / sizeof foreign[0])

static const char *const insertions[] = {
	"[the government]", "[sic]", "[Israel]", "[Hamas]", "[the minister]",
	"[in 2023]", "[laughs]", "[inaudible]", "[the president]",
	"[the United States]", "[emphasis added]", "[...]"
};
#define NINSERT (sizeof insertions / sizeof insertions[0])

/* What breaks CSV, LaTeX, shells and spreadsheets. */
static const char *const awkward[] = {
	",", "\"quoted\"", "\n", "\t", "R&D", "50%", "$100", "#hashtag",
	"snake_case", "{braces}", "~tilde", "x^2", "C:\\Temp\\", "<b>bold</b>",
	"a|b", "\n\n", "100% & more", "\\textbf{x}", "%comment", "$x$"
};
#define NAWKWARD (sizeof awkward / sizeof awkward[0])

static const char *const leading[] = { "=", "-", "+", "@" };
static const char *const exact[] = { "yes", "null", "~", "2023-10-07" };

static const char *const roles[] = {
	"Prime Minister", "Foreign Minister", "Defence Minister",
	"spokesperson", "President", "Secretary of State", "senior official",
	"ambassador to the United Nations", "opposition leader",
	"military spokesman", "chief negotiator", "National Security Adviser",
	"professor of international relations", "mayor", "member of parliament",
	"aid worker", "union leader", "central bank governor", "journalist",
	"Supreme Leader"
};
#define NROLES (sizeof roles / sizeof roles[0])

static const char *const occasions[] = {
	"interview", "press conference", "speech", "statement",
	"televised address", "post on X", "briefing", "parliamentary debate",
	"rally", "podcast"
};
static const char *const programmes[] = {
	"60 Minutes", "Newsnight", "Face the Nation", "Meet the Press",
	"Hardtalk", "The World Tonight", "Al Jazeera Inside Story",
	"Morning Edition"
};
static const char *const languages[] = {
	"en", "en", "en", "en", "en", "en", "fr", "de", "ar", "he", "ru",
	"es", "fa", "tr"
};
static const char *const tags[] = {
	"iran", "israel", "gaza", "lebanon", "ukraine", "russia", "usa",
	"eu", "un", "hostages", "ceasefire", "economy", "elections",
	"sanctions", "nuclear", "climate", "energy", "migration", "media",
	"courts", "protests", "health", "security", "diplomacy", "aid",
	"intelligence", "denial", "threat", "evidence", "history"
};
#define NTAGS (sizeof tags / sizeof tags[0])

static const char *const date_texts[] = {
	"a week after 7 October", "the day after the attack",
	"in the first days of the war", "on the eve of the talks",
	"late that year", "in an early-morning post", "that spring",
	"two days later"
};

static const char *const syll[] = {
	"ka", "ri", "to", "man", "sel", "or", "va", "den", "lu", "mi", "tar",
	"po", "ne", "ab", "ur", "shi", "fen", "gal", "dor", "tis", "bre",
	"qua", "zen", "hol", "wi", "em", "ras", "lo", "ket", "ung"
};
#define NSYLL (sizeof syll / sizeof syll[0])
#define NPSEUDO 12000

typedef struct out {
	FILE *f;
} out;

typedef struct gen {
	bench_rng rng;
	bench_zipf words, speakers, outlets, phrases;
	char **pseudo;
	char *text, *ctx;      /* scratch */
	size_t cap;
} gen;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Appends s to buf (cap bytes, never overflowing). */
static size_t put(char *buf, size_t n, size_t cap, const char *s)
{
	size_t k = strlen(s);
	if (n + k + 1 > cap)
		k = cap - n - 1;
	memcpy(buf + n, s, k);
	buf[n + k] = '\0';
	return n + k;
}

static const char *word(gen *g)
{
	size_t r = bench_zipf_draw(&g->words, &g->rng);
	if (r < NCOMMON)
		return common[r];
	return g->pseudo[(r - NCOMMON) % NPSEUDO];
}

/*
 * Prose of about target bytes: sentences of Zipf-drawn words with planted
 * phrases and the typography of real quotations.
 */
static size_t prose(gen *g, char *buf, size_t cap, size_t target)
{
	bench_rng *r = &g->rng;
	size_t n = 0;
	int in_quote = 0, words_in_sentence = 0;
	buf[0] = '\0';
	while (n < target) {
		char w[96];
		double u = bench_unit(r);
		const char *piece;
		if (u < 0.07)
			piece = bench_phrases[bench_zipf_draw(&g->phrases, r)];
		else if (u < 0.085)
			piece = foreign[bench_below(r, NFOREIGN)];
		else if (u < 0.092)
			piece = insertions[bench_below(r, NINSERT)];
		else
			piece = word(g);
		if (words_in_sentence == 0 && piece[0] >= 'a' &&
		    piece[0] <= 'z') {
			snprintf(w, sizeof w, "%c%s", piece[0] - 'a' + 'A',
				 piece + 1);
			piece = w;
		}
		if (n)
			n = put(buf, n, cap, " ");
		double t = bench_unit(r);
		if (!in_quote && t < 0.02) {
			n = put(buf, n, cap, "“");
			in_quote = 1;
		} else if (t < 0.025) {
			n = put(buf, n, cap, "‘");
			n = put(buf, n, cap, piece);
			n = put(buf, n, cap, "’");
			piece = NULL;
		}
		if (piece)
			n = put(buf, n, cap, piece);
		words_in_sentence++;
		if (in_quote && bench_unit(r) < 0.2) {
			n = put(buf, n, cap, "”");
			in_quote = 0;
		}
		double e = bench_unit(r);
		if (words_in_sentence > 5 && e < 0.09) {
			if (in_quote) {
				n = put(buf, n, cap, "”");
				in_quote = 0;
			}
			double p = bench_unit(r);
			n = put(buf, n, cap, p < 0.75 ? "." : p < 0.85 ? "?" :
				p < 0.92 ? "…" : p < 0.96 ? "!" : "...");
			words_in_sentence = 0;
		} else if (e < 0.14) {
			n = put(buf, n, cap, ",");
		} else if (e < 0.155) {
			n = put(buf, n, cap, " —");
		} else if (e < 0.16) {
			n = put(buf, n, cap, " …");
		}
	}
	if (in_quote)
		n = put(buf, n, cap, "”");
	if (n && buf[n - 1] == ',')
		buf[--n] = '\0';
	if (words_in_sentence)
		n = put(buf, n, cap, ".");
	return n;
}

/* Inserts awkward pieces at word boundaries, maybe a leading = - + @. */
static size_t make_awkward(gen *g, char *buf, size_t n, size_t cap)
{
	bench_rng *r = &g->rng;
	int k = 2 + (int)bench_below(r, 4);
	for (int i = 0; i < k; i++) {
		size_t at = bench_below(r, (uint32_t)n);
		while (at < n && buf[at] != ' ')
			at++;
		const char *a = awkward[bench_below(r, NAWKWARD)];
		char piece[64];
		snprintf(piece, sizeof piece, " %s", a);
		size_t pl = strlen(piece);
		if (n + pl + 1 > cap)
			break;
		memmove(buf + at + pl, buf + at, n - at + 1);
		memcpy(buf + at, piece, pl);
		n += pl;
	}
	if (bench_unit(r) < 0.35) {
		const char *l = leading[bench_below(r, 4)];
		size_t ll = strlen(l);
		memmove(buf + ll, buf, n + 1);
		memcpy(buf, l, ll);
		n += ll;
	}
	return n;
}

/* A double-quoted YAML scalar: only ", \, LF and TAB need escapes here. */
static void qstr(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		switch (*s) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		default: putc(*s, f);
		}
	}
	putc('"', f);
}

static void field(FILE *f, const char *indent, const char *key,
		  const char *v)
{
	fprintf(f, "%s%s: ", indent, key);
	qstr(f, v);
	putc('\n', f);
}

static int days_in(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* An EDTF date in one of the shapes quotes carry; 0 when undated. */
static int make_date(gen *g, char *buf, size_t size)
{
	bench_rng *r = &g->rng;
	double u = bench_unit(r);
	/* Weighted towards recent years. */
	int y = 2024 - (int)floor(pow(bench_unit(r), 2.0) * 10.0);
	int m = 1 + (int)bench_below(r, 12);
	int d = 1 + (int)bench_below(r, (uint32_t)days_in(y, m));
	if (u < 0.55)
		snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
	else if (u < 0.70)
		snprintf(buf, size, "%04d-%02d", y, m);
	else if (u < 0.77)
		snprintf(buf, size, "%04d", y);
	else if (u < 0.81)
		snprintf(buf, size, "%04d-%02d-%02d~", y, m, d);
	else if (u < 0.84)
		snprintf(buf, size, "%04d?", y);
	else if (u < 0.855)
		snprintf(buf, size, "%04d-%02d%%", y, m);
	else if (u < 0.87)
		snprintf(buf, size, "%04d-%02d-%02d?", y, m, d);
	else if (u < 0.90) {
		int d2 = d + 1 + (int)bench_below(r, 6);
		if (d2 > days_in(y, m))
			d2 = days_in(y, m);
		snprintf(buf, size, "%04d-%02d-%02d/%04d-%02d-%02d", y, m, d, y,
			 m, d2);
	} else
		return 0;
	return 1;
}

/* A source document: its fields follow from its number alone, so every
 * quote citing document k cites the same record. */
static void source(FILE *f, unsigned k)
{
	bench_rng r = { BENCH_SEED ^ (0x50c0ull * (k + 1)) };
	char title[160], author[96], date[48], url[96];
	static const char *const kinds[] = { "Interview transcript",
		"Press release", "Parliamentary record", "News report",
		"Speech", "Briefing notes", "Op-ed", "Statement" };
	snprintf(title, sizeof title, "%s no. %u: %s and %s", kinds[k % 8],
		 k, bench_phrases[bench_below(&r, BENCH_PHRASES)],
		 common[60 + bench_below(&r, 100)]);
	fputs("    source:\n", f);
	field(f, "      ", "title", title);
	if (k % 3) {
		bench_speaker_name(author, sizeof author,
				   bench_below(&r, BENCH_SPEAKERS));
		field(f, "      ", "author", author);
	}
	int y = 2015 + (int)bench_below(&r, 10);
	snprintf(date, sizeof date, "%04d-%02d-%02d", y,
		 1 + (int)bench_below(&r, 12), 1 + (int)bench_below(&r, 28));
	field(f, "      ", "date", date);
	snprintf(url, sizeof url, "https://example.org/documents/%u", k);
	field(f, "      ", "url", url);
}

static size_t log_normal_len(gen *g)
{
	/* Box-Muller; median 170, sigma 0.55, clipped to [40, 600]. */
	double u1 = bench_unit(&g->rng), u2 = bench_unit(&g->rng);
	double z = sqrt(-2.0 * log(u1 + 1e-300)) * cos(6.283185307179586 * u2);
	double len = 170.0 * exp(0.55 * z);
	if (len < 40)
		len = 40;
	if (len > 600)
		len = 600;
	return (size_t)len;
}

static void quote(gen *g, FILE *f, long i, long n)
{
	bench_rng *r = &g->rng;
	char buf[160], name[96];
	size_t speaker = bench_zipf_draw(&g->speakers, r);
	int special = i % 2500 == 1234;
	int has_id = special || bench_unit(r) < 0.5;

	fputs("  - ", f);
	const char *ind = "";
	if (has_id) {
		snprintf(buf, sizeof buf, "bench-%07ld", i);
		field(f, "", "id", buf);
		ind = "    ";
	}
	/* Text: a few exact YAML traps, 3% awkward, the rest prose. */
	size_t target = log_normal_len(g), len;
	if (special) {
		len = (size_t)snprintf(g->text, g->cap, "%s",
				       exact[(i / 2500) % 4]);
	} else {
		len = prose(g, g->text, g->cap, target);
		if (bench_unit(r) < 0.03)
			len = make_awkward(g, g->text, len, g->cap);
		/* The last word may overshoot: cut at a space, so UTF-8
		 * stays whole, and mark the cut as quoters do. */
		if (len > 597) {
			size_t cut = 597;
			while (cut > 40 && g->text[cut] != ' ')
				cut--;
			while ((g->text[cut] & 0xc0) == 0x80)
				cut--;
			g->text[cut] = '\0';
			len = put(g->text, cut, g->cap, "…");
		}
	}
	(void)len;
	field(f, ind, "text", g->text);
	ind = "    ";
	/* One quote in 50 of the frequent speakers names them by alias. */
	if (speaker < 500 && bench_unit(r) < 0.02)
		bench_speaker_alias(name, sizeof name, speaker);
	else
		bench_speaker_name(name, sizeof name, speaker);
	field(f, ind, "speaker", name);
	if (speaker % 5 != 0)
		field(f, ind, "role", roles[speaker % NROLES]);
	char date[80];
	if (make_date(g, date, sizeof date)) {
		field(f, ind, "date", date);
		if (bench_unit(r) < 0.1)
			field(f, ind, "date_text",
			      date_texts[bench_below(r, 8)]);
	}
	if (bench_unit(r) < 0.75) {
		size_t o = bench_zipf_draw(&g->outlets, r);
		field(f, ind, "outlet",
		      bench_outlet_name(name, sizeof name, o));
		if (bench_unit(r) < 0.12)
			field(f, ind, "programme",
			      programmes[bench_below(r, 8)]);
	}
	if (bench_unit(r) < 0.3)
		field(f, ind, "occasion", occasions[bench_below(r, 10)]);
	if (bench_unit(r) < 0.08)
		field(f, ind, "reported_by",
		      bench_outlet_name(name, sizeof name,
					bench_zipf_draw(&g->outlets, r)));
	if (bench_unit(r) < 0.4) {
		snprintf(buf, sizeof buf, bench_unit(r) < 0.5 ? "p. %u" :
			 "para. %u", 1 + bench_below(r, 60));
		field(f, ind, "locator", buf);
	}
	if (bench_unit(r) < 0.7) {
		const char *lang = languages[bench_below(r, 14)];
		field(f, ind, "language", lang);
		if (!strcmp(lang, "en") && bench_unit(r) < 0.07)
			field(f, ind, "translated", "ar");
	}
	if (bench_unit(r) < 0.8) {
		prose(g, g->ctx, g->cap, 30 + bench_below(r, 120));
		field(f, ind, "context", g->ctx);
	}
	if (bench_unit(r) < 0.4) {
		unsigned k = 1 + bench_below(r, 3), a = bench_below(r, NTAGS);
		fputs("    tags: [", f);
		for (unsigned t = 0; t < k; t++) {
			if (t)
				fputs(", ", f);
			qstr(f, tags[(a + t * 7) % NTAGS]);
		}
		fputs("]\n", f);
	}
	/* Documents come in runs, as a collection grows source by source. */
	if (bench_unit(r) < 0.85) {
		unsigned docs = (unsigned)(n / 20 > 50 ? n / 20 : 50);
		unsigned k = (unsigned)((i / 20 + bench_below(r, 3)) % docs);
		source(f, k);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gen N FILE\n");
		return 2;
	}
	long n = atol(argv[1]);
	if (n <= 0) {
		fprintf(stderr, "gen: N must be positive\n");
		return 2;
	}
	gen g;
	memset(&g, 0, sizeof g);
	g.rng.s = BENCH_SEED;
	if (bench_zipf_init(&g.words, NCOMMON + NPSEUDO, 1.0) ||
	    bench_zipf_init(&g.speakers, BENCH_SPEAKERS, 1.0) ||
	    bench_zipf_init(&g.outlets, BENCH_OUTLETS, 1.0) ||
	    bench_zipf_init(&g.phrases, BENCH_PHRASES, 1.0))
		die("gen");
	g.pseudo = calloc(NPSEUDO, sizeof *g.pseudo);
	g.cap = 4096;
	g.text = malloc(g.cap);
	g.ctx = malloc(g.cap);
	if (!g.pseudo || !g.text || !g.ctx)
		die("gen");
	bench_rng wr = { BENCH_SEED ^ 0x77 };
	for (size_t i = 0; i < NPSEUDO; i++) {
		char w[32] = "";
		int k = 2 + (int)bench_below(&wr, 3);
		for (int s = 0; s < k; s++)
			strcat(w, syll[bench_below(&wr, NSYLL)]);
		if (!(g.pseudo[i] = strdup(w)))
			die("gen");
	}

	FILE *f = fopen(argv[2], "w");
	if (!f)
		die(argv[2]);
	static char iobuf[1 << 20];
	setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
	fprintf(f, "# quotedb benchmark corpus: %ld synthetic quotations, "
		"written by tests/bench/gen.c\n", n);
	fputs("source:\n", f);
	field(f, "  ", "title", "quotedb benchmark corpus");
	field(f, "  ", "author", "tests/bench/gen.c");
	field(f, "  ", "date", "2024-01-29");
	/* The 500 most frequent speakers and 50 outlets carry an alias. */
	fputs("speakers:\n", f);
	for (size_t s = 0; s < 500; s++) {
		char a[96], b[96];
		fputs("  - name: ", f);
		qstr(f, bench_speaker_name(a, sizeof a, s));
		fputs("\n    aliases: [", f);
		qstr(f, bench_speaker_alias(b, sizeof b, s));
		fputs("]\n", f);
	}
	fputs("outlets:\n", f);
	for (size_t o = 0; o < 50; o++) {
		char a[96], b[128];
		fputs("  - name: ", f);
		qstr(f, bench_outlet_name(a, sizeof a, o));
		snprintf(b, sizeof b, "%s Online", a);
		fputs("\n    aliases: [", f);
		qstr(f, b);
		fputs("]\n", f);
	}
	fputs("quotes:\n", f);
	for (long i = 0; i < n; i++)
		quote(&g, f, i, n);
	if (fclose(f) != 0)
		die(argv[2]);
	for (size_t i = 0; i < NPSEUDO; i++)
		free(g.pseudo[i]);
	free(g.pseudo);
	free(g.text);
	free(g.ctx);
	bench_zipf_free(&g.words);
	bench_zipf_free(&g.speakers);
	bench_zipf_free(&g.outlets);
	bench_zipf_free(&g.phrases);
	return 0;
}
