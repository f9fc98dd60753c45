/*
 * datasym_plugin.c: a shared object whose qdb_plugin_descriptor is not a
 * function but data (a ret instruction's byte, in a read-only data
 * section).  Calling it would crash the host; quotedb must refuse it
 * before.  For the "hardening" suite (tests/test_hardening.c).
 */
__attribute__((visibility("default")))
const unsigned char qdb_plugin_descriptor[16] = { 0xc3 };
