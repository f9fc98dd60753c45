/*
 * latex.c: the "latex" export plugin, the printable appendix.  It writes a
 * LaTeX document (or, with standalone=0, a body to \input) that compiles
 * with pdflatex and with lualatex and shows every quotation exactly as
 * stored.
 *
 * Exactness.  Every character TeX treats specially is written as a command
 * (\textbackslash{}, \{, \textasciitilde{} ...), and so are the ASCII
 * characters fonts turn into other glyphs (' ` " < > |).  Characters that
 * would form a ligature with their neighbour (-- into an en dash, ‘‘ into
 * “, !‘ into ¡, << into « ...) are kept apart with \kern0pt{}: an empty
 * group does that in pdfTeX but not in LuaTeX, which forms ligatures after
 * the paragraph is built.  So no text can reach TeX as markup: "\input",
 * "^^5c" or "%" are printed, not obeyed.  The same escaping (texescape.h,
 * shared with latex-data) applies to every field, the title included.  A
 * line break in a quotation (LF, CR, CRLF, NEL, U+2028, U+2029) is set as
 * a paragraph break (\par); in other fields it is a space.  TeX collapses
 * runs of spaces, as typesetting does.
 *
 * Characters.  With charset=any (the default) every script is set: the
 * standalone document compiles with lualatex (Noto Serif, a fallback font
 * per script, babel's bidi=basic for right-to-left text) and with pdflatex
 * while every text is Latin, Greek or Cyrillic (runs of the last two are
 * wrapped in \qdbgreek / \qdbcyrillic, which switch to LGR and T2A).
 * Before the first text pdflatex cannot set, \qdbneedslualatex stops
 * pdflatex with a message that names lualatex.  With charset=latin the
 * plugin refuses a character the old preamble cannot set in both engines
 * (T1 + Latin Modern in pdflatex, Latin Modern OpenType in lualatex): the
 * list in texescape.h was measured with TeX Live 2022.  Control
 * characters are always refused; \tracinglostchars=3 makes a missing
 * glyph an error.
 *
 * Long content.  Long tokens get places to break (\qdbbreak{}), CJK text
 * places between characters (\qdbcjkbreak{}), output lines end before
 * TeX's input buffer could fill, and a quotation's paragraph is cut every
 * 32 KiB (\qdbjoin{}) so pdfTeX's memory holds it (see texescape.h).
 *
 * Layout.  The host sorts (by speaker unless the user chose another
 * --sort); the plugin starts a new heading when what the quotes are
 * sorted by changes: the speaker, the outlet, the month or the source.
 * In the order they were added there are no headings.  The same text by
 * the same speaker right after itself, under the same heading, is one
 * entry with every attribution and source: the plugin keeps the open
 * entry's text and speaker, nothing more.
 * Each quotation is a displayquote (csquotes) followed by its attribution.
 * The index of speakers at the end lists the pages of each speaker's
 * quotations; every quotation carries a generated label qdbspk<N>q<K>
 * (never user text), and the page lists are read with refcount.  The
 * plugin remembers each distinct speaker (for the index) but nothing per
 * quotation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotedb/plugin.h"
#include "heading.h"
#include "outbuf.h"
#include "texescape.h"
#include "utf8.h"

/* The plugin's version, also written into every document it makes. */
#define LATEX_VERSION "1.1"

enum { ORDER_NONE, ORDER_SPEAKER, ORDER_DATE, ORDER_OUTLET, ORDER_SOURCE };
enum { MODE_TEXT, MODE_FIELD };    /* line breaks: \par, or a space */
enum { CHARSET_LATIN, CHARSET_ANY };  /* the values of option charset */

typedef struct speaker {
	char *name;
	size_t len;
	char *sort;              /* the host's sort key (sort_as), or NULL */
	unsigned long num;       /* N of qdbspk<N>q<K> */
	unsigned long nquotes;   /* K so far */
} speaker;

typedef struct latex_state {
	const qdb_plugin_host *host;
	int order;
	int standalone;
	int marked_lua;          /* and \qdbneedslualatex was written */
	int context, date_text, original, toc;   /* the options */
	char *key;               /* the key of a source heading */
	size_t key_len, key_cap;
	unsigned long nentry;    /* entries written (a merged quote is not
				  * one) */
	int open_entry;          /* \end{qdbquote} not yet written */
	char *last_text, *last_speaker;   /* of the open entry */
	size_t last_text_len, last_speaker_len;
	unsigned long nquote;    /* quotes seen, for messages */
	char *group;             /* the key of the current heading */
	size_t group_len;
	int have_group;
	speaker *spk;            /* in order of first appearance */
	size_t nspk, capspk;
	size_t *slots;           /* hash of spk: index + 1, 0 is empty */
	size_t nslots;
	qdb_tex tex;             /* the escaper's writer, on out */
	qdb_outbuf out;          /* last: 64 KiB */
} latex_state;

/* ---- Output -------------------------------------------------------- */

static int flush(latex_state *st)
{
	return qdb_outbuf_flush(&st->out);
}

/* Writes n bytes, keeping count of the bytes since the last newline. */
static int put(latex_state *st, const char *p, size_t n)
{
	return qdb_tex_raw(&st->tex, p, n);
}

static int puts_(latex_state *st, const char *s)
{
	return put(st, s, strlen(s));
}

/* ---- Characters ---------------------------------------------------- */

/* The escaping is texescape.h's, shared with latex-data: a quotation's
 * line breaks are paragraph breaks, and a very long one is cut where it
 * could break a line into paragraphs TeX can hold (\qdbjoin); in other
 * fields a line break is a space. */
static const qdb_tex_style text_style = { "\\par\n", "\\qdbjoin{}",
					  QDB_TEX_END_NONE };
static const qdb_tex_style field_style = { " ", NULL, QDB_TEX_END_SEP };

#define LINE_MAX_BYTES QDB_TEX_LINE_MAX

/*
 * The babel language whose direction a text takes: "arabic" or "hebrew"
 * when its first strong character (as the Unicode bidi algorithm's rule
 * P2 finds it) is of the Arabic or the Hebrew script, else NULL (left to
 * right).  Set inside \qdbrtlstart{language}, such a text reads right to
 * left with its Latin phrases in place; without it babel's bidi=basic
 * would order its runs left to right.  Neutral here: ASCII and Latin-1
 * other than letters, combining marks, general punctuation and symbols
 * up to U+2BFF, CJK punctuation and the specials.
 */
