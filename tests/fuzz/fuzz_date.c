/*
 * fuzz_date.c: libFuzzer target for qdb_date_parse (core/date.c).
 *
 * The input is copied into a heap block of exactly its size, so ASan
 * catches any read past len: the parser promises to treat its input as a
 * byte range, not a C string.  Properties: on success lo <= hi and each is
 * an open end (0, 99991231) or a real calendar day as yyyymmdd; on failure
 * QDB_EINVALID with a reason; the same bytes give the same answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int valid_day(int32_t v)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	if (v < 101 || v > 99991231)
		return 0;
	int y = v / 10000, m = v / 100 % 100, d = v % 100;
	if (m < 1 || m > 12 || d < 1)
		return 0;
	return d <= days[m - 1] + (m == 2 && leap(y));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	int32_t lo = -1, hi = -1;
	qdb_error err;
	memset(&err, 0, sizeof err);
	int rc = qdb_date_parse(&lo, &hi, size ? s : NULL, size, &err);
	if (rc == 0) {
		FUZZ_CHECK(lo <= hi, "lo %d > hi %d for \"%.*s\"", lo, hi,
			   (int)size, s);
		FUZZ_CHECK(lo == 0 || valid_day(lo), "lo %d is not a day "
			   "for \"%.*s\"", lo, (int)size, s);
		FUZZ_CHECK(hi == QDB_DATE_OPEN_HI || valid_day(hi), "hi %d is not a "
			   "day for \"%.*s\"", hi, (int)size, s);
	} else {
		FUZZ_CHECK(rc == QDB_EINVALID, "rc %d", rc);
		FUZZ_CHECK(err.code == QDB_EINVALID && err.text[0],
			   "no reason given for \"%.*s\"", (int)size, s);
	}
	/* Without err and out parameters: the same verdict, no crash. */
	int32_t lo2 = -1, hi2 = -1;
	int rc2 = qdb_date_parse(&lo2, &hi2, size ? s : NULL, size, NULL);
	FUZZ_CHECK(rc2 == rc && (rc || (lo2 == lo && hi2 == hi)),
		   "second parse differs for \"%.*s\"", (int)size, s);
	qdb_date_parse(NULL, NULL, size ? s : NULL, size, NULL);
	free(s);
	return 0;
}
