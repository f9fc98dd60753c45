/*
 * plugin_host.h: a fake plugin host for the plugin suites: output goes to
 * memory, options come from a list, errors are recorded.  It does what
 * the real host (core/export.c) does, minus the database, so a plugin's
 * bytes can be compared exactly.
 */
#ifndef QDB_TEST_PLUGIN_HOST_H
#define QDB_TEST_PLUGIN_HOST_H

#include "helpers.h"
#include "quotedb/plugin.h"

typedef struct fake_host {
	qdb_plugin_host h;            /* first: the plugin is given &h */
	const qdb_plugin *plugin;
	const char *const *options;   /* "key=value", NULL-terminated */
	th_buf out;
	char err[1024];
	int nerrors;
	size_t fail_after;            /* writes fail past this many bytes */
	size_t nwrites;
	size_t max_write;
} fake_host;

/* Sets fh up for plugin p with the given options (borrowed). */
void fh_init(fake_host *fh, const qdb_plugin *p, const char *const *options);

/* begin, one quote call per quote, end: what the host does. */
int fh_export(fake_host *fh, const qdb_quote *qs, size_t n);

#endif