static const char *rtl_language(qdb_str s)
{
	const unsigned char *u = (const unsigned char *)s.ptr;
	for (size_t i = 0; s.ptr && i < s.len;) {
		uint32_t c;
		size_t k = qdb_utf8_decode(&c, u + i, s.len - i);
		if (!k)
			return NULL;
		i += k;
		if ((c >= 0x0590 && c <= 0x05FF) || (c >= 0xFB1D && c <= 0xFB4F))
			return "hebrew";
		if ((c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F) ||
		    (c >= 0x0870 && c <= 0x08FF) || (c >= 0xFB50 && c <= 0xFDFF) ||
		    (c >= 0xFE70 && c <= 0xFEFF))
			return "arabic";
		if ((c < 0xC0 && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) ||
		    c == 0xD7 || c == 0xF7 || (c >= 0x0300 && c <= 0x036F) ||
		    (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
		    (c >= 0xFE00 && c <= 0xFE0F) || c >= 0xFFF0)
			continue;
		return NULL;
	}
	return NULL;
}

/* Checks that s can be written; what names it in the message, or is NULL
 * to only say whether it can (no message). */
static int check_str(latex_state *st, const char *what, const char *p,
		     size_t n)
{
	return qdb_tex_check(&st->tex, what, p, n);
}

/* Writes p escaped; check_str has accepted it. */
static int put_escaped(latex_state *st, const char *p, size_t n, int mode)
{
	return qdb_tex_put(&st->tex, p, n,
			   mode == MODE_TEXT ? &text_style : &field_style);
}

static int put_field(latex_state *st, qdb_str s)
{
	return put_escaped(st, s.ptr, s.len, MODE_FIELD);
}

/* ---- Speakers ------------------------------------------------------ */

static uint64_t hash64(const char *p, size_t n);

static size_t hash(const char *p, size_t n)
{
	return (size_t)hash64(p, n);
}

static int rehash(latex_state *st, size_t nslots)
{
	size_t *slots = calloc(nslots, sizeof *slots);
	if (!slots)
		return QDB_ENOMEM;
	for (size_t i = 0; i < st->nspk; i++) {
		size_t h = hash(st->spk[i].name, st->spk[i].len) & (nslots - 1);
		while (slots[h])
			h = (h + 1) & (nslots - 1);
		slots[h] = i + 1;
	}
	free(st->slots);
	st->slots = slots;
	st->nslots = nslots;
	return 0;
}

/* The entry of speaker s, added when new; NULL when out of memory. */
static speaker *speaker_get(latex_state *st, qdb_str s)
{
	if ((st->nspk + 1) * 2 > st->nslots &&
	    rehash(st, st->nslots ? st->nslots * 2 : 64))
		return NULL;
	size_t h = hash(s.ptr, s.len) & (st->nslots - 1);
	while (st->slots[h]) {
		speaker *e = &st->spk[st->slots[h] - 1];
		if (e->len == s.len && memcmp(e->name, s.ptr, s.len) == 0)
			return e;
		h = (h + 1) & (st->nslots - 1);
	}
	if (st->nspk == st->capspk) {
		size_t cap = st->capspk ? st->capspk * 2 : 64;
		speaker *v = realloc(st->spk, cap * sizeof *v);
		if (!v)
			return NULL;
		st->spk = v;
		st->capspk = cap;
	}
	speaker *e = &st->spk[st->nspk];
	e->name = malloc(s.len + 1);
	if (!e->name)
		return NULL;
	memcpy(e->name, s.ptr, s.len);
	e->name[s.len] = '\0';
	e->len = s.len;
	e->sort = NULL;
	const qdb_plugin_host *host = st->host;
	const char *key = host->speaker_sort_as
		? host->speaker_sort_as(host, e->name) : NULL;
	if (key && !(e->sort = strdup(key))) {
		free(e->name);
		return NULL;
	}
	e->num = st->nspk + 1;
	e->nquotes = 0;
	st->slots[h] = ++st->nspk;
	return e;
}

/* a and b with ASCII letters without case, then the shorter first. */
static int nocase_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || !ca)
			return ca - cb;
	}
}

/* By sort key (sort_as, else the name), as the host's speaker order
 * compares it (ASCII letters without case), then by name, then bytes. */
static int speaker_cmp(const void *a, const void *b)
{
	const speaker *x = *(const speaker *const *)a;
	const speaker *y = *(const speaker *const *)b;
	int c = nocase_cmp(x->sort ? x->sort : x->name,
			   y->sort ? y->sort : y->name);
	if (!c)
		c = nocase_cmp(x->name, y->name);
	return c ? c : strcmp(x->name, y->name);
}

/* ---- The document -------------------------------------------------- */

/*
 * The standalone preamble.  With charset=latin, the old one: T1 and Latin
 * Modern in pdflatex, Latin Modern OpenType in lualatex.  With
 * charset=any, pdflatex adds LGR and T2A for Greek and Cyrillic, and
 * lualatex sets every script: Noto Serif (fonts-noto-core), with a
 * luaotfload fallback per script for what it lacks (Noto Naskh Arabic,
 * Noto Serif Hebrew, Noto Serif CJK ...), and babel's bidi=basic, which
 * sets right-to-left text right to left.  Fonts are named by file, so
 * nothing depends on fontconfig's names.
 */
static const char head_start[] =
	"%% quotedb appendix (latex plugin " LATEX_VERSION "), a standalone "
	"document.\n"
	"%% Compile it twice with %s, so the page numbers\n"
	"%% in the index of speakers are right; no shell escape is needed.\n"
	"%% A line break inside a quotation is set as a paragraph break.\n";

static const char head_latin[] =
	"\\ifPDFTeX\n"
	"  \\usepackage[T1]{fontenc}\n"
	"  \\usepackage[utf8]{inputenc}\n"
	"  \\usepackage{lmodern}\n"
	"\\else\n"
	"  \\usepackage{fontspec}\n"
	"  \\qdbmainfont\n"
	"\\fi\n";

static const char head_any[] =
	"\\ifPDFTeX\n"
	"  \\usepackage[LGR,T2A,T1]{fontenc}\n"
	"  \\usepackage[utf8]{inputenc}\n"
	"  \\usepackage{lmodern}\n"
	"\\else\\ifLuaTeX\n"
	"  \\usepackage[bidi=basic]{babel}\n"
	"  \\babelprovide[import,main]{english}\n"
	"  \\babelprovide[import]{arabic}\n"
	"  \\babelprovide[import]{hebrew}\n"
	"  \\usepackage{fontspec}\n"
	"  \\directlua{luaotfload.add_fallback('qdbfallback', {\n"
	"    'NotoSerifHebrew-Regular.ttf:mode=harf;script=hebr',\n"
	"    'NotoNaskhArabic-Regular.ttf:mode=harf;script=arab',\n"
	"    'NotoSerifCJK-Regular.ttc(2):mode=harf',\n"
	"    'NotoSerifArmenian-Regular.ttf:mode=harf',\n"
	"    'NotoSerifGeorgian-Regular.ttf:mode=harf',\n"
	"    'NotoSerifDevanagari-Regular.ttf:mode=harf;script=dev2',\n"
	"    'NotoSerifThai-Regular.ttf:mode=harf',\n"
	"    'NotoSerifEthiopic-Regular.ttf:mode=harf',\n"
	"    'NotoSans-Regular.ttf:mode=harf',\n"
	"    'NotoSansMath-Regular.ttf:mode=harf',\n"
	"    'NotoSansSymbols-Regular.ttf:mode=harf',\n"
	"    'NotoSansSymbols2-Regular.ttf:mode=harf'})}\n"
	"  \\setmainfont{NotoSerif}[Extension=.ttf, UprightFont=*-Regular,\n"
	"    BoldFont=*-Bold, ItalicFont=*-Italic,\n"
	"    BoldItalicFont=*-BoldItalic,\n"
	"    Renderer=Node, Ligatures=TeXOff,\n"
	"    RawFeature={fallback=qdbfallback}]\n"
	"  \\qdbmainfont\n"
	"\\else\n"
	"  \\usepackage{fontspec}\n"
	"\\fi\\fi\n";

static const char head_end[] =
	"% A character the font does not have is an error, not a gap.\n"
	"\\tracinglostchars=3\n"
	"% Room to stretch a line rather than let it run into the margin.\n"
	"\\setlength\\emergencystretch{3em}\n"
	"\\usepackage{csquotes}\n"
	"\\usepackage{refcount}\n"
	"\\usepackage[hidelinks]{hyperref}\n"
	"\\qdbpreamble\n"
	"\\begin{document}\n";

static const char body_head[] =
	"% quotedb appendix body (latex plugin " LATEX_VERSION "), to \\input "
	"after\n"
	"% \\begin{document}.  Your preamble needs:\n"
	"%   \\usepackage{csquotes}  % displayquote, for the quotations\n"
	"%   \\usepackage{refcount}  % page numbers in the index of speakers\n"
	"% and with pdflatex \\usepackage[T1]{fontenc} (UTF-8 input is the\n"
	"% default since LaTeX 2018), [LGR,T2A,T1] for Greek or Cyrillic;\n"
	"% with lualatex fontspec and fonts for every script in the texts\n"
	"% (and for Arabic or Hebrew babel with bidi=basic, and\n"
	"% \\babelprovide[import]{arabic} and {hebrew}).  Texts pdflatex\n"
	"% cannot set stop it with a message (\\qdbneedslualatex).\n"
	"% With hyperref loaded, source URLs are links.\n"
	"% Run LaTeX twice so the numbers and pages are right.  A line break\n"
	"% inside a quotation is set as a paragraph break.  Each entry has\n"
	"% the label qdb-<id> (or qdbx-<id in hex>, see the plugin's README)\n"
	"% for \\ref and \\pageref, and qdbspk<N>q<K> for the index:\n"
	"% \\input only one such body per document.  To restyle, define any\n"
	"% of these before the \\input: \\qdbgroup{head}, the environment\n"
	"% qdbquote{number}, \\qdbnumberformat{n}, \\qdbattribution{text},\n"
	"% \\qdbsourcestart, \\qdbsourceend, \\qdbtitle{title},\n"
	"% \\qdbcontext{text}, \\qdboriginal{language}, \\qdbphrase{text},\n"
	"% \\qdboriginalstart{language}, \\qdboriginalend, \\qdbrtlstart{babel\n"
	"% language}, \\qdbrtlend,\n"
	"% \\qdbindexentry{speaker}{n}{count}, \\qdbindexname,\n"
	"% \\qdbpagename, \\qdbreportedby, \\qdbundatedname,\n"
	"% \\qdbnooutletname.\n";

