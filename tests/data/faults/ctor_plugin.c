/*
 * ctor_plugin.c: a valid export plugin whose constructor, which runs
 * inside dlopen before any check of the descriptor can, creates the file
 * named by $QDB_FAULTS_MARKER.  The "faults" suite uses it to tell a
 * plugin refused before dlopen (no marker) from one loaded (marker).
 */
#include <stdio.h>
#include <stdlib.h>

#include "quotedb/plugin.h"

__attribute__((constructor)) static void leave_marker(void)
{
	const char *path = getenv("QDB_FAULTS_MARKER");
	FILE *f = path ? fopen(path, "a") : NULL;
	if (f) {
		fputs("constructor ran\n", f);
		fclose(f);
	}
}

static int k_begin(void **out, const qdb_plugin_host *host)
{
	*out = NULL;
	(void)host;
	return 0;
}

static int k_quote(void *p, const qdb_quote *q, const qdb_plugin_host *host)
{
	(void)p;
	return host->write(host, q->text.ptr, q->text.len) ||
	       host->write(host, "\n", 1) ? QDB_EIO : 0;
}

static int k_end(void *p, int status, const qdb_plugin_host *host)
{
	(void)p;
	(void)status;
	(void)host;
	return 0;
}

static const qdb_plugin k_plugin = {
	QDB_PLUGIN_ABI_MAJOR, QDB_PLUGIN_ABI_MINOR, sizeof(qdb_plugin),
	"ctor", "1.0", "leaves a marker when loaded (tests)", "txt", NULL,
	k_begin, k_quote, k_end
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &k_plugin;
}
