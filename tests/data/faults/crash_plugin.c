/*
 * crash_plugin.c: an export plugin that crashes in its second quote call,
 * after writing some output: SIGSEGV, abort() when built with
 * -DCRASH_ABORT, or hangs there when built with -DCRASH_HANG.  For the
 * "faults" suite (tests/test_faults.c).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quotedb/plugin.h"

static int c_begin(void **out, const qdb_plugin_host *host)
{
	*out = NULL;
	return host->write(host, "crash plugin output\n", 20) ? QDB_EIO : 0;
}

static int c_quote(void *p, const qdb_quote *q, const qdb_plugin_host *host)
{
	static int calls;
	static char block[8192];
	(void)p;
	(void)q;
	if (++calls == 2) {
#if defined(CRASH_ABORT)
		abort();
#elif defined(CRASH_HANG)
		for (;;)
			pause();
#else
		raise(SIGSEGV);
#endif
	}
	memset(block, 'c', sizeof block);
	return host->write(host, block, sizeof block) ? QDB_EIO : 0;
}

static int c_end(void *p, int status, const qdb_plugin_host *host)
{
	(void)p;
	(void)status;
	(void)host;
	return 0;
}

static const qdb_plugin c_plugin = {
	QDB_PLUGIN_ABI_MAJOR, QDB_PLUGIN_ABI_MINOR, sizeof(qdb_plugin),
	"crash", "1.0", "crashes on purpose (tests)", "txt", NULL,
	c_begin, c_quote, c_end
};

QDB_PLUGIN_EXPORT const qdb_plugin *qdb_plugin_descriptor(void)
{
	return &c_plugin;
}