/*
 * Shared by both forms.  \qdbrefs\getter{n}{count} prints the entry
 * numbers (\getrefnumber) or pages (\getpagerefnumber) of labels
 * qdbspk<n>q1 .. q<count>, each once (they only grow, so comparing with
 * the last one printed is enough).  Under pdfTeX, \qdbu{hex}{c} and
 * the ellipsis carry an ActualText span so the PDF's text is the stored
 * character.  The span starts and ends with an invisible glyph (text
 * render mode 3) flush with its edges: readers take the span's extent from
 * the first and last glyphs drawn in it, and without them a trailing kern,
 * or an accent drawn before or after its letter, would read as a space.
 */
static const char definitions[] =
	"\\makeatletter\n"
	"\\providecommand\\qdbgroup[1]{\\section*{#1}\\qdbtocline{#1}}\n"
	"\\providecommand\\qdbindexname{Index of speakers}\n"
	"\\providecommand\\qdbreportedby{reported by}\n"
	"\\providecommand\\qdbundatedname{Undated}\n"
	"\\providecommand\\qdbnooutletname{Outlet not stated}\n"
	"\\providecommand\\qdbnosourcename{Source not stated}\n"
	"\\providecommand\\qdbalso{\\par\\smallskip}\n"
	"\\providecommand\\qdbtocline[1]{}\n"
	"\\@ifundefined{c@qdbentry}{\\newcounter{qdbentry}}{}\n"
	"\\providecommand\\qdbnumberformat[1]{{\\small[#1]}}\n"
	"\\providecommand\\qdbnumber[1]{%\n"
	"  \\setcounter{qdbentry}{\\numexpr#1-1\\relax}%\n"
	"  \\refstepcounter{qdbentry}\\leavevmode\n"
	"  \\llap{\\qdbnumberformat{#1}\\quad}\\ignorespaces}\n"
	"\\@ifundefined{qdbquote}{\\newenvironment{qdbquote}[1]%\n"
	"  {\\begin{displayquote}\\qdbnumber{#1}}{\\end{displayquote}}}{}\n"
	"\\providecommand\\qdbopenquote[1]{\\begingroup\n"
	"  \\ifx\\relax#1\\relax\\else\\setquotestyle#1\\fi\\openautoquote}\n"
	"\\providecommand\\qdbclosequote{\\closeautoquote\\endgroup}\n"
	"\\providecommand\\qdbattribution[1]{\\par\\nopagebreak\n"
	"  {\\raggedleft\\small\\textemdash\\ #1\\par}}\n"
	"\\providecommand\\qdbphrase[1]{\\enquote{#1}}\n"
	"\\providecommand\\qdboriginal[1]{\\par\\nopagebreak\n"
	"  {\\raggedleft\\small Translated from #1.\\par}}\n"
	"\\providecommand\\qdboriginalstart[1]{\\par\\nopagebreak\\begingroup\n"
	"  \\small\\noindent\\ifx\\relax#1\\relax Original:\\else\n"
	"  Original (#1):\\fi\\par\\nopagebreak}\n"
	"\\providecommand\\qdboriginalend{\\par\\endgroup}\n"
	"% \\qdbrtlstart{language} ... \\qdbrtlend: a text that reads right to\n"
	"% left (babel's otherlanguage, under LuaTeX with babel loaded).\n"
	"\\ifx\\directlua\\@undefined\\else\\ifdefined\\babelprovide\n"
	"  \\providecommand\\qdbrtlstart[1]{\\begin{otherlanguage}{#1}}\n"
	"  \\providecommand\\qdbrtlend{\\end{otherlanguage}}\n"
	"\\fi\\fi\n"
	"\\providecommand\\qdbrtlstart[1]{}\n"
	"\\providecommand\\qdbrtlend{}\n"
	"\\providecommand\\qdbcontext[1]{\\par\\nopagebreak\n"
	"  {\\small\\itshape #1\\par}}\n"
	"\\providecommand\\qdbsourcestart{\\par\\nopagebreak\\begingroup\n"
	"  \\raggedleft\\small}\n"
	"\\providecommand\\qdbsourceend{\\par\\endgroup}\n"
	"\\providecommand\\qdbtitle[1]{\\emph{#1}}\n"
	"% \\qdbhref{target}{text}: the target read with % # ~ & $ _ as\n"
	"% ordinary characters and line ends ignored; a link with hyperref,\n"
	"% else only the text.\n"
	"\\providecommand\\qdbhref{\\begingroup\\catcode`\\^^M=9\n"
	"  \\@makeother\\%\\@makeother\\#\\@makeother\\~%\n"
	"  \\@makeother\\&\\@makeother\\$\\@makeother\\_%\n"
	"  \\qdb@href}\n"
	"\\def\\qdb@href#1{\\endgroup\\qdb@@href{#1}}\n"
	"\\def\\qdb@@href#1#2{\\ifdefined\\href\\href{#1}{#2}\\else#2\\fi}\n"
	"\\providecommand\\qdbindexentry[3]{\\par\\noindent\n"
	"  #1\\dotfill\\qdbrefs\\getrefnumber{#2}{#3}%\n"
	"  \\ (\\qdbpagename~\\qdbrefs\\getpagerefnumber{#2}{#3})\\par}\n"
	"\\providecommand\\qdbpagename{p.}\n"
	"% \\qdbrefs\\getter{n}{count}: the numbers or pages of labels\n"
	"% qdbspk<n>q1 .. q<count>, each once (they only grow).\n"
	"\\providecommand\\qdbrefs[3]{\\begingroup\n"
	"  \\let\\qdb@last\\@empty\n"
	"  \\@tempcnta\\z@\n"
	"  \\loop\\ifnum\\@tempcnta<#3\\relax\n"
	"    \\advance\\@tempcnta\\@ne\n"
	"    \\edef\\qdb@this{#1{qdbspk#2q\\the\\@tempcnta}}%\n"
	"    \\ifx\\qdb@this\\qdb@last\\else\n"
	"      \\ifx\\qdb@last\\@empty\\else, \\fi\n"
	"      \\qdb@this\\let\\qdb@last\\qdb@this\n"
	"    \\fi\n"
	"  \\repeat\\endgroup}\n"
	"\\ifx\\directlua\\@undefined\\ifx\\XeTeXversion\\@undefined\n"
	"  \\providecommand\\qdbneedslualatex{\\errmessage{quotedb: this "
	"appendix\n"
	"    holds text in scripts pdflatex cannot set (Arabic, Hebrew, CJK,\n"
	"    combining marks...): compile it with lualatex}\\csname "
	"@@end\\endcsname}\n"
	"  \\@ifundefined{qdbgreek}{\\protected\\def\\qdbgreek#1{%\n"
	"    {\\fontencoding{LGR}\\selectfont#1}}}{}\n"
	"  \\@ifundefined{qdbcyrillic}{\\protected\\def\\qdbcyrillic#1{%\n"
	"    {\\fontencoding{T2A}\\selectfont#1}}}{}\n"
	"\\fi\\fi\n"
	"\\providecommand\\qdbneedslualatex{}\n"
	"\\providecommand\\qdbgreek[1]{#1}\n"
	"\\providecommand\\qdbcyrillic[1]{#1}\n"
	"% A line that ends at \\qdbbreak is set ragged; elsewhere the two\n"
	"% glues cancel.  Registers, so all breaks share two glue specs: a\n"
	"% long paragraph must fit pdfTeX's memory.\n"
	"\\@ifundefined{qdb@fil}{\\newskip\\qdb@fil\\newskip\\qdb@unfil\n"
	"  \\qdb@fil\\z@\\@plus1fil\\qdb@unfil\\z@\\@plus-1fil}{}\n"
	"\\@ifundefined{qdbbreak}{\\protected\\def\\qdbbreak{%\n"
	"  \\hskip\\qdb@fil\\penalty1000\\hskip\\qdb@unfil\\relax}}{}\n"
	"% \\qdbjoin: a very long quotation goes on in a new paragraph, so\n"
	"% TeX breaks it into lines a part at a time: the line before is\n"
	"% justified, the next not indented, with no space between.\n"
	"\\@ifundefined{qdbjoin}{\\protected\\def\\qdbjoin{%\n"
	"  {\\parfillskip\\z@skip\\par}%\n"
	"  \\begingroup\\parskip\\z@skip\\noindent\\endgroup}}{}\n"
	"\\@ifundefined{qdbcjkbreak}{\\protected\\def\\qdbcjkbreak{%\n"
	"  \\hskip\\z@ plus .1em\\relax}}{}\n"
	"% Bookmarks (hyperref, with toc=1) take the text, not the commands.\n"
	"\\ifdefined\\pdfstringdefDisableCommands\n"
	"  \\pdfstringdefDisableCommands{\\let\\qdbgreek\\@firstofone\n"
	"    \\let\\qdbcyrillic\\@firstofone\\let\\qdbbreak\\@empty\n"
	"    \\let\\qdbcjkbreak\\@empty\\let\\qdbu\\@secondoftwo}\n"
	"\\fi\n"
	"\\providecommand\\qdbellipsis{\\qdb@ellipsis}\n"
	"\\providecommand\\qdbu[2]{\\qdb@u{#1}{#2}}\n"
	"\\def\\qdb@ellipsis{\\textellipsis}\n"
	"\\def\\qdb@u#1#2{#2}\n"
	"\\ifx\\directlua\\@undefined\\ifx\\pdfliteral\\@undefined\\else\n"
	"  \\ifnum\\pdfoutput>\\z@\n"
	"    \\def\\qdb@u#1#2{%\n"
	"      \\pdfliteral page{/Span<</ActualText<FEFF#1>>>BDC}%\n"
	"      \\rlap{\\qdb@invisible}#2\\llap{\\qdb@invisible}%\n"
	"      \\pdfliteral page{EMC}}\n"
	"    \\def\\qdb@invisible{%\n"
	"      \\pdfliteral direct{3 Tr}.\\pdfliteral direct{0 Tr}}\n"
	"    \\def\\qdb@ellipsis{\\qdb@u{2026}{\\textellipsis}}\n"
	"  \\fi\n"
	"\\fi\\fi\n"
	"\\makeatother\n";

