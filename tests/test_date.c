/*
 * test_date.c: the "date" suite: qdb_date_parse against the table in
 * tests/data/dates.txt, its error messages, and its respect for len.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATES "tests/data/dates.txt"

/* Parses the input in a heap buffer of exactly len bytes, so that a read
 * past the end shows under valgrind or AddressSanitizer. */
static int parse_exact(int32_t *lo, int32_t *hi, const char *s, size_t len,
		       qdb_error *err)
{
	char *buf = malloc(len ? len : 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	memcpy(buf, s, len);
	int rc = qdb_date_parse(lo, hi, buf, len, err);
	free(buf);
	return rc;
}

static void test_table(void)
{
	size_t len;
	char *data = th_read_file(DATES, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	int lineno = 0, checked = 0, refused = 0;
	char *save = NULL;
	for (char *line = strtok_r(data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		const char *input = line, *want = tab + 1;
		int32_t lo = -1, hi = -1;
		qdb_error err;
		memset(&err, 0, sizeof err);
		int rc = parse_exact(&lo, &hi, input, strlen(input), &err);
		if (strcmp(want, "invalid") == 0) {
			if (rc != QDB_EINVALID || err.code != QDB_EINVALID ||
			    !err.text[0])
				fprintf(stderr, "\n%s:%d: \"%s\" not refused "
					"(rc %d)\n", DATES, lineno, input, rc);
			CU_ASSERT_EQUAL(rc, QDB_EINVALID);
			CU_ASSERT_EQUAL(err.code, QDB_EINVALID);
			CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "accepted: "));
			CU_ASSERT_EQUAL(lo, -1);  /* untouched on failure */
			CU_ASSERT_EQUAL(hi, -1);
			refused++;
			continue;
		}
		long wlo = 0, whi = 0;
		CU_ASSERT_EQUAL_FATAL(sscanf(want, "%ld\t%ld", &wlo, &whi), 2);
		if (rc != 0 || lo != wlo || hi != whi)
			fprintf(stderr, "\n%s:%d: \"%s\": rc %d, %ld..%ld, "
				"expected %ld..%ld (%s)\n", DATES, lineno,
				input, rc, (long)lo, (long)hi, wlo, whi,
				err.text);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(lo, wlo);
		CU_ASSERT_EQUAL(hi, whi);
		checked++;
	}
	free(data);
	/* The table itself must not quietly shrink. */
	CU_ASSERT(checked >= 40);
	CU_ASSERT(refused >= 60);
}

/* The message names the input, the reason and the accepted forms, and
 * the location fields, which the caller fills, are left alone. */
static void test_error_text(void)
{
	qdb_error err;
	memset(&err, 0, sizeof err);
	strcpy(err.file, "quotes/x.yaml");
	err.line = 12;
	err.column = 9;
	strcpy(err.field, "quotes[3].date");
	int32_t lo, hi;
	CU_ASSERT_EQUAL(qdb_date_parse(&lo, &hi, "2023-02-29", 10, &err),
			QDB_EINVALID);
	CU_ASSERT_EQUAL(err.code, QDB_EINVALID);
	CU_ASSERT_STRING_EQUAL(err.text, "bad date \"2023-02-29\": 2023-02 "
			       "has no day 29; accepted: 2023, 2023-10, "
			       "2023-10-09, each optionally followed by ~ ? or "
			       "%; 202X, 2023-XX, 2023-10-XX; intervals A/B, "
			       "../B, A/.., /B, A/");
	CU_ASSERT_STRING_EQUAL(err.file, "quotes/x.yaml");
	CU_ASSERT_EQUAL(err.line, 12);
	CU_ASSERT_EQUAL(err.column, 9);
	CU_ASSERT_STRING_EQUAL(err.field, "quotes[3].date");

	static const struct { const char *in, *reason; } cases[] = {
		{ "2023-13", "there is no month 13" },
		{ "23-10-07", "the year needs four digits at '-' (byte 3)" },
		{ "October 2023",
		  "expected a four-digit year at 'O' (byte 1)" },
		{ "", "the date is empty" },
		{ " 2023", "leading or trailing white space" },
		{ "2023-10-31/2023-10-25",
		  "the interval starts after it ends" },
		{ "-2023", "a sign is not allowed" },
		{ "10000", "the year has more than four digits" },
		{ "../..", "an interval needs at least one date" },
		{ "2023-10-09T10:00", "unexpected text at 'T' (byte 11)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&err, 0, sizeof err);
		CU_ASSERT_EQUAL(qdb_date_parse(&lo, &hi, cases[i].in,
					       strlen(cases[i].in), &err),
				QDB_EINVALID);
		if (!strstr(err.text, cases[i].reason))
			fprintf(stderr, "\n\"%s\": %s\n", cases[i].in,
				err.text);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.text, cases[i].reason));
		CU_ASSERT(strlen(err.text) < sizeof err.text - 1);
	}

	/* A long input is shortened in the message, which still fits. */
	char longin[200];
	memset(longin, '9', sizeof longin);
	memset(&err, 0, sizeof err);
	CU_ASSERT_EQUAL(qdb_date_parse(&lo, &hi, longin, sizeof longin, &err),
			QDB_EINVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "99999...\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "accepted: "));
}

/* Only len bytes count: the input need not end in NUL, and what follows
 * it is not read. */
static void test_len(void)
{
	int32_t lo = 0, hi = 0;
	CU_ASSERT_EQUAL(qdb_date_parse(&lo, &hi, "2023-10-09", 7, NULL), 0);
	CU_ASSERT_EQUAL(lo, 20231001);
	CU_ASSERT_EQUAL(hi, 20231031);
	CU_ASSERT_EQUAL(qdb_date_parse(&lo, &hi, "2023/2024", 5, NULL), 0);
	CU_ASSERT_EQUAL(lo, 20230101);
	CU_ASSERT_EQUAL(hi, QDB_DATE_OPEN_HI);
	CU_ASSERT_EQUAL(qdb_date_parse(&lo, &hi, "2023-10-09", 10, NULL), 0);
	CU_ASSERT_EQUAL(lo, 20231009);
	CU_ASSERT_EQUAL(hi, 20231009);

	/* Every prefix of a valid date, in a buffer of exactly that size. */
	const char *full = "2023-10-09~/2024-02-29?";
	for (size_t n = 0; n <= strlen(full); n++)
		parse_exact(&lo, &hi, full, n, NULL);

	/* A NUL or a line break is just a byte that does not belong. */
	CU_ASSERT_EQUAL(qdb_date_parse(&lo, &hi, "2023\0", 5, NULL),
			QDB_EINVALID);
	CU_ASSERT_EQUAL(qdb_date_parse(&lo, &hi, "2023\n", 5, NULL),
			QDB_EINVALID);
	CU_ASSERT_EQUAL(qdb_date_parse(&lo, &hi, NULL, 0, NULL), QDB_EINVALID);
	CU_ASSERT_EQUAL(qdb_date_parse(&lo, &hi, NULL, 4, NULL), QDB_EINVALID);
}

/* Either output may be NULL, to validate only. */
static void test_null_outputs(void)
{
	int32_t hi = 0;
	CU_ASSERT_EQUAL(qdb_date_parse(NULL, NULL, "2023-10", 7, NULL), 0);
	CU_ASSERT_EQUAL(qdb_date_parse(NULL, &hi, "2023-10", 7, NULL), 0);
	CU_ASSERT_EQUAL(hi, 20231031);
	CU_ASSERT_EQUAL(qdb_date_parse(NULL, NULL, "2023-13", 7, NULL),
			QDB_EINVALID);
}

void test_date_register(void)
{
	static const qdb_test_def tests[] = {
		QDB_TEST(test_table),
		QDB_TEST(test_error_text),
		QDB_TEST(test_len),
		QDB_TEST(test_null_outputs),
	};
	TH_SUITE("date", NULL, NULL, tests);
}
