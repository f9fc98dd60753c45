/*
 * test_verify.c: the "verify" suite: qdb_verify_text against the cases in
 * tests/data/verify/ (see the README there), its argument checks, and its
 * speed on sources of several megabytes.
 */
#include "helpers.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CASES "tests/data/verify"

/* Reads a case file, dropping one final newline; NULL if absent. */
static char *read_case(const char *dir, const char *name, size_t *len)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	char *s = th_read_file(path, len);
	if (s && *len && s[*len - 1] == '\n')
		s[--*len] = '\0';
	return s;
}

/* Verifies with the quote and source in heap buffers of exactly their
 * size, so that a read past either end shows under valgrind or ASan. */
static int verify_exact(qdb_verify_result *r, const char *q, size_t qlen,
			const char *s, size_t slen)
{
	char *qb = malloc(qlen ? qlen : 1), *sb = malloc(slen ? slen : 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(qb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
	memcpy(qb, q, qlen);
	memcpy(sb, s, slen);
	int rc = qdb_verify_text(r, qb, qlen, sb, slen);
	free(qb);
	free(sb);
	return rc;
}

static const char *status_name(qdb_verify_status st)
{
	switch (st) {
	case QDB_VERIFIED: return "verified";
	case QDB_DIFFERS: return "differs";
	case QDB_NOT_FOUND: return "not_found";
	}
	return "?";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks one expected.txt line against the result. */
static void check_key(const char *name, const char *key, const char *val,
		      const qdb_verify_result *r, const char *q, size_t qlen,
		      const char *s, size_t slen)
{
	size_t n = strtoul(val, NULL, 10);
	int ok = 1;
	size_t got = 0;
	if (strcmp(key, "status") == 0) {
		ok = strcmp(status_name(r->status), val) == 0;
	} else if (strcmp(key, "quote_off") == 0) {
		ok = (got = r->quote_off) == n;
	} else if (strcmp(key, "source_off") == 0) {
		ok = (got = r->source_off) == n;
	} else if (strcmp(key, "near_off") == 0) {
		ok = (got = r->near_off) == n;
	} else if (strcmp(key, "near_len") == 0) {
		ok = (got = r->near_len) == n;
	} else if (strcmp(key, "quote_at") == 0) {
		ok = r->quote_off <= qlen && qlen - r->quote_off >= strlen(val)
		     && memcmp(q + r->quote_off, val, strlen(val)) == 0;
	} else if (strcmp(key, "source_at") == 0) {
		ok = r->source_off <= slen &&
		     slen - r->source_off >= strlen(val) &&
		     memcmp(s + r->source_off, val, strlen(val)) == 0;
	} else {
		fprintf(stderr, "\n%s: unknown key %s\n", name, key);
		ok = 0;
	}
	if (!ok)
		fprintf(stderr, "\n%s: %s: expected %s, got %zu (status %s, "
			"near %zu+%zu, quote_off %zu, source_off %zu)\n", name,
			key, val, got, status_name(r->status), r->near_off,
			r->near_len, r->quote_off, r->source_off);
	CU_ASSERT(ok);
}

static void run_case(const char *dir, const char *name,
		     const char *article, size_t alen)
{
	size_t qlen = 0, slen = 0, elen = 0, nlen = 0;
	char *q = read_case(dir, "quote.txt", &qlen);
	char *own = NULL, *exp = read_case(dir, "expected.txt", &elen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(exp);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/source.txt", dir);
	own = th_read_file(path, &slen);  /* byte for byte: no trimming */
	const char *s = own ? own : article;
	if (!own)
		slen = alen;

	qdb_verify_result r = QDB_VERIFY_RESULT_INIT;
	CU_ASSERT_EQUAL(verify_exact(&r, q, qlen, s, slen), 0);

	char *save = NULL;
	for (char *line = strtok_r(exp, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		check_key(name, line, sp + 1, &r, q, qlen, s, slen);
	}

	char *near = read_case(dir, "near.txt", &nlen);
	if (near) {
		int ok = r.near_off <= slen && r.near_len <= slen - r.near_off
			 && r.near_len == nlen &&
			 memcmp(s + r.near_off, near, nlen) == 0;
		if (!ok)
			fprintf(stderr, "\n%s: the passage is \"%.*s\"\n", name,
				(int)(r.near_off <= slen && r.near_len <=
				      slen - r.near_off ? r.near_len : 0),
				s + r.near_off);
		CU_ASSERT(ok);
	}
	free(near);
	free(q);
	free(exp);
	free(own);
}

static void test_cases(void)
{
	size_t alen;
	char *article = th_read_file(CASES "/article.txt", &alen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(article);
	DIR *d = opendir(CASES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256) {
		char path[PATH_MAX];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", CASES, e->d_name);
		if (e->d_name[0] != '.' && stat(path, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_str);
	CU_ASSERT(n >= 19);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", CASES, names[i]);
		run_case(path, names[i], article, alen);
		free(names[i]);
	}
	free(article);
}

static qdb_verify_result check(const char *q, const char *s)
{
	qdb_verify_result r = QDB_VERIFY_RESULT_INIT;
	CU_ASSERT_EQUAL(verify_exact(&r, q, strlen(q), s, strlen(s)), 0);
	return r;
}

#define VERIFIES(q, s, off, len) do { \
	qdb_verify_result r_ = check(q, s); \
	CU_ASSERT_EQUAL(r_.status, QDB_VERIFIED); \
	CU_ASSERT_EQUAL(r_.near_off, off); \
	CU_ASSERT_EQUAL(r_.near_len, len); \
} while (0)

#define DIFFERS(q, s, qoff, soff) do { \
	qdb_verify_result r_ = check(q, s); \
	CU_ASSERT_EQUAL(r_.status, QDB_DIFFERS); \
	CU_ASSERT_EQUAL(r_.quote_off, qoff); \
	CU_ASSERT_EQUAL(r_.source_off, soff); \
} while (0)

#define NOT_FOUND(q, s) do { \
	qdb_verify_result r_ = check(q, s); \
	CU_ASSERT_EQUAL(r_.status, QDB_NOT_FOUND); \
	CU_ASSERT_EQUAL(r_.near_off, 0); \
	CU_ASSERT_EQUAL(r_.near_len, 0); \
} while (0)

/* The contract rule by rule, on small texts. */
static void test_whitespace(void)
{
	VERIFIES("a b c", "xx a\r\n\t b\xC2\xA0" "c yy", 3, 9);
	VERIFIES("a\nb", "a b", 0, 3);
	VERIFIES("  a b \n", "a  b", 0, 4);          /* ends ignored */
	DIFFERS("wait, what is this", "wait,what is this", 5, 5);
	DIFFERS("wait,what is this", "wait, what is this", 5, 5);
	VERIFIES("a\xC2\xA0" "b", "a\fb", 0, 3);
}

static void test_ellipsis(void)
{
	const char *s = "one two three four five six seven";
	VERIFIES("one two … five six", s, 0, 27);
	VERIFIES("one two...five six", s, 0, 27);
	VERIFIES("one two [...] five six", s, 0, 27);
	VERIFIES("one two [ … ] five six", s, 0, 27);
	VERIFIES("one … two … three", s, 0, 13);    /* may omit nothing */
	VERIFIES("… three four …", s, 8, 10);       /* ends ignored */
	VERIFIES("one two. … three", "one two. … three", 0, 18);
	VERIFIES("one two. … three", "one two. three", 0, 14);
	/* In order: the part after must follow the part before. */
	qdb_verify_result r = check("five six … one two three", s);
	CU_ASSERT_NOT_EQUAL(r.status, QDB_VERIFIED);
	/* Two dots are not an ellipsis. */
	DIFFERS("one two.. five six seven", "one two.. three four five six",
		10, 10);
	/* Only the ellipsis: nothing to look for. */
	NOT_FOUND("…", s);
	NOT_FOUND(" ... [x] ", s);
}

static void test_brackets(void)
{
	const char *s = "We will do this again and again.";
	VERIFIES("We will do [it] again", s, 0, 21);          /* replaces */
	VERIFIES("We will [certainly] do this again", s, 0, 21); /* nothing */
	/* At an end a bracket need not match; the span takes in the rest
	 * of a word it completes. */
	VERIFIES("[W]e will do", s, 0, 10);
	VERIFIES("[we] will do", s, 3, 7);
	VERIFIES("We will do this [again]", s, 0, 15);
	VERIFIES("We will do this ag[ain]", s, 0, 21);
	VERIFIES("We will do [this] again", "We will do [this] again", 0, 23);
	/* A bracket stands for at most 80 bytes and never a line break. */
	char src[100];
	memset(src, 'x', sizeof src);
	memcpy(src, "a ", 2);
	memcpy(src + 82, " b", 3);                 /* 80 bytes between */
	VERIFIES("a [x] b", src, 0, 84);
	src[82] = 'x';
	memcpy(src + 83, " b", 3);                 /* 81 bytes */
	qdb_verify_result r = check("a [x] b", src);
	CU_ASSERT_NOT_EQUAL(r.status, QDB_VERIFIED);
	VERIFIES("one [x] three", "one two\nthree", 0, 13);
	r = check("one [x] three", "one two\nfour three");
	CU_ASSERT_NOT_EQUAL(r.status, QDB_VERIFIED);
	/* An unclosed bracket is an ordinary character. */
	VERIFIES("a [b c", "a [b c", 0, 6);
	DIFFERS("the list [b c d e f", "the list b c d e f", 9, 9);
}

static void test_differs(void)
{
	/* A change in a multi-byte character is reported at its start. */
	DIFFERS("“there is no clear evidence”",
		"said that “there is no clear evidence\" Iran", 29, 39);
	DIFFERS("There is no clear evidence", "there is no clear evidence",
		0, 0);
	/* ’ and “ share their first two bytes. */
	DIFFERS("it\u2019s here now", "it\u201Cs here now", 2, 2);
}

/* out is a versioned struct: a short size is refused, a longer one (a
 * newer caller) accepted and its tail left alone. */
static void test_args(void)
{
	qdb_verify_result r = QDB_VERIFY_RESULT_INIT;
	CU_ASSERT_EQUAL(qdb_verify_text(NULL, "a", 1, "a", 1), QDB_EINVALID);
	r.size = sizeof r - 1;
	CU_ASSERT_EQUAL(qdb_verify_text(&r, "a", 1, "a", 1), QDB_EINVALID);
	r.size = 0;
	CU_ASSERT_EQUAL(qdb_verify_text(&r, "a", 1, "a", 1), QDB_EINVALID);
	r.size = sizeof r;
	CU_ASSERT_EQUAL(qdb_verify_text(&r, NULL, 1, "a", 1), QDB_EINVALID);
	CU_ASSERT_EQUAL(qdb_verify_text(&r, "a", 1, NULL, 1), QDB_EINVALID);

	struct { qdb_verify_result r; unsigned char tail[16]; } big;
	memset(&big, 0xAB, sizeof big);
	big.r.size = sizeof big;
	CU_ASSERT_EQUAL(qdb_verify_text(&big.r, "b c", 3, "a b  c", 6), 0);
	CU_ASSERT_EQUAL(big.r.status, QDB_VERIFIED);
	CU_ASSERT_EQUAL(big.r.near_off, 2);
	CU_ASSERT_EQUAL(big.r.near_len, 4);
	CU_ASSERT_EQUAL(big.tail[0], 0xAB);
	CU_ASSERT_EQUAL(big.tail[15], 0xAB);

	/* Empty texts are fine, and found nowhere. */
	CU_ASSERT_EQUAL(qdb_verify_text(&r, NULL, 0, NULL, 0), 0);
	CU_ASSERT_EQUAL(r.status, QDB_NOT_FOUND);
	CU_ASSERT_EQUAL(qdb_verify_text(&r, "quote", 5, NULL, 0), 0);
	CU_ASSERT_EQUAL(r.status, QDB_NOT_FOUND);
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Several megabytes of source: the test article a thousand times, then a
 * sentence only the end has; and text that repeats one word. */
static void test_large(void)
{
	size_t alen;
	char *article = th_read_file(CASES "/article.txt", &alen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(article);
	const char *tail = "The quick brown fox, the lazy dog.\n";
	size_t copies = 1000, tlen = strlen(tail);
	size_t slen = alen * copies + tlen;
	char *s = malloc(slen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (size_t i = 0; i < copies; i++)
		memcpy(s + i * alen, article, alen);
	memcpy(s + alen * copies, tail, tlen);

	double t0 = seconds();
	qdb_verify_result r = QDB_VERIFY_RESULT_INIT;
	const char *q = "the quick brown fox, the lazy dog";
	CU_ASSERT_EQUAL(qdb_verify_text(&r, q, strlen(q), s, slen), 0);
	CU_ASSERT_EQUAL(r.status, QDB_DIFFERS);
	CU_ASSERT_EQUAL(r.quote_off, 0);
	CU_ASSERT_EQUAL(r.source_off, alen * copies);
	q = "quick brown fox, the lazy dog";
	CU_ASSERT_EQUAL(qdb_verify_text(&r, q, strlen(q), s, slen), 0);
	CU_ASSERT_EQUAL(r.status, QDB_VERIFIED);
	CU_ASSERT_EQUAL(r.near_off, alen * copies + 4);
	q = "HAMAS … quick brown fox";
	CU_ASSERT_EQUAL(qdb_verify_text(&r, q, strlen(q), s, slen), 0);
	CU_ASSERT_EQUAL(r.status, QDB_VERIFIED);
	q = "The moon is made of green cheese, as everybody in Gaza knows.";
	CU_ASSERT_EQUAL(qdb_verify_text(&r, q, strlen(q), s, slen), 0);
	CU_ASSERT_EQUAL(r.status, QDB_NOT_FOUND);
	/* Many ellipses. */
	char many[4000] = "";
	for (int i = 0; i < 300; i++)
		strcat(many, "the … ");
	strcat(many, "lazy dog");
	CU_ASSERT_EQUAL(qdb_verify_text(&r, many, strlen(many), s, slen), 0);
	CU_ASSERT_EQUAL(r.status, QDB_VERIFIED);

	/* "a a a ... a" against a quote of a thousand a's and a b. */
	for (size_t i = 0; i < slen; i++)
		s[i] = i % 2 ? ' ' : 'a';
	char *aq = malloc(2002);
	CU_ASSERT_PTR_NOT_NULL_FATAL(aq);
	for (size_t i = 0; i < 2000; i++)
		aq[i] = i % 2 ? ' ' : 'a';
	aq[2000] = 'b';
	CU_ASSERT_EQUAL(qdb_verify_text(&r, aq, 2001, s, slen), 0);
	CU_ASSERT_EQUAL(r.status, QDB_DIFFERS);
	CU_ASSERT_EQUAL(r.quote_off, 2000);
	CU_ASSERT_EQUAL(r.near_off, 0);
	/* Well under a second when built with -O2; the bound is loose so
	 * that valgrind passes, but a quadratic search would take minutes. */
	double t = seconds() - t0;
	if (t > 60)
		fprintf(stderr, "\nverify on %zu bytes took %.1f s\n", slen, t);
	CU_ASSERT(t < 60);
	free(aq);
	free(s);
	free(article);
}

void test_verify_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_cases),
		QDB_TEST(test_whitespace),
		QDB_TEST(test_ellipsis),
		QDB_TEST(test_brackets),
		QDB_TEST(test_differs),
		QDB_TEST(test_args),
		QDB_TEST(test_large),
	};
	TH_SUITE("verify", NULL, NULL, tests);
}