/* The heading a quote goes under: key identifies it, the text is the
 * field escaped or, when escaped.ptr is NULL, literal. */
typedef struct heading {
	const char *key;
	size_t keylen;
	qdb_str escaped;
	const char *literal;
	char buf[64], text[64];
} heading;

/* Appends a field and its length to st->key, so that no two different
 * lists of fields give the same key. */
static int key_add(latex_state *st, qdb_str s)
{
	char len[24];
	int n = snprintf(len, sizeof len, "%zu:", s.ptr ? s.len : 0);
	size_t need = st->key_len + (size_t)n + (s.ptr ? s.len : 0) + 1;
	if (need > st->key_cap) {
		char *k = realloc(st->key, need * 2);
		if (!k)
			return QDB_ENOMEM;
		st->key = k;
		st->key_cap = need * 2;
	}
	memcpy(st->key + st->key_len, len, (size_t)n);
	st->key_len += (size_t)n;
	if (s.ptr)
		memcpy(st->key + st->key_len, s.ptr, s.len);
	st->key_len += s.ptr ? s.len : 0;
	st->key[st->key_len++] = s.ptr ? '|' : '-';
	return 0;
}

/* Fills h for q, in the order the quotes come in; 1 when there are no
 * headings. */
static int heading_of(latex_state *st, const qdb_quote *q, heading *h)
{
	memset(h, 0, sizeof *h);
	switch (st->order) {
	case ORDER_NONE:
		return 1;
	case ORDER_SPEAKER:
		h->key = q->speaker.ptr;
		h->keylen = q->speaker.len;
		h->escaped = q->speaker;
		return 0;
	case ORDER_OUTLET:
		if (!q->outlet.ptr) {
			/* a key no outlet can have: outlets are not empty */
			h->key = "";
			h->literal = "\\qdbnooutletname{}";
			return 0;
		}
		h->key = q->outlet.ptr;
		h->keylen = q->outlet.len;
		h->escaped = q->outlet;
		return 0;
	case ORDER_SOURCE: {
		/* a source is all of its fields: two sources with one title
		 * are two headings (the title printed twice) */
		const qdb_str f[] = { q->source, q->source_author,
				      q->source_date, q->source_url };
		st->key_len = 0;
		for (size_t i = 0; i < 4; i++)
			if (key_add(st, f[i]))
				return QDB_ENOMEM;
		h->key = st->key;
		h->keylen = st->key_len;
		if (q->source.ptr)
			h->escaped = q->source;
		else
			h->literal = "\\qdbnosourcename{}";
		return 0;
	}
	default:
		/* heading.h's rule and words; "Undated" is a macro here, so
		 * a document can name it in its own language */
		qdb_heading_date(h->buf, sizeof h->buf, h->text,
				 sizeof h->text, q->date_lo, q->date_hi);
		h->key = h->buf;
		h->keylen = strlen(h->buf);
		if (!strcmp(h->buf, "none"))
			h->literal = "\\qdbundatedname{}";
		else
			h->escaped = (qdb_str){ h->text, strlen(h->text) };
		return 0;
	}
}

/* Whether h differs from the current heading. */
static int heading_changes(const latex_state *st, const heading *h)
{
	return !st->have_group || st->group_len != h->keylen ||
	       memcmp(st->group, h->key, h->keylen) != 0;
}

/* Makes h the current heading and writes it. */
static int put_heading(latex_state *st, const heading *h)
{
	int rc;
	char *g = realloc(st->group, h->keylen + 1);
	if (!g) {
		st->host->error(st->host, "out of memory");
		return QDB_ENOMEM;
	}
	memcpy(g, h->key, h->keylen);
	st->group = g;
	st->group_len = h->keylen;
	st->have_group = 1;
	if ((rc = puts_(st, "\n\\qdbgroup{")))
		return rc;
	rc = h->escaped.ptr ? put_field(st, h->escaped)
		: puts_(st, h->literal);
	return rc ? rc : puts_(st, "}\n");
}

/* ---- Dates in words ------------------------------------------------ */

/*
 * An EDTF date (core/date.c checked it) in words, at its precision:
 *   2023-10-15 "15 October 2023"      2023-10 "October 2023"
 *   2023-10-15~ "about 15 October 2023"
 *   2023-10-15? "15 October 2023 (uncertain)"   % says both
 *   2023-10-25/2023-10-31 "between 25 and 31 October 2023"
 *   ../2023 and /2023 "2023 or earlier"   2023/.. and 2023/ "2023 or later"
 *   202X "between 2020 and 2029"   2023-1X "between October and December
 *   2023"   2023-10-XX "October 2023"
 * Unspecified digits (X) give the earliest value at the start of a range
 * and the latest at its end.  Only ASCII letters, digits and spaces are
 * written, so nothing needs escaping.
 */
typedef struct date_end {
	int y, m, d;       /* m, d 0 when not given */
	int approx, uncertain;
} date_end;

static int month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* n digits of p, X read as 0 (low) or 9 (high); -1 when not digits. */
static int digits(const char *p, size_t n, int high, int *any_x)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == 'X') {
			*any_x = 1;
			v = v * 10 + (high ? 9 : 0);
		} else if (p[i] >= '0' && p[i] <= '9') {
			v = v * 10 + (p[i] - '0');
		} else {
			return -1;
		}
	}
	return v;
}

/* Parses one end, p[0..n), as its earliest (high 0) or latest day. */
static int parse_end(date_end *e, const char *p, size_t n, int high)
{
	int x = 0;
	memset(e, 0, sizeof *e);
	while (n > 0 && (p[n - 1] == '~' || p[n - 1] == '?' ||
			 p[n - 1] == '%')) {
		e->approx |= p[n - 1] != '?';
		e->uncertain |= p[n - 1] != '~';
		n--;
	}
	if (n != 4 && n != 7 && n != 10)
		return -1;
	if ((e->y = digits(p, 4, high, &x)) < 0)
		return -1;
	if (n >= 7) {
		int mx = 0;
		if (p[4] != '-' || (e->m = digits(p + 5, 2, high, &mx)) < 0)
			return -1;
		if (p[5] == 'X' && p[6] == 'X')
			e->m = 0, n = 4;        /* month unknown: the year */
		else if (e->m > 12)
			e->m = 12;
		else if (e->m == 0)
			e->m = 1;
		x |= mx;
	}
	if (n == 10) {
		int dx = 0;
		if (p[7] != '-' || (e->d = digits(p + 8, 2, high, &dx)) < 0)
			return -1;
		if (p[8] == 'X' && p[9] == 'X')
			e->d = 0;               /* day unknown: the month */
		else if (e->d > month_days(e->y, e->m))
			e->d = month_days(e->y, e->m);
		else if (e->d == 0)
			e->d = 1;
	}
	return 0;
}

