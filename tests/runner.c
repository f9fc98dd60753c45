/*
 * runner.c: the one test program.  It registers every CUnit suite (one per
 * tests/test_<module>.c, listed in build/tests/suites.h by the Makefile) and
 * exits non-zero when any assertion fails, which CU_basic_run_tests alone
 * does not do.  "runner SUITE..." runs only the named suites.
 */
#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>

#define QDB_SUITE(name) void test_##name##_register(void);
#include "suites.h"
#undef QDB_SUITE

int main(int argc, char **argv)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
#define QDB_SUITE(name) test_##name##_register();
#include "suites.h"
#undef QDB_SUITE
	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "runner: %s\n", CU_get_error_msg());
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	unsigned failed = 0, suites_failed = 0;
	if (argc > 1) {
		/* Each run resets CUnit's counts: add them up per suite. */
		for (int i = 1; i < argc; i++) {
			CU_pSuite s = CU_get_suite(argv[i]);
			if (!s) {
				fprintf(stderr, "runner: no suite '%s'\n", argv[i]);
				CU_cleanup_registry();
				return 2;
			}
			CU_basic_run_suite(s);
			failed += CU_get_number_of_failures();
			suites_failed += CU_get_number_of_suites_failed();
		}
	} else {
		CU_basic_run_tests();
		failed = CU_get_number_of_failures();
		suites_failed = CU_get_number_of_suites_failed();
	}
	CU_cleanup_registry();
	if (failed || suites_failed) {
		fprintf(stderr, "runner: %u assertion(s) failed, %u suite(s) "
			"could not run\n", failed, suites_failed);
		return 1;
	}
	return 0;
}