/* Appends text to out (size cap), cut when full. */
static void cat(char *out, size_t cap, const char *text)
{
	size_t n = strlen(out);
	snprintf(out + n, cap - n, "%s", text);
}

/* One end in words; with_year 0 leaves out the year (and month 0 the
 * month) because the other end of a range gives it. */
static void end_words(char *out, size_t cap, const date_end *e,
		      int with_month, int with_year)
{
	char part[48];
	if (e->approx)
		cat(out, cap, "about ");
	if (e->d) {
		snprintf(part, sizeof part, "%d", e->d);
		cat(out, cap, part);
		if (with_month || with_year)
			cat(out, cap, " ");
	}
	if (e->m && (with_month || !e->d)) {
		cat(out, cap, qdb_heading_months[e->m - 1]);
		if (with_year)
			cat(out, cap, " ");
	}
	if (with_year || (!e->m && !e->d)) {
		snprintf(part, sizeof part, "%d", e->y);
		cat(out, cap, part);
	}
	if (e->uncertain)
		cat(out, cap, " (uncertain)");
}

static int same_end(const date_end *a, const date_end *b)
{
	return a->y == b->y && a->m == b->m && a->d == b->d;
}

/* "between A and B", sharing the month and year where the ends do. */
static void range_words(char *out, size_t cap, const date_end *a,
			const date_end *b)
{
	int plain = !a->approx && !a->uncertain && !b->approx &&
		    !b->uncertain && (a->d != 0) == (b->d != 0) &&
		    (a->m != 0) == (b->m != 0);
	int same_year = plain && a->y == b->y && a->m;
	int same_month = same_year && a->m == b->m && a->d;
	if (same_end(a, b) && a->approx == b->approx &&
	    a->uncertain == b->uncertain) {
		end_words(out, cap, a, 1, 1);
		return;
	}
	cat(out, cap, "between ");
	end_words(out, cap, a, !same_month, !same_year);
	cat(out, cap, " and ");
	end_words(out, cap, b, 1, 1);
}

/* The date s[0..n) in words into out; -1 when it is not a form above. */
static int date_words(char *out, size_t cap, const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	date_end a, b;
	out[0] = '\0';
	if (!slash) {
		if (parse_end(&a, s, n, 0) || parse_end(&b, s, n, 1))
			return -1;
		range_words(out, cap, &a, &b);
		return 0;
	}
	size_t na = (size_t)(slash - s), nb = n - na - 1;
	const char *pb = slash + 1;
	int open_a = na == 0 || (na == 2 && !memcmp(s, "..", 2));
	int open_b = nb == 0 || (nb == 2 && !memcmp(pb, "..", 2));
	if (open_a && open_b)
		return -1;
	if (!open_a && parse_end(&a, s, na, 0))
		return -1;
	if (!open_b && parse_end(&b, pb, nb, 1))
		return -1;
	if (open_a) {
		end_words(out, cap, &b, 1, 1);
		cat(out, cap, " or earlier");
	} else if (open_b) {
		end_words(out, cap, &a, 1, 1);
		cat(out, cap, " or later");
	} else {
		range_words(out, cap, &a, &b);
	}
	return 0;
}

/* ---- One entry ----------------------------------------------------- */

/*
 * The quotation marks of the quote's language: csquotes styles, chosen by
 * the primary subtag of its BCP-47 code ("de-AT" is German), set around
 * the text with \qdbopenquote{style} ... \qdbclosequote (csquotes'
 * \setquotestyle[variant]{style} in a group, then \openautoquote and
 * \closeautoquote, so the text is not a macro argument and may be of any
 * length).  An unknown or absent language gets the document's marks
 * (style "").  Only the marks change: hyphenation stays the document's.
 * Arabic and Persian get guillemets (csquotes' Swiss German: «...»);
 * Chinese and Hebrew the English marks; Japanese corner brackets, which
 * only lualatex sets.
 */
static const char *const quote_styles[][2] = {
	{ "ar", "[swiss]{german}" }, { "cs", "{czech}" }, { "da", "{danish}" },
	{ "de", "{german}" }, { "el", "{greek}" }, { "en", "{english}" },
	{ "es", "{spanish}" }, { "et", "{estonian}" },
	{ "fa", "[swiss]{german}" },
	{ "fi", "{finnish}" }, { "fr", "{french}" }, { "gl", "{galician}" },
	{ "he", "{english}" }, { "hr", "{croatian}" }, { "hu", "{hungarian}" },
	{ "is", "{icelandic}" }, { "it", "{italian}" }, { "ja", "{japanese}" },
	{ "lv", "{latvian}" }, { "nb", "{norwegian}" }, { "nl", "{dutch}" },
	{ "nn", "{norwegian}" }, { "no", "{norwegian}" }, { "pl", "{polish}" },
	{ "pt", "{portuguese}" }, { "ro", "{romanian}" }, { "ru", "{russian}" },
	{ "sk", "{slovak}" }, { "sl", "{slovenian}" }, { "sr", "{serbian}" },
	{ "sv", "{swedish}" }, { "tr", "{turkish}" }, { "uk", "{ukrainian}" },
	{ "zh", "{english}" },
};

/* English names of the languages a translation may come from, for the
 * note of option original; another code is printed as it is. */
static const char *const language_names[][2] = {
	{ "ar", "Arabic" }, { "de", "German" }, { "el", "Greek" },
	{ "en", "English" }, { "es", "Spanish" }, { "fa", "Persian" },
	{ "fr", "French" }, { "he", "Hebrew" }, { "it", "Italian" },
	{ "ja", "Japanese" }, { "ko", "Korean" }, { "pt", "Portuguese" },
	{ "ru", "Russian" }, { "tr", "Turkish" }, { "uk", "Ukrainian" },
	{ "zh", "Chinese" },
};

/* The entry of table for the primary subtag of code, or NULL. */
static const char *lookup_language(const char *const (*table)[2],
				   size_t n, qdb_str code)
{
	char sub[9];
	size_t k = 0;
	while (k < code.len && k < 8 && code.ptr[k] != '-' &&
	       code.ptr[k] != '_') {
		char c = code.ptr[k];
		sub[k++] = c >= 'A' && c <= 'Z' ? (char)(c + 'a' - 'A') : c;
	}
	sub[k] = '\0';
	for (size_t i = 0; code.ptr && i < n; i++)
		if (!strcmp(table[i][0], sub))
			return table[i][1];
	return NULL;
}

static const char *quote_style(qdb_str language)
{
	const char *st = lookup_language(quote_styles, sizeof quote_styles /
					 sizeof quote_styles[0], language);
	return st ? st : "";
}

/*
 * The label of a quote, from its id, so that a manuscript can \ref and
 * \pageref it across exports: "qdb-" and the id when the id is 1 to 64
 * ASCII letters, digits and hyphens; otherwise "qdbx-" and the id's bytes
 * in lower-case hex (two namespaces, so no two ids share a label).  No
 * user text reaches a label any other way.  An id longer than 256 bytes
 * (a label must fit on a line of TeX's input) is "qdbh-", the 64-bit
 * FNV-1a hash of its bytes in hex, "-" and its length.  A quote without
 * an id (only a plugin host of one's own makes one) gets "qdbn-" and its
 * number.
 */
#define MAX_HEX_ID 256

static uint64_t hash64(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211u;
	return h;
}

static int put_label(latex_state *st, const qdb_quote *q)
{
	static const char hex[] = "0123456789abcdef";
	char buf[64];
	int plain = q->id.ptr && q->id.len > 0 && q->id.len <= 64;
	int rc;
	if (q->id.ptr && q->id.len > MAX_HEX_ID) {
		/* a label is read on one line: a long id is its hash */
		snprintf(buf, sizeof buf, "\\label{qdbh-%016llx-%zu}",
			 (unsigned long long)hash64(q->id.ptr, q->id.len),
			 q->id.len);
		return puts_(st, buf);
	}
	for (size_t i = 0; plain && i < q->id.len; i++) {
		char c = q->id.ptr[i];
		plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-';
	}
	if ((rc = puts_(st, "\\label{")))
		return rc;
	if (!q->id.ptr) {
		snprintf(buf, sizeof buf, "qdbn-%lu", st->nquote);
		rc = puts_(st, buf);
	} else if (plain) {
		if (!(rc = puts_(st, "qdb-")))
			rc = put(st, q->id.ptr, q->id.len);
	} else {
		rc = puts_(st, "qdbx-");
		for (size_t i = 0; i < q->id.len && !rc; i += 32) {
			size_t n = q->id.len - i < 32 ? q->id.len - i : 32;
			const unsigned char *u =
				(const unsigned char *)q->id.ptr + i;
			for (size_t j = 0; j < n; j++) {
				buf[2 * j] = hex[u[j] >> 4];
				buf[2 * j + 1] = hex[u[j] & 15];
			}
			rc = put(st, buf, 2 * n);
		}
	}
	return rc ? rc : puts_(st, "}");
}

/* Writes sep then s, unless s is absent or the same as one of the n
 * values already written (seen); adds s to seen. */
static int part(latex_state *st, int *first, const char *sep, qdb_str s,
		qdb_str *seen, size_t *nseen)
{
	int rc;
	if (!s.ptr)
		return 0;
	for (size_t i = 0; i < *nseen; i++)
		if (seen[i].len == s.len && !memcmp(seen[i].ptr, s.ptr, s.len))
			return 0;
	seen[(*nseen)++] = s;
	if (!*first && (rc = puts_(st, sep)))
		return rc;
	*first = 0;
	return put_field(st, s);
}

/* The date in words (generated text, nothing to escape), or as written
 * when it is not a form date_words knows. */
static int put_date(latex_state *st, qdb_str date)
{
	char words[160];
	if (date_words(words, sizeof words, date.ptr, date.len) == 0)
		return puts_(st, words);
	return put_field(st, date);
}

/*
 * Speaker, role; occasion, programme, outlet; the date in words; reported
 * by X.  A value the same as one already written (a programme named like
 * its outlet) is left out.  With option date_text the date as the source
 * phrased it follows in quotation marks; without a date, that phrase is
 * the date.
 */
static int put_attribution(latex_state *st, const qdb_quote *q)
{
	qdb_str seen[8];
	size_t nseen = 0;
	int rc, first = 1, group_first = 1;
	if ((rc = puts_(st, "\\qdbattribution{")) ||
	    (rc = part(st, &first, "; ", q->speaker, seen, &nseen)) ||
	    (rc = part(st, &first, ", ", q->role, seen, &nseen)))
		return rc;
	const qdb_str where[] = { q->occasion, q->programme, q->outlet };
	for (size_t i = 0; i < 3; i++) {
		size_t before = nseen;
		if ((rc = part(st, &first, group_first ? "; " : ", ",
			       where[i], seen, &nseen)))
			return rc;
		if (nseen > before)
			group_first = 0;
	}
	if (q->date.ptr) {
		if ((rc = puts_(st, "; ")) || (rc = put_date(st, q->date)))
			return rc;
		if (st->date_text && q->date_text.ptr &&
		    ((rc = puts_(st, " (\\qdbphrase{")) ||
		     (rc = put_field(st, q->date_text)) ||
		     (rc = puts_(st, "})"))))
			return rc;
	} else if (q->date_text.ptr) {
		if ((rc = puts_(st, "; ")) ||
		    (rc = put_field(st, q->date_text)))
			return rc;
	}
	if (q->reported_by.ptr &&
	    ((rc = puts_(st, "; \\qdbreportedby\\ ")) ||
	     (rc = put_field(st, q->reported_by))))
		return rc;
	return puts_(st, "}\n");
}

/*
 * A URL as a link: \qdbhref{target}{text}.  The text is the URL escaped
 * like any field, with places to break after / . ? & =; the target is
 * read by \qdbhref with % # ~ & as ordinary characters (it is never a
 * macro argument before that), and every byte that could still mean
 * something to TeX, or is not allowed in a URI, is percent-encoded: space,
 * " < > \ ^ ` { | }, controls and non-ASCII; a % not followed by two hex
 * digits becomes %25.  So the link goes where the stored URL says.
 */
#define MAX_LINK 8192   /* bytes of URL that still get a link */

static int is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int put_url_target(latex_state *st, qdb_str url)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)url.ptr;
	char buf[96];
	size_t n = 0;
	int rc;
	for (size_t i = 0; i < url.len; i++) {
		unsigned char c = u[i];
		int ok = c > 0x20 && c < 0x7F && !strchr("\"<>\\^`{|}%", c);
		if (c == '%' && i + 2 < url.len && is_hex(u[i + 1]) &&
		    is_hex(u[i + 2]))
			ok = 1;
		if (ok) {
			buf[n++] = (char)c;
		} else {
			buf[n++] = '%';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		}
		if (n > sizeof buf - 4) {
			if ((rc = put(st, buf, n)))
				return rc;
			n = 0;
			/* \qdbhref ignores line ends in the target */
			if (st->tex.col >= LINE_MAX_BYTES &&
			    (rc = puts_(st, "\n")))
				return rc;
		}
	}
	return put(st, buf, n);
}

/*
 * The source: author, title, date in words, URL, locator ("para. 11"),
 * each when the quote has it; \qdbsource{...} around all but the link,
 * which must not be inside an argument (see put_url_target).
 */
static int put_source(latex_state *st, const qdb_quote *q)
{
	int rc, first = 1;
	if (!q->source.ptr && !q->source_author.ptr && !q->source_date.ptr &&
	    !q->source_url.ptr && !q->locator.ptr)
		return 0;
	if ((rc = puts_(st, "\\qdbsourcestart ")))
		return rc;
	if (q->source_author.ptr) {
		if ((rc = put_field(st, q->source_author)))
			return rc;
		first = 0;
	}
	if (q->source.ptr) {
		if ((!first && (rc = puts_(st, ", "))) ||
		    (rc = puts_(st, "\\qdbtitle{")) ||
		    (rc = put_field(st, q->source)) ||
		    (rc = puts_(st, "}")))
			return rc;
		first = 0;
	}
	if (q->source_date.ptr) {
		if ((!first && (rc = puts_(st, ", "))) ||
		    (rc = put_date(st, q->source_date)))
			return rc;
		first = 0;
	}
	if (q->source_url.ptr && q->source_url.len > MAX_LINK) {
		/* hyperref runs out of TeX's memory on a URL of some
		 * hundred KiB: such a URL is printed, not linked */
		if ((!first && (rc = puts_(st, ", "))) ||
		    (rc = put_field(st, q->source_url)))
			return rc;
		first = 0;
	} else if (q->source_url.ptr) {
		if ((!first && (rc = puts_(st, ",\n"))) ||
		    (rc = puts_(st, "\\qdbhref{")) ||
		    (rc = put_url_target(st, q->source_url)) ||
		    (rc = puts_(st, "}{")) ||
		    (rc = put_field(st, q->source_url)) ||
		    (rc = puts_(st, "}")))
			return rc;
		first = 0;
	}
	if (q->locator.ptr) {
		if ((!first && (rc = puts_(st, ", "))) ||
		    (rc = put_field(st, q->locator)))
			return rc;
	}
	return puts_(st, "\\qdbsourceend\n");
}

/* ---- Options ------------------------------------------------------- */

static const char *const papers[] = { "a4", "letter", "a5", NULL };
static const char *const sizes[] = { "10", "11", "12", NULL };
static const char *const column_counts[] = { "1", "2", NULL };

/*
 * The options that name things for TeX to load (class, preamble,
 * mainfont) go into the preamble as they are, so they may hold only
 * characters that mean nothing to TeX there: letters, digits and
 * "-_./" (and spaces in a font name).  Anything else is refused.
 */
static int check_name(latex_state *st, const char *opt, const char *v,
		      const char *extra)
{
	if (strlen(v) > 200) {
		st->host->error(st->host, "option %s: longer than 200 bytes",
				opt);
		return QDB_EINVALID;
	}
	for (const char *c = v; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr(extra, *c))
			continue;
		st->host->error(st->host, "option %s: \"%s\" may hold only "
				"ASCII letters, digits and \"%s\"", opt, v,
				extra);
		return QDB_EINVALID;
	}
	return 0;
}

static int check_layout(latex_state *st)
{
	const qdb_plugin_host *h = st->host;
	const char *cls = h->option(h, "class");
	int rc;
	if (!*cls) {
		h->error(h, "option class: the document class may not be "
			 "empty");
		return QDB_EINVALID;
	}
	if ((rc = check_name(st, "class", cls, "-_")) ||
	    (rc = check_name(st, "preamble", h->option(h, "preamble"),
			     "-_./")) ||
	    (rc = check_name(st, "mainfont", h->option(h, "mainfont"),
			     "-_. ")))
		return rc;
	return 0;
}

/* \documentclass, and the macros the head leaves to the options. */
static int put_layout(latex_state *st)
{
	const qdb_plugin_host *h = st->host;
	char line[400];
	const char *font = h->option(h, "mainfont");
	const char *pre = h->option(h, "preamble");
	int rc;
	snprintf(line, sizeof line, "\\documentclass[%spt,%spaper%s]{%s}\n"
		 "\\usepackage{iftex}\n",
		 sizes[h->option_int(h, "fontsize")],
		 papers[h->option_int(h, "paper")],
		 h->option_int(h, "columns") == 1 ? ",twocolumn" : "",
		 h->option(h, "class"));
	if ((rc = puts_(st, line)))
		return rc;
	if (*font)
		snprintf(line, sizeof line, "\\newcommand\\qdbmainfont{%%\n"
			 "  \\setmainfont{%s}[Ligatures=TeXOff%s]}\n", font,
			 st->tex.any_chars
			 ? ", RawFeature={fallback=qdbfallback}" : "");
	else
		snprintf(line, sizeof line, "\\newcommand\\qdbmainfont{}\n");
	if ((rc = puts_(st, line)))
		return rc;
	if (*pre)
		snprintf(line, sizeof line, "%% Your own preamble, after "
			 "quotedb's:\n\\newcommand\\qdbpreamble{"
			 "\\input{%s}}\n", pre);
	else
		snprintf(line, sizeof line, "\\newcommand\\qdbpreamble{}\n");
	return puts_(st, line);
}

/*
 * Once a text pdflatex cannot set has been seen, the document says so
 * before it: under pdflatex \qdbneedslualatex stops with a message that
 * names lualatex, rather than failing on the first glyph.  Once is
 * enough, as the first one stops pdflatex.
 */
static int mark_lua(latex_state *st)
{
	if (!st->tex.needs_lua || st->marked_lua)
		return 0;
	st->marked_lua = 1;
	return puts_(st, "\\qdbneedslualatex\n");
}

static int latex_begin(void **state, const qdb_plugin_host *host)
{
	int rc = 0;
	*state = NULL;
	if (!host || host->size < sizeof(qdb_plugin_host) ||
	    host->abi_major != QDB_PLUGIN_ABI_MAJOR ||
	    host->abi_minor < QDB_PLUGIN_ABI_MINOR)
		return QDB_EABI;
	latex_state *st = calloc(1, sizeof *st);
	if (!st) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	st->host = host;
	st->out.host = host;
	st->tex.out = &st->out;
	st->out.format = "LaTeX";
	st->order = host->sort == QDB_SORT_SPEAKER ? ORDER_SPEAKER
		: host->sort == QDB_SORT_DATE ? ORDER_DATE
		: host->sort == QDB_SORT_OUTLET ? ORDER_OUTLET
		: host->sort == QDB_SORT_SOURCE ? ORDER_SOURCE : ORDER_NONE;
	st->standalone = (int)host->option_int(host, "standalone");
	st->tex.any_chars = host->option_int(host, "charset") == CHARSET_ANY;
	st->context = (int)host->option_int(host, "context");
	st->date_text = (int)host->option_int(host, "date_text");
	st->original = (int)host->option_int(host, "original");
	st->toc = (int)host->option_int(host, "toc");
	const char *title = st->standalone ? host->option(host, "title") : "";
	rc = check_str(st, "option title", title, strlen(title));
	if (!rc && st->standalone)
		rc = check_layout(st);
	if (!rc && st->standalone) {
		char start[sizeof head_start + 128];
		snprintf(start, sizeof start, head_start, st->tex.any_chars
			 ? "lualatex (or pdflatex when every text is\n% Latin, "
			   "Greek or Cyrillic)" : "pdflatex or lualatex");
		rc = puts_(st, start);
		if (!rc)
			rc = put_layout(st);
		if (!rc)
			rc = puts_(st, st->tex.any_chars ? head_any
				   : head_latin);
		if (!rc)
			rc = puts_(st, head_end);
	} else if (!rc) {
		rc = puts_(st, body_head);
	}
	if (!rc && st->toc)
		rc = puts_(st, "\\newcommand\\qdbtocline[1]{%\n"
			   "  \\addcontentsline{toc}{section}{#1}}\n");
	if (!rc)
		rc = puts_(st, definitions);
	if (!rc)
		rc = mark_lua(st);
	if (!rc && st->standalone && *title) {
		rc = puts_(st, "\\begin{center}\\LARGE\\bfseries ");
		if (!rc)
			rc = put_escaped(st, title, strlen(title), MODE_FIELD);
		if (!rc)
			rc = puts_(st, "\\end{center}\n");
	}
	if (!rc && st->standalone && st->toc)
		rc = puts_(st, "\\tableofcontents\n");
	if (rc) {
		/* end is only called after a successful begin */
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

/* ---- Quotes -------------------------------------------------------- */

static int same(const char *p, size_t n, qdb_str s)
{
	return p && s.ptr && n == s.len && memcmp(p, s.ptr, n) == 0;
}

/* Copies s into *p (grown as needed). */
static int keep(char **p, size_t *n, qdb_str s)
{
	char *c = realloc(*p, s.len ? s.len : 1);
	if (!c)
		return QDB_ENOMEM;
	memcpy(c, s.ptr, s.len);
	*p = c;
	*n = s.len;
	return 0;
}

/* A text in the quotation marks of style, right to left when its first
 * strong character is (rtl_language). */
static int put_quoted(latex_state *st, qdb_str text, const char *style)
{
	const char *rtl = rtl_language(text);
	int rc;
	if ((rtl && ((rc = puts_(st, "\\qdbrtlstart{")) ||
		     (rc = puts_(st, rtl)) || (rc = puts_(st, "}")))) ||
	    (rc = puts_(st, "\\qdbopenquote{")) ||
	    (rc = puts_(st, style)) || (rc = puts_(st, "}")) ||
	    (rc = put_escaped(st, text.ptr, text.len, MODE_TEXT)) ||
	    (rc = puts_(st, "\\qdbclosequote")) ||
	    (rtl && (rc = puts_(st, "\\qdbrtlend"))))
		return rc;
	return puts_(st, "\n");
}

/*
 * Option original: under a translation, the original wording in the
 * marks of its language (translated) and in its direction; without the
 * original text, the language it was translated from.
 */
static int put_original(latex_state *st, const qdb_quote *q)
{
	int rc;
	const char *name = lookup_language(language_names,
		sizeof language_names / sizeof language_names[0],
		q->translated);
	if (!q->original.ptr && !q->translated.ptr)
		return 0;
	if ((rc = puts_(st, q->original.ptr ? "\\qdboriginalstart{"
			: "\\qdboriginal{")) ||
	    (q->translated.ptr && (rc = name ? puts_(st, name)
				   : put_field(st, q->translated))) ||
	    (rc = puts_(st, "}")))
		return rc;
	if (!q->original.ptr)
		return puts_(st, "\n");
	if ((rc = puts_(st, "%\n")) ||
	    (rc = put_quoted(st, q->original, quote_style(q->translated))))
		return rc;
	return puts_(st, "\\qdboriginalend\n");
}

static int latex_quote(void *state, const qdb_quote *q,
		       const qdb_plugin_host *host)
{
	latex_state *st = state;
	char what[200], label[64];
	int rc;
	if (!q || q->size < sizeof(qdb_quote)) {
		host->error(host, "quote record too small for this plugin "
			    "(%zu < %zu bytes)", q ? q->size : 0,
			    sizeof(qdb_quote));
		return QDB_EABI;
	}
	st->nquote++;
	const struct { const char *name; qdb_str s; } f[] = {
		{ "text", q->text }, { "speaker", q->speaker },
		{ "role", q->role }, { "outlet", q->outlet },
		{ "programme", q->programme }, { "occasion", q->occasion },
		{ "date", q->date }, { "date_text", q->date_text },
		{ "reported_by", q->reported_by }, { "source", q->source },
		{ "source.author", q->source_author },
		{ "source.date", q->source_date },
		{ "source.url", q->source_url }, { "locator", q->locator },
		{ "translated", q->translated },
		{ "context", st->context ? q->context : (qdb_str){ 0, 0 } },
		{ "original", st->original ? q->original : (qdb_str){ 0, 0 } },
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		/* Checked quietly first: the message naming the quote and
		 * field is formatted only for a value that fails. */
		if (f[i].s.ptr ? !check_str(st, NULL, f[i].s.ptr, f[i].s.len)
		    : i >= 2)
			continue;
		if (q->id.ptr)
			snprintf(what, sizeof what, "quote %.100s: %s",
				 q->id.ptr, f[i].name);
		else
			snprintf(what, sizeof what, "quote #%lu: %s",
				 st->nquote, f[i].name);
		if (!f[i].s.ptr && i < 2) {
			host->error(host, "%s is missing", what);
			return QDB_EINVALID;
		}
		if (f[i].s.ptr &&
		    (rc = check_str(st, what, f[i].s.ptr, f[i].s.len)))
			return rc;
	}
	const char *style = quote_style(q->language);
	if (st->tex.any_chars && !strcmp(style, "{japanese}"))
		st->tex.needs_lua = 1;   /* corner brackets */
	heading h;
	int none = heading_of(st, q, &h);
	if (none < 0) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	int changes = !none && heading_changes(st, &h);
	/* The same text by the same speaker right after it, under the same
	 * heading: one entry, with every attribution and source. */
	int merge = st->open_entry && !changes &&
		    same(st->last_speaker, st->last_speaker_len, q->speaker) &&
		    same(st->last_text, st->last_text_len, q->text);
	if (!merge && st->open_entry) {
		st->open_entry = 0;
		if ((rc = puts_(st, "\\end{qdbquote}\n")))
			return rc;
	}
	if ((rc = mark_lua(st)) || (changes && (rc = put_heading(st, &h))))
		return rc;
	speaker *s = speaker_get(st, q->speaker);
	if (!s || (!merge && (keep(&st->last_speaker, &st->last_speaker_len,
				   q->speaker) ||
			      keep(&st->last_text, &st->last_text_len,
				   q->text)))) {
		host->error(host, "out of memory");
		return QDB_ENOMEM;
	}
	s->nquotes++;
	if (merge) {
		rc = puts_(st, "\\qdbalso");
	} else {
		snprintf(label, sizeof label, "\n\\begin{qdbquote}{%lu}",
			 ++st->nentry);
		rc = puts_(st, label);
	}
	if (rc || (rc = put_label(st, q)))
		return rc;
	snprintf(label, sizeof label, "\\label{qdbspk%luq%lu}%%\n",
		 s->num, s->nquotes);
	if ((rc = puts_(st, label)))
		return rc;
	if (!merge) {
		st->open_entry = 1;
		if ((rc = put_quoted(st, q->text, style)))
			return rc;
	}
	if ((rc = put_attribution(st, q)))
		return rc;
	if (st->original && (rc = put_original(st, q)))
		return rc;
	if (st->context && q->context.ptr &&
	    ((rc = puts_(st, "\\qdbcontext{")) ||
	     (rc = put_field(st, q->context)) || (rc = puts_(st, "}\n"))))
		return rc;
	return put_source(st, q);
}

/* The index of speakers, by name. */
static int put_index(latex_state *st)
{
	int rc;
	if (st->nspk == 0)
		return 0;
	speaker **v = malloc(st->nspk * sizeof *v);
	if (!v) {
		st->host->error(st->host, "out of memory");
		return QDB_ENOMEM;
	}
	for (size_t i = 0; i < st->nspk; i++)
		v[i] = &st->spk[i];
	qsort(v, st->nspk, sizeof *v, speaker_cmp);
	rc = puts_(st, "\n\\qdbgroup{\\qdbindexname}\n");
	for (size_t i = 0; i < st->nspk && !rc; i++) {
		char nums[64];
		qdb_str name = { v[i]->name, v[i]->len };
		snprintf(nums, sizeof nums, "}{%lu}{%lu}\n", v[i]->num,
			 v[i]->nquotes);
		rc = puts_(st, "\\qdbindexentry{");
		if (!rc)
			rc = put_field(st, name);
		if (!rc)
			rc = puts_(st, nums);
	}
	free(v);
	return rc;
}

static int latex_end(void *state, int status, const qdb_plugin_host *host)
{
	(void)host;
	latex_state *st = state;
	int rc = 0;
	if (!st)
		return 0;
	if (status == 0) {
		if (st->open_entry)
			rc = puts_(st, "\\end{qdbquote}\n");
		if (!rc)
			rc = put_index(st);
		if (!rc && st->standalone)
			rc = puts_(st, "\n\\end{document}\n");
		if (!rc)
			rc = flush(st);
	}
	for (size_t i = 0; i < st->nspk; i++) {
		free(st->spk[i].name);
		free(st->spk[i].sort);
	}
	free(st->spk);
	free(st->slots);
	free(st->group);
	free(st->key);
	free(st->last_text);
	free(st->last_speaker);
	free(st);
	return rc;
}

static const char *const charsets[] = { "latin", "any", NULL };

static const qdb_plugin_option latex_options[] = {
	{ .name = "title", .type = QDB_OPTION_STRING,
	  .default_value = "Appendix: Quotations",
	  .help = "the heading of the standalone document" },
	{ .name = "standalone", .type = QDB_OPTION_BOOL, .default_value = "1",
	  .help = "1: a whole document; 0: only the body, to \\input (see "
	  "the packages listed at its top)" },
	{ .name = "charset", .type = QDB_OPTION_ENUM, .values = charsets,
	  .default_value = "any",
	  .help = "any: every script (lualatex; pdflatex for Latin, Greek and "
	  "Cyrillic); latin: refuse what pdflatex and lualatex cannot both "
	  "set with Latin Modern" },
	{ .name = "paper", .type = QDB_OPTION_ENUM, .values = papers,
	  .default_value = "a4", .help = "paper size (standalone)" },
	{ .name = "fontsize", .type = QDB_OPTION_ENUM, .values = sizes,
	  .default_value = "11", .help = "font size in points (standalone)" },
	{ .name = "columns", .type = QDB_OPTION_ENUM, .values = column_counts,
	  .default_value = "1", .help = "1 or 2 columns (standalone)" },
	{ .name = "mainfont", .type = QDB_OPTION_STRING, .default_value = "",
	  .help = "a fontspec font name for lualatex, instead of Noto Serif "
	  "(standalone)" },
	{ .name = "class", .type = QDB_OPTION_STRING,
	  .default_value = "article",
	  .help = "the document class, e.g. a publisher's (standalone)" },
	{ .name = "preamble", .type = QDB_OPTION_STRING, .default_value = "",
	  .help = "a file to \\input at the end of the preamble, for your own "
	  "packages and restyling (standalone)" },
	{ .name = "toc", .type = QDB_OPTION_BOOL, .default_value = "0",
	  .help = "1: a table of contents of the headings (standalone), or "
	  "their lines in yours (standalone=0)" },
	{ .name = "context", .type = QDB_OPTION_BOOL, .default_value = "0",
	  .help = "1: each quote's context under it" },
	{ .name = "date_text", .type = QDB_OPTION_BOOL, .default_value = "0",
	  .help = "1: after the date, the date as the source phrased it" },
	{ .name = "original", .type = QDB_OPTION_BOOL, .default_value = "0",
	  .help = "1: under a translation, the original text (field "
	  "original) in the marks and direction of its language, or the "
	  "language it was translated from" },
	{ .name = NULL }
};

static const qdb_plugin latex_plugin = {
	.abi_major = QDB_PLUGIN_ABI_MAJOR,
	.abi_minor = QDB_PLUGIN_ABI_MINOR,
	.size = sizeof(qdb_plugin),
	.name = "latex",
	.version = LATEX_VERSION,
	.description = "LaTeX appendix for pdflatex and lualatex, grouped, "
		"with an index of speakers",
	.extension = "tex",
	.options = latex_options,
	.option_size = sizeof(qdb_plugin_option),
	.sort = QDB_SORT_SPEAKER,
	.begin = latex_begin,
	.quote = latex_quote,
	.end = latex_end,
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &latex_plugin;
}
